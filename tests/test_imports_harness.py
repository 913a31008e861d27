"""An lm-evaluation-harness results file, imported end to end to the public pages."""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from leaderboard.models import (
    BenchmarkAlias,
    DataVersion,
    ModelAlias,
    Result,
    ResultKind,
    Source,
)
from tests.factories import make_benchmark, make_model

EXAMPLE = Path(__file__).parent / "data" / "lm_eval_example.json"


@pytest.fixture
def harness_world(db):
    """A model the example file names by an alias, and the benchmarks of two of its
    three tasks (one by its slug, one by an alias)."""
    model = make_model(name="Tiny Test Model", slug="tiny-test-model")
    ModelAlias.objects.create(model=model, name="example-org/tiny-test-model")
    arc = make_benchmark(
        name="ARC-Easy", slug="arc-easy", result_kind=ResultKind.PERCENTAGE, unit="%"
    )
    BenchmarkAlias.objects.create(benchmark=arc, name="arc_easy")
    hellaswag = make_benchmark(
        name="HellaSwag", slug="hellaswag", result_kind=ResultKind.PERCENTAGE, unit="%"
    )
    return model, arc, hellaswag


def run(*args, path=EXAMPLE):
    from io import StringIO

    out = StringIO()
    call_command("import_results", str(path), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_a_harness_file_becomes_an_independent_source_and_results(client, harness_world):
    model, arc, hellaswag = harness_world
    output = run("--skip-unknown-tasks")
    assert "Left out task 'lambada_openai'" in output
    assert "2 result(s) were created, 0 changed, 0 unchanged." in output
    source = Source.objects.get()
    assert source.kept_text == EXAMPLE.read_text()  # the file itself, word for word
    assert source.about_model == model and source.published_on.isoformat() == "2026-01-01"
    arc_result = Result.objects.get(benchmark=arc)
    # acc_norm by default, a fraction stored as a percentage, to six places.
    assert arc_result.value == Decimal("61.279461")
    assert arc_result.stderr == Decimal("0.999531")
    assert arc_result.as_percentage and arc_result.provenance == "independent"
    assert arc_result.claimed_by is None and arc_result.is_headline
    # The quote is the file's own block for the task, down to the figures it states.
    assert arc_result.quote.startswith('"arc_easy": {')
    assert arc_result.quote.endswith('"acc_norm_stderr,none": 0.009995312065890362')
    assert source.states(arc_result.quote)
    hellaswag_result = Result.objects.get(benchmark=hellaswag)
    assert hellaswag_result.value == Decimal("53.634734")
    # Found by its slug; the task's name already names it (any case): no alias added.
    assert not hellaswag.aliases.exists()
    # End to end to the public pages.
    page = client.get(model.get_absolute_url()).content.decode()
    assert "61.279461" in page and "± 0.999531" in page and "from a fraction" in page
    assert "claim" not in page.split("<h2>Results</h2>")[1].split("ARC-Easy")[1][:400]
    source_page = client.get(source.get_absolute_url()).content.decode()
    assert "acc_norm_stderr,none" in source_page


def test_importing_the_same_file_again_changes_nothing(harness_world):
    run("--skip-unknown-tasks")
    version = DataVersion.current().version
    history = Result.history.count()
    output = run("--skip-unknown-tasks")
    assert "0 result(s) were created, 0 changed, 2 unchanged." in output
    assert Source.objects.count() == 1
    assert Result.history.count() == history
    assert DataVersion.current().version == version


def test_an_unknown_task_refuses_the_file_and_writes_nothing(harness_world):
    with pytest.raises(CommandError, match="Task 'lambada_openai' is no benchmark's slug"):
        run()
    assert Result.objects.count() == 0 and Source.objects.count() == 0
    assert not BenchmarkAlias.objects.filter(name="hellaswag").exists()


def test_a_task_mapped_on_the_command_line_becomes_an_alias(harness_world):
    lambada = make_benchmark(name="LAMBADA", slug="lambada", result_kind=ResultKind.SCORE)
    output = run("--task", "lambada_openai=lambada")
    assert "3 result(s) were created" in output
    result = Result.objects.get(benchmark=lambada)
    # No acc_norm: acc. A score, not a percentage, and "N/A" is no standard error.
    assert result.value == Decimal("0.596546") and not result.as_percentage
    assert result.stderr is None
    assert lambada.aliases.filter(name="lambada_openai").exists()


def test_the_metric_can_be_chosen_per_benchmark(harness_world):
    _, arc, _ = harness_world
    run("--skip-unknown-tasks", "--metric", "arc-easy=acc")
    assert Result.objects.get(benchmark=arc).value == Decimal("65.614478")


def test_a_model_the_file_names_otherwise_is_named_with_model(db, tmp_path):
    model = make_model(name="Renamed Model", slug="renamed")
    make_benchmark(name="ARC-Easy", slug="arc_easy", result_kind=ResultKind.PERCENTAGE)
    with pytest.raises(CommandError, match="name the model with --model SLUG"):
        run("--skip-unknown-tasks")
    run("--skip-unknown-tasks", "--model", "renamed")
    assert model.aliases.filter(name="example-org/tiny-test-model").exists()
    assert Result.objects.get().model == model


def test_a_dry_run_lists_the_rows_and_writes_nothing(harness_world):
    output = run("--skip-unknown-tasks", "--dry-run")
    assert "Row 1: new: Tiny Test Model · ARC-Easy: 61.279461" in output
    assert "2 result(s) would be created" in output
    assert Result.objects.count() == 0 and Source.objects.count() == 0


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda data: data.pop("results"), 'no "results" object'),
        (
            lambda data: data["results"]["arc_easy"].update({"acc_norm,none": "high"}),
            "not a number",
        ),
        (
            lambda data: (
                data["results"]["arc_easy"].pop("acc_norm,none")
                and data["results"]["arc_easy"].pop("acc,none")
            ),
            "gives none of the metrics acc_norm, acc",
        ),
    ],
)
def test_a_broken_file_is_refused_with_a_reason(harness_world, tmp_path, change, message):
    data = json.loads(EXAMPLE.read_text())
    change(data)
    path = tmp_path / "results.json"
    path.write_text(json.dumps(data, indent=2))
    with pytest.raises(CommandError, match=message):
        run("--skip-unknown-tasks", "--format", "lm-eval", path=path)
    assert Result.objects.count() == 0 and Source.objects.count() == 0


