"""Two to four models side by side: their facts and every ranked result, with sources
and quotes, the better result marked per benchmark by its direction ("best"), or the
results statistically tied with it ("tied")."""

from django.db.models import Prefetch, Q
from django.views.generic import TemplateView

from ..models import AIModel, ModelAlias, ModelCitation, Result
from ..models.results import with_measurements
from ..rules import run_settings
from ..rules.ranking import Ranking
from .pages import model_facts

MIN_COMPARED, MAX_COMPARED = 2, 4
# How a compared result is marked on its benchmark's row.
BEST, TIED = "best", "tied"
# Values of ``?models=`` read at all: a longer list is reported, not looked up.
MAX_ASKED = 10
# The longest a model's name, alias or slug can be.
MAX_NAME_LENGTH = 300


def find_models(asked):
    """The models ``asked`` names (each a slug, a name or an alias, any case), in the
    order asked, once each, and a sentence for each value that names none."""
    asked = [value.strip() for value in asked if value.strip()][:MAX_ASKED]
    # What cannot be a name is not looked up (PostgreSQL refuses a NUL byte in a query).
    unreadable = [v for v in asked if "\x00" in v or len(v) > MAX_NAME_LENGTH]
    asked = [v for v in asked if v not in unreadable]
    unknown = [
        f"Model {value[:40]!r}{'…' if len(value) > 40 else ''}: not a model's name or slug."
        for value in unreadable
    ]
    if not asked:
        return [], unknown
    lowered = {value.lower() for value in asked}
    by_name = Q()
    for value in lowered:
        by_name |= Q(name__iexact=value)
    aliases = ModelAlias.objects.filter(by_name).values("model_id")
    candidates = (
        AIModel.objects.filter(Q(slug__in=asked) | by_name | Q(pk__in=aliases))
        .with_organization()
        .prefetch_related(
            "aliases",
            Prefetch("citations", queryset=ModelCitation.objects.select_related("source")),
        )
    )
    lookup = {}
    for model in candidates:
        for key in [model.slug, *(name.lower() for name in model.names)]:
            lookup.setdefault(key, model)
    found = []
    for value in asked:
        model = lookup.get(value) or lookup.get(value.lower())
        if model is None:
            unknown.append(f"Model {value!r}: no model has that name, alias or slug.")
        elif model not in found:
            found.append(model)
    return found, unknown


def marks(ranking, results):
    """{result pk: BEST or TIED} among ``results`` (two or more, one per model) on a
    benchmark whose direction is known. The best figure (``Ranking.sort_key``) is
    ``BEST`` when it alone leads: where another result equals it, or has an interval
    the best's is not surely better than (``Ranking.surely_better``), each of them is
    ``TIED`` and none is ``BEST``. A value beats a place alone; places alone tie only
    when equal."""

    def key(result):
        return ranking.sort_key(result.value, result.rank)

    first = min(key(result) for result in results)
    top = [result for result in results if key(result) == first]
    level = list(top)
    if top[0].value is not None:
        level += [
            result
            for result in results
            if key(result) != first
            and result.value is not None
            and any(not ranking.surely_better(best, result) for best in top)
        ]
    mark = BEST if len(level) == 1 else TIED
    return {result.pk: mark for result in level}


def result_cells(models, results, claims=()):
    """One row per benchmark any of ``models`` has a ranked result on: (benchmark,
    cells), a cell per model holding its result or None, marked (``marks``) where the
    benchmark's direction is known and two or more models have a result: ``best``
    where one result is surely the better, ``tied`` on each result statistically tied
    with the best figure. A measurement carries the vendors' ``claims`` it answers
    (from ``claims``: ResultQuerySet.beside_measurements)."""
    by_benchmark = {}
    for result in results:
        benchmark = result.benchmark
        if result.version_id != benchmark.ranked_version_id:
            continue
        by_benchmark.setdefault(benchmark.pk, (benchmark, {}))[1][result.model_id] = result
    rows = []
    for benchmark, by_model in sorted(by_benchmark.values(), key=lambda row: row[0].name):
        ranking = Ranking(benchmark)
        # Only results measured as the benchmark ranks are weighed against each other.
        comparable = [result for result in by_model.values() if result.is_comparable]
        marked = {}
        if ranking.computes_places and len(comparable) >= MIN_COMPARED:
            marked = marks(ranking, comparable)
        differing = run_settings.differing_fields(by_model.values())
        cells = []
        for model in models:
            result = by_model.get(model.pk)
            if result is not None:
                # Where the cell is a measurement, the vendors' claims it answers.
                result.claims = [c for c in claims if c.measured_pk == result.pk]
                result.best = marked.get(result.pk) == BEST
                result.tied = marked.get(result.pk) == TIED
                result.setting_parts = run_settings.marked_description(result, differing)
            cells.append(result)
        rows.append((benchmark, cells))
    return rows


class CompareView(TemplateView):
    template_name = "leaderboard/compare.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        models, ignored = find_models(self.request.GET.getlist("models"))
        if len(models) > MAX_COMPARED:
            dropped = ", ".join(model.name for model in models[MAX_COMPARED:])
            ignored.append(f"At most {MAX_COMPARED} models compare at once; left out: {dropped}.")
            models = models[:MAX_COMPARED]
        rows, facts = [], []
        if len(models) >= MIN_COMPARED:
            results = (
                Result.objects.headline()
                .filter(model__in=models)
                .select_related("benchmark", "version", "source", "claimed_by")
                .prefetch_related("benchmark__versions")
            )
            claims = with_measurements(
                Result.objects.filter(model__in=models)
                .beside_measurements()
                .select_related("claimed_by", "source")
            )
            rows = result_cells(models, results, claims)
            facts = compared_facts(models)
        context.update(
            models=models,
            ignored=ignored,
            result_rows=rows,
            fact_rows=facts,
            enough=len(models) >= MIN_COMPARED,
            min_compared=MIN_COMPARED,
            max_compared=MAX_COMPARED,
        )
        return context


def compared_facts(models):
    """(label, [(value, citations) per model]) for each fact a model page lists but
    the name (the columns' headers)."""
    per_model = []
    for model in models:
        citations = {}
        for citation in model.citations.all():
            citations.setdefault(citation.attribute, []).append(citation)
        per_model.append(model_facts(model, citations))
    rows = []
    for index, (label, _, _) in enumerate(per_model[0]):
        if label != "Name":
            rows.append((label, [(facts[index][1], facts[index][2]) for facts in per_model]))
    return rows
