"""Rows of results from CSV, XLSX and JSON files: through the command and the admin,
by the same rules as the admin's form; one refused row writes nothing."""

import io
from decimal import Decimal
from io import StringIO

import pytest
import tablib
from django.core.management import CommandError, call_command

from leaderboard.imports.resources import ResultResource
from leaderboard.models import DataVersion, Result
from tests.factories import make_source

SOURCE = "gate-nvidia-enters-the-ai-large-model-race"
CLAIM = (
    "NVIDIA claims that in the AI Index composite score, Nemotron 3 Super scored 37 "
    "points, while GPT-OSS scored only 33 points."
)


def article_rows():
    """The article's results as the export writes them."""
    return ResultResource().export(Result.objects.order_by("model__slug", "benchmark__slug"))


def write(tmp_path, dataset, fmt):
    path = tmp_path / f"results.{fmt}"
    exported = dataset.export(fmt)
    if isinstance(exported, bytes):
        path.write_bytes(exported)
    else:
        path.write_text(exported)
    return path


def run(path, *args):
    out, err = StringIO(), StringIO()
    try:
        call_command("import_results", str(path), *args, stdout=out, stderr=err)
    except CommandError as error:
        raise CommandError(f"{error}\n{err.getvalue()}") from error
    return out.getvalue()


def results_and_version():
    """The results as an import would change them, and the data version, which any
    write moves on."""
    return sorted(
        Result.objects.values_list("model__slug", "benchmark__slug", "value", "rank", "quote")
    ), DataVersion.current().version


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_re_importing_an_export_changes_nothing(article, tmp_path, fmt):
    before = results_and_version()
    output = run(write(tmp_path, article_rows(), fmt))
    assert "0 result(s) were created, 0 changed, 3 unchanged." in output
    assert results_and_version() == before


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_a_new_row_is_created_and_shown(article, client, tmp_path, fmt):
    make_source(
        slug="gate-other",
        kept_text="Another report: GPT-OSS scored 34 on the AI Index composite score.",
    )
    rows = tablib.Dataset(
        headers=["model", "benchmark", "source", "value", "provenance", "claimed_by", "quote"]
    )
    rows.append(
        [
            "gpt-oss-largest",
            "ai-index",
            "gate-other",
            "34",
            "independent",
            "",
            "GPT-OSS scored 34 on the AI Index composite score.",
        ]
    )
    output = run(write(tmp_path, rows, fmt))
    assert "1 result(s) were created, 0 changed, 0 unchanged." in output
    assert Result.objects.get(source__slug="gate-other").value == Decimal(34)
    # An independent measurement now heads GPT-OSS's column on the leaderboard.
    page = client.get("/").content.decode()
    assert ">34</a>" in page


def refused_by(tmp_path, change):
    """Import the article's rows with one changed; the error's text."""
    rows = article_rows()
    row = dict(zip(rows.headers, rows[0], strict=True))
    change(row)
    rows[0] = tuple(row.get(header, "") for header in rows.headers)
    before = results_and_version()
    with pytest.raises(CommandError) as refused:
        run(write(tmp_path, rows, "csv"))
    assert results_and_version() == before  # nothing written, not even the good rows
    return str(refused.value)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda r: r.update(model="no-such-model"), "Row 1: model: No AI model has the slug"),
        (lambda r: r.update(benchmark="nope"), "Row 1: benchmark: No benchmark has the slug"),
        (lambda r: r.update(source="nope"), "Row 1: source: No source has the slug"),
        (lambda r: r.update(version="v9"), "has no version named 'v9'"),
        (lambda r: r.update(value="34"), "Row 1: value: The quote does not state 34."),
        (lambda r: r.update(value="thirty"), "Row 1: value: 'thirty' is not a number."),
        # Swapped figures: 37 is in the quote, but it is Nemotron's.
        (lambda r: r.update(value="37"), "The quote ties 33 to GPT-OSS (largest version), not 37"),
        (lambda r: r.update(quote="GPT-OSS scored only 33 points."), "does not name AI Index"),
        (lambda r: r.update(provenance="independent", claimed_by=""), "attributes this result"),
        (lambda r: r.update(provenance="maybe"), "Row 1: provenance:"),
        (lambda r: r.update(quote=CLAIM.replace("33", "3")), "not in the text of"),
        (lambda r: r.update(stderr="-1"), "Row 1:"),
        (lambda r: r.update(rank="0"), "Row 1: rank:"),
        (
            lambda r: r.update(shots="5"),
            "Row 1: shots: Neither the quote nor the source states 5-shot",
        ),
        (lambda r: r.update(shots="2.5"), "Row 1: shots: '2.5' is not a number of shots"),
        (
            lambda r: r.update(metric="acc_norm"),
            "Row 1: metric: Neither the quote nor the source states the metric “acc_norm”",
        ),
        (
            lambda r: r.update(chat_template="yes"),
            "Row 1: chat_template: Neither the quote nor the source states that a chat",
        ),
        (lambda r: r.update(subset="maybe"), "Row 1: subset: 'maybe' is neither true nor false"),
        (lambda r: r.update(shots="-1"), "Row 1: shots: '-1' is not a number of shots"),
    ],
)
def test_each_broken_row_is_refused_and_nothing_is_written(article, tmp_path, change, message):
    assert message in refused_by(tmp_path, change)


