"""A quote must be about the row it proves: it names the model and the benchmark, the
figure is the one it ties to that model, an independent measurement is nobody's
claim, and a vendor's claim names its claimer. Every door runs the rule, and changes
to what quotes rely on (a benchmark's scale, a name, an alias, a source's text) are
checked against them."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from leaderboard.models import (
    AIModel,
    Benchmark,
    BenchmarkAlias,
    ModelAlias,
    Organization,
    Provenance,
    Result,
    ResultKind,
    Source,
)
from leaderboard.rules import writes
from leaderboard.rules.quotes import PLACE, VALUE, attribution_in, ranks_in, tied_figures

from .factories import make_benchmark, make_model, make_result, make_source, stating

pytestmark = pytest.mark.django_db

ARTICLE = "gate-nvidia-enters-the-ai-large-model-race"
AI_INDEX = (
    "NVIDIA claims that in the AI Index composite score, Nemotron 3 Super scored 37 points, "
    "while GPT-OSS scored only 33 points."
)
PINCH = "Nemotron 3 Super ranked first in this test."


def errors_of(row):
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    return error.value.message_dict


def article_result(model, benchmark="ai-index", **fields):
    return Result(
        model=AIModel.objects.get(slug=model),
        benchmark=Benchmark.objects.get(slug=benchmark),
        source=Source.objects.get(slug=ARTICLE),
        provenance=fields.pop("provenance", Provenance.VENDOR_CLAIM),
        claimed_by=fields.pop("claimed_by", Organization.objects.get(slug="nvidia")),
        **fields,
    )


def test_the_figure_nearest_each_name_is_the_one_tied_to_it():
    assert tied_figures(AI_INDEX, ["Nemotron 3 Super"], VALUE) == {Decimal(37)}
    assert tied_figures(AI_INDEX, ["GPT-OSS"], VALUE) == {Decimal(33)}
    assert tied_figures(AI_INDEX, ["Llama"], VALUE) is None
    # A number inside a name is no figure: "3" of "Nemotron 3 Super", "2025" of AIME.
    assert tied_figures("On AIME 2025, Kimi scored 80.", ["Kimi"], VALUE, ["AIME 2025"]) == {
        Decimal(80)
    }
    # Equally near on both sides: both are tied (the quote is ambiguous, not wrong).
    assert tied_figures("A 1 B 2", ["B"], VALUE) == {Decimal(1), Decimal(2)}
    assert tied_figures(PINCH, ["Nemotron 3 Super"], PLACE) == {Decimal(1)}


def test_places_are_words_ordinals_signs_and_ranked_numbers_not_plain_numbers():
    assert ranks_in("ranked 4, No. 2, # 3, 5th, First") == {1, 2, 3, 4, 5}
    assert ranks_in("scored 37 points") == set()


def test_attribution_words_are_found():
    assert attribution_in(AI_INDEX) == "claims"
    assert attribution_in("According to the lab, it scored 3.") == "According to"
    assert attribution_in("It scored 3 in our run.") is None


def test_swapped_figures_are_refused(article):
    assert errors_of(article_result("nemotron-3-super", value=33, quote=AI_INDEX))["value"] == [
        "The quote ties 37 to Nemotron 3 Super, not 33: is this another model's figure?"
    ]
    assert errors_of(article_result("gpt-oss-largest", value=37, quote=AI_INDEX))["value"] == [
        "The quote ties 33 to GPT-OSS (largest version), not 37: is this another model's figure?"
    ]


def test_a_number_is_not_a_place(article):
    errors = errors_of(article_result("gpt-oss-largest", value=None, rank=37, quote=AI_INDEX))
    assert errors["rank"] == [
        "The quote does not state place 37 (as “first”, “1st”, “#1” or “ranked 1”)."
    ]


def test_a_quote_about_another_model_is_refused(article):
    row = article_result("gpt-oss-largest", "pinchbench", rank=1, quote=PINCH)
    assert errors_of(row)["quote"] == [
        "The quote does not name GPT-OSS (largest version) (or one of its aliases): quote "
        "the words that say whose result this is."
    ]


def test_a_quote_must_name_the_benchmark(article):
    row = article_result("nemotron-3-super", "pinchbench", value=37, quote=AI_INDEX)
    assert "The quote does not name PinchBench (or one of its aliases)" in " ".join(
        errors_of(row)["quote"]
    )
    # An alias names it as well as its name does.
    BenchmarkAlias.objects.create(
        benchmark=Benchmark.objects.get(slug="pinchbench"), name="AI Index composite score"
    )
    row.benchmark = Benchmark.objects.get(slug="pinchbench")
    assert "quote" not in errors_of(row)


def test_an_attributed_figure_is_not_an_independent_measurement(article):
    row = article_result(
        "nemotron-3-super", value=37, quote=AI_INDEX, provenance=Provenance.INDEPENDENT
    )
    assert errors_of(row)["provenance"] == [
        "The quote attributes this result to someone (“claims”): record it as that vendor's "
        "claim, not as independently measured."
    ]


def test_the_claimer_is_one_the_quote_or_source_names(article):
    openai = Organization.objects.get(slug="openai")
    source = make_source(title="A blog")
    model, benchmark = AIModel.objects.get(slug="nemotron-3-super"), make_benchmark(name="B")
    row = Result(
        model=model,
        benchmark=benchmark,
        source=source,
        value=5,
        quote="NVIDIA claims Nemotron 3 Super scored 5 on B.",
        provenance=Provenance.VENDOR_CLAIM,
        claimed_by=openai,
    )
    assert errors_of(row)["claimed_by"] == [
        "Neither the quote nor its source names OpenAI: the claimer must be the one they name."
    ]
    # Named by the source (its publisher) rather than the quote: accepted.
    source.publisher = "OpenAI"
    row.full_clean()


def test_a_source_about_one_model_lets_quotes_leave_its_name_out():
    model, benchmark = make_model(name="Tiny 7B"), make_benchmark(name="hellaswag")
    text = '{"config": {"model_args": "pretrained=Tiny 7B"}, "hellaswag": {"acc,none": 0.61}}'
    source = make_source(kept_text=text)
    row = Result(
        model=model,
        benchmark=benchmark,
        source=source,
        value=Decimal("0.61"),
        quote='"hellaswag": {"acc,none": 0.61}',
        provenance=Provenance.INDEPENDENT,
    )
    assert "quote" in errors_of(row)
    source.about_model = model
    writes.save(source)
    row.full_clean()
    # The source must itself name the model it is about.
    other = make_model(name="Other 1B")
    source.about_model = other
    assert errors_of(source)["about_model"] == ["The source's text does not name Other 1B."]


def test_rescaling_a_benchmark_is_checked_against_its_results(article):
    ai_index = Benchmark.objects.get(slug="ai-index")
    ai_index.scale_min, ai_index.scale_max = 0, 30
    message = errors_of(ai_index)["__all__"][0]
    assert message.startswith("This change would break 2 row(s) that depend on it:")
    assert "Nemotron 3 Super · AI Index composite score: 37: Above" in message
    assert "GPT-OSS (largest version) · AI Index composite score: 33: Above" in message
    with pytest.raises(ValidationError):
        writes.save(ai_index)
    ai_index.refresh_from_db()
    assert ai_index.scale_max is None

    ai_index.result_kind = ResultKind.RANK
    assert "gives ranks only" in errors_of(ai_index)["__all__"][0]


@pytest.mark.django_db(transaction=True)  # restore empties tables: PostgreSQL asks a real commit
def test_renaming_a_model_keeps_its_old_name_as_an_alias(article, tmp_path):
    nemotron = AIModel.objects.get(slug="nemotron-3-super")
    nemotron.name = "Nemotron-3-Super-120B"
    writes.save(nemotron)
    assert nemotron.aliases.filter(name="Nemotron 3 Super").exists()
    for result in Result.objects.filter(model=nemotron):
        result.full_clean()
    # The alias the quotes rely on cannot then be deleted, by any door.
    alias = ModelAlias.objects.get(model=nemotron, name="Nemotron 3 Super")
    with pytest.raises(ValidationError, match="would break"):
        writes.delete(alias)
    with pytest.raises(ValidationError, match="would break"):
        writes.delete_all(ModelAlias.objects.filter(pk=alias.pk))
    assert ModelAlias.objects.filter(pk=alias.pk).exists()
    # And the data still backs up and restores.
    path = tmp_path / "backup.json"
    call_command("backup", str(path))
    call_command("restore", str(path), "--yes")
    assert AIModel.objects.get(slug="nemotron-3-super").name == "Nemotron-3-Super-120B"


def test_deleting_an_alias_a_quote_relies_on_is_refused_in_the_admin(admin_client, article):
    alias = ModelAlias.objects.get(name="GPT-OSS")
    response = admin_client.post(
        reverse("admin:leaderboard_modelalias_delete", args=[alias.pk]), {"post": "yes"}
    )
    assert response.status_code == 200
    assert "GPT-OSS (largest version) · AI Index composite score: 33" in (
        response.content.decode()
    )
    assert ModelAlias.objects.filter(pk=alias.pk).exists()


def test_renaming_an_organization_its_claims_name_is_refused(article):
    nvidia = Organization.objects.get(slug="nvidia")
    nvidia.name = "Nvidia Corporation"
    assert "would break 3 row(s)" in errors_of(nvidia)["name"][0]


def test_a_sources_new_text_is_checked_against_its_quotes(article):
    source = Source.objects.get(slug=ARTICLE)
    source.kept_text = "Nothing of what was quoted."
    message = errors_of(source)["kept_text"][0]
    assert message.startswith("This change would break")
    assert "This quote is not in the text of" in message


def test_a_kept_text_is_hashed_and_a_changed_one_refused_on_load(tmp_path):
    source = make_source(kept_text="Alpha scored 5 on Bench.")
    assert len(source.kept_text_sha256) == 64
    path = tmp_path / "source.json"
    call_command("dumpdata", "leaderboard.source", "--natural-primary", "-o", str(path))
    rows = json.loads(path.read_text())
    rows[0]["fields"]["kept_text"] = "Alpha scored 9 on Bench."
    path.write_text(json.dumps(rows))
    with pytest.raises(CommandError, match="does not match its recorded SHA-256"):
        call_command("loaddata", str(path))
    assert Source.objects.get(pk=source.pk).kept_text == "Alpha scored 5 on Bench."


def test_loaddata_refuses_swapped_figures(article, tmp_path):
    row = {
        "model": "leaderboard.result",
        "fields": {
            "model": ["nemotron-3-super"],
            "benchmark": ["ai-index"],
            "version": None,
            "source": [ARTICLE],
            "value": "33",
            "rank": None,
            "quote": AI_INDEX,
            "provenance": "vendor_claim",
            "claimed_by": ["nvidia"],
        },
    }
    path = tmp_path / "swap.json"
    path.write_text(json.dumps([row]))
    before = list(Result.objects.values_list("model__slug", "value").order_by("pk"))
    with pytest.raises(CommandError, match="The quote ties 37 to Nemotron 3 Super, not 33"):
        call_command("loaddata", str(path))
    assert list(Result.objects.values_list("model__slug", "value").order_by("pk")) == before


def test_the_write_path_runs_the_rules_for_every_caller():
    model, benchmark = make_model(), make_benchmark()
    with pytest.raises(ValidationError, match="does not name"):
        make_result(model=model, benchmark=benchmark, value=5, quote="It scored 5.")
    assert not Result.objects.exists()
    make_result(model=model, benchmark=benchmark, value=5, quote=stating(model, benchmark, 5))


def test_a_source_about_one_benchmark_lets_quotes_leave_its_name_out():
    model, benchmark = make_model(name="Tiny 7B"), make_benchmark(name="hellaswag")
    source = make_source(kept_text='{"results": {"hellaswag": {"Tiny 7B": 0.61}}}')
    row = Result(
        model=model,
        benchmark=benchmark,
        source=source,
        value=Decimal("0.61"),
        quote='{"Tiny 7B": 0.61}',
        provenance=Provenance.INDEPENDENT,
    )
    assert "does not name hellaswag" in errors_of(row)["quote"][0]
    source.about_benchmark = benchmark
    writes.save(source)
    row.full_clean()
    # Being about the benchmark does not excuse leaving the model out.
    row.quote = '"hellaswag": {"Tiny 7B": 0.61}'
    row.model = make_model(name="Other 1B")
    assert "does not name Other 1B" in errors_of(row)["quote"][0]


def test_how_a_result_reads():
    result = make_result(value=Decimal("37.500000"))
    assert result.display_value == "37.5" and not result.is_vendor_claim
    place = make_result(
        value=None,
        rank=3,
        provenance=Provenance.VENDOR_CLAIM,
        claimed_by=make_model().organization,
    )
    assert place.display_value == "#3" and place.is_vendor_claim
    assert str(place) == f"{place.model} · {place.benchmark}: #3"


def test_a_place_tied_to_another_model_is_named_in_the_message():
    model, benchmark = make_model(name="Alpha"), make_benchmark(name="Bench")
    row = Result(
        model=model,
        benchmark=benchmark,
        source=make_source(),
        rank=2,
        quote="On Bench, Alpha ranked first and Beta second.",
        provenance=Provenance.INDEPENDENT,
    )
    assert errors_of(row)["rank"] == ["The quote ties place 1 to Alpha, not 2."]


def test_an_unsaved_sources_text_has_its_digest():
    import hashlib

    assert Source(kept_text="Alpha.").text_sha256 == hashlib.sha256(b"Alpha.").hexdigest()
    assert Source().text_sha256 == ""


def test_an_edit_that_leaves_quotes_alone_does_not_read_them(article):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    source = Source.objects.get(slug=ARTICLE)
    nvidia = Organization.objects.get(slug="nvidia")
    nemotron = AIModel.objects.get(slug="nemotron-3-super")
    source.title, nvidia.website, nemotron.description = "Retitled", "https://nvidia.com", "New."
    for row in (source, nvidia, nemotron):
        with CaptureQueriesContext(connection) as queries:
            row.full_clean()
        assert not any("leaderboard_result" in q["sql"] for q in queries), row


def test_shots_are_read_as_whole_numbers_written_with_shot():
    from leaderboard.rules.quotes import shots_in
    from leaderboard.rules.run_settings import harness_facts

    assert shots_in("MMLU (5-shot): 71.2") == {5}
    assert shots_in("5 shot, 10-Shots, 0shot") == {5, 10, 0}
    assert shots_in("Five-shot and ZERO-SHOT") == {5, 0}
    # Not part of a bigger number, and no number at all.
    assert shots_in("25-shot") == {25}
    assert shots_in("0.5-shot, 1,5-shot, twenty-five-shot, few-shot, n-shot, 5 shooters") == set()
    text = json.dumps({"results": {}, "n-shot": {"a": 0, "b": 5, "c": -1, "d": 2.5, "e": "5"}})
    facts = harness_facts(text)
    assert {task: f.shots for task, f in facts.tasks.items()} == {
        "a": 0,
        "b": 5,
        "c": None,
        "d": None,
        "e": None,
    }
    assert harness_facts('Not JSON, though it says "results".') is None


def test_shots_must_be_stated_by_the_quote():
    model, benchmark = make_model(name="Alpha"), make_benchmark(name="MMLU")
    row = Result(
        model=model,
        benchmark=benchmark,
        source=make_source(),
        value=Decimal("71.2"),
        quote="Alpha scored 71.2 on MMLU.",
        provenance=Provenance.INDEPENDENT,
        shots=5,
    )
    assert errors_of(row) == {
        "shots": [
            "Neither the quote nor the source states 5-shot: quote the words that say how "
            "many solved examples the prompt held (“5-shot”), or leave it empty (not "
            "reported)."
        ]
    }
    row.quote = "Alpha scored 71.2 on MMLU (5-shot)."
    row.full_clean()
    row.quote = "Alpha scored 71.2 on MMLU (five-shot)."
    row.full_clean()
    row.shots = 25
    assert "states 25-shot" in errors_of(row)["shots"][0]
    row.shots = None  # not reported: nothing to state
    row.full_clean()


def test_shots_a_harness_files_n_shot_gives_for_the_benchmarks_task():
    model, benchmark = make_model(name="Tiny 7B"), make_benchmark(name="hellaswag")
    text = json.dumps(
        {
            "results": {"hellaswag": {"acc,none": 0.61}},
            "n-shot": {"hellaswag": 0, "arc_easy": 25},
            "model_name": "Tiny 7B",
        }
    )
    source = make_source(kept_text=text, about_model=model)
    row = Result(
        model=model,
        benchmark=benchmark,
        source=source,
        value=Decimal("0.61"),
        quote='"hellaswag": {"acc,none": 0.61}',
        provenance=Provenance.INDEPENDENT,
        shots=0,
    )
    row.full_clean()  # the quote says nothing of shots; the file's n-shot does
    row.shots = 5
    assert errors_of(row) == {
        "shots": ["The source's results file states 0-shot for hellaswag, not 5-shot."]
    }
    # Another task's number is not this benchmark's, until that task is one of its names.
    row.shots = 25
    assert "states 0-shot for hellaswag, not 25-shot" in errors_of(row)["shots"][0]
    writes.save(BenchmarkAlias(benchmark=benchmark, name="ARC_Easy"))
    benchmark.__dict__.pop("names", None)
    row.full_clean()


def test_the_admin_form_takes_shots_by_the_same_rule(admin_client, article):
    result = Result.objects.get(model__slug="nemotron-3-super", benchmark__slug="ai-index")
    url = reverse("admin:leaderboard_result_change", args=[result.pk])
    assert 'name="shots"' in admin_client.get(url).content.decode()
    data = {
        "model": result.model_id,
        "benchmark": result.benchmark_id,
        "version": "",
        "value": "37",
        "stderr": "",
        "ci_low": "",
        "ci_high": "",
        "rank": "",
        "reported_on": result.reported_on.isoformat() if result.reported_on else "",
        "source": result.source_id,
        "quote": result.quote,
        "provenance": result.provenance,
        "claimed_by": result.claimed_by_id,
        "shots": "5",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "Neither the quote nor the source states 5-shot" in response.content.decode()
    result.refresh_from_db()
    assert result.shots is None
