"""The leaderboard's exports stream: read a chunk of rows at a time, in a number of
queries that grows with the chunks, not the rows; never cached whole."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from leaderboard import tables
from tests.factories import make_benchmark, make_model, make_organization, make_result
from tests.support import Written


def build_crowd():
    organization = make_organization()
    benchmarks = [make_benchmark(featured=True) for _ in range(3)]
    for n in range(25):
        model = make_model(organization=organization)
        for benchmark in benchmarks:
            make_result(
                model=model,
                benchmark=benchmark,
                value=Decimal(n),
                stderr=Decimal("0.5"),
                quote=f"{model.name} scored {n} ± 0.5 on {benchmark.name}.",
            )
    return benchmarks


@pytest.fixture(scope="session")
def crowd_written(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return Written(build_crowd)


@pytest.fixture
def crowd(db, crowd_written):
    """``build_crowd``'s rows, built once a session and written back (``Written``)."""
    return crowd_written.write_back()


@pytest.mark.parametrize("export_format", ["csv", "json"])
def test_exports_stream_in_chunks_without_a_query_a_row(
    client, crowd, monkeypatch, export_format, django_assert_max_num_queries
):
    monkeypatch.setattr(tables, "EXPORT_CHUNK", 10)
    # The data version, the benchmarks and their versions, the count; then for each
    # of three chunks of ten rows: the rows' ids part by part, the rows, their
    # results (a CSV reads the ranked benchmark's as cells for the places, the rest
    # as text) and their places. Results that give an uncertainty (these do) are not
    # read again one by one, and no page is built around the export.
    with django_assert_max_num_queries(20 if export_format == "json" else 23):
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
