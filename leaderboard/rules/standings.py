"""Suites' averages kept in the database (``models.Standing``), so a suite's page, the
leaderboard's Average column and the API read a page of them in order from an index
rather than averaging every model's results on each visit (1.5 s at 100,000 models).

- **One rule.** Each row is what ``rules.averages.suite_averages`` computes for its
  model; the rows a page shows are computed again from their inputs by that same
  function, and only their order and places are read from the stored figures.
- **Kept by the writes.** ``rules.writes`` recomputes, in the same transaction as the
  write, the rows it may change: a result's model in the suites averaging its
  benchmark; a whole suite when its members, or one of its benchmarks' facts,
  versions or citations change; everything after a load or a restore
  (``refresh``). A renamed model's rows take its new name (``renamed``).
- **Places** are counted over the stored averages, as the rule counts them over all:
  1 + how many are strictly higher; where any has an uncertainty, the best place its
  interval allows (1 + how many intervals lie wholly above it).
- **The past** (``?as_of=``) is not stored: those pages compute their averages
  (``views.suites.averages_for``).
"""

from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils.functional import cached_property

from ..models import (
    Benchmark,
    BenchmarkCitation,
    BenchmarkVersion,
    Provenance,
    Result,
    Standing,
    Suite,
    SuiteMember,
)
from ..reading.orm_internals import is_filtered
from .averages import NORMALISATIONS, suite_averages, suite_benchmarks
from .ranking import RankedRows, among

OPTIONS = tuple((normalisation, only) for normalisation in NORMALISATIONS for only in (0, 1))
# Models recomputed a query; rows written a statement.
BATCH = 500
WRITE_BATCH = 2000


def refresh(suites=None, model_ids=None):
    """Recompute the stored averages of ``suites`` (ids; every suite when None) for
    ``model_ids`` (every model when None) by the averages' own rule, holding the
    suites (``lock``) until the transaction ends."""
    with transaction.atomic():
        for suite in lock(suites):
            benchmarks = suite_benchmarks(suite)
            if model_ids is None:
                Standing.objects.filter(suite=suite).delete()
                write(suite, benchmarks, None)
                continue
            ids = sorted(set(model_ids))
            for start in range(0, len(ids), BATCH):
                batch = ids[start : start + BATCH]
                Standing.objects.filter(suite=suite, model_id__in=batch).delete()
                write(suite, benchmarks, batch)


def lock(suites=None):
    """The Suites ``suites`` (ids; every suite when None), their rows held until the
    transaction ends (PostgreSQL; SQLite runs one write at a time), always in the
    same order. Two writes recomputing one suite's averages at once would otherwise
    each delete the rows it could see and insert its own beside the other's, and the
    second to commit would fail on the unique constraint or keep averages computed
    without the first's change; the second now waits, then reads what the first
    wrote."""
    chosen = Suite.objects.select_for_update().order_by("pk")
    if suites is not None:
        chosen = chosen.filter(pk__in=list(suites))
    return list(chosen)


def write(suite, benchmarks, model_ids):
    rows = []
    for normalisation, independent_only in OPTIONS:
        found = suite_averages(
            benchmarks, normalisation, bool(independent_only), model_ids=model_ids
        )
        group = {
            "suite": suite,
            "normalisation": normalisation,
            "independent_only": bool(independent_only),
        }
        for average in found.averages:
            low, high = average.interval or (average.value, average.value)
            rows.append(
                Standing(
                    **group,
                    model_id=average.model_id,
                    name=average.name,
                    value=average.value,
                    stderr=average.stderr,
                    low=low,
                    high=high,
                    claims=average.claims,
                )
            )
        rows += [
            Standing(**group, model_id=row.model_id, missing=len(row.missing))
            for row in found.incomplete
        ]
    Standing.objects.bulk_create(rows, batch_size=WRITE_BATCH)


def renamed(model):
    """A renamed model's averages are listed under its new name."""
    Standing.objects.filter(model=model, value__isnull=False).update(name=model.name)


def suites_averaging(benchmark_ids):
    """The ids of the suites with any of ``benchmark_ids`` (a list or a queryset)."""
    return set(
        SuiteMember.objects.filter(benchmark_id__in=benchmark_ids).values_list(
            "suite_id", flat=True
        )
    )