def test_a_figure_above_the_benchmarks_scale_refuses_the_whole_file(harness_world):
    _, arc, _ = harness_world
    arc.scale_max = Decimal(50)
    arc.save()
    with pytest.raises(CommandError, match="Nothing was written: 1 row"):
        run("--skip-unknown-tasks")
    assert Result.objects.count() == 0 and Source.objects.count() == 0


def test_each_results_shots_is_the_files_n_shot_for_its_task(client, harness_world):
    model, arc, hellaswag = harness_world
    run("--skip-unknown-tasks")
    arc_result, hellaswag_result = (
        Result.objects.get(benchmark=arc),
        Result.objects.get(benchmark=hellaswag),
    )
    assert arc_result.shots == 0 and hellaswag_result.shots == 0
    # The quote says nothing of shots: the rule accepts them as the kept file's n-shot.
    assert "shot" not in arc_result.quote
    arc_result.full_clean()
    page = client.get(model.get_absolute_url()).content.decode()
    row = page.split("<h2>Results</h2>")[1].split("ARC-Easy")[1].split("</tr>")[0]
    assert ">0-shot</small>" in row
    # The benchmark's ranking says so beside the figure; the leaderboard's cells don't.
    assert ">0-shot</small>" in client.get(arc.get_absolute_url()).content.decode()
    assert "-shot</small>" not in client.get("/", {"show": arc.slug}).content.decode()
    exported = client.get("/", {"show": arc.slug, "_export": "json"}).getvalue()
    (row,) = [row for row in json.loads(exported)["rows"] if row["results"][arc.slug]]
    assert row["results"][arc.slug]["shots"] == 0
    # The API gives them too, and null where no source says.
    api = client.get("/api/results", {"model": model.slug}).json()["items"]
    assert sorted(item["shots"] for item in api) == [0, 0]


@pytest.mark.parametrize("n_shot", [{"arc_easy": 5, "hellaswag": -1}, None])
def test_shots_are_left_empty_where_the_file_gives_no_number(
    client, harness_world, tmp_path, n_shot
):
    model, arc, hellaswag = harness_world
    data = json.loads(EXAMPLE.read_text())
    if n_shot is None:
        data.pop("n-shot")
    else:
        data["n-shot"] = {**n_shot, "lambada_openai": 2.5}
    path = tmp_path / "results.json"
    path.write_text(json.dumps(data, indent=2))
    lambada = make_benchmark(name="LAMBADA", slug="lambada", result_kind=ResultKind.SCORE)
    run("--format", "lm-eval", "--task", "lambada_openai=lambada", path=path)
    # No crash over -1 or 2.5: those results have no shots.
    assert Result.objects.get(benchmark=arc).shots == (5 if n_shot else None)
    assert Result.objects.get(benchmark=hellaswag).shots is None
    assert Result.objects.get(benchmark=lambada).shots is None
    page = client.get(model.get_absolute_url()).content.decode()
    assert (">5-shot</small>" in page) == bool(n_shot) and "None-shot" not in page


def test_editing_the_kept_file_under_its_shots_is_refused(admin_client, harness_world):
    """The n-shot a result's shots rest on is part of its source: an edit of the
    source's text that changes it is refused in the admin, and nothing changes."""
    from django.urls import reverse

    run("--skip-unknown-tasks")
    source = Source.objects.get(slug__startswith="lm-eval-")
    url = reverse("admin:leaderboard_source_change", args=[source.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields if name != "upload"}
    assert '"arc_easy": 0' in data["kept_text"]
    data["kept_text"] = data["kept_text"].replace('"arc_easy": 0', '"arc_easy": 5')
    before = source.kept_text, sorted(Result.objects.values_list("pk", "shots"))
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "This change would break" in response.content.decode()
    source.refresh_from_db()
    assert (source.kept_text, sorted(Result.objects.values_list("pk", "shots"))) == before
