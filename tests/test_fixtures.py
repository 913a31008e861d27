"""The article's fixtures: they load, load twice to the same rows, fail whole when
broken, and say only what the article says."""

import io
import json

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from leaderboard.models import (
    AIModel,
    Benchmark,
    BenchmarkCitation,
    DataVersion,
    ModelCitation,
    Openness,
    Organization,
    Result,
    Source,
)
from leaderboard.rules import writes
from leaderboard.rules.quotes import normalize_space, numbers_in, ranks_in

from .support import data_models, snapshot

pytestmark = pytest.mark.django_db

FIXTURE = settings.BASE_DIR / "fixtures" / "article.json"
SEED = settings.SEEDS_DIR / "000_d5309a177220f829.txt"


def row_counts():
    return {model._meta.label: model.objects.count() for model in data_models()}


def test_fixture_holds_no_primary_keys():
    for obj in json.loads(FIXTURE.read_text(encoding="utf-8")):
        assert "pk" not in obj, obj


def without_keys_and_times(tables):
    """A snapshot's rows less their keys and times: what two loads agree on when the
    database handed out other keys (PostgreSQL's sequences outlive a rollback) at
    another time."""
    return {
        label: sorted(
            (
                sorted(
                    (name, value)
                    for name, value in row.items()
                    if not (name == "id" or name.endswith("_id") or hasattr(value, "tzinfo"))
                )
                for row in rows
            ),
            key=repr,
        )
        for label, rows in tables.items()
    }


def test_the_article_fixture_holds_what_loaddata_writes(db, request):
    """The ``article`` fixture writes back the rows one ``loaddata`` wrote: the same
    rows as loading it afresh, and the data version moved on."""
    with transaction.atomic():
        call_command("loaddata", "article", verbosity=0)
        loaded = snapshot()
        loaded_version = DataVersion.current().version
        transaction.set_rollback(True)
    assert not any(snapshot().values())
    request.getfixturevalue("article")
    restored = snapshot()
    assert without_keys_and_times(restored) == without_keys_and_times(loaded)
    assert [len(rows) for rows in restored.values()] == [len(rows) for rows in loaded.values()]
    assert DataVersion.current().version == loaded_version


def test_loading_twice_changes_nothing(article):
    first = snapshot()
    assert row_counts()["leaderboard.Result"] == 3
    call_command("loaddata", "article", verbosity=0)
    assert snapshot() == first


def test_article_facts(article):
    nemotron = AIModel.objects.get(slug="nemotron-3-super")
    assert nemotron.organization.name == "NVIDIA"
    assert nemotron.total_parameters == 128_000_000_000
    assert nemotron.active_parameters == 12_000_000_000
    assert nemotron.context_window_tokens == 1_000_000
    assert nemotron.open_weights == nemotron.open_training_data == Openness.OPEN
    assert nemotron.open_training_code == Openness.OPEN

    gpt_oss = AIModel.objects.get(slug="gpt-oss-largest")
    assert gpt_oss.organization.name == "OpenAI"
    # The article never states GPT-OSS's size or openness, nor any release date.
    assert gpt_oss.total_parameters is None and gpt_oss.active_parameters is None
    assert gpt_oss.open_weights == Openness.NOT_REPORTED
    assert not AIModel.objects.filter(release_date__isnull=False).exists()
    assert "the largest version of OpenAI GPT-OSS" in gpt_oss.aliases.values_list(
        "name", flat=True
    )

    scores = dict(
        Result.objects.filter(benchmark__slug="ai-index").values_list("model__slug", "value")
    )
    assert scores == {"nemotron-3-super": 37, "gpt-oss-largest": 33}
    pinch = Result.objects.get(benchmark__slug="pinchbench")
    assert (pinch.model.slug, pinch.value, pinch.rank) == ("nemotron-3-super", None, 1)
    for result in Result.objects.all():
        assert result.is_vendor_claim and result.claimed_by.name == "NVIDIA"

    # The caveat about unnamed Chinese models is a note, not rows.
    ai_index = Benchmark.objects.get(slug="ai-index")
    assert "Chinese models" in ai_index.notes
    assert AIModel.objects.count() == 2