def suite_of(benchmarks):
    """The suite whose benchmarks are ``benchmarks`` (in any order), or None."""
    wanted = {b.pk for b in benchmarks}
    if not wanted:
        return None
    members = {}
    for suite_id, benchmark_id in SuiteMember.objects.filter(
        suite__in=SuiteMember.objects.filter(benchmark_id__in=wanted).values("suite_id")
    ).values_list("suite_id", "benchmark_id"):
        members.setdefault(suite_id, set()).add(benchmark_id)
    matching = sorted(pk for pk, found in members.items() if found == wanted)
    return Suite.objects.get(pk=matching[0]) if matching else None


def suites_touched(rows):
    """The suites whose every average may change when ``rows`` (a queryset of one
    model's stored rows) are written or deleted: the suites themselves, those with
    the members, or those averaging the benchmarks whose facts, versions or
    citations they are. Results are not here: they change their models' rows alone
    (``refresh`` by ``model_ids``)."""
    model = rows.model
    if model is Suite:
        return set(rows.values_list("pk", flat=True))
    if model is SuiteMember:
        return set(rows.values_list("suite_id", flat=True))
    if model is Benchmark:
        return suites_averaging(rows.values("pk"))
    if model in (BenchmarkVersion, BenchmarkCitation):
        return suites_averaging(rows.values("benchmark_id"))
    return set()


class StoredAverages:
    """A suite's stored averages under one set of options, read as
    ``averages.SuiteAverages`` is: ``averages`` (best first) and ``incomplete`` are
    sequences a page slices and counts; ``of_models`` and ``models_in_order`` serve
    the leaderboard's Average column."""

    def __init__(self, suite, benchmarks, normalisation, independent_only, unavailable):
        self.suite, self.benchmarks = suite, benchmarks
        self.normalisation, self.independent_only = normalisation, independent_only
        self.unavailable = unavailable
        # ``independent_only`` compared with ``IN``: Django writes ``= false`` as
        # ``NOT "independent_only"``, which SQLite cannot match to the third column of
        # the indexes, so it sorted every stored row of the suite for a page (22 ms at
        # 100,000 models).
        self.group = Standing.objects.filter(
            suite=suite, normalisation=normalisation, independent_only__in=[independent_only]
        )
        self.averaged = self.group.filter(value__isnull=False)
        self.averages = StoredRows(self, self.averaged.order_by("-value", "name"))
        self.incomplete = StoredIncomplete(self)

    @cached_property
    def averaged_count(self):
        return self.averaged.count()

    @cached_property
    def computes_best_places(self):
        """Whether any average has an uncertainty (then places allow for ties)."""
        return self.group.filter(stderr__isnull=False).exists()

    def computed(self, model_ids):
        """What the rule computes for ``model_ids`` alone (places not set)."""
        return suite_averages(
            self.benchmarks, self.normalisation, self.independent_only, model_ids=model_ids
        )

    def of_models(self, model_ids):
        """{model id: its Average} for those of ``model_ids`` averaged."""
        return {a.model_id: a for a in self.computed(list(model_ids)).averages}

    def models_in_order(self, rows, best_first):
        """AI models (``rows``) in the order of their averages, then the others."""
        return StoredAveragedModels(rows, self, best_first)

    def placed(self, model_ids):
        """The Averages of ``model_ids``, in that order, each with its place (and
        the best place its interval allows) among every stored average."""
        by_model = self.of_models(model_ids)
        found = [by_model[pk] for pk in model_ids if pk in by_model]
        places = self.count_above("value", [a.value for a in found])
        best = {}
        if self.computes_best_places:
            best = self.count_above("low", [(a.interval or (a.value, a.value))[1] for a in found])
        return [
            a._replace(
                place=places[a.value],
                best_place=best.get((a.interval or (a.value, a.value))[1]),
            )
            for a in found
        ]

    def count_above(self, column, figures):
        """{figure: 1 + how many stored averages have ``column`` strictly above it},
        in one query: each count a range of the group's index."""
        figures = sorted(set(figures))
        if not figures:
            return {}
        table = connection.ops.quote_name(Standing._meta.db_table)
        count = (
            f"(SELECT COUNT(*) FROM {table} WHERE suite_id = %s AND normalisation = %s "
            f"AND independent_only = %s AND {connection.ops.quote_name(column)} > %s)"
        )
        group = [self.suite.pk, self.normalisation, self.independent_only]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT " + ", ".join([count] * len(figures)),
                [param for figure in figures for param in (*group, figure)],
            )
            counts = cursor.fetchone()
        return {figure: above + 1 for figure, above in zip(figures, counts, strict=True)}

    def input_value(self, index):
        """The model's value on the suite's ``index``-th benchmark, as a subquery: an
        input column sorts by it (a normalised input keeps the values' order)."""
        benchmark = self.benchmarks[index]
        results = Result.objects.headline().filter(
            benchmark.ranked_q(), benchmark=benchmark, model=OuterRef("model_id")
        )
        if self.independent_only:
            results = results.filter(provenance=Provenance.INDEPENDENT)
        return Subquery(results.filter(value__isnull=False).values("value")[:1])


