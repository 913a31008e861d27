"""An lm-evaluation-harness results file, imported end to end to the public pages."""

import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from leaderboard.models import (
    BenchmarkAlias,
    DataVersion,
    Result,
    ResultKind,
    Source,
)
from tests.conftest import EXAMPLE
from tests.factories import make_benchmark, make_model
from tests.hostile import harness_files as hostile
from tests.test_doors import fingerprint


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
    with pytest.raises(CommandError, match="task 'lambada_openai' is no benchmark's slug"):
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
    with pytest.raises(CommandError, match=r"Nothing was written: 1 (of 2 )?row"):
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
    # With every other setting the file states.
    assert ">acc_norm, 0-shot, float32, lm-evaluation-harness 0000000</small>" in row
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
    assert ("5-shot" in page) == bool(n_shot) and "None-shot" not in page


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


# Hostile files (tests/hostile/harness_files.py): each refused with one sentence that
# names the file, the task and what is wrong, and nothing written.


def import_text(tmp_path, text, *args):
    path = tmp_path / "results.json"
    path.write_text(text, encoding="utf-8")
    return run(*args, path=path)


def refusal(tmp_path, text, *args):
    """The sentence ``import_results`` refuses ``text`` with, once it is checked that
    not a row of any leaderboard table changed (no source, alias or data version)."""
    before = fingerprint()
    with pytest.raises(CommandError) as refused:
        import_text(tmp_path, text, *args)
    assert fingerprint() == before
    message = str(refused.value)
    assert message.startswith("Nothing was written: results.json: ")
    assert message.isprintable() and len(message) < 600
    return message


def says(message, *words):
    missing = [word for word in words if word not in message]
    assert not missing, f"{message!r} lacks {missing}"
    return True


@pytest.fixture
def score_world(harness_world):
    """The example's world with ARC-Easy a score, not a percentage: its figures are
    stored as the file gives them."""
    model, arc, hellaswag = harness_world
    arc.result_kind, arc.unit = ResultKind.SCORE, ""
    arc.save()
    return model, arc, hellaswag


@pytest.mark.parametrize("value", [1.5, -0.2])
def test_a_fraction_outside_0_to_1_on_a_percentage_benchmark_is_refused(
    harness_world, tmp_path, value
):
    message = refusal(tmp_path, hostile.fraction_above_one(value))
    assert says(message, "task 'arc_easy'", f'"acc_norm,none" is {value}', "from 0 to 1")
    assert says(message, "ARC-Easy", "--metric arc-easy=METRIC")


def test_a_fraction_and_its_standard_error_are_stored_as_percentages(harness_world, tmp_path):
    _, arc, hellaswag = harness_world
    text = hostile.results_file(
        {"arc_easy": hostile.task(acc_norm=0.536, stderr=0.004), "hellaswag": hostile.task(1)}
    )
    assert "2 result(s) were created" in import_text(tmp_path, text)
    arc_result = Result.objects.get(benchmark=arc)
    assert (arc_result.value, arc_result.stderr) == (Decimal("53.6"), Decimal("0.4"))
    assert arc_result.as_percentage
    assert Result.objects.get(benchmark=hellaswag).value == Decimal(100)


@pytest.mark.parametrize(
    "text, words",
    [
        (hostile.figure_past_a_float(), ['"acc_norm,none" is 1E+309', "below 1,000,000,000"]),
        (hostile.figure_too_large(), ['"acc_norm,none" is 1E+300', "below 1,000,000,000"]),
        (hostile.figure_too_large("-1e10"), ["is -1E+10", "below 1,000,000,000"]),
        (hostile.figure_too_large("999999999.9999999"), ["is 999999999.9999999", "below"]),
        (hostile.figure_of_many_digits(), ["is 99999999999999999999", "4,000 characters"]),
        (hostile.figure_past_pythons_digits(), ["the number on line 7 is too long"]),
        (hostile.figure_past_decimals_exponent(), ["the number on line 7 is too long"]),
        (hostile.figure_too_large("1e1000000"), ["is 1E+1000000", "below 1,000,000,000"]),
        (hostile.figure_too_large("-1e999999999999999999"), ["is -1E+999999999999999999"]),
        (hostile.figure_not_a_number("NaN"), ["is NaN, not a number a result can hold"]),
        (hostile.figure_not_a_number("Infinity"), ["is Infinity, not a number a result"]),
        (hostile.figure_not_a_number("-Infinity"), ["is -Infinity, not a number a result"]),
        (hostile.figure_true(), ['"acc_norm,none" is true, not a number']),
    ],
)
def test_a_figure_no_result_can_hold_is_refused(score_world, tmp_path, text, words):
    message = refusal(tmp_path, text)
    assert says(message, *words)
    if "too long" not in message:  # those are refused as the file is read
        assert says(message, "task 'arc_easy'")


