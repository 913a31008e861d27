"""The leaderboard's exports stream: read a chunk of rows at a time, in a number of
queries that grows with the chunks, not the rows; never in the page cache (a copy is
kept on disk instead: ``test_downloads``)."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from leaderboard import tables
from leaderboard.models import AIModel
from leaderboard.rules.ranking import Ranking
from leaderboard.tables import LeaderboardTable
from tests.factories import (
    make_benchmark,
    make_model,
    make_organization,
    make_result,
    make_source,
)


@pytest.mark.parametrize("export_format", ["csv", "json"])
def test_exports_stream_in_chunks_without_a_query_a_row(
    client, crowd, monkeypatch, export_format, django_assert_max_num_queries
):
    monkeypatch.setattr(tables, "EXPORT_CHUNK", 10)
    # The data version, the benchmarks and their versions, the count, the rows' ids
    # in the ranking's order part by part; then for each of three chunks of ten rows:
    # the rows, their results and their places; the claimers' and sources' names,
    # once, where a chunk first names them. The CSV export reads the ranked
    # benchmark's results a second time a chunk, as cells for the places; the JSON
    # export places them from the rows of its text. Results that give an uncertainty
    # (these do) are not read again one by one, and no page is built around the export.
    with django_assert_max_num_queries({"csv": 21, "json": 18}[export_format]):
        response = client.get(reverse("index"), {"_export": export_format})
        assert response.streaming
        body = response.getvalue().decode()
    if export_format == "csv":
        rows = list(csv.DictReader(io.StringIO(body)))
        assert len(rows) == 25 and rows[0]["Rank (" + crowd[0].name + ")"] == "1"
    else:
        data = json.loads(body)
        assert data["count"] == 25 and len(data["rows"]) == 25
        assert data["rows"][0]["results"][crowd[0].slug]["stderr"] == 0.5


def test_an_export_of_no_rows_is_still_well_formed(client, crowd):
    response = client.get(reverse("index"), {"_export": "json", "q": "nothing like this"})
    assert json.loads(response.getvalue())["rows"] == []
    response = client.get(reverse("index"), {"_export": "csv", "q": "nothing like this"})
    assert len(response.getvalue().decode().splitlines()) == 1  # the header


def test_a_streamed_export_is_not_kept_in_the_page_cache(client, crowd, settings):
    settings.PAGE_CACHE_SECONDS = 60
    first = client.get(reverse("index"), {"_export": "csv"}).getvalue()
    again = client.get(reverse("index"), {"_export": "csv"})
    assert again.streaming and again.getvalue() == first


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
@pytest.mark.parametrize("where", range(4))
def test_csv_lines_searched_whole_defuse_as_every_cell_would(start, where):
    """A line is written again cell by cell only where some cell may start a formula
    (exports.may_start_a_formula): in every place a cell can stand (first, middle,
    last, quoted for its comma or line break), the result is what defusing every cell
    gives."""
    from leaderboard.reading.exports import Lines, csv_chunks, defuse

    cells = ["plain", "1.5", "a, b", "x"]
    cells[where] = f"{start}cmd" + (", quoted\nhere" if where == 2 else "")
    rows = [["header", "row"], cells, ["gpt-oss-120b", "-1.5", "", "#1"]]
    writer = csv.writer(Lines())
    expected = "".join(writer.writerow([defuse(cell) for cell in row]) for row in rows)
    assert "".join(csv_chunks(rows)) == expected
    assert f"'{start}cmd" in expected


def test_exports_stream_in_chunks_of_about_chunk_size(monkeypatch):
    """Both exports hand the response chunks of at least ``CHUNK_SIZE`` characters
    (the last excepted) and at most one row more: not a chunk per row, and not rows
    of 27 KB piled a few hundred deep (megabytes joined, then encoded, a chunk)."""
    from leaderboard.reading import exports

    monkeypatch.setattr(exports, "CHUNK_SIZE", 100)
    rows = [[f"cell {i}", "x" * (i % 37)] for i in range(200)]
    pieces = [("{", f'"row": {i}, "pad": "{"x" * (i % 37)}"', "}") for i in range(200)]
    for chunks, longest in (
        (list(exports.csv_chunks(rows)), max(len(",".join(row)) + 2 for row in rows)),
        (list(exports.json_chunks({}, pieces)), max(len("".join(p)) + 1 for p in pieces)),
    ):
        assert len(chunks) > 10
        assert all(100 <= len(chunk) < 100 + longest for chunk in chunks[1:-1])
    assert json.loads("".join(exports.json_chunks({"n": 1}, pieces)))["rows"][199]["row"] == 199


def test_a_vendor_claim_whose_claimer_starts_a_formula_is_defused(client, crowd):
    """The claim texts of a CSV export come with the results (reading/headline_rows.py), not
    through a column: a claimer's name is defused there too."""
    from leaderboard.models import Provenance, Result
    from leaderboard.rules import writes

    vendor = make_organization(name="=cmd|' /C calc'!A0")
    result = Result.objects.filter(benchmark=crowd[0]).first()
    result.provenance, result.claimed_by = Provenance.VENDOR_CLAIM, vendor
    result.quote = f"{vendor.name} says: {result.quote}"
    writes.save(result)
    body = client.get(reverse("index"), {"_export": "csv"}).getvalue().decode()
    cells = [cell for row in csv.reader(io.StringIO(body)) for cell in row]
    assert f"'{vendor.name}’s claim; {result.source.title}" in cells
    assert not any(cell.startswith("=") for cell in cells)


