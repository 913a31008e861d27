"""``import_results DIR``: every lm-evaluation-harness results file under a directory,
each file all or nothing in its own transaction, then a table of the files."""

import json
import os
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from leaderboard.management.commands import import_results
from leaderboard.models import ModelAlias, Result, ResultKind, Source
from tests.factories import make_benchmark, make_model

REAL = Path(__file__).parent / "data" / "real"
EXAMPLE = Path(__file__).parent / "data" / "lm_eval_example.json"
FOLDER = "meta-llama/Meta-Llama-3-8B-Instruct"


@pytest.fixture
def llama(db):
    """The model the six llama3-8b-instruct files name (by an alias: they give
    ``pretrained=`` and no model_name), and three of their benchmarks by slug."""
    model = make_model(name="Llama 3 8B Instruct", slug="llama-3-8b-instruct")
    ModelAlias.objects.create(model=model, name="meta-llama/Meta-Llama-3-8B-Instruct")
    benchmarks = {
        slug: make_benchmark(
            name=name,
            slug=slug,
            result_kind=ResultKind.PERCENTAGE,
            unit="%",
            scale_min=0,
            scale_max=100,
        )
        for slug, name in [
            ("arc_challenge", "ARC-Challenge"),
            ("hellaswag", "HellaSwag"),
            ("winogrande", "Winogrande"),
        ]
    }
    return model, benchmarks


def lay_out(root, **files):
    """Copies of real files as ``org/model/results_<name>.json`` under ``root``."""
    folder = root / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for name, real in files.items():
        shutil.copy(REAL / f"llama3-8b-instruct_{real}.json", folder / f"results_{name}.json")
    return root


@pytest.fixture
def three(tmp_path):
    """Three files, the last of which (truthfulqa: no such benchmark) is refused."""
    return lay_out(
        tmp_path / "results",
        arc="arc_challenge_25shot",
        hellaswag="hellaswag_10shot",
        truthfulqa="truthfulqa_group",
    )