def test_a_figure_past_a_float_on_a_percentage_benchmark_is_refused(harness_world, tmp_path):
    message = refusal(tmp_path, hostile.figure_past_a_float())
    assert says(message, "task 'arc_easy'", "is 1E+309", "from 0 to 1")


@pytest.mark.parametrize(
    "raw, words",
    [
        ("NaN", ['"acc_norm_stderr,none" is NaN, not a number a result can hold']),
        ("-0.01", ['"acc_norm_stderr,none" is -0.01', "a standard error is never negative"]),
        ('"0.01"', ['"acc_norm_stderr,none" is "0.01", not a number', '"N/A"']),
        ("[0.01]", ['"acc_norm_stderr,none" is a list, not a number']),
        ("true", ['"acc_norm_stderr,none" is true, not a number']),
        ("1.5", ['"acc_norm_stderr,none" is 1.5', "from 0 to 1"]),
    ],
)
def test_a_standard_error_that_is_no_figure_is_refused(harness_world, tmp_path, raw, words):
    """It was dropped without a word (or stored raw beside a converted value)."""
    message = refusal(tmp_path, hostile.stderr_of(raw))
    assert says(message, "task 'arc_easy'", *words)


def test_a_standard_error_the_harness_could_not_compute_is_left_empty(harness_world, tmp_path):
    _, arc, _ = harness_world
    import_text(tmp_path, hostile.stderr_of('"N/A"'))
    assert Result.objects.get(benchmark=arc).stderr is None


@pytest.mark.parametrize("config, kind", [(["hf"], "a list"), ("hf", "text"), (7, "a number")])
def test_config_that_is_no_object_is_refused(harness_world, tmp_path, config, kind):
    message = refusal(tmp_path, hostile.config_of(config))
    assert says(message, f'"config" is {kind}, not an object')


@pytest.mark.parametrize(
    "name, words",
    [
        (42, ['"model_name" is 42, not the model\'s name as text']),
        (["x"], ['"model_name" is a list']),
        ("tiny\u202e-model", ["U+202E", "control or formatting character"]),
        ("tiny\u2066model", ["U+2066"]),
        ("tiny\x07model", ["U+0007"]),
        ("tiny\ud800model", ["U+D800"]),
        ("m" * 301, ["301 characters, over the 300 a name may have"]),
        ("   ", ["empty or only spaces"]),
    ],
)
def test_a_model_name_that_is_no_clean_name_is_refused(harness_world, tmp_path, name, words):
    """With --model the file's name for the model becomes one of its aliases."""
    message = refusal(tmp_path, hostile.model_name_of(name), "--model", "tiny-test-model")
    assert says(message, *words)


def test_model_args_that_are_neither_text_nor_an_object_are_refused(harness_world, tmp_path):
    text = hostile.config_of({"model": "hf", "model_args": ["pretrained=x"]})
    assert says(refusal(tmp_path, text), '"model_args" is a list')


def test_model_args_given_as_an_object_name_the_model(harness_world, tmp_path):
    """The harness writes them so when it was called from Python with a dict."""
    model, _, _ = harness_world
    text = hostile.results_file(
        model_name=None,
        config={"model_args": {"pretrained": "example-org/tiny-test-model"}},
    )
    import_text(tmp_path, text)
    assert Result.objects.get().model == model


def test_json_nested_past_the_recursion_limit_is_refused(harness_world, tmp_path):
    message = refusal(tmp_path, hostile.nested())
    assert says(message, "nested too deeply")


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("1e300", "1E+300"),
        ("9" * 4000, "9999999999"),
        ("-1e12", "-1E+12"),
        ("NaN", "NaN"),
        ('"yesterday"', '"yesterday"'),
        ("true", "true"),
        ("[1767225600]", "a list"),
    ],
)
def test_a_date_that_is_no_time_stamp_is_refused(harness_world, tmp_path, raw, shown):
    """It was left out without a word (the source and results then had no date)."""
    message = refusal(tmp_path, hostile.date_of(raw))
    assert says(message, f'"date" is {shown}', "not a time stamp")