@pytest.fixture
def awkward(db):
    """Results whose JSON has something to get wrong: a vendor's claim, settings (a
    boolean among them, and texts that read as a number and as true), an uncertainty,
    a place alone, text that JSON escapes (quotes, a backslash, a tab, non-ASCII), a
    whole value and a fraction."""
    vendor = make_organization(name='Vendor "Q" Ünïcode', slug="vendor-q")
    source = make_source(title='A "report"\\ with a backslash — ü', slug="report-u")
    benchmark = make_benchmark(featured=True, unit="%")
    places = make_benchmark(featured=True, result_kind="rank", higher_is_better=None)
    first = make_model(name='Model "Quoted"\\ ü')
    second = make_model(name="Model Plain")
    results = [
        make_result(
            model=first,
            benchmark=benchmark,
            value=Decimal("61.5"),
            stderr=Decimal("0.4"),
            metric="acc_norm",
            shots=5,
            precision="bfloat16",
            chat_template=True,
            provenance="vendor_claim",
            claimed_by=vendor,
            source=source,
            quote=f"{vendor.name} claims {first.name} scored 61.5 ± 0.4 on {benchmark.name} "
            "(acc_norm, 5-shot, bfloat16, chat template).",
        ),
        make_result(
            model=second,
            benchmark=benchmark,
            value=Decimal("37"),
            ci_low=Decimal("35.25"),
            ci_high=Decimal("38.75"),
            source=source,
            quote=f"{second.name} scored 37 (35.25 to 38.75) on {benchmark.name}.",
        ),
        make_result(model=first, benchmark=places, rank=2, source=source),
        # Settings that read as other JSON values: a number, true, and a subset run.
        make_result(
            model=make_model(name="Model Numeric"),
            benchmark=benchmark,
            value=Decimal("12"),
            metric="5",
            metric_variant="true",
            subset=True,
            source=source,
            quote=f"Model Numeric scored 12 on {benchmark.name} (5, true, on a subset).",
        ),
    ]
    return results


def test_the_json_export_and_the_api_give_a_result_the_same_parts(client, awkward):
    """Each exported result is what ``result_json``'s parts make of the stored result
    (the export makes it as text from the raw rows read: ``ExportedResultJSON``),
    and the parts it shares with the API (figures, settings, claim, source, quote,
    passage) are the API's, key for key."""
    from leaderboard.reading import result_json

    data = json.loads(client.get(reverse("index"), {"_export": "json"}).getvalue())
    exported = {
        (row["model"]["slug"], slug): result
        for row in data["rows"]
        for slug, result in row["results"].items()
        if result is not None
    }
    assert len(exported) == len(awkward)
    shared = ["value", "stderr", "ci_low", "ci_high", "shots", "settings"]
    shared += ["provenance", "claimed_by", "source", "quote", "passage_url"]
    for result in awkward:
        source_url = f"http://testserver/sources/{result.source.slug}/"
        claimer = result.claimed_by
        expected = {
            **result_json.figures(result.value, result.stderr, result.ci_low, result.ci_high),
            "stated_rank": result.rank,
            **result_json.measured(result),
            **result_json.benchmark_part(result.benchmark, result.is_comparable),
            **result_json.claim(
                result.provenance,
                result_json.link(
                    claimer.slug, claimer.name, f"http://testserver/organizations/{claimer.slug}/"
                )
                if claimer
                else None,
                result_json.source_link(result.source.slug, result.source.title, source_url),
            ),
            **result_json.citation(source_url, result.quote),
        }
        assert exported[result.model.slug, result.benchmark.slug] == expected
        (item,) = client.get(
            "/api/results", {"model": result.model.slug, "benchmark": result.benchmark.slug}
        ).json()["items"]
        assert {key: item[key] for key in shared} == {key: expected[key] for key in shared}
    claim = exported[awkward[0].model.slug, awkward[0].benchmark.slug]
    assert claim["settings"]["chat_template"] is True and claim["settings"]["subset"] is None
    assert claim["value"] == 61.5 and claim["stderr"] == 0.4 and claim["shots"] == 5
    assert claim["claimed_by"]["name"] == 'Vendor "Q" Ünïcode'
    assert exported[awkward[1].model.slug, awkward[1].benchmark.slug]["value"] == 37
    numeric = exported[awkward[3].model.slug, awkward[3].benchmark.slug]
    assert numeric["settings"]["metric"] == "5" and numeric["settings"]["metric_variant"] == "true"
    assert numeric["settings"]["subset"] is True and numeric["ranked"] is False