def test_a_row_repeating_another_is_refused(article, tmp_path):
    rows = article_rows()
    rows.append(rows[0])
    with pytest.raises(CommandError, match="Row 4: It repeats row 1's result"):
        run(write(tmp_path, rows, "csv"))


def test_a_changed_row_is_changed_once(article, tmp_path):
    rows = article_rows()
    row = dict(zip(rows.headers, rows[1], strict=True))
    assert row["model"] == "nemotron-3-super" and row["benchmark"] == "ai-index"
    row["reported_on"] = "2026-03-01"
    rows[1] = tuple(row[h] for h in rows.headers)
    path = write(tmp_path, rows, "csv")
    assert "0 result(s) were created, 1 changed, 2 unchanged." in run(path)
    assert "0 result(s) were created, 0 changed, 3 unchanged." in run(path)


def test_a_dry_run_reports_and_writes_nothing(article, tmp_path):
    rows = article_rows()
    row = dict(zip(rows.headers, rows[1], strict=True))
    row["reported_on"] = "2026-03-01"
    rows[1] = tuple(row[h] for h in rows.headers)
    before = results_and_version()
    output = run(write(tmp_path, rows, "csv"), "--dry-run")
    assert "Row 2: update: Nemotron 3 Super · AI Index composite score: 37" in output
    assert "0 result(s) would be created, 1 changed, 2 unchanged." in output
    assert results_and_version() == before


@pytest.mark.parametrize(
    "content, fmt, message",
    [
        (b"\xff\xfe\x00not text", "csv", "not UTF-8"),
        (b"[not json", "json", "cannot be read as JSON"),
        # A JSON object is read as a harness's results file: rows are a list.
        (b"{not json", "json", "not JSON"),
        (b'{"model": "gpt-oss-largest"}', "json", "rows of results are a JSON list"),
        (b"name,score\nx,1\n", "csv", "not present in the file headers: model"),
        (b"", "csv", "Nothing was written"),
        (b"a,b", "txt", "not a format rows come in"),
    ],
)
def test_an_unreadable_file_gets_a_clear_answer(db, tmp_path, content, fmt, message):
    path = tmp_path / f"rows.{fmt}"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        run(path)
    assert Result.objects.count() == 0


def test_the_admin_previews_an_import_before_writing(article, admin_client):
    rows = article_rows()
    row = dict(zip(rows.headers, rows[0], strict=True))
    row["value"] = "34"
    rows[0] = tuple(row[h] for h in rows.headers)
    upload = io.BytesIO(rows.export("csv").encode())
    upload.name = "results.csv"
    before = results_and_version()
    response = admin_client.post(
        "/admin/leaderboard/result/import/",
        {"import_file": upload, "format": "csv"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "The quote does not state 34." in page
    assert 'name="confirm"' not in page and "Confirm import" not in page
    assert results_and_version() == before


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_a_shots_column_is_imported_by_the_same_rule(article, client, tmp_path, fmt):
    make_source(
        slug="gate-other",
        kept_text="Another report: GPT-OSS scored 34 on the AI Index composite score (5-shot).",
    )
    rows = tablib.Dataset(
        headers=["model", "benchmark", "source", "value", "shots", "provenance", "quote"]
    )
    rows.append(
        [
            "gpt-oss-largest",
            "ai-index",
            "gate-other",
            "34",
            "5",
            "independent",
            "GPT-OSS scored 34 on the AI Index composite score (5-shot).",
        ]
    )
    output = run(write(tmp_path, rows, fmt))
    assert "1 result(s) were created, 0 changed, 0 unchanged." in output
    result = Result.objects.get(source__slug="gate-other")
    assert result.shots == 5
    # Empty is "not reported": the article's results have none, and export none.
    assert set(Result.objects.exclude(pk=result.pk).values_list("shots", flat=True)) == {None}
    exported = article_rows()
    assert {row["source"]: row["shots"] for row in exported.dict} == {
        "gate-nvidia-enters-the-ai-large-model-race": "",
        "gate-other": "5",
    }
    assert ">5-shot</small>" in client.get("/models/gpt-oss-largest/").content.decode()