def test_every_quote_stands_verbatim_in_the_seed():
    seed = normalize_space(SEED.read_text(encoding="utf-8"))
    quotes = [
        obj["fields"]["quote"]
        for obj in json.loads(FIXTURE.read_text(encoding="utf-8"))
        if "quote" in obj["fields"]
    ]
    assert len(quotes) == 20
    for quote in quotes:
        assert normalize_space(quote) in seed, quote


def test_every_number_a_result_carries_is_in_its_quote(article):
    for result in Result.objects.all():
        if result.value is not None:
            assert result.value in numbers_in(result.quote), result
        if result.rank is not None:
            assert result.rank in ranks_in(result.quote) | numbers_in(result.quote), result


def test_every_model_figure_has_a_citation_that_states_it(article):
    for model in AIModel.objects.all():
        for attribute in ModelCitation.NUMERIC_ATTRIBUTES:
            value = getattr(model, attribute)
            if value is None:
                continue
            quotes = model.citations.filter(attribute=attribute).values_list("quote", flat=True)
            assert any(value in numbers_in(quote) for quote in quotes), (model, attribute)
        for attribute in ["open_weights", "open_training_data", "open_training_code"]:
            if getattr(model, attribute) != Openness.NOT_REPORTED:
                assert model.citations.filter(attribute=attribute).exists(), (model, attribute)


def test_every_loaded_row_passes_validation(article):
    for model_class in [
        Organization,
        Source,
        AIModel,
        Benchmark,
        ModelCitation,
        BenchmarkCitation,
        Result,
    ]:
        refused = []
        for row in model_class.objects.all():
            try:
                row.full_clean()
            except ValidationError as error:
                refused.append((model_class.__name__, str(row), error.messages))
        assert refused == []
        assert model_class.objects.exists(), model_class  # the article holds some of each


def test_broken_fixture_fails_whole_and_changes_nothing(article, tmp_path):
    before = snapshot()
    broken = [
        {"model": "leaderboard.organization", "fields": {"name": "New Org", "slug": "new-org"}},
        {
            "model": "leaderboard.result",
            "fields": {
                "model": ["no-such-model"],
                "benchmark": ["ai-index"],
                "version": None,
                "value": "1",
                "rank": None,
                "source": ["gate-nvidia-enters-the-ai-large-model-race"],
                "quote": "1",
                "claimed_by": None,
                "provenance": "independent",
            },
        },
    ]
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(Exception, match="names a model that is not in the database"):
        call_command("loaddata", str(path), verbosity=0)
    assert snapshot() == before
    assert not Organization.objects.filter(slug="new-org").exists()


def test_fixture_breaking_a_constraint_fails_whole(article, tmp_path):
    before = snapshot()
    broken = [
        {"model": "leaderboard.organization", "fields": {"name": "New Org", "slug": "new-org"}},
        {
            "model": "leaderboard.aimodel",
            "fields": {
                "name": "Too Active",
                "slug": "too-active",
                "organization": ["new-org"],
                "total_parameters": 10,
                "active_parameters": 20,
            },
        },
    ]
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    # The message names the file, the row and the rule.
    with pytest.raises(
        CommandError,
        match=r"broken\.json, row 2 \(leaderboard\.AIModel too-active\) breaks a rule.*"
        r"Active parameters cannot exceed total parameters",
    ):
        call_command("loaddata", str(path), verbosity=0)
    assert snapshot() == before


