"""How results on a benchmark become an order and places: the one rule every page,
table, chart and export asks.

The rule
--------
- A benchmark ranks one result per model: its headline result (``Result.is_headline``)
  on the benchmark's ranked version, when it is measured as the benchmark ranks
  (``Result.is_comparable``: the metric, variant and shots the benchmark declares, and
  not a subset run; ``leaderboard.rules.run_settings``). A model whose result was measured
  differently gets no place: its result is shown apart, never ranked against the
  others.
- Results with a value come first, best first by the benchmark's direction (highest
  first when no source states a direction). Equal values tie, whatever places their
  sources state beside them.
- Results that give only a place follow every value, lower place first; equal places
  tie.
- A model's place is 1 + the number of ranked results strictly better than its own
  (standard competition places: 1, 2, 2, 4). It is counted over every ranked result
  on the benchmark, so it never depends on the page, the filters or the sort order.
- When no source states the direction, no place is computed: a model shows only a
  place its source states.
- Worst first is the same order reversed (places alone first, then values), but for
  models without a result: last either way.
- Rows that tie, and models without a result, are listed by name.

The vocabulary: ``Ranking(benchmark)`` has ``results()`` (the ranked results),
``in_order(rows)`` (models or results in ranking order, best or worst first),
``ranked_parts(results)`` (the order as querysets), ``top(n)`` and ``top_values()``
(the first results, for charts), ``places(scores)`` (the place of each (value, rank)
pair), ``best_places(results)`` (statistical ties: the best place each result's
uncertainty allows), and ``having_result(models)`` (a filter); ``leaders(benchmarks)`` names who is
first on each of several benchmarks.
"""

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cached_property

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Window
from django.db.models.functions import RowNumber

from ..models import Result
from ..models.results import interval_of
from ..reading.expressions import InIds
from ..reading.orm_internals import is_filtered
from . import run_settings

# Up to this many distinct scores are placed by counting, in the database, the
# results better than each; more (an export of every row) read every ranked result
# once and place them in Python. The same rule either way (``sort_key``).
COUNTED_IN_SQL = 100
# How many of the models tying for first place a benchmark's summary names.
MAX_NAMED_LEADERS = 3