# The suite table's sorts, as the list of computed averages sorts (Python's sort is
# stable, so rows equal on a column stay best first).
STORED_ORDERS = {
    "place": ("-value", "name"),
    "-place": ("value", "name"),
    "value": ("value", "name"),
    "-value": ("-value", "name"),
    "name": ("name",),
    "-name": ("-name",),
    "claims": ("claims", "-value", "name"),
    "-claims": ("-claims", "-value", "name"),
}


class StoredRows:
    """Stored averages in an order: enough of a queryset for django-tables2 and the
    paginators (``count``, ``order_by``, slicing), each slice the placed Averages
    of its models."""

    def __init__(self, stored, queryset):
        self.stored, self.queryset = stored, queryset
        self.model = Standing

    def __getattr__(self, name):
        return getattr(self.queryset, name)

    def count(self):
        return self.stored.averaged_count

    def __len__(self):
        return self.count()

    def order_by(self, *fields):
        queryset, order = self.stored.averaged, []
        for field in fields:
            if field in STORED_ORDERS:
                order += STORED_ORDERS[field]
                continue
            name = field.removeprefix("-").removeprefix("counted__")
            if not name.isdigit() or int(name) >= len(self.stored.benchmarks):
                raise ValueError(f"Stored averages do not sort by {field!r}.")
            queryset = queryset.annotate(**{f"input_{name}": self.stored.input_value(int(name))})
            sign = "-" if field.startswith("-") else ""
            order += [f"{sign}input_{name}", "-value", "name"]
        return StoredRows(self.stored, queryset.order_by(*order))

    def __getitem__(self, key):
        if not isinstance(key, slice) or key.step is not None:
            raise TypeError("Stored averages are read by slices.")
        ids = list(self.queryset[key].values_list("model_id", flat=True))
        return self.stored.placed(ids)

    def __iter__(self):
        start = 0
        while rows := self[start : start + BATCH]:
            yield from rows
            start += BATCH


class StoredIncomplete:
    """The models with inputs on some of the suite's benchmarks, fewest missing
    first: counted, and sliced as ``averages.Incomplete`` rows."""

    def __init__(self, stored):
        self.stored = stored
        self.queryset = stored.group.filter(value__isnull=True).order_by("missing", "model_id")

    @cached_property
    def count(self):
        return self.queryset.count()

    def __len__(self):
        return self.count

    def __getitem__(self, key):
        if not isinstance(key, slice):
            raise TypeError("Models listed apart are read by slices.")
        ids = list(self.queryset[key].values_list("model_id", flat=True))
        found = {row.model_id: row for row in self.stored.computed(ids).incomplete}
        return [found[pk] for pk in ids if pk in found]


class StoredAveragedModels(RankedRows):
    """AI models in the order of their stored averages (best first, or worst
    first), then the models without one by name: the leaderboard's Average column
    sorted (``averages.AveragedModels`` over computed averages)."""

    def __init__(self, rows, stored, best_first):
        super().__init__(rows, None, best_first)
        self.stored = stored

    def parts(self):
        averaged = self.stored.averaged
        if is_filtered(self.rows):
            averaged = averaged.filter(among(self.rows))
        order = ("-value", "name") if self.best_first else ("value", "-name")
        others = self.rows.exclude(pk__in=self.stored.averaged.values("model_id"))
        return [
            averaged.order_by(*order).values_list("model_id", flat=True),
            others.order_by("name").values_list("pk", flat=True),
        ]
