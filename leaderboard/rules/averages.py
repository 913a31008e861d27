"""A suite's average: one number per model, computed by this site in the open from
the results it shows, never stored as if a source had said it.

The rule, the same on the page (``formula``) and here:

- **Inputs.** A model's ranked result on each of the suite's benchmarks: its headline
  result on the ranked version, measured as the benchmark ranks
  (``Ranking.results``), with a value. With ``independent_only`` only independent
  measurements count; otherwise a vendor's claim counts and the average says how many
  of its inputs are claims.
- **Coverage.** A model is averaged only when it has an input on every benchmark of the
  suite; the others are listed apart with what they miss, so nobody outranks a
  complete run on fewer tasks.
- **Plain mean** of the values, which needs every benchmark on one scale; or
  **normalised**: each value as a percentage of the way from the benchmark's random
  baseline (a cited benchmark fact) to its scale's maximum, ``100 × (value −
  baseline) / (maximum − baseline)``, then the mean. Below chance is negative, not
  clipped.
- **Uncertainty.** Where every input has a standard error, the average has one:
  ``√(Σ seᵢ²) / n`` (errors taken as independent; normalised with their values).
- **Places.** By average, higher first; equal averages share a place. A place that
  allows for ties follows the ranking rule's interval test
  (``ranking.places_allowing_ties``: ± 1.96 standard errors).
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Prefetch, Q

from ..models import AIModel, Benchmark, BenchmarkCitation, Provenance, Result, ResultKind
from ..models.results import interval_of
from ..models.suites import averaging_errors
from ..reading.expressions import InIds
from ..reading.orm_internals import is_filtered, raw_rows
from .quotes import numbers_in
from .ranking import FETCH_BATCH, RankedRows, places_allowing_ties

PLAIN, NORMALISED = "plain", "normalised"
NORMALISATIONS = {PLAIN: "plain mean", NORMALISED: "normalised to random baseline"}
# A vendor's claim as its rows read: a plain string (comparing each row with the enum
# member went through the enum's own equality, a third of an average's time).
CLAIMED = Provenance.VENDOR_CLAIM.value
# An average is kept to the places results are stored with.
STORED_PLACES = Decimal("0.000001")
HUNDRED = Decimal(100)


def formula(normalisation):
    """The rule as the suite's page writes it."""
    if normalisation == NORMALISED:
        return (
            "Each value is normalised as 100 × (value − random baseline) / (scale maximum − "
            "random baseline), then the normalised values are averaged (plain mean). A "
            "value below the baseline counts as negative."
        )
    return "The plain mean of the values: their sum divided by the number of benchmarks."


def formula_short(normalisation):
    """The rule in one clause, for the top of the suite's page."""
    if normalisation == NORMALISED:
        return (
            "the mean of each model’s values, each first put on a scale from its benchmark’s "
            "random baseline (0) to its maximum (100)."
        )
    return "the plain mean of each model’s values on the suite’s benchmarks."


def options_key(benchmarks, normalisation, independent_only):
    """What an average depends on besides the data, as text: its benchmarks and
    options. It names a suite's averages in the parts cache and the rows rendered
    from them, so the rows of one average are never shown for another."""
    return f"{[b.pk for b in benchmarks]}|{normalisation}|{independent_only}"


def scale_of(benchmark):
    """(minimum, maximum) of the benchmark's scale as its facts state it (a
    percentage is out of 0–100), or None where a bound is not reported."""
    if benchmark.scale_min is not None and benchmark.scale_max is not None:
        return benchmark.scale_min, benchmark.scale_max
    if benchmark.result_kind == ResultKind.PERCENTAGE:
        return Decimal(0), HUNDRED
    return None


def cited_baseline(benchmark):
    """The benchmark's random baseline where a citation's quote states it (read from
    prefetched ``citations``), else None: an uncited figure never enters a page's
    arithmetic."""
    baseline = benchmark.random_baseline
    if baseline is None:
        return None
    for citation in benchmark.citations.all():
        if citation.attribute == BenchmarkCitation.Attribute.RANDOM_BASELINE and (
            baseline in numbers_in(citation.quote)
        ):
            return baseline
    return None


def unavailable(benchmarks, normalisation):
    """Why the average cannot be computed over ``benchmarks`` as asked, as sentences
    ([] when it can)."""
    if not benchmarks:
        return ["The suite has no benchmarks."]
    # A benchmark may have changed since it joined the suite (its direction, its kind).
    reasons = [error for benchmark in benchmarks for error in averaging_errors(benchmark)]
    if reasons:
        return reasons
    if normalisation == NORMALISED:
        for benchmark in benchmarks:
            scale, baseline = scale_of(benchmark), cited_baseline(benchmark)
            if scale is None:
                reasons.append(f"{benchmark}: its scale’s maximum is not reported.")
            if baseline is None:
                reasons.append(f"{benchmark}: no cited source states its random baseline.")
            elif scale is not None and baseline >= scale[1]:
                reasons.append(f"{benchmark}: its random baseline is its scale’s maximum.")
        return reasons
    scales = [(benchmark, scale_of(benchmark)) for benchmark in benchmarks]
    unknown = [str(b) for b, scale in scales if scale is None]
    if unknown:
        reasons.append(
            "A plain mean needs every benchmark’s scale, and it is not reported for "
            + ", ".join(unknown)
            + "."
        )
    elif len({scale for _, scale in scales}) > 1:
        reasons.append(
            "A plain mean needs every benchmark on one scale; these differ ("
            + "; ".join(
                f"{b}: {low.normalize():f}–{high.normalize():f}" for b, (low, high) in scales
            )
            + "). The normalised average puts them on one."
        )
    return reasons