def test_a_file_without_a_date_imports_without_one(harness_world, tmp_path):
    import_text(tmp_path, hostile.date_of("null"))
    assert Source.objects.get().published_on is None
    assert Result.objects.get().reported_on is None


@pytest.mark.parametrize(
    "text", [hostile.odd_n_shot(), hostile.n_shot_of([0]), hostile.n_shot_of("0")]
)
def test_n_shot_values_of_odd_types_give_no_shots(harness_world, tmp_path, text):
    assert "1 result(s) were created" in import_text(tmp_path, text)
    assert Result.objects.get().shots is None


@pytest.mark.parametrize(
    "value, kind", [(0.61, "a number"), ([0.61], "a list"), (None, "null"), ("0.61", "text")]
)
def test_a_task_that_is_no_object_of_metrics_is_refused(harness_world, tmp_path, value, kind):
    """It was skipped without a word, the file's other tasks imported."""
    message = refusal(tmp_path, hostile.task_of(value), "--skip-unknown-tasks")
    assert says(message, f"task 'arc_easy' in \"results\" is {kind}, not an object of metrics")


def test_a_file_with_no_task_is_refused(harness_world, tmp_path):
    message = refusal(tmp_path, hostile.no_results())
    assert says(message, '"results" object holds no task', "nothing to import")


def test_a_file_whose_every_task_is_left_out_is_refused(harness_world, tmp_path):
    """It still created a source and moved the data version on."""
    message = refusal(tmp_path, hostile.only_unknown_tasks(), "--skip-unknown-tasks")
    assert says(message, "none of its 2 task(s) is a benchmark", "'no_such_task'", "--task")


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(harness_world, tmp_path):
    from leaderboard.admin import SourceForm
    from leaderboard.imports.harness import MAX_FILE_BYTES

    # The file becomes a source's kept text: the bound the admin puts on one.
    assert MAX_FILE_BYTES == SourceForm.MAX_BYTES
    message = refusal(tmp_path, hostile.oversized())
    assert says(message, "the file is 5.0 MB, over the limit of 5 MB")


@pytest.mark.parametrize(
    "name, words",
    [
        ("arc_easy\u202e", ["'arc_easy\\u202e'", "U+202E", "control or formatting character"]),
        ("arc\u2066easy\u2069", ["U+2066"]),
        ("arc_easy\u200f", ["U+200F"]),
        ("arc_easy\x07", ["'arc_easy\\x07'", "U+0007"]),
        ("arc_easy\x85", ["U+0085"]),
        ("arc_easy\u2028", ["U+2028"]),
        ("arc_easy\ud800", ["U+D800"]),
        ("t" * 301, ["301 characters, over the 300 a name may have"]),
    ],
)
def test_a_task_name_that_is_no_clean_name_is_refused(harness_world, tmp_path, name, words):
    """Mapped with --task, the task's name became the benchmark's alias as it was."""
    message = refusal(tmp_path, hostile.task_named(name), "--task", f"{name}=arc-easy")
    assert says(message, "task ", *words)
    assert not BenchmarkAlias.objects.exclude(name="arc_easy").exists()


def test_two_tasks_that_are_one_benchmark_are_refused(harness_world, tmp_path):
    """The second replaced the first without a word."""
    message = refusal(tmp_path, hostile.two_tasks_for_one_benchmark())
    assert says(message, "tasks 'arc_easy' and 'ARC_EASY' are both the benchmark arc-easy")


@pytest.mark.parametrize(
    "text, key",
    [(hostile.duplicate_task(), '"arc_easy"'), (hostile.duplicate_metric(), '"acc_norm,none"')],
)
def test_a_key_given_twice_is_refused(harness_world, tmp_path, text, key):
    """json keeps the last, while the quote was cut from the first."""
    message = refusal(tmp_path, text)
    assert says(message, f"the key {key}", "twice in one object")


def test_a_bidirectional_override_in_a_quote_is_refused(harness_world, tmp_path):
    message = refusal(tmp_path, hostile.bidi_in_a_quote())
    assert says(message, "task 'arc_easy'", "U+202E", "its quote")


def test_a_task_that_is_an_alias_of_two_benchmarks_is_refused(harness_world, tmp_path):
    """The first benchmark the database gave was taken without a word."""
    other = make_benchmark(name="ARC-Easy (old)", slug="arc-easy-old")
    BenchmarkAlias.objects.create(benchmark=other, name="ARC_Easy")
    message = refusal(tmp_path, hostile.results_file())
    assert says(message, "task 'arc_easy' is an alias of arc-easy and arc-easy-old", "--task")