def test_seed_loader_skips_a_loaded_fixture_and_keeps_edits(db):
    call_command("load_seed_fixtures", verbosity=0)
    assert row_counts()["leaderboard.Result"] == 3
    edited = AIModel.objects.get(slug="gpt-oss-largest")
    edited.license = "edited by an editor"
    writes.save(edited)
    call_command("load_seed_fixtures", verbosity=0)
    edited.refresh_from_db()
    assert edited.license == "edited by an editor"
    call_command("load_seed_fixtures", force=True, verbosity=0)
    edited.refresh_from_db()
    assert edited.license == ""
    assert row_counts()["leaderboard.Result"] == 3


def test_seed_loader_rejects_an_invalid_fixture_file(db, settings, tmp_path):
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    settings.FIXTURE_DIRS = [tmp_path]
    with pytest.raises(CommandError, match="bad.json is not a valid fixture"):
        call_command("load_seed_fixtures", verbosity=0)


ARTICLE_SOURCE = "gate-nvidia-enters-the-ai-large-model-race"

SIDE_DOORS = {
    # GPT-OSS at the top of PinchBench, on a quote the article never wrote.
    "a quote not in its source": (
        {
            "model": "leaderboard.result",
            "fields": {
                "model": ["gpt-oss-largest"],
                "benchmark": ["pinchbench"],
                "version": None,
                "source": [ARTICLE_SOURCE],
                "value": "99",
                "rank": None,
                "provenance": "independent",
                "claimed_by": None,
                "quote": "GPT-OSS scored 99 on PinchBench.",
            },
        },
        "quote: This quote is not in the text of",
    ),
    # The article's claim, given a number of shots the article never states.
    "shots no source states": (
        {
            "model": "leaderboard.result",
            "fields": {
                "model": ["nemotron-3-super"],
                "benchmark": ["ai-index"],
                "version": None,
                "source": [ARTICLE_SOURCE],
                "value": "37",
                "rank": None,
                "shots": 5,
                "provenance": "vendor_claim",
                "claimed_by": ["nvidia"],
                "quote": "NVIDIA claims that in the AI Index composite score, Nemotron 3 Super "
                "scored 37 points, while GPT-OSS scored only 33 points.",
            },
        },
        "shots: Neither the quote nor the source states 5-shot",
    ),
    "a choice that is not one": (
        {
            "model": "leaderboard.aimodel",
            "fields": {
                "name": "Maybe Open",
                "slug": "maybe-open",
                "organization": ["nvidia"],
                "open_weights": "maybe",
            },
        },
        "open_weights: Value 'maybe' is not a valid choice.",
    ),
    "a javascript: URL": (
        {
            "model": "leaderboard.source",
            "fields": {"title": "Evil", "slug": "evil", "url": "javascript:alert(1)"},
        },
        "url: Enter a valid URL.",
    ),
    "a seed file outside seeds/": (
        {
            "model": "leaderboard.source",
            "fields": {"title": "Passwords", "slug": "passwords", "seed_file": "../../etc/passwd"},
        },
        "seed_file: No file named '../../etc/passwd' in seeds/.",
    ),
}


@pytest.mark.parametrize("door", list(SIDE_DOORS))
@pytest.mark.parametrize("loader", ["loaddata", "restore"])
@pytest.mark.django_db(transaction=True)
def test_every_way_in_runs_the_admins_rules(article, tmp_path, door, loader):
    """Rows that the admin's forms refuse are refused by loaddata and restore too: the
    whole file, with a message naming the file, the row and the rule; nothing changes."""
    row, rule = SIDE_DOORS[door]
    if loader == "restore":
        backup = tmp_path / "backup.json"
        call_command("backup", str(backup), stdout=io.StringIO())
        rows = [*json.loads(backup.read_text()), row]
    else:
        rows = [row]
    path = tmp_path / "side-door.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    before = snapshot()
    with pytest.raises(CommandError) as refused:
        if loader == "restore":
            call_command("restore", str(path), yes=True, stdout=io.StringIO())
        else:
            call_command("loaddata", str(path), verbosity=0)
    message = str(refused.value)
    assert "side-door.json, row" in message and rule in message, message
    assert snapshot() == before