class Average(NamedTuple):
    """A model's average over a suite, with its inputs (Result primary keys, in the
    suite's order) and the values counted (normalised where asked). A tuple: a
    suite's thousands of them are kept in the parts cache, and read back from it four
    times faster than as objects with a ``__dict__``."""

    model_id: int
    name: str
    slug: str
    result_ids: tuple
    values: tuple  # the inputs' values as stored, in the suite's order
    counted: tuple  # what each input counts for (the value, or normalised)
    value: Decimal
    stderr: Decimal | None
    claims: int
    place: int = 0
    best_place: int | None = None

    @property
    def interval(self):
        return interval_of(self.value, self.stderr, None, None)

    @property
    def pk(self):
        """A row of a suite's table is its model's (rendered rows are kept by it)."""
        return self.model_id


class Incomplete(NamedTuple):
    """A model with inputs on some of the suite's benchmarks, not all (named by the
    page that lists it: ``names_of``)."""

    model_id: int
    missing: tuple  # benchmark primary keys, in the suite's order


@dataclass
class SuiteAverages:
    """Every averaged model, best first, and the models listed apart."""

    normalisation: str
    independent_only: bool
    unavailable: list = field(default_factory=list)
    averages: list = field(default_factory=list)
    incomplete: list = field(default_factory=list)

    @property
    def computes_best_places(self):
        """Whether any average has an uncertainty (then places allow for ties)."""
        return any(average.stderr is not None for average in self.averages)

    def of_models(self, model_ids):
        """{model id: its Average} for those of ``model_ids`` averaged."""
        wanted = set(model_ids)
        return {a.model_id: a for a in self.averages if a.model_id in wanted}

    def models_in_order(self, rows, best_first):
        """AI models (``rows``) in the order of their averages, then the others."""
        return AveragedModels(rows, [a.model_id for a in self.averages], best_first)


def suite_benchmarks(suite):
    """The suite's benchmarks in its order, with what an average reads of them
    (versions, random-baseline citations) fetched."""
    ids = list(
        suite.members.order_by("position", "benchmark__name").values_list(
            "benchmark_id", flat=True
        )
    )
    by_pk = Benchmark.objects.prefetch_related(
        "versions",
        Prefetch(
            "citations",
            queryset=BenchmarkCitation.objects.filter(
                attribute=BenchmarkCitation.Attribute.RANDOM_BASELINE
            ),
        ),
    ).in_bulk(ids)
    return [by_pk[pk] for pk in ids]


def inputs(benchmarks, independent_only=False, model_ids=None):
    """The rows an average reads: each model's ranked result with a value on each of
    ``benchmarks`` (versions prefetched), in one query; only ``model_ids``' where
    given."""
    ranked = Q(pk__in=[])
    for benchmark in benchmarks:
        ranked |= Q(benchmark=benchmark) & benchmark.ranked_q()
    results = Result.objects.headline().filter(ranked, value__isnull=False)
    if independent_only:
        results = results.filter(provenance=Provenance.INDEPENDENT)
    if model_ids is not None:
        results = results.filter(model_id__in=model_ids)
    # No join: models' names are read for the averaged ones alone (``names_of``).
    return results.order_by().values_list(
        "model_id", "benchmark_id", "pk", "value", "stderr", "provenance"
    )


def names_of(model_ids):
    """{model id: (name, slug)} for ``model_ids``, 500 a query."""
    ids, found = list(model_ids), {}
    for start in range(0, len(ids), 500):
        rows = AIModel.objects.filter(pk__in=ids[start : start + 500]).values_list(
            "pk", "name", "slug"
        )
        found.update((pk, (name, slug)) for pk, name, slug in rows)
    return found