def run(path, *args):
    """The command's output and its CommandError (or None)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("import_results", str(path), *args, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), str(error)
    return out.getvalue(), None


def line_of(output, name):
    (line,) = [line for line in output.splitlines() if line.startswith(f"{FOLDER}/{name}")]
    return line.split()


def test_a_refused_file_writes_nothing_and_the_others_are_imported(llama, three):
    model, benchmarks = llama
    output, error = run(three)
    # The two others, each its own source and result.
    assert Result.objects.count() == 2 and Source.objects.count() == 2
    assert {r.benchmark.slug for r in Result.objects.all()} == {"arc_challenge", "hellaswag"}
    assert all(source.about_model == model for source in Source.objects.all())
    # The refused one wrote nothing: no source holds its text, no alias was added.
    truthfulqa = (three / FOLDER / "results_truthfulqa.json").read_text()
    assert not Source.objects.filter(kept_text=truthfulqa).exists()
    # The table: a line a file, in path order, the refusal as the reader wrote it.
    assert output.splitlines()[0].split() == ["file", "created", "changed", "unchanged"]
    assert line_of(output, "results_arc.json")[1:] == ["1", "0", "0"]
    assert line_of(output, "results_hellaswag.json")[1:] == ["1", "0", "0"]
    refused = line_of(output, "results_truthfulqa.json")
    assert refused[1:5] == ["-", "-", "-", "refused:"]
    assert "task 'truthfulqa' is no benchmark's slug or alias" in output
    assert output.index("results_arc") < output.index("results_hellaswag")
    assert output.splitlines()[-1] == (
        "3 file(s): 2 imported, 1 refused; 2 result(s) created, 0 changed, 0 unchanged."
    )
    assert error == (
        "1 of 3 file(s) refused (see the table above), nothing of them was written; "
        "the other 2 were imported."
    )


def test_options_apply_to_every_file(llama, three):
    output, error = run(three, "--skip-unknown-tasks")
    # truthfulqa then has no task left: still refused, with the reader's sentence.
    assert "none of its 4 task(s) is a benchmark on the site" in output
    _, benchmarks = llama
    benchmarks["truthfulqa"] = make_benchmark(name="TruthfulQA", slug="truthfulqa-mc2")
    output, error = run(three, "--skip-unknown-tasks", "--task", "truthfulqa_mc2=truthfulqa-mc2")
    assert error is None
    assert line_of(output, "results_truthfulqa.json")[1:4] == ["1", "0", "0"]
    assert "left out 3 task(s)" in output
    assert Result.objects.filter(benchmark=benchmarks["truthfulqa"]).count() == 1


def test_a_dry_run_writes_nothing_and_reports_what_would_be(llama, three):
    output, error = run(three, "--dry-run")
    assert Result.objects.count() == 0 and Source.objects.count() == 0
    assert line_of(output, "results_arc.json")[1:] == ["1", "0", "0"]
    assert output.splitlines()[-1] == (
        "3 file(s): 2 would be imported, 1 refused; 2 result(s) would be created, "
        "0 changed, 0 unchanged."
    )
    assert "nothing is written in a dry run; the other 2 would be imported." in error


def test_importing_the_same_directory_twice_changes_nothing(llama, three):
    (three / FOLDER / "results_truthfulqa.json").unlink()
    output, error = run(three)
    assert error is None and Result.objects.count() == 2
    history, sources = Result.history.count(), Source.objects.count()
    output, error = run(three)
    assert error is None
    assert output.splitlines()[-1] == (
        "2 file(s): 2 imported, 0 refused; 0 result(s) created, 0 changed, 2 unchanged."
    )
    assert Result.history.count() == history and Source.objects.count() == sources


def test_a_file_with_a_refused_row_is_refused_whole(llama, three):
    _, benchmarks = llama
    benchmarks["hellaswag"].scale_max = 50  # the file's 78.84 is above it
    benchmarks["hellaswag"].save()
    output, error = run(three)
    assert line_of(output, "results_hellaswag.json")[1:5] == ["-", "-", "-", "refused:"]
    assert "refused: Row 1:" in output
    assert not Result.objects.filter(benchmark=benchmarks["hellaswag"]).exists()
    assert Source.objects.count() == 1  # arc's only: hellaswag's source was rolled back
    assert error.startswith("2 of 3 file(s) refused")


def test_a_file_of_rows_is_skipped_and_named(llama, three):
    (three / FOLDER / "results_truthfulqa.json").unlink()
    (three / "rows.json").write_text(json.dumps([{"model": "x", "benchmark": "y"}]))
    (three / "notes.txt").write_text("not a .json file: not looked at")
    output, error = run(three)
    assert error is None and Result.objects.count() == 2
    line = next(line for line in output.splitlines() if line.startswith("rows.json"))
    assert "skipped: a JSON list, rows of results rather than a harness results file" in line
    assert "notes.txt" not in output
    assert ", 1 skipped;" in output.splitlines()[-1]


def test_a_directory_with_no_results_file_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match=r"No \.json file under .*: nothing to import"):
        call_command("import_results", str(tmp_path), stdout=StringIO(), stderr=StringIO())
    (tmp_path / "rows.json").write_text("[]")
    output, error = run(tmp_path)
    assert "rows.json" in output
    assert error.startswith("No lm-evaluation-harness results file among the 1 file(s)")


def test_links_outside_the_directory_are_not_followed(llama, three, tmp_path):
    (three / FOLDER / "results_truthfulqa.json").unlink()
    outside = lay_out(tmp_path / "outside", winogrande="winogrande_5shot")
    os.symlink(outside / FOLDER / "results_winogrande.json", three / FOLDER / "results_link.json")
    os.symlink(outside / "meta-llama", three / "elsewhere")
    # A link inside to a file inside: the file is imported once.
    os.symlink(three / FOLDER / "results_arc.json", three / "zz-arc-again.json")
    # A link back up is not walked twice, and a link in a loop is not read.
    os.symlink(three, three / FOLDER / "up")
    os.symlink(three / "loop.json", three / "loop.json")
    output, error = run(three)
    assert error is None
    _, benchmarks = llama
    assert not Result.objects.filter(benchmark=benchmarks["winogrande"]).exists()
    assert "loop.json" in output and "a link that leads nowhere" in output
    assert "results_link.json" in output and "a link to a file outside" in output
    assert "elsewhere" in output and "a link to a directory outside" in output
    assert f"the same file as {FOLDER}/results_arc.json: imported once." in output
    assert Result.objects.count() == 2


def test_a_directory_over_the_file_bound_is_refused_before_any_is_read(llama, three, monkeypatch):
    monkeypatch.setattr(import_results, "MAX_DIRECTORY_FILES", 2)
    output, error = run(three)
    assert "more than 2 .json files, the limit of one import" in error
    assert output == ""
    assert Result.objects.count() == 0 and Source.objects.count() == 0


def test_a_format_of_rows_is_refused_for_a_directory(llama, three):
    _, error = run(three, "--format", "csv")
    assert "a directory is read as lm-evaluation-harness results files" in error


def test_twenty_files_show_a_progress_bar(db, tmp_path):
    model = make_model(name="Tiny Test Model")
    ModelAlias.objects.create(model=model, name="example-org/tiny-test-model")
    make_benchmark(name="ARC-Easy", slug="arc_easy", result_kind=ResultKind.PERCENTAGE)
    for n in range(20):
        folder = tmp_path / "example-org" / f"run-{n:02d}"
        folder.mkdir(parents=True)
        shutil.copy(EXAMPLE, folder / "results_2026-01-01.json")
    out, err = StringIO(), StringIO()
    call_command("import_results", str(tmp_path), "--skip-unknown-tasks", stdout=out, stderr=err)
    assert "20/20" in err.getvalue()
    # The same text twenty times is one source: the first creates, the others find it.
    assert out.getvalue().splitlines()[-1] == (
        "20 file(s): 20 imported, 0 refused; 1 result(s) created, 0 changed, 19 unchanged."
    )
    assert Source.objects.count() == 1