class Ranking:
    def __init__(self, benchmark):
        self.benchmark = benchmark
        self.higher_first = benchmark.higher_is_better is not False
        self.computes_places = benchmark.higher_is_better is not None

    def results(self):
        """The ranked results: one per model, on the ranked version."""
        return Result.objects.headline().filter(
            self.benchmark.ranked_q(), benchmark=self.benchmark
        )

    def measured_differently(self):
        """The models' results on the ranked version that the benchmark does not rank
        because they were measured otherwise than it ranks (``Result.is_comparable``):
        shown apart, by setting, each with what differs; never placed."""
        return (
            Result.objects.headline()
            .filter(self.benchmark.ranked_version_q(), benchmark=self.benchmark)
            .filter(is_comparable=False)
        )

    def differently_groups(self):
        """``measured_differently`` counted by setting: [(label, count)], most first
        ("0-shot, acc", 3)."""
        fields = [*run_settings.RANKED.values(), "subset"]
        groups = (
            self.measured_differently()
            .values(*fields)
            .annotate(count=Count("pk"))
            .order_by("-count", *fields)
        )
        return [
            (run_settings.group_label(group, self.benchmark), group["count"]) for group in groups
        ]

    def ranked_parts(self, results, best_first=True):
        """The rule as ordered querysets, read one after the other: ``results`` with a
        value, by direction, then those with a place alone, lower first (worst first:
        places alone from the highest, then values the other way); ties by model name.
        Each part is a range of its own partial index, read in order, so the first
        rows of a part cost about as many index entries as they are."""
        descending = best_first == self.higher_first
        valued = results.filter(value__isnull=False).order_by(
            "-value" if descending else "value", "model__name"
        )
        alone = results.filter(value__isnull=True).order_by(
            "rank" if best_first else "-rank", "model__name"
        )
        return [valued, alone] if best_first else [alone, valued]

    def in_order(self, rows, best_first):
        """AI models, or this benchmark's ranked results, in ranking order (see
        ``RankedRows``): what the leaderboard and the benchmark page page through."""
        if isinstance(rows, RankedRows):
            rows = rows.rows
        kind = RankedResults if rows.model is Result else RankedModels
        return kind(rows, self, best_first)

    def chart_points(self, results):
        """Results as the dicts the charts draw."""
        return results.values(
            "provenance",
            name=F("model__name"),
            slug=F("model__slug"),
            active_parameters=F("model__active_parameters"),
            release_date=F("model__release_date"),
            score_value=F("value"),
            score_rank=F("rank"),
            score_stderr=F("stderr"),
            score_ci_low=F("ci_low"),
            score_ci_high=F("ci_high"),
            claimer=F("claimed_by__name"),
        )

    def top(self, limit):
        """The first ``limit`` ranked results, best first, as chart points."""
        points = []
        for part in self.ranked_parts(self.results()):
            # Once the points are full, the slice is empty and asks nothing.
            points += self.chart_points(part)[: limit - len(points)]
        return points

    def sized_values(self):
        """The ranked results with a value whose model reports its active parameters:
        what a scatter plots against them. The size is checked as each result is read
        from the top of the ranked index (``+ 0`` keeps SQLite off the size's own
        index): with table statistics (ANALYZE), SQLite read every model with a size
        first and sorted all their results instead, 0.4 s at 100,000 models."""
        return (
            self.results()
            .alias(active_parameters=F("model__active_parameters") + 0)
            .filter(value__isnull=False, active_parameters__gt=0)
        )

    def top_values(self, results, limit):
        """The best ``limit`` of ``results`` that have a value, as chart points."""
        valued = self.ranked_parts(results)[0]
        return list(self.chart_points(valued)[:limit])

    def surely_better(self, better, worse):
        """Whether ``better``'s interval (``Result.interval``: its confidence interval,
        else ± 1.96 standard errors, else its value alone) lies wholly on the better
        side of ``worse``'s, by the benchmark's direction: strictly beyond, so
        intervals that touch overlap (statistically tied). The one test of a tie:
        ``best_places`` counts it over a benchmark, the compare page asks it of two
        results."""
        better_low, better_high = better.interval() or (better.value, better.value)
        worse_low, worse_high = worse.interval() or (worse.value, worse.value)
        if self.higher_first:
            return better_low > worse_high
        return better_high < worse_low

    def best_places(self, results):
        """{result pk: the best place its uncertainty allows}, for those of
        ``results`` (ranked results with a value) whose interval overlaps a better
        result's: statistically tied with the results from that place down, as
        LMArena ranks (1 + the results whose intervals lie wholly better). A result
        without a standard error or an interval counts as its value alone. {} when no
        place is computed, or no ranked result on the benchmark gives an uncertainty
        (one query answers that; a second reads every ranked interval)."""
        results = [r for r in results if r is not None and r.value is not None]
        if not self.computes_places or not results:
            return {}
        valued = self.results().filter(value__isnull=False)
        # Asked of every ranked result, not only valued ones, so the question is
        # answered from ``ranked_uncertain_idx`` (an uncertainty belongs to a value).
        uncertain = self.results().filter(Q(stderr__isnull=False) | Q(ci_low__isnull=False))
        if not uncertain.exists():
            return {}
        bounds = [
            interval_of(*row) or (row[0], row[0])
            for row in valued.values_list("value", "stderr", "ci_low", "ci_high")
        ]
        asked = [result.interval() or (result.value, result.value) for result in results]
        places = places_allowing_ties(bounds, asked, self.higher_first)
        return {result.pk: place for result, place in zip(results, places, strict=True)}

    def having_result(self, models):
        """Only the AI models with a result on the ranked version (that is, a ranked
        result: asked through the headline index, which answers without reading the
        results table)."""
        return models.filter(Exists(self.results().filter(model=OuterRef("pk"))))

    def sort_key(self, value, rank):
        """The rule as a Python key: lower is better; equal keys tie. (Places alone
        come after every value: False sorts before True.)"""
        if value is not None:
            return (False, -value if self.higher_first else value)
        return (True, rank)

    def between(self, better, worse):
        """The rule as SQL: a condition (and its parameters) on ranked results no
        better than the score ``better`` (None: no bound) and strictly better than the
        score ``worse``. SQL text rather than a Q: a page asks for up to a hundred of
        these, and building them through the ORM cost twenty times running them."""
        worse_value, worse_rank = worse
        value, rank = connection.ops.quote_name("value"), connection.ops.quote_name("rank")
        no_better = "<=" if self.higher_first else ">="
        beats = ">" if self.higher_first else "<"
        if worse_value is not None:  # only values beat a value
            if better is None:
                return f"{value} {beats} %s", [worse_value]
            return f"{value} {beats} %s AND {value} {no_better} %s", [worse_value, better[0]]
        # Every value beats a place alone, and so does a lower place.
        if better is None:
            return f"({value} IS NOT NULL OR {rank} < %s)", [worse_rank]
        if better[0] is not None:
            return f"({value} {no_better} %s OR ({value} IS NULL AND {rank} < %s))", [
                better[0],
                worse_rank,
            ]
        return f"{value} IS NULL AND {rank} >= %s AND {rank} < %s", [
            better[1],
            worse_rank,
        ]

    @cached_property
    def every_key(self):
        """Every ranked result's ``sort_key``, best first: what ``places`` reads when
        asked about more scores than it counts in SQL. Read once for this Ranking: an
        export asks once a chunk of rows, ten times over the same results."""
        every = self.results().values_list("value", "rank")
        return sorted(self.sort_key(value, rank) for value, rank in every)

    def places(self, scores):
        """{(value, rank): place} for the given scores (pairs of a headline result's
        value and rank; pairs of two Nones are skipped), in one query.

        The scores are sorted best first; the query counts the results in each band
        between neighbours (no better than one, strictly better than the next), and a
        score's place is 1 + the sum of the bands down to it. Each band is a range of
        the (benchmark, version, value) index, so the query reads as many index entries
        as there are results better than the worst score asked about, never the whole
        ranking for the sake of one page."""
        scores = {s for s in scores if s != (None, None)}
        if not self.computes_places:
            return {score: score[1] for score in scores}
        if not scores:
            return {}
        if len(scores) > COUNTED_IN_SQL:
            keys = self.every_key
            return {s: bisect_left(keys, self.sort_key(*s)) + 1 for s in scores}
        # Scores that tie share a band's end: place each distinct key once.
        by_key = {}
        for score in scores:
            by_key.setdefault(self.sort_key(*score), []).append(score)
        keys = sorted(by_key)
        ordered = [by_key[key][0] for key in keys]
        # The ranked results (see ``results()``), as SQL.
        version = self.benchmark.ranked_version_id
        ranked = (
            f"SELECT COUNT(*) FROM {connection.ops.quote_name(Result._meta.db_table)} "
            "WHERE is_headline AND is_comparable "
            "AND benchmark_id = %s AND "
            + ("version_id IS NULL" if version is None else "version_id = %s")
        )
        ranked_params = [self.benchmark.pk] + ([] if version is None else [version])
        selects, params = [], []
        for i, score in enumerate(ordered):
            condition, condition_params = self.between(ordered[i - 1] if i else None, score)
            selects.append(f"({ranked} AND {condition})")
            params += ranked_params + condition_params
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(selects), params)
            counts = cursor.fetchone()
        places, better = {}, 0
        for key, count in zip(keys, counts, strict=True):
            better += count
            for score in by_key[key]:
                places[score] = better + 1
        return places


