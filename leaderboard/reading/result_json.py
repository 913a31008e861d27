"""A result as JSON: the one home of the parts the API (``api.results.result_fields``)
and the leaderboard's typed export (``ExportedResultJSON``) both give a result: its
figures, how it was measured, whose claim it is and its source, its quote and the
passage stating it. Each part is a dict made from plain values, so the API (from a
``Result``) and the export (from the raw rows it reads) make the same shapes.

It imports no view, table or API module: only the rules it states (settings), passages
and ``presentation`` (JSON numbers)."""

import json
from json.encoder import encode_basestring

from ..rules import run_settings
from ..rules.run_settings import SettingsRow
from .passages import passage_fragment, passage_url
from .presentation import json_number


def figures(value, stderr, ci_low, ci_high):
    """The figure and its uncertainty, as JSON numbers (null where not stated)."""
    return {
        "value": json_number(value),
        "stderr": json_number(stderr),
        "ci_low": json_number(ci_low),
        "ci_high": json_number(ci_high),
    }


def measured(settings):
    """How the figure was measured (``settings``: anything with the fields of
    ``run_settings.SETTINGS``, a ``Result`` or a ``SettingsRow``): its shots, and
    every setting by field, null where not reported."""
    return {"shots": settings.shots, "settings": run_settings.as_json(settings)}


def link(slug, name, url):
    """A row of the site named by its slug, with its page (the API's ``Link``)."""
    return {"slug": slug, "name": name, "url": url}


def source_link(slug, title, url):
    """A source, with its page (the API's ``SourceLink``)."""
    return {"slug": slug, "title": title, "url": url}


def claim(provenance, claimed_by, source):
    """Whose claim the result is (``claimed_by``: a ``link`` of the organization, or
    None when independent) and its source (a ``source_link``)."""
    return {"provenance": provenance, "claimed_by": claimed_by, "source": source}


def citation(source_url, quote):
    """The source's words, word for word, and the address of the passage stating
    them on the source's page."""
    return {"quote": quote, "passage_url": passage_url(source_url, quote)}


def exported_result(benchmark, raw, convert, source_url, claimer_url, names):
    """A headline result as the typed export gives it, as a dict: the parts above and
    what the export adds (``stated_rank``; ``ranked``, the benchmark's unit and ranked
    version: ``benchmark_part``). ``raw``: a row of ``ExportedResultJSON.FIELDS``;
    ``convert``: {field: converter} of its ``RAW`` fields; ``source_url`` and
    ``claimer_url``: the source's and claimer's pages by slug; ``names``: the
    claimers' and sources' slugs and names by id (``headline_rows.ClaimNames``).
    ``ExportedResultJSON.fill`` makes the same as text; a test holds them equal."""
    row = dict(zip(ExportedResultJSON.FIELDS, raw, strict=True))
    for field in ExportedResultJSON.RAW:
        row[field] = convert[field](row[field])
    row.update(ExportedResultJSON.measured_values(row.pop("measured")))
    settings = SettingsRow(*(row[setting.field] for setting in run_settings.SETTINGS))
    source_slug, title = names.sources[row["source_id"]]
    source = source_link(source_slug, title, source_url(source_slug))
    claimer = names.claimers[row["claimed_by_id"]]
    claimer = claimer and link(*claimer, claimer_url(claimer[0]))
    return {
        **figures(row["value"], row["stderr"], row["ci_low"], row["ci_high"]),
        "stated_rank": row["rank"],
        **measured(settings),
        **benchmark_part(benchmark, row["is_comparable"]),
        **claim(row["provenance"], claimer, source),
        **citation(source["url"], row["quote"]),
    }


def benchmark_part(benchmark, is_comparable):
    """What the typed export adds to how a result was measured: whether it is ranked
    (measured as its benchmark ranks), and the benchmark's unit and ranked version."""
    return {
        "ranked": bool(is_comparable),
        "unit": benchmark.unit or None,
        "version": benchmark.ranked_version.name if benchmark.ranked_version else None,
    }


def inner(part):
    """A dict's JSON text without its braces, to be spliced into an object's."""
    return encode(part)[1:-1]


# ``json.dumps(part, ensure_ascii=False)``, without making an encoder for each call:
# an export makes two texts for each of its 10,000 rows.
encode = json.JSONEncoder(ensure_ascii=False).encode


