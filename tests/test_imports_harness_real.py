"""Real lm-evaluation-harness 0.4 results files (tests/data/real/README.md says where
each comes from), imported as a new user would, and checked against what their
authors report: saucam/model_evals's README gives Meta-Llama-3-8B-Instruct 62.2 on
ARC-Challenge (25-shot), 78.84 on HellaSwag (10-shot), 65.82 on MMLU (5-shot), 51.71
on TruthfulQA (mc2), 75.45 on Winogrande (5-shot) and 75.59 on GSM8K (5-shot,
strict-match)."""

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from leaderboard.models import Result, ResultKind

from .factories import make_benchmark, make_model

REAL = Path(__file__).parent / "data" / "real"
LLAMA = "llama3-8b-instruct_{}.json"
REPOSITORY = "meta-llama/Meta-Llama-3-8B-Instruct"


def run(name, *args):
    out = StringIO()
    call_command(
        "import_results", str(REAL / LLAMA.format(name)), *args, stdout=out, stderr=StringIO()
    )
    return out.getvalue()


def percentage(name, slug, **fields):
    return make_benchmark(
        name=name,
        slug=slug,
        result_kind=ResultKind.PERCENTAGE,
        unit="%",
        scale_min=0,
        scale_max=100,
        **fields,
    )


@pytest.fixture
def llama(db):
    """The model, known by its Hugging Face repository (no alias, no --model), and
    the Open LLM Leaderboard v1's benchmarks, each ranking the setting it used."""
    model = make_model(name="Llama 3 8B Instruct", hf_repository=REPOSITORY)
    benchmarks = {
        "arc": percentage(
            "ARC-Challenge", "arc_challenge", ranked_metric="acc_norm", ranked_shots=25
        ),
        "hellaswag": percentage(
            "HellaSwag", "hellaswag", ranked_metric="acc_norm", ranked_shots=10
        ),
        "mmlu": percentage("MMLU", "mmlu", ranked_metric="acc", ranked_shots=5),
        "truthfulqa": percentage("TruthfulQA", "truthfulqa", ranked_metric="acc"),
        "winogrande": percentage("Winogrande", "winogrande", ranked_metric="acc", ranked_shots=5),
        "gsm8k": percentage(
            "GSM8K",
            "gsm8k",
            ranked_metric="exact_match",
            ranked_metric_variant="strict-match",
            ranked_shots=5,
        ),
    }
    return model, benchmarks


def result_on(benchmark):
    return Result.objects.get(benchmark=benchmark)


def test_the_suite_imports_as_its_authors_report_it(llama):
    model, benchmarks = llama
    run("arc_challenge_25shot")
    run("hellaswag_10shot")
    run("mmlu_group_5shot", "--skip-unknown-tasks")
    run("truthfulqa_group", "--task", "truthfulqa_mc2=truthfulqa", "--skip-unknown-tasks")
    run("winogrande_5shot")
    run("gsm8k_5shot_filters")
    reported = {
        "arc": ("62.2", "acc_norm", "none", 25),
        "hellaswag": ("78.84", "acc_norm", "none", 10),
        "mmlu": ("65.82", "acc", "none", 5),
        "truthfulqa": ("51.71", "acc", "none", 0),
        "winogrande": ("75.45", "acc", "none", 5),
        "gsm8k": ("75.59", "exact_match", "strict-match", 5),
    }
    for key, (figure, metric, variant, shots) in reported.items():
        result = result_on(benchmarks[key])
        assert result.model == model
        places = abs(Decimal(figure).as_tuple().exponent)
        assert round(result.value, places) == Decimal(figure), key
        assert (result.metric, result.metric_variant, result.shots) == (metric, variant, shots)
        # What the files state of every run, and nothing they do not.
        assert result.harness == "lm-evaluation-harness"
        assert result.harness_version == "3196e907"
        assert result.precision == "auto"
        assert result.subset is False
        assert result.chat_template is None and result.model_revision == ""
        assert result.is_comparable, key
    # Stored exactly as the files give them, to six places.
    assert result_on(benchmarks["arc"]).value == Decimal("62.201365")
    assert result_on(benchmarks["truthfulqa"]).value == Decimal("51.714520")
    assert result_on(benchmarks["gsm8k"]).value == Decimal("75.587566")