def places_allowing_ties(every, asked, higher_first=True):
    """The best place each of ``asked`` (intervals, (low, high)) may hold among
    ``every`` (the intervals of all that are placed, ``asked`` among them): 1 + how
    many of ``every`` lie wholly on its better side (``Ranking.surely_better``,
    counted), so intervals that overlap tie. The one count behind ``best_places``
    and a suite's averages (``rules.averages``)."""
    lows, highs = sorted(low for low, _ in every), sorted(high for _, high in every)
    if higher_first:
        return [len(lows) - bisect_right(lows, high) + 1 for _, high in asked]
    return [bisect_left(highs, low) + 1 for low, _ in asked]


# How many rows ``RankedRows`` fetches by primary key in one query.
FETCH_BATCH = 1000


class RankedRows:
    """Rows in a ranking's order, paged from the headline index part by part (see
    ``Ranking.ranked_parts``): sorting every row through a join instead grows with
    the data at every page. Enough of a queryset for django-tables2 and the
    paginator: ``count()``, slicing, iteration; anything else (another column's
    ``order_by``, ``annotate``) is the plain queryset's."""

    def __init__(self, rows, ranking, best_first):
        self.rows, self.ranking, self.best_first = rows, ranking, best_first
        self.model = rows.model

    def __getattr__(self, name):
        return getattr(self.rows, name)

    def count(self):
        return self.rows.count()

    def __len__(self):
        return self.count()

    def parts(self):
        """Querysets of primary keys of ``rows``, in order, read one after the other."""
        raise NotImplementedError

    def slice(self, start, stop):
        """The rows from ``start`` to ``stop`` (None: to the end), in order, read from
        the database when first asked for (``FetchedWhenRead``)."""
        ids = []
        for part in self.parts():
            offset = max(start, 0)
            found = list(part[offset:stop])
            ids += found
            if stop is not None and offset + len(found) >= stop:
                break
            # How many rows this part holds: known from what was read, unless the
            # slice started past its end.
            size = offset + len(found) if found or offset == 0 else part.count()
            start, stop = start - size, None if stop is None else stop - size
        # In the parts' order, not the rows' own (Result's joins two tables to sort).
        return FetchedWhenRead(ids, self.fetch)

    def fetch(self, ids):
        """The rows with primary keys ``ids``, in that order; in batches, so an export
        of every row stays within a query's parameters. A row deleted since its key
        was read is left out (an editor's delete between a page's two reads)."""
        by_pk = {}
        for batch in range(0, len(ids), FETCH_BATCH):
            chunk = ids[batch : batch + FETCH_BATCH]
            by_pk.update((row.pk, row) for row in self.rows.filter(InIds("pk", chunk)).order_by())
        return [by_pk[pk] for pk in ids if pk in by_pk]

    def __getitem__(self, key):
        if isinstance(key, slice):
            if key.step is not None:
                raise ValueError("Ranked rows take no step.")
            return self.slice(key.start or 0, key.stop)
        rows = self.slice(key, key + 1)
        if not rows:
            raise IndexError(key)
        return rows[0]

    def __iter__(self):
        return iter(self.slice(0, None))


