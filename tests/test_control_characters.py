"""Control characters and bidirectional controls, at every door text comes in by (the
model's ``full_clean``, the admin's forms, ``loaddata``, ``import_results``), and on the
way out: the Atom feed stays well-formed over text stored before the rule, and pages
isolate names in ``<bdi>``."""

import json
from io import StringIO
from xml.etree import ElementTree

import pytest
import tablib
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from leaderboard.models import (
    AIModel,
    Benchmark,
    ModelAlias,
    Organization,
    Result,
    Source,
)
from leaderboard.rules import writes
from leaderboard.rules.text_rules import replace_control_characters

from .factories import make_benchmark, make_model, make_organization, make_result, make_source
from .support import without_inlines

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def refusal(row):
    """The messages ``leaderboard.rules.writes.save`` refuses ``row`` with, by field."""
    with pytest.raises(ValidationError) as error:
        writes.save(row)
    return error.value.message_dict


# The model's rule: full_clean, wherever a row comes from.


@pytest.mark.parametrize(
    "make, field, value, message",
    [
        (
            lambda: Source(title="Lab report", slug="lab"),
            "title",
            "Lab report\x0b2026",
            "The title holds a control character (U+000B) at position 11: remove it.",
        ),
        (
            lambda: Source(title="Lab report", slug="lab"),
            "kept_text",
            "Alpha scored 5\x00 on Bench.",
            "The text holds a control character (U+0000) at position 15: remove it.",
        ),
        (
            lambda: Source(title="Lab report", slug="lab"),
            "url",
            "https://example.com/\x1b[31m",
            "The URL holds a control character (U+001B) at position 21: remove it.",
        ),
        (
            lambda: Source(title="Lab report", slug="lab"),
            "publisher",
            "Lab\u202e",
            "The publisher holds a bidirectional control character (U+202E) at position 4: "
            "remove it.",
        ),
        (
            lambda: AIModel(name="Tiny", slug="tiny", organization=make_organization()),
            "name",
            "Tiny Test \u202eModel",
            "The name holds a bidirectional control character (U+202E) at position 11: remove it.",
        ),
        (
            lambda: AIModel(name="Tiny", slug="tiny", organization=make_organization()),
            "name",
            "Tiny\nModel",
            "The name holds a control character (U+000A) at position 5: remove it.",
        ),
        (
            lambda: AIModel(name="Tiny", slug="tiny", organization=make_organization()),
            "description",
            "A small model.\x85",
            "The description holds a control character (U+0085) at position 15: remove it.",
        ),
        (
            lambda: Organization(name="Lab", slug="lab"),
            "name",
            "Lab\u2067",
            "The name holds a bidirectional control character (U+2067) at position 4: remove it.",
        ),
        (
            lambda: Benchmark(name="Bench", slug="bench"),
            "measures",
            "Reading\x7f",
            "The description of what it measures holds a control character (U+007F) at "
            "position 8: remove it.",
        ),
        (
            lambda: ModelAlias(model=make_model(), name="x"),
            "name",
            "the\x0csmall one",
            "The name holds a control character (U+000C) at position 4: remove it.",
        ),
    ],
)
def test_a_control_character_is_refused_with_which_and_where(make, field, value, message):
    row = make()
    setattr(row, field, value)
    assert refusal(row)[field] == [message]
    assert not type(row).objects.exists()


def test_a_quote_holding_a_control_character_is_refused_and_nothing_is_written():
    model, benchmark = make_model(name="Alpha"), make_benchmark(name="Bench")
    row = Result(
        model=model,
        benchmark=benchmark,
        source=make_source(),
        value=5,
        provenance="independent",
        quote="Alpha scored 5 on\x0bBench.",
    )
    assert refusal(row)["quote"] == [
        "The quote holds a control character (U+000B) at position 18: remove it."
    ]
    assert not Result.objects.exists()


def test_text_of_several_lines_keeps_line_breaks_and_bidi_controls_and_no_other():
    """A kept text, a quote and a description may hold tab, newline and carriage
    return and, being prose, the bidirectional controls a right-to-left text may need;
    no other control character."""
    source = make_source(kept_text="Intro.\r\n\tAlpha scored 5 on Bench \u202bok\u202c.\n")
    result = make_result(
        source=source,
        model=make_model(name="Alpha", description="One line.\nAnother."),
        benchmark=make_benchmark(name="Bench"),
        value=5,
        quote="Alpha scored 5 on\nBench",
    )
    assert result.pk and source.kept_text.startswith("Intro.\r\n\t")
    # The marks that open no scope are names' to keep.
    assert make_model(name="\u05d3\u05d2\u05dd\u200f (v2)").pk
    source.kept_text += "\x0c"
    assert refusal(source)["kept_text"] == [
        f"The text holds a control character (U+000C) at position {len(source.kept_text)}: "
        "remove it."
    ]