def test_mmlu_is_five_shot_as_its_subtasks_ran_not_the_groups_zero(llama):
    model, benchmarks = llama
    run("mmlu_group_5shot", "--skip-unknown-tasks")
    mmlu = result_on(benchmarks["mmlu"])
    assert mmlu.shots == 5
    assert '"mmlu": {' in mmlu.quote and '"acc,none": 0.6581683520865973' in mmlu.quote
    mmlu.full_clean()  # the rule reads the same five shots from the kept file


def test_an_explicit_task_mapping_wins_over_the_group_of_the_same_name(llama):
    model, benchmarks = llama
    output = run("truthfulqa_group", "--task", "truthfulqa_mc2=truthfulqa", "--skip-unknown-tasks")
    assert (
        "Left out task 'truthfulqa': --task maps 'truthfulqa_mc2' to the benchmark truthfulqa."
        in output
    )
    result = result_on(benchmarks["truthfulqa"])
    assert result.value == Decimal("51.714520")  # mc2, not the group's pooled 43.97
    assert '"truthfulqa_mc2": {' in result.quote
    # The mapping made truthfulqa_mc2 an alias of the benchmark: without it the group
    # and its subtask now both name it, and the file is refused rather than one of
    # them landing there silently.
    Result.objects.all().delete()
    with pytest.raises(CommandError, match="tasks 'truthfulqa' and 'truthfulqa_mc2' are both"):
        run("truthfulqa_group", "--skip-unknown-tasks")
    assert not Result.objects.exists()


def test_the_filter_the_benchmark_ranks_is_the_one_imported(llama):
    model, benchmarks = llama
    benchmarks["gsm8k"].ranked_metric_variant = "flexible-extract"
    benchmarks["gsm8k"].save()
    run("gsm8k_5shot_filters")
    gsm8k = result_on(benchmarks["gsm8k"])
    assert gsm8k.metric_variant == "flexible-extract"
    assert round(gsm8k.value, 2) == Decimal("75.28")
    # --metric names one outright, filter and all.
    Result.objects.all().delete()
    run("gsm8k_5shot_filters", "--metric", "gsm8k=exact_match,strict-match")
    assert result_on(benchmarks["gsm8k"]).metric_variant == "strict-match"
    with pytest.raises(CommandError, match="gives none of the metrics exact_match,strict"):
        run("gsm8k_5shot_filters", "--metric", "gsm8k=exact_match,strict")


def test_a_subset_run_is_imported_but_never_ranked(db):
    model = make_model(name="Gemma 3 12B U1")
    gsm8k = percentage(
        "GSM8K",
        "gsm8k",
        ranked_metric="exact_match",
        ranked_metric_variant="strict-match",
        ranked_shots=5,
    )
    out = StringIO()
    call_command(
        "import_results",
        str(REAL / "gemma3-12b-u1_gsm8k_limit100_api.json"),
        "--model",
        model.slug,
        stdout=out,
        stderr=StringIO(),
    )
    result = result_on(gsm8k)
    assert result.subset is True and result.value == Decimal("75")
    assert result.harness_version == "0.4.9.1"
    assert not result.is_comparable and result.differences == ["ran on a subset"]


def test_the_models_repository_is_a_cited_fact_found_by_the_files_that_name_it(client, llama):
    from django.core.exceptions import ValidationError

    from leaderboard.models import ModelCitation, Source
    from leaderboard.rules import writes

    model, benchmarks = llama
    run("winogrande_5shot")  # found without --model or an alias
    source = Source.objects.get()
    cited = ModelCitation(
        model=model,
        attribute="hf_repository",
        source=source,
        quote=f"pretrained={REPOSITORY}",
    )
    writes.save(cited)
    wrong = ModelCitation(
        model=model, attribute="hf_repository", source=source, quote='"winogrande": {'
    )
    with pytest.raises(ValidationError, match="names the Hugging Face repository"):
        writes.save(wrong)
    page = client.get(model.get_absolute_url()).content.decode()
    assert f'href="https://huggingface.co/{REPOSITORY}"' in page
    # A second model cannot claim the same repository, nor a malformed one.
    with pytest.raises(ValidationError, match="Another model has this Hugging Face"):
        make_model(name="Impostor", hf_repository=REPOSITORY)
    with pytest.raises(ValidationError, match="owner/name"):
        make_model(name="Odd", hf_repository="not a repository")