class FetchedWhenRead:
    """The rows with primary keys ``ids``, in that order, read (``fetch(ids)``) when
    one is first asked for: a page whose rows are all rendered already
    (``caching.rows_per_data_version``) needs only their keys, and ``of`` reads only
    the rows it asks for. Reading the 50 rows of a ranking page with their joins was
    a third of a page assembled from rows already rendered."""

    def __init__(self, ids, fetch):
        self.ids, self.fetch = list(ids), fetch

    @classmethod
    def already_read(cls, rows):
        """Rows read already (a queryset's page), as the same sequence."""
        rows = list(rows)
        fetched = cls([row.pk for row in rows], fetch=None)
        fetched.rows = rows
        return fetched

    @cached_property
    def rows(self):
        return self.fetch(self.ids)

    def of(self, ids):
        """The rows with primary keys ``ids`` (among ``self.ids``), in that order:
        read now unless every row was; those deleted since are left out."""
        if "rows" not in self.__dict__:
            return self.fetch(ids)
        by_pk = {row.pk: row for row in self.rows}
        return [by_pk[pk] for pk in ids if pk in by_pk]

    def __len__(self):
        return len(self.ids)

    def __iter__(self):
        return iter(self.rows)

    def __getitem__(self, key):
        if isinstance(key, slice) and "rows" not in self.__dict__:
            return FetchedWhenRead(self.ids[key], self.fetch)
        return self.rows[key]


class RankedModels(RankedRows):
    """AI models in a ranking's order: those with a ranked result, then the others by
    name."""

    def parts(self):
        results = self.ranking.results()
        if is_filtered(self.rows):
            results = results.filter(among(self.rows))
        ranked = self.ranking.ranked_parts(results, self.best_first)
        unranked = self.rows.exclude(pk__in=self.ranking.results().values("model_id"))
        return [
            *(part.values_list("model_id", flat=True) for part in ranked),
            unranked.order_by("name").values_list("pk", flat=True),
        ]


class RankedResults(RankedRows):
    """A benchmark's ranked results in its order. ``rows`` is ``Ranking.results()``,
    with whatever the page shows of them joined or annotated; the order is read from
    the bare results, so those joins cost only the page's rows."""

    def count(self):
        return self.ranking.results().count()

    def parts(self):
        ranked = self.ranking.ranked_parts(self.ranking.results(), self.best_first)
        return [part.values_list("pk", flat=True) for part in ranked]


@dataclass
class FirstPlace:
    """Who leads a benchmark: the first ``named`` of them by name, and how many tie
    for first place in all (``count``; 0 for a benchmark without results)."""

    named: list
    count: int

    @property
    def more(self):
        """How many lead besides those named."""
        return self.count - len(self.named)


# What the summary's tiles read of each leader (``leaders``).
LEADER_FIELDS = (
    "benchmark_id",
    "value",
    "rank",
    "stderr",
    "ci_low",
    "ci_high",
    "provenance",
    "model__name",
    "model__slug",
    "claimed_by__name",
    "claimed_by__slug",
)