# The admin's forms.


def source_add_data(**fields):
    data = {
        "title": "Lab report",
        "slug": "lab-report",
        "publisher": "",
        "published_on": "",
        "url": "",
        "kept_text": "",
        "seed_file": "",
        "about_model": "",
        "about_benchmark": "",
    }
    data.update(fields)
    return data


def form_errors(response):
    assert response.status_code == 200, "the form was accepted"
    return response.context["adminform"].form.errors


def test_the_admin_refuses_a_sources_title_holding_a_control_character(admin_client):
    response = admin_client.post(
        reverse("admin:leaderboard_source_add"), source_add_data(title="Lab\x0breport")
    )
    assert form_errors(response)["title"] == [
        "The title holds a control character (U+000B) at position 4: remove it."
    ]
    assert not Source.objects.exists()


def test_a_pasted_nul_and_an_uploaded_one_get_the_same_message(admin_client):
    """Django's own "Null characters are not allowed." gave way to the rule, and the
    upload, which skips the form field, meets it in the model's validation."""
    url = reverse("admin:leaderboard_source_add")
    message = ["The text holds a control character (U+0000) at position 6: remove it."]
    pasted = admin_client.post(url, source_add_data(kept_text="Alpha\x00 scored 5."))
    assert form_errors(pasted)["kept_text"] == message
    upload = SimpleUploadedFile("report.txt", b"Alpha\x00 scored 5.")
    uploaded = admin_client.post(url, source_add_data(upload=upload))
    assert form_errors(uploaded)["kept_text"] == message
    upload = SimpleUploadedFile("report.txt", b"Alpha\x1b scored 5.")
    uploaded = admin_client.post(url, source_add_data(upload=upload))
    assert form_errors(uploaded)["kept_text"] == [
        "The text holds a control character (U+001B) at position 6: remove it."
    ]
    assert not Source.objects.exists()


def test_the_admin_refuses_a_model_named_with_a_right_to_left_override(admin_client):
    organization = make_organization()
    data = {"name": "Tiny Test \u202eModel", "slug": "tiny", "organization": organization.pk}
    data.update({"open_weights": "open", "open_training_data": "open"})
    data.update({"open_training_code": "open"})
    response = admin_client.post(reverse("admin:leaderboard_aimodel_add"), without_inlines(data))
    assert form_errors(response)["name"] == [
        "The name holds a bidirectional control character (U+202E) at position 11: remove it."
    ]
    assert not AIModel.objects.exists()


# Fixtures and imports.


def test_loaddata_refuses_a_fixture_holding_a_control_character(tmp_path):
    fixture = tmp_path / "bad.json"
    rows = [
        {"model": "leaderboard.organization", "fields": {"name": "Lab", "slug": "lab"}},
        {"model": "leaderboard.source", "fields": {"title": "Report\x0b", "slug": "report"}},
    ]
    fixture.write_text(json.dumps(rows))
    with pytest.raises(CommandError) as error:
        call_command("loaddata", str(fixture), verbosity=0)
    assert "row 2 (leaderboard.Source report) breaks a rule, so nothing was loaded" in str(
        error.value
    )
    assert "The title holds a control character (U+000B) at position 7: remove it." in str(
        error.value
    )
    assert not Organization.objects.exists() and not Source.objects.exists()


def test_import_results_refuses_a_quote_holding_a_control_character(tmp_path):
    model, benchmark = make_model(name="Alpha"), make_benchmark(name="Bench")
    source = make_source(kept_text="Alpha scored 5 on Bench.")
    rows = tablib.Dataset(
        headers=["model", "benchmark", "source", "value", "provenance", "claimed_by", "quote"]
    )
    quote = "Alpha scored 5 on\x0bBench."
    rows.append([model.slug, benchmark.slug, source.slug, "5", "independent", "", quote])
    path = tmp_path / "results.csv"
    path.write_text(rows.export("csv"))
    err = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_results", str(path), stdout=StringIO(), stderr=err)
    said = f"{error.value}\n{err.getvalue()}"
    assert "The quote holds a control character (U+000B) at position 18: remove it." in said
    assert not Result.objects.exists()


# The feed, over text stored before the rule (written past it with QuerySet.update).