def test_exported_result_text_is_the_json_of_its_dict(awkward):
    """``ExportedResultJSON.fill`` (text spliced from parts made once) writes what
    ``json.dumps(exported_result(...))`` writes, for every row read: raw values
    converted as Django would, whatever the database."""
    from leaderboard.reading.headline_rows import ClaimNames, headline_queries
    from leaderboard.reading.orm_internals import raw_rows
    from leaderboard.reading.result_json import ExportedResultJSON, exported_result

    benchmarks = sorted({result.benchmark for result in awkward}, key=lambda b: b.pk)
    names = ClaimNames()
    made = ExportedResultJSON(benchmarks, "/s/{}/".format, "/o/{}/".format, names)
    pks = sorted({result.model_id for result in awkward})
    by_pk = {pk: made.blank() for pk in pks}
    rows = []
    for queryset in headline_queries(pks, benchmarks, ExportedResultJSON.FIELDS):
        read, *converters = raw_rows(queryset, *ExportedResultJSON.RAW)
        convert = dict(zip(ExportedResultJSON.RAW, converters, strict=True))
        read = list(read)
        rows += [(row, convert) for row in read]
        made.fill(read, convert, by_pk)
    assert len(rows) == len(awkward)
    for row, convert in rows:
        measured = ExportedResultJSON.measured_values(row[ExportedResultJSON.MEASURED_AT])
        benchmark = next(b for b in benchmarks if b.pk == measured["benchmark_id"])
        text = by_pk[row[0]][benchmarks.index(benchmark)]
        key, _, value = text.partition(": ")
        assert json.loads(key) == benchmark.slug
        expected = exported_result(
            benchmark, row, convert, "/s/{}/".format, "/o/{}/".format, names
        )
        assert value == json.dumps(expected, ensure_ascii=False)


@pytest.mark.parametrize("export_format", ["csv", "json"])
def test_each_chunk_names_its_own_claimers_and_sources(db, client, monkeypatch, export_format):
    """An export reads claimers' and sources' names by id, once, as chunks first name
    them (``ClaimNames``): a claimer and a source first named in a later chunk, or
    named again in one, are each row's own."""
    monkeypatch.setattr(tables, "EXPORT_CHUNK", 1)
    benchmark = make_benchmark(featured=True)
    claimers = [make_organization(name=f"Claimer {n}", slug=f"claimer-{n}") for n in range(2)]
    sources = [make_source(title=f"Report {n}", slug=f"report-{n}") for n in range(3)]
    expected = {}
    for n, (claimer, source) in enumerate(
        [
            (None, sources[0]),
            (claimers[0], sources[1]),
            (claimers[1], sources[2]),
            (None, sources[1]),
        ]
    ):
        model = make_model(name=f"Model {n}")
        make_result(
            model=model,
            benchmark=benchmark,
            value=Decimal(90 - n),
            provenance="vendor_claim" if claimer else "independent",
            claimed_by=claimer,
            source=source,
        )
        expected[model.name] = (claimer, source)
    body = client.get(reverse("index"), {"_export": export_format}).getvalue().decode()
    if export_format == "json":
        named = {
            row["model"]["name"]: row["results"][benchmark.slug]
            for row in json.loads(body)["rows"]
        }
        for name, (claimer, source) in expected.items():
            result = named[name]
            assert result["source"]["title"] == source.title
            assert f"/sources/{source.slug}/" in result["passage_url"]
            assert (result["claimed_by"] or {}).get("name") == (claimer and claimer.name)
    else:
        rows = {row["Model"]: row for row in csv.DictReader(io.StringIO(body))}
        for name, (claimer, source) in expected.items():
            texts = " ".join(rows[name].values())
            assert source.title in texts and f"/sources/{source.slug}/" in texts
            assert (claimer is None) == ("Claimer" not in texts)
            if claimer:
                assert claimer.name in texts