def leaders(benchmarks, models=None, named=MAX_NAMED_LEADERS):
    """{benchmark: FirstPlace} for ``benchmarks`` (versions prefetched), in two
    queries however many there are: the best value on each, then the results with it
    (the first ``named`` by model name, and how many there are). First place is the
    best value and those tying with it (a place alone leads only where no value is
    ranked); where no source states the direction, no place is computed, so the
    leaders are the results whose source states first place. ``models`` (a queryset
    of AI models) keeps only their results: the leaders among the models a filter
    keeps. A benchmark without results leads with nobody."""
    ranked = {b.pk: Q(benchmark=b) & b.ranked_q() for b in benchmarks}
    headlines = Result.objects.headline()
    if models is not None:
        headlines = headlines.filter(among(models))
    directed = [b for b in benchmarks if b.higher_is_better is not None]
    best = {}
    if directed:
        # Each benchmark's best value, read from the top of its ranked index
        # (``ranked_benchmark_value_idx``) by a subquery each, all in one row: an
        # aggregate over every headline result of the benchmarks took most of a cold
        # home page's time.
        firsts = {
            f"value_{b.pk}": Subquery(
                headlines.filter(ranked[b.pk], value__isnull=False)
                .order_by("-value" if b.higher_is_better else "value")
                .values("value")[:1]
            )
            for b in directed
        }
        best = (
            type(directed[0])
            .objects.filter(pk=directed[0].pk)
            .annotate(**firsts)
            .values(*firsts)
            .get()
        )
    first = Q(pk__in=[])
    for b in benchmarks:
        value = best.get(f"value_{b.pk}")
        if b.higher_is_better is None:
            first |= ranked[b.pk] & Q(rank=1)
        elif value is not None:
            first |= ranked[b.pk] & Q(value=value)
        else:
            # No value is ranked: the best place alone leads, read from the top of
            # ``ranked_place_alone_idx`` with the leaders themselves. Building this
            # subquery for every benchmark, beside its best value, was a sixth of the
            # summary's time, for the few benchmarks that have places alone.
            best_place = (
                headlines.filter(ranked[b.pk], value__isnull=True)
                .order_by("rank")
                .values("rank")[:1]
            )
            first |= ranked[b.pk] & Q(value__isnull=True, rank=Subquery(best_place))
    found = {b.pk: FirstPlace([], 0) for b in benchmarks}
    if first != Q(pk__in=[]):
        # Forty models may tie at 100: name a few, count the rest.
        by_benchmark = {"partition_by": [F("benchmark_id")]}
        results = (
            headlines.filter(first)
            .annotate(
                place_in_tie=Window(
                    RowNumber(), order_by=[F("model__name"), F("pk")], **by_benchmark
                ),
                tied=Window(Count("pk"), **by_benchmark),
            )
            .filter(place_in_tie__lte=named)
            .select_related("model", "claimed_by")
            # What a tile shows of a leader: its figure, whose claim, the model's
            # name and page. All of the three rows' columns, twice (the ties are
            # counted in a subquery), made the query slower to build than to run.
            .only(*LEADER_FIELDS)
            .order_by("benchmark_id", "place_in_tie")
        )
        for result in results:
            leading = found[result.benchmark_id]
            leading.named.append(result)
            leading.count = result.tied
    return {b: found[b.pk] for b in benchmarks}


def among(models):
    """A condition on results: their model is one of ``models`` (a queryset of AI
    models, such as the ones a reader's filters keep). Asked of each result read (a
    primary-key lookup), so a read from the top of a ranked index stops at the first
    results that pass; ``model__in`` made SQLite list every kept model first, once per
    subquery: 2.7 s for a filtered summary at 100,000 models."""
    return Exists(models.order_by().filter(pk=OuterRef("model_id")))


def with_claim_names(results):
    """Results with whose claim each is, and from which source, as names
    (``claimer``, ``claimer_slug``, ``source_title``, ``source_slug``) rather than
    rows: what a table's claim badge, its link to the quoted passage, and the exports
    read."""
    return results.annotate(
        claimer=F("claimed_by__name"),
        claimer_slug=F("claimed_by__slug"),
        source_title=F("source__title"),
        source_slug=F("source__slug"),
    )


def score_of(result):
    """The (value, rank) pair ``Ranking.places`` places: (None, None), placed
    nowhere, for no result or one the benchmark does not rank (measured otherwise
    than it ranks: ``is_comparable``), which would otherwise take the place its
    figure would have among those it is not comparable with."""
    if result is None or not result.is_comparable:
        return (None, None)
    return (result.value, result.rank)