def suite_averages(
    benchmarks,
    normalisation=PLAIN,
    independent_only=False,
    rows=None,
    names=names_of,
    model_ids=None,
):
    """The suite's averages over ``benchmarks`` (in the suite's order, with versions
    and citations prefetched), as the module's rule says. ``rows``: the inputs'
    rows (``inputs``), read here when not given; ``names``: {model id: (name, slug)}
    for the given model ids; ``model_ids``: only these models' averages (their places
    then count only among themselves: ``rules.standings`` counts them among all)."""
    found = SuiteAverages(normalisation, independent_only)
    found.unavailable = unavailable(benchmarks, normalisation)
    if found.unavailable:
        return found
    order = {benchmark.pk: index for index, benchmark in enumerate(benchmarks)}
    if normalisation == NORMALISED:
        spans = {}
        for benchmark in benchmarks:
            baseline = cited_baseline(benchmark)
            spans[benchmark.pk] = (baseline, scale_of(benchmark)[1] - baseline)
    if rows is None:
        # Decimals made once per distinct stored value, not once per row (``raw_rows``).
        rows, stored_value, stored_stderr = raw_rows(
            inputs(benchmarks, independent_only, model_ids), "value", "stderr"
        )
    else:
        stored_value = stored_stderr = None
    made = {}
    by_model = {}
    for model_id, benchmark_id, pk, value, stderr, provenance in rows:
        if stored_value is not None:
            key = (value, stderr)
            figures = made.get(key)
            if figures is None:
                figures = made[key] = (stored_value(value), stored_stderr(stderr))
            value, stderr = figures
        slots = by_model.get(model_id)
        if slots is None:
            slots = by_model[model_id] = [None] * len(order)
        slots[order[benchmark_id]] = (pk, value, stderr, provenance)
    count = Decimal(len(order))
    complete = [model_id for model_id, slots in by_model.items() if None not in slots]
    named = names(complete)
    for model_id, slots in by_model.items():
        if None in slots:
            missing = tuple(
                b.pk for b, slot in zip(benchmarks, slots, strict=True) if slot is None
            )
            found.incomplete.append(Incomplete(model_id, missing))
            continue
        name, slug = named[model_id]
        counted, errors = [], []
        for benchmark, (_, value, stderr, _) in zip(benchmarks, slots, strict=True):
            if normalisation == NORMALISED:
                # As the formula reads: multiplied first, then divided once.
                baseline, span = spans[benchmark.pk]
                counted.append((value - baseline) * HUNDRED / span)
                errors.append(None if stderr is None else stderr * HUNDRED / span)
            else:
                counted.append(value)
                errors.append(stderr)
        stderr = None
        if None not in errors:
            stderr = (sum(e * e for e in errors).sqrt() / count).quantize(STORED_PLACES)
        found.averages.append(
            Average(
                model_id=model_id,
                name=name,
                slug=slug,
                result_ids=tuple(slot[0] for slot in slots),
                values=tuple(slot[1] for slot in slots),
                counted=tuple(counted),
                value=(sum(counted) / count).quantize(STORED_PLACES),
                stderr=stderr,
                claims=sum(slot[3] == CLAIMED for slot in slots),
            )
        )
    place_averages(found.averages)
    # Fewest missing first; among them, as they were added.
    found.incomplete.sort(key=lambda row: (len(row.missing), row.model_id))
    return found


def place_averages(averages):
    """Sort ``averages`` best first (ties by model name) and set each one's place (1 +
    how many are strictly higher) and, where any has an uncertainty, the best place
    its interval allows."""
    averages.sort(key=lambda a: (-a.value, a.name))
    best = [None] * len(averages)
    if any(a.stderr is not None for a in averages):
        bounds = [a.interval or (a.value, a.value) for a in averages]
        best = places_allowing_ties(bounds, bounds)
    better = 0
    for index, average in enumerate(averages):
        if index and average.value != averages[index - 1].value:
            better = index
        averages[index] = average._replace(place=better + 1, best_place=best[index])


def results_of(averages):
    """The Results behind ``averages`` (their inputs), with what a page links to, by
    primary key: one query, for the rows a page shows."""
    ids = [pk for average in averages for pk in average.result_ids]
    return Result.objects.select_related("source", "claimed_by", "version").in_bulk(ids)


class AveragedModels(RankedRows):
    """AI models in the order of their averages (best first, or worst first), then
    the models without one by name: what the leaderboard's Average column sorts by.
    ``rows``: the models a page shows (filtered or not); ``ordered``: the averaged
    models' primary keys, best first (``SuiteAverages.averages``)."""

    def __init__(self, rows, ordered, best_first):
        super().__init__(rows, None, best_first)
        self.ordered = list(ordered) if best_first else list(reversed(ordered))

    def kept(self):
        """The averaged models ``rows`` keeps, in order."""
        if not is_filtered(self.rows):
            return self.ordered
        keep = set()
        for start in range(0, len(self.ordered), FETCH_BATCH):
            batch = self.ordered[start : start + FETCH_BATCH]
            keep.update(self.rows.filter(InIds("pk", batch)).values_list("pk", flat=True))
        return [pk for pk in self.ordered if pk in keep]

    def slice(self, start, stop):
        averaged = self.kept()
        ids = averaged[start:stop]
        if stop is None or stop > len(averaged):
            others = self.rows.exclude(pk__in=self.ordered).order_by("name")
            after = max(start - len(averaged), 0)
            until = None if stop is None else stop - len(averaged)
            ids += list(others.values_list("pk", flat=True)[after:until])
        return self.fetch(ids)