# A cache of parts is emptied when it holds this many texts: parts repeat across
# results, but an export of results that each differ should not hold them all.
MAX_CACHED = 100_000


class ExportedResultJSON:
    """The typed export's headline results as JSON text, each the same as
    ``json.dumps(exported_result(...))``, made from the raw rows read
    (``orm_internals.raw_rows``; ``RAW`` fields unconverted) by ``fill``. A result is
    two parts that repeat across results, each made once per distinct raw value and
    spliced as text: its figures (value, stated rank, uncertainty), and how and by whom
    it was measured (settings, the benchmark's part, the claim and source); only the
    quote and its passage are made for each result. A dict of each of an export's
    330,000 results built through the columns, then ``json.dumps`` of it, took 8.5 s."""

    # How and by whom a result was measured: read as one column, ``measured``, the
    # JSON array of these fields (``expressions.JSONArrayText``). Fifteen columns
    # made into Python values for each of 330,000 rows, then a tuple of them as the
    # key of its text, cost a sixth of the export; most rows share a few arrays.
    MEASURED = (
        "benchmark_id",
        "version_id",
        *(setting.field for setting in run_settings.SETTINGS),
        "is_comparable",
        "provenance",
        "claimed_by_id",
        "source_id",
    )
    # The fields of MEASURED that are numbers, and true/false: in the array, a number
    # or its text ("5"), and true, 1 or "true" (false, 0 or "false"), by database.
    NUMBERS = ("benchmark_id", "version_id", "shots", "claimed_by_id", "source_id")
    BOOLEANS = ("chat_template", "subset", "is_comparable")
    FIELDS = (
        "model_id",
        # The figures: row[1:6]
        "value",
        "rank",
        "stderr",
        "ci_low",
        "ci_high",
        # How and by whom it was measured (MEASURED): row[6]
        "measured",
        # The quote and its passage's mark: row[-2:]
        "quote",
        "quote_anchor",
    )
    MEASURED_AT = FIELDS.index("measured")
    # Fields read raw and converted once per distinct value: the decimals (a float on
    # SQLite).
    RAW = ("value", "stderr", "ci_low", "ci_high")

    @classmethod
    def measured_values(cls, measured):
        """{field: value} of MEASURED from a row's ``measured`` array (JSON text
        from ``expressions.JSONArrayText``), each as Django reads it."""
        values = dict(zip(cls.MEASURED, json.loads(measured), strict=True))
        for name in cls.NUMBERS:
            if values[name] is not None:
                values[name] = int(values[name])
        for name in cls.BOOLEANS:
            if values[name] is not None:
                values[name] = values[name] in (True, 1, "true")
        return values

    def __init__(self, benchmarks, source_url, claimer_url, names):
        """``benchmarks``: the Benchmarks shown, in order, each by its ranked
        version; ``source_url``, ``claimer_url``: a source's and an organization's
        page (an absolute URL) by slug; ``names``: the claimers' and sources' slugs
        and names by id, read for the rows before they are filled
        (``headline_rows.ClaimNames``). One for a whole export: what it has made
        serves every chunk of rows."""
        self.benchmarks = {(b.pk, b.ranked_version_id): b for b in benchmarks}
        self.index = {key: index for index, key in enumerate(self.benchmarks)}
        # Each benchmark's result stands in the row's "results" under its slug.
        self.keys = [json.dumps(b.slug, ensure_ascii=False) + ": " for b in benchmarks]
        self.nulls = [key + "null" for key in self.keys]
        self.source_url, self.claimer_url = source_url, claimer_url
        self.names = names
        self.convert = {}
        self.figure_texts, self.measured_texts = {}, {}

    def blank(self):
        """A row's results before any is read: each benchmark's key and null (one
        list, copied: making its 50 texts again for each of 10,000 rows took 0.13 s)."""
        return self.nulls.copy()

    def fill(self, rows, converters, results):
        """Set each of ``rows`` (a list of ``FIELDS``, ``RAW`` fields converted by
        ``converters``: {field: function}, as ``raw_rows`` gives them) as its
        benchmark's key and JSON text in ``results[model id]`` (a list from
        ``blank``); rows of a version not shown are skipped. The claimers' and sources'
        names the rows need and ``names`` lacks are read first, a query for each
        table. One loop, no call a row but the quote's: each costs in 330,000 rows."""
        self.convert = converters
        figure_texts = self.figure_texts
        measured_texts = self.measure(rows)
        at = self.MEASURED_AT
        for row in rows:
            key = row[1:6]  # the figures
            figures_text = figure_texts.get(key)
            if figures_text is None:
                figures_text = self.made(figure_texts, key, self.figures_text)
            measured_text = measured_texts[row[at]]
            if measured_text is SKIPPED:
                continue
            index, opening, passage_at, _ = measured_text
            # The per-result part, ``citation`` as text: the quote escaped as
            # json.dumps escapes it; the passage's address is the source's page,
            # escaped once (``passage_at``), then the quote's page and mark, as
            # stored (``passage_fragment``: "?passage=q-…#q-…", nothing to escape).
            results[row[0]][index] = (
                f"{opening[0]}{figures_text}{opening[1]}"
                f'"quote": {encode_basestring(row[-2])}, '
                f'"passage_url": {passage_at}{passage_fragment(row[-1])}"}}'
            )

    def shows(self, benchmark):
        """Whether the results made include ``benchmark``'s (on its ranked version)."""
        return (benchmark.pk, benchmark.ranked_version_id) in self.index

    def on(self, rows, benchmark):
        """Each of ``rows`` (filled already) on ``benchmark``'s ranked version, with
        whether it is ranked (``is_comparable``), as ``measure`` read its array."""
        index = self.index[benchmark.pk, benchmark.ranked_version_id]
        texts, at = self.measured_texts, self.MEASURED_AT
        for row in rows:
            made = texts[row[at]]
            if made is not SKIPPED and made[0] == index:
                yield row, made[3]

    def measure(self, rows):
        """The texts of how and by whom ``rows`` were measured (``measured_text``) by
        their ``measured`` array, each made once: the arrays not yet made are read,
        then the names they need."""
        texts = self.measured_texts
        arrays = {row[self.MEASURED_AT] for row in rows}
        new = arrays.difference(texts)
        if len(texts) + len(new) > MAX_CACHED:
            texts.clear()
            new = arrays
        values = {array: self.measured_values(array) for array in new}
        self.names.know(
            {value["claimed_by_id"] for value in values.values()},
            {value["source_id"] for value in values.values()},
        )
        for array, value in values.items():
            texts[array] = self.measured_text(value)
        return texts

    @staticmethod
    def made(cache, key, make):
        if len(cache) >= MAX_CACHED:
            cache.clear()
        text = cache[key] = make(key)
        return text

    def figures_text(self, raw):
        value, rank, stderr, ci_low, ci_high = raw
        convert = self.convert
        return inner(
            {
                **figures(
                    convert["value"](value),
                    convert["stderr"](stderr),
                    convert["ci_low"](ci_low),
                    convert["ci_high"](ci_high),
                ),
                "stated_rank": rank,
            }
        )

    def measured_text(self, values):
        """Where a result stands in its row (its benchmark's index), what comes
        before and after its figures' text (the key and "{"; then how and by whom it
        was measured), the start of its passage's address as JSON text (the
        source's page, its string not closed), and whether it is ranked
        (``is_comparable``, for ``on``); SKIPPED for a version not shown.
        ``values``: ``measured_values`` of the result's array."""
        key = (values["benchmark_id"], values["version_id"])
        index = self.index.get(key)
        if index is None:
            return SKIPPED
        settings = SettingsRow(**{field: values[field] for field in SettingsRow._fields})
        source_slug, title = self.names.sources[values["source_id"]]
        source = source_link(source_slug, title, self.source_url(source_slug))
        claimer = self.names.claimers[values["claimed_by_id"]]
        claimed_by = claimer and link(*claimer, self.claimer_url(claimer[0]))
        part = {
            **measured(settings),
            **benchmark_part(self.benchmarks[key], values["is_comparable"]),
            **claim(values["provenance"], claimed_by, source),
        }
        opening = (self.keys[index] + "{", ", " + inner(part) + ", ")
        return index, opening, encode_basestring(source["url"])[:-1], values["is_comparable"]


# A row the export does not show (``ExportedResultJSON.measured_text``).
SKIPPED = ()
