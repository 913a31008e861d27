"""Each model's headline results (``Result.is_headline``), read in bulk for the rows a
leaderboard table shows or exports: as cells that carry Result's display logic
(``attach_headline_results``, for pages and the Rank column of exports), or, for an
export, straight as text: each cell of a CSV export (``attach_headline_texts``), each
result of the typed JSON export (``attach_headline_json``)."""

import gc
from collections import namedtuple
from contextlib import contextmanager

from django.db.models import F
from django.urls import reverse

from ..models import Organization, Provenance, Result, Source
from ..rules import run_settings
from ..rules.ranking import with_claim_names
from ..rules.run_settings import SettingsRow
from .expressions import InIds, JSONArrayText
from .orm_internals import raw_rows
from .passages import passage_fragment
from .presentation import claim_text, figure_text
from .result_json import ExportedResultJSON

# What a table's cells read of a result, as plain values (with the claim's names:
# ``with_claim_names``).
CELL_FIELDS = (
    "id",
    "model_id",
    "benchmark_id",
    "version_id",
    "value",
    "stderr",
    "ci_low",
    "ci_high",
    *(setting.field for setting in run_settings.SETTINGS if setting.field != "shots"),
    "shots",
    "is_comparable",
    "rank",
    "provenance",
    "quote",
    "claimer",
    "claimer_slug",
    "source_title",
    "source_slug",
)
# Models whose headline results are read in one query: an export's chunk of rows
# (``tables.EXPORT_CHUNK``, set to this) in one. Two queries of 500 a chunk cost the
# JSON export of 10,000 x 50 a twentieth more.
MODELS_A_QUERY = 1000


class HeadlineCell(namedtuple("HeadlineRow", CELL_FIELDS)):
    """A headline result as a table's cell reads it: a tuple of ``CELL_FIELDS``
    (plain values, read by name) with Result's own display logic, borrowed rather
    than repeated. Building ORM instances for the 330,000 cells of an export of
    10,000 models × 50 benchmarks took most of its time; a tuple costs a tenth."""

    __slots__ = ()
    display_value = Result.display_value
    display_uncertainty = Result.display_uncertainty
    is_vendor_claim = Result.is_vendor_claim
    interval = Result.interval
    measured_as = Result.measured_as
    pk = property(lambda cell: cell.id)


def attach_headline_results(models, benchmarks, cell=HeadlineCell):
    """Give each of ``models`` (a list) its headline results on ``benchmarks``
    (``cell``: a ``HeadlineCell``, or for what only places them, a ``HeadlineScore``),
    indexed by benchmark and version (read them with ``headline_at``), in one query
    per 1,000 models (``MODELS_A_QUERY``)."""
    by_pk = {}
    for model in models:
        model.headline_index = {}
        by_pk[model.pk] = model.headline_index
    pks = list(by_pk)
    make, fields = cell._make, cell._fields
    model_at, benchmark_at, version_at = (
        fields.index(name) for name in ("model_id", "benchmark_id", "version_id")
    )
    with cyclic_gc_paused():
        for rows in headline_queries(pks, benchmarks, fields):
            for row in rows:
                by_pk[row[model_at]][row[benchmark_at], row[version_at]] = make(row)


# What places a headline result (``ranking.score_of``): an export's Rank column reads
# only this, without the claim's names and settings a page's cell shows.
HeadlineScore = namedtuple(
    "HeadlineScore", ("model_id", "benchmark_id", "version_id", "value", "rank", "is_comparable")
)


