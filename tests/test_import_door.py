"""The admin's import and export, and ``import_results``'s reading of rows, walked
with the inputs an audit used to get through: permissions on every step, a confirm
written whole or not at all, hostile files (``tests/hostile/row_files.py``) refused
within bounds with the limit they passed, and messages that say what is wrong."""

import csv
import io
import json
import os
import re
import time
from io import StringIO

import openpyxl
import pytest
import tablib
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.urls import reverse

from leaderboard.admin import imports as admin_imports
from leaderboard.imports.resources import ResultResource
from leaderboard.models import Result
from leaderboard.rules import writes
from tests.factories import make_source
from tests.hostile import row_files
from tests.test_doors import fingerprint

pytestmark = pytest.mark.django_db

IMPORT = "/admin/leaderboard/result/import/"
CONFIRM = "/admin/leaderboard/result/import/confirm/"
EXPORT = "/admin/leaderboard/result/export/"
OTHER_TEXT = (
    "A second report. GPT-OSS scored 34 on the AI Index composite score. "
    "Nemotron 3 Super scored 38 on the AI Index composite score."
)
COLUMNS = ["model", "benchmark", "source", "value", "provenance", "claimed_by", "quote"]


@pytest.fixture(autouse=True)
def previews_in(tmp_path, settings):
    settings.IMPORT_PREVIEW_DIR = str(tmp_path / "previews")


@pytest.fixture
def other_source(article):
    return make_source(slug="gate-other", kept_text=OTHER_TEXT)


def two_rows():
    rows = tablib.Dataset(headers=COLUMNS)
    for model, value, sentence in [
        ("gpt-oss-largest", "34", "GPT-OSS scored 34 on the AI Index composite score."),
        ("nemotron-3-super", "38", "Nemotron 3 Super scored 38 on the AI Index composite score."),
    ]:
        rows.append([model, "ai-index", "gate-other", value, "independent", "", sentence])
    return rows


def upload(data, name="results.csv"):
    file = io.BytesIO(data)
    file.name = name
    return file


def preview(client, data, fmt="csv"):
    return client.post(IMPORT, {"import_file": upload(data, f"results.{fmt}"), "format": fmt})


def confirm_data(response):
    form = response.context["confirm_form"]
    return {name: form[name].value() for name in form.fields}