@pytest.fixture
def stored_before_the_rule():
    """A result whose quote, source title, model name and benchmark name each hold a
    control character; its history (what the feed reads) holds them too."""
    result = make_result(value=5)
    Source.objects.filter(pk=result.source_id).update(title="Lab\x0breport\x1b")
    AIModel.objects.filter(pk=result.model_id).update(name="Tiny\x0bModel")
    Benchmark.objects.filter(pk=result.benchmark_id).update(name="Bench\x1b")
    Result.objects.filter(pk=result.pk).update(quote="Tiny\x0bModel scored 5 on Bench\x1b.")
    Result.history.filter(id=result.pk).update(quote="Tiny\x0bModel scored 5 on Bench\x1b.")
    return result


@pytest.mark.parametrize("filtered", ["", "model", "benchmark"])
def test_the_feed_stays_well_formed_over_control_characters_stored(
    client, stored_before_the_rule, filtered
):
    result = stored_before_the_rule
    query = {
        "": "",
        "model": f"?model={result.model.slug}",
        "benchmark": f"?benchmark={result.benchmark.slug}",
    }[filtered]
    response = client.get(f"/feed.atom{query}")
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    entry = root.find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Tiny\ufffdModel on Bench\ufffd: 5"
    summary = entry.findtext(f"{ATOM}summary")
    assert "“Tiny\ufffdModel scored 5 on Bench\ufffd.”" in summary
    assert "<bdi>Lab\ufffdreport\ufffd</bdi>" in summary
    if filtered == "model":
        assert root.findtext(f"{ATOM}title").endswith(": Tiny\ufffdModel")


def test_replace_control_characters_keeps_line_breaks_and_what_is_not_text():
    assert replace_control_characters("a\tb\nc\rd\x00e\x0bf\x1bg\x7fh\x9fi") == (
        "a\tb\nc\rd\ufffde\ufffdf\ufffdg\ufffdh\ufffdi"
    )
    assert replace_control_characters("\ud800 \ufffe \uffff") == "\ufffd \ufffd \ufffd"
    assert replace_control_characters("Tiny \u202eModel") == "Tiny \u202eModel"
    assert replace_control_characters(None) is None
    assert replace_control_characters(5) == 5


# Names isolated on the pages.


def test_changes_isolates_every_name_so_an_override_stops_at_its_end(client):
    claimer = make_organization(name="Lab")
    result = make_result(
        model=make_model(name="Tiny"),
        benchmark=make_benchmark(name="ARC Easy"),
        source=make_source(title="Report", publisher="Lab"),
        provenance="vendor_claim",
        claimed_by=claimer,
        value=5,
    )
    # Named before names refused the override.
    AIModel.objects.filter(pk=result.model_id).update(name="Tiny Test \u202eModel")
    page = client.get("/changes/").content.decode()
    model = f'<a href="/models/{result.model.slug}/"><bdi>Tiny Test \u202eModel</bdi></a> on '
    assert model in page
    assert f'<a href="/benchmarks/{result.benchmark.slug}/"><bdi>ARC Easy</bdi></a>' in page
    assert '<span class="claim"><bdi>Lab</bdi>’s claim</span>' in page
    assert "><bdi>Report</bdi></a>" in page
    filtered = client.get(f"/changes/?model={result.model.slug}").content.decode()
    assert "><bdi>Tiny Test \u202eModel</bdi></a>" in filtered


def test_the_model_benchmark_and_compare_pages_isolate_names_in_sentences(client):
    claimer = make_organization(name="Lab")
    model = make_model(name="Tiny", organization=claimer)
    benchmark = make_benchmark(name="ARC Easy")
    make_result(
        model=model,
        benchmark=benchmark,
        source=make_source(title="Report", publisher="Lab"),
        provenance="vendor_claim",
        claimed_by=claimer,
        value=5,
    )
    page = client.get(model.get_absolute_url()).content.decode()
    assert "What the sources say about <bdi>Tiny</bdi>" in page
    assert "><bdi>ARC Easy</bdi></a>" in page and "<bdi>Lab</bdi>’s claim" in page
    assert "><bdi>Report</bdi></a>" in page
    page = client.get(benchmark.get_absolute_url()).content.decode()
    assert "The top results on <bdi>ARC Easy</bdi>" in page
    other = make_model(name="Other")
    page = client.get(reverse("compare"), {"models": [model.slug, other.slug]}).content.decode()
    assert "<caption><bdi>Tiny</bdi>, <bdi>Other</bdi>:" in page
    assert f'<a href="{benchmark.get_absolute_url()}" dir="auto">ARC Easy</a>' in page