def headline_queries(pks, benchmarks, fields):
    """The headline results of the models ``pks`` on ``benchmarks``, with the claim's
    names (``with_claim_names``) where ``fields`` ask for them, as
    ``values_list(*fields)`` querysets of ``MODELS_A_QUERY`` models each, unordered (rows are found
    by model, benchmark and version).

    For a few benchmarks, the index on (model, benchmark) is searched for each pair;
    for more, by model alone, each of the models' results checked for its benchmark
    (``shown_benchmark`` is no column of the index). Searching 25,000 pairs for 500
    models × 50 benchmarks was a quarter of an export's read on SQLite; checking 33
    results a model instead of searching one pair made the Rank column's read a
    third slower."""
    results = Result.objects.headline()
    if not CLAIM_NAMES.isdisjoint(fields):
        results = with_claim_names(results)
    if "measured" in fields:
        results = results.annotate(measured=JSONArrayText(*ExportedResultJSON.MEASURED))
    benchmark_ids = [getattr(benchmark, "pk", benchmark) for benchmark in benchmarks]
    if len(benchmark_ids) <= PAIRS_SEARCHED_UP_TO:
        results = results.filter(benchmark_id__in=benchmark_ids)
    else:
        results = results.alias(shown_benchmark=F("benchmark_id") + 0).filter(
            shown_benchmark__in=benchmark_ids
        )
    for start in range(0, len(pks), MODELS_A_QUERY):
        yield (
            results.filter(InIds("model_id", pks[start : start + MODELS_A_QUERY]))
            .order_by()
            .values_list(*fields)
        )


# Benchmarks up to which ``headline_queries`` searches the index for each (model,
# benchmark) pair.
PAIRS_SEARCHED_UP_TO = 10
# The fields ``with_claim_names`` adds, each read through a join.
CLAIM_NAMES = frozenset({"claimer", "claimer_slug", "source_title", "source_slug"})


class ClaimNames:
    """The slugs and names of the organizations claiming results (``claimers``, None
    for no claimer) and of their sources (``sources``), by id, for an export's rows.
    An export reads each result's claimer and source by id and their names from here:
    joining both tables for each of 330,000 results cost a sixth of reading them, and
    an export names a few of each."""

    def __init__(self):
        self.claimers = {None: None}
        self.sources = {}

    def read(self, rows, claimer_at, source_at):
        """``rows`` as a list, after reading the names of their claimers and sources
        (at those places of a row) not yet known (``know``)."""
        rows = list(rows)
        self.know({row[claimer_at] for row in rows}, {row[source_at] for row in rows})
        return rows

    def know(self, claimer_ids, source_ids):
        """Read the names of the claimers and sources of these ids not yet known: a
        query for each table that has any."""
        for known, model, name, ids in (
            (self.claimers, Organization, "name", claimer_ids),
            (self.sources, Source, "title", source_ids),
        ):
            missing = set(ids).difference(known)
            if missing:
                named = model.objects.filter(pk__in=missing).values_list("pk", "slug", name)
                known.update((pk, (slug, text)) for pk, slug, text in named)