def staff(django_user_model, client, *codenames):
    user = django_user_model.objects.create_user("editor", password="x", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return user


# 1. Permissions, on every step.


def test_a_staff_user_without_permissions_can_neither_import_nor_export(
    client, django_user_model, other_source
):
    staff(django_user_model, client)
    data = two_rows().export("csv").encode()
    before = fingerprint()
    assert client.get(IMPORT).status_code == 403
    assert preview(client, data).status_code == 403
    assert client.post(CONFIRM, {"token": "0" * 32, "format": "csv"}).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert client.post(EXPORT, {"format": "0", "resource": "0"}).status_code == 403
    assert fingerprint() == before


def test_import_needs_both_add_and_change(client, django_user_model, other_source):
    staff(django_user_model, client, "add_result", "view_result")
    assert preview(client, two_rows().export("csv").encode()).status_code == 403
    changelist = client.get(reverse("admin:leaderboard_result_changelist")).content.decode()
    assert "Export" in changelist and IMPORT not in changelist


def test_a_preview_confirmed_after_its_editor_lost_the_permission_writes_nothing(
    client, django_user_model, other_source
):
    user = staff(django_user_model, client, "add_result", "change_result", "view_result")
    shown = preview(client, two_rows().export("csv").encode())
    assert shown.status_code == 200 and "confirm_form" in shown.context
    user.user_permissions.remove(Permission.objects.get(codename="change_result"))
    before = fingerprint()
    assert client.post(CONFIRM, confirm_data(shown)).status_code == 403
    assert fingerprint() == before


def test_an_editor_with_the_permissions_imports_and_history_names_them(
    client, django_user_model, other_source
):
    user = staff(django_user_model, client, "add_result", "change_result", "view_result")
    shown = preview(client, two_rows().export("csv").encode())
    assert "2 result(s) would be created" in shown.content.decode()
    assert Result.objects.filter(source=other_source).count() == 0
    done = client.post(CONFIRM, confirm_data(shown), follow=True)
    assert "2 result(s) were created" in done.content.decode()
    results = Result.objects.filter(source=other_source)
    assert results.count() == 2
    assert {r.history.latest().history_user for r in results} == {user}


def test_another_editors_preview_cannot_be_confirmed(
    admin_client, client, django_user_model, other_source
):
    shown = preview(admin_client, two_rows().export("csv").encode())
    staff(django_user_model, client, "add_result", "change_result", "view_result")
    response = client.post(CONFIRM, confirm_data(shown))
    assert response.status_code == 409
    assert Result.objects.filter(source=other_source).count() == 0


# 2. A confirmed file is written whole or not at all.


def test_confirm_after_the_source_changed_writes_nothing_and_says_which_row(
    admin_client, other_source
):
    shown = preview(admin_client, two_rows().export("csv").encode())
    assert "confirm_form" in shown.context
    # Before Confirm, the source's text loses row 2's sentence.
    other_source.kept_text = OTHER_TEXT.split(" Nemotron")[0]
    writes.save(other_source)
    before = fingerprint()
    response = admin_client.post(CONFIRM, confirm_data(shown))
    page = response.content.decode()
    assert response.status_code == 409
    assert "Row 2: quote:" in page or "Row 2: value:" in page
    assert "Nothing was written: 1 of 2 row(s) refused" in page
    assert fingerprint() == before


# 3. No 500, whatever the file or the form holds.


@pytest.mark.parametrize("data", [b"[[1,2,3]]", b"[[]]", b"[1]", b'"rows"', b"[{}]"])
def test_json_that_is_not_a_list_of_objects_is_refused(admin_client, article, data):
    response = preview(admin_client, data, "json")
    assert response.status_code == 200
    assert "confirm_form" not in response.context
    assert "rows" in response.context["refusal"] or "list" in response.context["refusal"]


def test_confirming_twice_answers_the_second_time_without_writing(admin_client, other_source):
    shown = preview(admin_client, two_rows().export("csv").encode())
    assert admin_client.post(CONFIRM, confirm_data(shown)).status_code == 302
    before = fingerprint()
    again = admin_client.post(CONFIRM, confirm_data(shown))
    assert again.status_code == 409
    assert "already imported, or it expired" in again.content.decode()
    assert fingerprint() == before


@pytest.mark.parametrize(
    "forged",
    [{"format": "7"}, {"format": "abc"}, {"token": ".."}, {"token": "../../etc/passwd"}, {}],
)
def test_forged_confirm_fields_are_refused(admin_client, other_source, forged):
    shown = preview(admin_client, two_rows().export("csv").encode())
    data = {**confirm_data(shown), **forged} if forged else {}
    before = fingerprint()
    response = admin_client.post(CONFIRM, data)
    assert response.status_code == 400
    assert "upload the file again" in response.content.decode()
    assert fingerprint() == before


@pytest.mark.parametrize("fmt", ["7", "abc", ""])
def test_a_forged_upload_format_is_a_form_error(admin_client, article, fmt):
    response = admin_client.post(IMPORT, {"import_file": upload(b"a,b\n"), "format": fmt})
    assert response.status_code == 200
    assert response.context["form"].errors["format"]


def test_confirm_answers_only_post(admin_client):
    assert admin_client.get(CONFIRM).status_code == 405


def test_an_unconfirmed_preview_is_deleted_after_its_hours(admin_client, other_source):
    preview(admin_client, two_rows().export("csv").encode())
    kept = list(admin_imports.preview_dir().iterdir())
    assert len(kept) == 1
    admin_imports.prune_previews(now=time.time() + admin_imports.PREVIEW_HOURS * 3600 - 60)
    assert kept[0].exists()
    admin_imports.prune_previews(now=time.time() + admin_imports.PREVIEW_HOURS * 3600 + 60)
    assert not kept[0].exists()


# 4. Hostile files, refused within bounds, naming the limit they passed.

HOSTILE = [
    (row_files.xlsx_claiming_every_cell, "xlsx", "declares the range A1:XFD1048576"),
    (row_files.xlsx_of_empty_rows, "xlsx", "more than 1,000 empty rows"),
    (row_files.xlsx_with_a_huge_cell, "xlsx", "over the limit of 50 MB"),
    (lambda: row_files.xlsx_under_declared(10_001), "xlsx", "more than 10,000 rows"),
    (row_files.json_of_empty_objects, "json", "more than 10,000 rows"),
    (row_files.json_nested, "json", "nested too deeply"),
    (row_files.json_with_a_list_cell, "json", "'as_percentage' is a list"),
    (row_files.csv_of_duplicates, "csv", "more than 10,000 rows"),
    (row_files.csv_with_a_long_cell, "csv", "over the limit of 20,000 characters"),
    (lambda: row_files.csv_with_a_long_cell(20_001), "csv", "over the limit of 20,000"),
    (row_files.csv_ragged, "csv", "row 1 has 3 cell(s) where the header has 7"),
    (row_files.csv_over_the_size, "csv", "over the limit of 10 MB"),
    (row_files.csv_with_a_nul, "csv", "row 1, column 1 holds a NUL character"),
    (lambda: b"\n\n", "csv", "holds no rows"),
    (lambda: row_files.HEADER.encode(), "csv", "a header but no rows"),
]


@pytest.mark.parametrize("make, fmt, message", HOSTILE)
def test_a_hostile_file_is_refused_by_the_command(db, tmp_path, make, fmt, message):
    path = tmp_path / f"hostile.{fmt}"
    path.write_bytes(make())
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("import_results", str(path), stdout=StringIO(), stderr=StringIO())
    assert Result.objects.count() == 0


@pytest.mark.parametrize("make, fmt, message", HOSTILE)
def test_a_hostile_file_is_refused_by_the_admin(admin_client, make, fmt, message):
    response = preview(admin_client, make(), fmt)
    assert response.status_code == 200
    assert "confirm_form" not in response.context
    errors = str(response.context.get("refusal", "")) + str(response.context["form"].errors)
    assert message.replace("'", "&#x27;") in errors or message in errors
    assert os.listdir(admin_imports.preview_dir()) == []


def test_an_xlsx_that_under_declares_its_range_is_read_whole(db, tmp_path):
    """openpyxl stops at the declared last row; rows past it must not vanish."""
    path = tmp_path / "rows.xlsx"
    path.write_bytes(row_files.xlsx_under_declared(3))
    with pytest.raises(CommandError) as refused:
        call_command("import_results", str(path), stdout=StringIO(), stderr=StringIO())
    assert "of 3 row(s) refused" in str(refused.value)


# 8. Messages that say what is wrong, counting rows, not messages.


def article_with(**changes):
    rows = ResultResource().export(Result.objects.order_by("model__slug", "benchmark__slug"))
    row = dict(zip(rows.headers, rows[0], strict=True))
    row.update(changes)
    rows[0] = tuple(row[h] for h in rows.headers)
    return rows


@pytest.mark.parametrize(
    "change, message",
    [
        ({"value": "NaN"}, "Row 1: value: 'NaN' is not a number a result can hold."),
        ({"value": "Infinity"}, "Row 1: value: 'Infinity' is not a number a result can hold."),
        ({"value": "1e309"}, "Row 1: value: '1e309' is too large"),
        ({"stderr": "1e300"}, "Row 1: stderr: '1e300' is too large"),
        ({"rank": "first"}, "Row 1: rank: 'first' is not a place"),
        ({"rank": "1.5"}, "Row 1: rank: '1.5' is not a place"),
        ({"rank": "true"}, "Row 1: rank: 'true' is not a place"),
        ({"as_percentage": "maybe"}, "Row 1: as_percentage: 'maybe' is neither true nor false"),
    ],
)
def test_a_bad_cell_gets_a_sentence(article, tmp_path, change, message):
    path = tmp_path / "rows.csv"
    path.write_text(article_with(**change).export("csv"))
    before = fingerprint()
    err = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import_results", str(path), stdout=StringIO(), stderr=err)
    assert message in err.getvalue()
    assert "<class" not in err.getvalue() and "Traceback" not in err.getvalue()
    assert "Nothing was written: 1 of 3 row(s) refused" in str(refused.value)
    assert fingerprint() == before


def test_json_booleans_and_numbers_are_read_by_the_same_rules(article, tmp_path):
    exported_rows = article_with()
    rows = [dict(zip(exported_rows.headers, row, strict=True)) for row in exported_rows]
    rows[0]["rank"] = True
    path = tmp_path / "rows.json"
    rows[1]["as_percentage"] = "maybe"
    path.write_text(json.dumps(rows))
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_results", str(path), stdout=StringIO(), stderr=err)
    assert "Row 1: rank: True is not a place" in err.getvalue()
    assert "Row 2: as_percentage: 'maybe' is neither true nor false" in err.getvalue()


def test_one_row_with_many_errors_counts_once(article, tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text(
        article_with(model="nope", benchmark="nope", value="x", rank="y").export("csv")
    )
    with pytest.raises(CommandError) as refused:
        call_command("import_results", str(path), stdout=StringIO(), stderr=StringIO())
    assert "Nothing was written: 1 of 3 row(s) refused" in str(refused.value)


def test_the_admin_preview_shows_sentences_not_tracebacks(admin_client, article):
    response = preview(
        admin_client, article_with(value="NaN", rank="first").export("csv").encode()
    )
    page = response.content.decode()
    assert "is not a number a result can hold" in page and "is not a place" in page
    assert "Traceback" not in page and "site-packages" not in page and "<class" not in page


# 13. The admin's exports defuse formulas, and a defused quote reads back.


@pytest.fixture
def formula_result(article):
    source = make_source(
        slug="gate-formula",
        kept_text="Odd report. =GPT-OSS scored 34 on the AI Index composite score.",
    )
    rows = tablib.Dataset(headers=COLUMNS)
    rows.append(
        [
            "gpt-oss-largest",
            "ai-index",
            source.slug,
            "34",
            "independent",
            "",
            "=GPT-OSS scored 34 on the AI Index composite score.",
        ]
    )
    resource = ResultResource()
    result = resource.import_data(rows, dry_run=False, rollback_on_validation_errors=True)
    assert not result.has_validation_errors() and not result.has_errors()
    return Result.objects.get(source=source)


def exported(client, fmt_index):
    every_column = {f"resultresource_{name}": "on" for name in ResultResource().get_export_order()}
    response = client.post(EXPORT, {"format": fmt_index, "resource": "0", **every_column})
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_admin_csv_export_defuses_a_formula_and_reads_back(
    admin_client, formula_result, tmp_path
):
    data = exported(admin_client, "0").decode("utf-8-sig")
    quotes = [row["quote"] for row in csv.DictReader(io.StringIO(data))]
    assert "'=GPT-OSS scored 34 on the AI Index composite score." in quotes
    assert not any(q.startswith(("=", "+", "@")) for q in quotes)
    path = tmp_path / "export.csv"
    path.write_text(data)
    out = StringIO()
    call_command("import_results", str(path), stdout=out, stderr=StringIO())
    assert "0 changed, 4 unchanged" in out.getvalue()


def test_the_admin_json_export_defuses_a_formula(admin_client, formula_result):
    data = exported(admin_client, "2").decode()
    assert "\"'=GPT-OSS scored 34" in data
    assert '"=GPT-OSS' not in data


def test_the_admin_xlsx_export_opens(admin_client, formula_result):
    book = openpyxl.load_workbook(io.BytesIO(exported(admin_client, "1")))
    quotes = [row[-1] for row in book.active.iter_rows(values_only=True)]
    assert "'=GPT-OSS scored 34 on the AI Index composite score." in quotes


def test_the_admin_xlsx_export_opens_with_a_control_character_stored_before_the_rule(
    admin_client, formula_result
):
    # A quote stored before the text rules refused control characters: written past
    # the model's validation, as an old row would be.
    Result.objects.filter(pk=formula_result.pk).update(quote="Tab\x0bbed \x1b quote")
    book = openpyxl.load_workbook(io.BytesIO(exported(admin_client, "1")))
    quotes = [row[-1] for row in book.active.iter_rows(values_only=True)]
    assert "Tab\ufffdbed \ufffd quote" in quotes