@pytest.mark.parametrize("pairs_searched_up_to", [1, 10])
def test_an_export_gives_the_shown_benchmarks_results_and_no_other(
    db, client, monkeypatch, pairs_searched_up_to
):
    """Whether the headline results are searched for each (model, benchmark) pair or
    read by model and checked for their benchmark (more benchmarks shown than
    ``PAIRS_SEARCHED_UP_TO``), each shown benchmark's result is in its place and a
    benchmark not shown gives none."""
    from leaderboard.reading import headline_rows

    monkeypatch.setattr(headline_rows, "PAIRS_SEARCHED_UP_TO", pairs_searched_up_to)
    benchmarks = [make_benchmark(featured=True) for _ in range(3)]
    model = make_model()
    for value, benchmark in enumerate(benchmarks, start=60):
        make_result(model=model, benchmark=benchmark, value=Decimal(value))
    shown = {"show": [benchmarks[0].slug, benchmarks[2].slug]}

    data = json.loads(client.get(reverse("index"), {**shown, "_export": "json"}).getvalue())
    (row,) = data["rows"]
    assert {slug: result["value"] for slug, result in row["results"].items()} == {
        benchmarks[0].slug: 60,
        benchmarks[2].slug: 62,
    }
    text = client.get(reverse("index"), {**shown, "_export": "csv"}).getvalue().decode()
    header, line = csv.reader(io.StringIO(text))
    cells = dict(zip(header, line, strict=True))
    assert (cells[benchmarks[0].name], cells[benchmarks[2].name]) == ("60", "62")
    assert not any(benchmarks[1].name in column for column in header)


@pytest.mark.parametrize("export_format", ["csv", "json"])
def test_an_export_in_a_rankings_order_reads_that_order_once(
    client, crowd, monkeypatch, export_format
):
    """The rows' keys in the ranking's order are read once for the whole export, and
    the rows a chunk at a time: each chunk sliced from the ranking read its order
    again, 10 times for 10,000 rows."""
    from leaderboard.rules.ranking import RankedModels

    monkeypatch.setattr(tables, "EXPORT_CHUNK", 4)
    orders_read = []
    parts = RankedModels.parts
    monkeypatch.setattr(
        RankedModels, "parts", lambda rows: orders_read.append(rows) or parts(rows)
    )
    body = client.get(reverse("index"), {"_export": export_format}).getvalue().decode()
    assert len(orders_read) == 1
    if export_format == "csv":
        rank = "Rank (" + crowd[0].name + ")"
        assert [row[rank] for row in csv.DictReader(io.StringIO(body))] == [
            str(place) for place in range(1, 26)
        ]
    else:
        assert [row["rank"] for row in json.loads(body)["rows"]] == list(range(1, 26))


def test_the_json_export_places_rows_alike_whether_or_not_it_shows_the_ranked_benchmark(db):
    """The JSON export places its rows from the results it writes when the ranked
    benchmark is among them (as the leaderboard's always is), and reads them apart
    when it is not: the same places either way, ties shared, and none for a result
    measured otherwise than the benchmark ranks (10-shot here, 0-shot) or for no
    result."""
    ranked = make_benchmark(featured=True, ranked_shots=10)
    other = make_benchmark(featured=True)
    figures = {"a": 70, "b": 80, "c": 80, "d": 90}
    models = {name: make_model(name=f"Model {name}") for name in [*figures, "zero", "none"]}

    def measured(model, value, shots):
        quote = f"{model.name} scored {value} on {ranked.name}, {shots}-shot."
        make_result(model=model, benchmark=ranked, value=Decimal(value), shots=shots, quote=quote)

    for name, value in figures.items():
        measured(models[name], value, 10)
        make_result(model=models[name], benchmark=other, value=Decimal(1))
    measured(models["zero"], 99, 0)

    def places(shown):
        """The Rank column of the JSON export of a table ranked on ``ranked``."""
        table = LeaderboardTable(
            Ranking(ranked).in_order(AIModel.objects.all(), best_first=True),
            benchmarks=shown,
            ranking_benchmark=ranked,
        )
        rows = [json.loads("".join(pieces)) for pieces in table.as_json("http://testserver")]
        return {row["model"]["name"]: row["rank"] for row in rows}

    expected = {
        "Model d": 1,
        "Model b": 2,
        "Model c": 2,
        "Model a": 4,
        "Model zero": None,
        "Model none": None,
    }
    assert places([ranked, other]) == expected
    assert places([other]) == expected