@contextmanager
def cyclic_gc_paused():
    """Python's cycle collector paused while a burst of objects that hold no cycles
    (tuples of plain values) is built: it otherwise ran again and again over them,
    a third of an export's time. Reference counting still frees them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def headline_at(model, key):
    """A model's headline result at ``key`` (benchmark id, version id), or None
    (see ``attach_headline_results``)."""
    return model.headline_index.get(key)


# What a CSV export's texts are made of.
TEXT_FIELDS = (
    "model_id",
    "benchmark_id",
    "version_id",
    "value",
    "rank",
    "quote",
    "quote_anchor",
    "source_id",
    "provenance",
    "claimed_by_id",
    *(setting.field for setting in run_settings.SETTINGS),
)
TEXT_CLAIMER_AT, TEXT_SOURCE_AT = map(TEXT_FIELDS.index, ("claimed_by_id", "source_id"))
# The texts a CSV export gives each benchmark: its figure; whose claim it is, from
# which source, measured how; the quote; and the address of the passage stating it.
FIGURE, CLAIM, QUOTE, PASSAGE = "figure", "claim", "quote", "passage"


def attach_headline_texts(models, slots, base_url, names):
    """Give each of ``models`` (a list) ``export_texts``: for each of ``slots``
    ((benchmark id, version id), FIGURE, CLAIM, QUOTE or PASSAGE), that headline
    result's text (``figure_text``, ``claim_text``, the quote, or the passage's
    address under ``base_url``: ``passage_url``, from the stored mark), "" where the
    model has none; in one query per 1,000 models. ``names``: the claimers' and
    sources' names read so far (``ClaimNames``), one for a whole export.

    The texts are made as the rows are read, without a cell for each result or a
    column's call for each text: a CSV export of 10,000 models × 50 benchmarks has 1.1
    million such cells, and making them through the columns took most of its time."""
    at = {}
    for index, (key, part) in enumerate(slots):
        at.setdefault(key, {})[part] = index
    blank = [""] * len(slots)
    by_pk = {}
    for model in models:
        model.export_texts = blank.copy()
        by_pk[model.pk] = model.export_texts
    pks = list(by_pk)
    claims = {}  # (source, provenance, claimer, settings): text; a few sources claim most
    figures = {}  # (the value as stored, rank): text; values repeat across results
    source_url = base_url + reverse("source", args=["__slug__"])
    with cyclic_gc_paused():
        for queryset in headline_queries(pks, {key[0] for key in at}, TEXT_FIELDS):
            rows, stored_value = raw_rows(queryset, "value")
            rows = names.read(rows, TEXT_CLAIMER_AT, TEXT_SOURCE_AT)
            # claim: the provenance, the claimer's id, the settings
            for (
                model_id,
                benchmark_id,
                version_id,
                value,
                rank,
                quote,
                anchor,
                source_id,
                *claim,
            ) in rows:
                where = at.get((benchmark_id, version_id))
                if where is None:  # a version the table does not show
                    continue
                texts = by_pk[model_id]
                if FIGURE in where:
                    text = figures.get((value, rank))
                    if text is None:
                        text = figures[value, rank] = figure_text(stored_value(value), rank)
                    texts[where[FIGURE]] = text
                if CLAIM in where:
                    key = (source_id, *claim)
                    text = claims.get(key)
                    if text is None:
                        provenance, claimer_id, *settings = claim
                        claimer = names.claimers[claimer_id]
                        text = claims[key] = claim_text(
                            provenance == Provenance.VENDOR_CLAIM,
                            claimer and claimer[1],
                            names.sources[source_id][1],
                            SettingsRow(*settings),
                        )
                    texts[where[CLAIM]] = text
                if QUOTE in where:
                    texts[where[QUOTE]] = quote
                if PASSAGE in where:
                    page = source_url.replace("__slug__", names.sources[source_id][0])
                    texts[where[PASSAGE]] = page + passage_fragment(anchor)


def headline_json(benchmarks, base_url):
    """What makes the typed export's results (``attach_headline_json``) for
    ``benchmarks``, with pages under ``base_url``: one for a whole export."""
    source_url = base_url + reverse("source", args=["__slug__"])
    claimer_url = base_url + reverse("organization", args=["__slug__"])
    return ExportedResultJSON(
        benchmarks,
        lambda slug: source_url.replace("__slug__", slug),
        lambda slug: claimer_url.replace("__slug__", slug),
        ClaimNames(),
    )


def attach_headline_json(models, benchmarks, results, ranked=None):
    """Give each of ``models`` (a list) ``export_json``: for each of ``benchmarks`` (in
    order), its slug as a JSON key and the model's headline result on its ranked
    version as JSON text (made by ``results``, from ``headline_json``; null where the
    model has none), ready to be joined into the row's ``"results"`` object; in one
    query per 1,000 models. Made as the rows are read, as ``attach_headline_texts``
    makes the CSV's texts: a dict for each of 330,000 results, then ``json.dumps``,
    took seconds.

    With ``ranked`` (one of ``benchmarks``), each model is also given its headline
    result on it as a ``HeadlineScore`` (``headline_at``), what the Rank column places,
    taken from the same rows: reading them again cost the export a query a chunk."""
    if ranked is not None and not results.shows(ranked):
        raise ValueError(f"{ranked} is not among the benchmarks the results show.")
    by_pk, indexes = {}, {}
    for model in models:
        model.export_json = results.blank()
        by_pk[model.pk] = model.export_json
        if ranked is not None:
            model.headline_index = indexes[model.pk] = {}
    pks = list(by_pk)
    key = ranked and (ranked.pk, ranked.ranked_version_id)
    with cyclic_gc_paused():
        for queryset in headline_queries(pks, benchmarks, ExportedResultJSON.FIELDS):
            rows, *converters = raw_rows(queryset, *ExportedResultJSON.RAW)
            rows = list(rows)
            convert = dict(zip(ExportedResultJSON.RAW, converters, strict=True))
            results.fill(rows, convert, by_pk)
            if ranked is None:
                continue
            for row, comparable in results.on(rows, ranked):
                indexes[row[0]][key] = HeadlineScore(
                    row[0], *key, convert["value"](row[1]), row[2], comparable
                )
