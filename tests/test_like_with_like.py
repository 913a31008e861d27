"""Like with like: a result records how it was measured (its settings) only as its
source states them, and a benchmark that declares the setting it ranks places only
the results measured that way (``leaderboard.rules.run_settings``)."""

import json
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leaderboard.models import Benchmark, Result
from leaderboard.rules import ranking, writes
from leaderboard.rules.ranking import Ranking
from leaderboard.rules.run_settings import harness_facts

from .factories import make_benchmark, make_model, make_result, make_source, stating
from .test_ranking import PATHS, SCORES, rule_place


def errors_of(row):
    with pytest.raises(ValidationError) as raised:
        row.full_clean()
    return raised.value.message_dict


# A results file shaped as lm-evaluation-harness 0.4 writes one: a group with
# subtasks (MMLU-like: the group's own n-shot is 0, its subtasks ran 5-shot), a task
# with filters (GSM8K-like), run in bfloat16 at a revision, with a chat template.
HARNESS_FILE = {
    "results": {
        "mmlu": {"acc,none": 0.6386, "acc_stderr,none": 0.0038, "alias": "mmlu"},
        "mmlu_humanities": {"acc,none": 0.58, "alias": " - humanities"},
        "mmlu_formal_logic": {"acc,none": 0.49, "alias": "  - formal_logic"},
        "mmlu_stem": {"acc,none": 0.55, "alias": " - stem"},
        "mmlu_anatomy": {"acc,none": 0.61, "alias": "  - anatomy"},
        "gsm8k": {
            "exact_match,strict-match": 0.7551,
            "exact_match_stderr,strict-match": 0.0118,
            "exact_match,flexible-extract": 0.7566,
            "exact_match_stderr,flexible-extract": 0.0118,
            "alias": "gsm8k",
        },
    },
    "group_subtasks": {
        "mmlu_humanities": ["mmlu_formal_logic"],
        "mmlu_stem": ["mmlu_anatomy"],
        "mmlu": ["mmlu_humanities", "mmlu_stem"],
        "gsm8k": [],
    },
    "n-shot": {
        "mmlu": 0,
        "mmlu_humanities": 0,
        "mmlu_formal_logic": 5,
        "mmlu_stem": 0,
        "mmlu_anatomy": 5,
        "gsm8k": 5,
    },
    "n-samples": {
        "mmlu_formal_logic": {"original": 126, "effective": 126},
        "mmlu_anatomy": {"original": 135, "effective": 135},
        "gsm8k": {"original": 1319, "effective": 1319},
    },
    "config": {
        "model": "hf",
        "model_args": "pretrained=example-org/tiny-test-model,revision=abc123,dtype=bfloat16",
        "limit": None,
    },
    "chat_template": "{% for message in messages %}{{ message.content }}{% endfor %}",
    "lm_eval_version": "0.4.3",
    "git_hash": "1a2b3c4",
    "model_name": "example-org/tiny-test-model",
}


def file_text(**changes):
    data = json.loads(json.dumps(HARNESS_FILE))
    for path, value in changes.items():
        *keys, last = path.split("__")
        target = data
        for key in keys:
            target = target[key]
        target[last] = value
    return json.dumps(data, indent=2)


def test_a_groups_shots_come_from_its_subtasks_when_they_agree():
    facts = harness_facts(file_text())
    assert facts.tasks["mmlu"].shots == 5  # not the group's own 0
    assert facts.tasks["mmlu_humanities"].shots == 5
    assert facts.tasks["gsm8k"].shots == 5
    disagreeing = harness_facts(file_text(**{"n-shot__mmlu_anatomy": 0}))
    assert disagreeing.tasks["mmlu"].shots is None  # not reported, never guessed
    assert disagreeing.tasks["mmlu_humanities"].shots == 5


def test_a_files_settings_are_read_where_the_harness_writes_them():
    facts = harness_facts(file_text())
    assert facts.of("gsm8k") == {
        "harness": "lm-evaluation-harness",
        "harness_version": "0.4.3",
        "model_revision": "abc123",
        "precision": "bfloat16",
        "chat_template": True,
        "shots": 5,
        "subset": False,
    }
    assert facts.tasks["gsm8k"].metrics == {
        ("exact_match", "strict-match"),
        ("exact_match", "flexible-extract"),
    }
    # No template, no version but a commit, arguments given as an object.
    other = harness_facts(
        file_text(
            chat_template=None,
            lm_eval_version=None,
            config__model_args={"pretrained": "x", "dtype": "float16"},
        )
    )
    assert other.of("gsm8k")["chat_template"] is False
    assert other.of("gsm8k")["harness_version"] == "1a2b3c4"
    assert other.of("gsm8k")["precision"] == "float16"
    assert "model_revision" not in other.of("gsm8k")


@pytest.mark.parametrize(
    ("changes", "subset"),
    [
        ({"config__limit": 100}, True),
        ({"n-samples__mmlu_anatomy": {"original": 135, "effective": 20}}, True),
        ({}, False),
    ],
)
def test_a_subset_run_is_read_from_limit_or_the_samples(changes, subset):
    facts = harness_facts(file_text(**changes))
    assert facts.tasks["mmlu"].subset is subset
    # A file that states neither: not reported.
    data = json.loads(file_text())
    del data["config"]["limit"], data["n-samples"]
    assert harness_facts(json.dumps(data)).tasks["mmlu"].subset is None


@pytest.fixture
def harness_source(db):
    model = make_model(name="example-org/tiny-test-model")
    benchmark = make_benchmark(name="gsm8k", result_kind="percentage", scale_min=0, scale_max=100)
    text = file_text()
    source = make_source(kept_text=text, about_model=model)
    start = text.index('"gsm8k": {')
    quote = text[start : text.index('"exact_match_stderr,strict-match"', start) - 1].rstrip()
    row = Result(
        model=model,
        benchmark=benchmark,
        source=source,
        value=Decimal("75.51"),
        as_percentage=True,
        quote=quote.rstrip(","),
        provenance="independent",
        metric="exact_match",
        metric_variant="strict-match",
        shots=5,
        harness="lm-evaluation-harness",
        harness_version="0.4.3",
        model_revision="abc123",
        precision="bfloat16",
        chat_template=True,
        subset=False,
    )
    return row


def test_every_setting_a_results_file_states_is_accepted(harness_source):
    assert harness_source.setting_errors() == {}
    harness_source.full_clean()  # nor any other rule


@pytest.mark.parametrize(
    ("field", "invented", "message"),
    [
        (
            "metric",
            "acc",
            "The source's results file gives exact_match,flexible-extract, "
            "exact_match,strict-match for gsm8k: not the metric “acc”.",
        ),
        ("metric_variant", "strict", "not the metric variant “strict”"),
        ("shots", 8, "The source's results file states 5-shot for gsm8k, not 8-shot."),
        ("precision", "float32", "states the precision “bfloat16” for gsm8k, not the precision"),
        ("model_revision", "main", "not the model revision “main”"),
        ("harness_version", "0.4.9", "not the harness version “0.4.9”"),
        ("harness", "helm", "not the evaluation harness “helm”"),
        ("chat_template", False, "not that no chat template was applied"),
        ("subset", True, "not that it ran on a subset"),
    ],
)
def test_a_setting_the_file_does_not_state_is_refused(harness_source, field, invented, message):
    setattr(harness_source, field, invented)
    assert message in errors_of(harness_source)[field][0]


def test_a_quote_states_the_settings_of_a_source_that_is_no_results_file(db):
    model, benchmark = make_model(name="Alpha"), make_benchmark(name="HellaSwag")
    row = Result(
        model=model,
        benchmark=benchmark,
        source=make_source(),
        value=Decimal("82.1"),
        quote="Alpha scored 82.1 on HellaSwag (10-shot, acc_norm, bfloat16).",
        provenance="independent",
        metric="acc_norm",
        shots=10,
        precision="bfloat16",
    )
    row.full_clean()
    row.metric = "acc"  # "acc" is no word of "acc_norm"
    assert errors_of(row) == {
        "metric": [
            "Neither the quote nor the source states the metric “acc”: quote the words "
            "that state it, or leave it empty (not reported)."
        ]
    }
    row.metric, row.subset = "acc_norm", True
    assert "that it ran on a subset" in errors_of(row)["subset"][0]
    row.quote += " Run on a subset of 1,000 items."
    row.full_clean()


# Ranking only what is comparable.


def measured(model, benchmark, value, how, source):
    """A result on ``benchmark`` measured ``how``: as the benchmark ranks it
    (acc_norm, 10-shot), with other shots or another metric, on a subset, or with
    its settings not reported; the quote states each setting it records."""
    settings_of = {
        "same": {"metric": "acc_norm", "shots": 10},
        "other shots": {"metric": "acc_norm", "shots": 0},
        "other metric": {"metric": "acc", "shots": 10},
        "subset": {"metric": "acc_norm", "shots": 10, "subset": True},
        "not reported": {},
    }[how]
    words = ", ".join(
        f"{v}-shot" if k == "shots" else ("on a subset" if k == "subset" else str(v))
        for k, v in settings_of.items()
    )
    quote = stating(model=model, benchmark=benchmark, value=value) + f" ({words})"
    return make_result(
        model=model, benchmark=benchmark, value=value, source=source, quote=quote, **settings_of
    )


@pytest.fixture
def declared(db):
    benchmark = make_benchmark(name="HellaSwag", ranked_metric="acc_norm", ranked_shots=10)
    return benchmark


def test_only_results_measured_as_the_benchmark_ranks_get_places(client, declared):
    sources = [make_source(), make_source()]
    rows = {}
    for name, value, how in [
        ("Same A", 80, "same"),
        ("Same B", 70, "same"),
        ("Zero-shot", 95, "other shots"),
        ("Acc", 90, "other metric"),
        ("Subset", 99, "subset"),
        ("Silent", 85, "not reported"),
    ]:
        rows[name] = measured(make_model(name=name), declared, value, how, sources[0])
    # A model measured both ways is ranked by the comparable result, whatever else.
    both = make_model(name="Both")
    measured(both, declared, 60, "same", sources[0])
    measured(both, declared, 97, "other shots", sources[1])
    benchmark = Benchmark.objects.prefetch_related("versions").get(pk=declared.pk)
    ranked = Ranking(benchmark).results()
    assert sorted(ranked.values_list("model__name", "value")) == [
        ("Both", 60),
        ("Same A", 80),
        ("Same B", 70),
    ]
    assert Ranking(benchmark).places([(Decimal(80), None), (Decimal(60), None)]) == {
        (Decimal(80), None): 1,
        (Decimal(60), None): 3,
    }
    assert Result.objects.get(model=both, value=60).is_headline
    assert Result.objects.get(model__name="Zero-shot").differences == ["0-shot, not 10-shot"]
    assert Result.objects.get(model__name="Acc").differences == ["acc, not acc_norm"]
    assert Result.objects.get(model__name="Subset").differences == ["ran on a subset"]
    assert Result.objects.get(model__name="Silent").differences == [
        "metric not reported",
        "shots not reported",
    ]
    assert benchmark.ranked_setting == "acc_norm, 10-shot"


def test_a_new_ranked_setting_re_marks_what_is_comparable(declared):
    source = make_source()
    zero = measured(make_model(name="Zero"), declared, 95, "other shots", source)
    ten = measured(make_model(name="Ten"), declared, 80, "same", source)
    assert list(Ranking(declared).results()) == [ten]
    declared.ranked_shots = 0
    writes.save(declared)
    assert list(Ranking(declared).results()) == [zero]
    declared.ranked_shots, declared.ranked_metric = None, ""
    writes.save(declared)
    assert sorted(r.pk for r in Ranking(declared).results()) == sorted([zero.pk, ten.pk])


def test_a_subset_run_is_never_ranked_even_where_no_setting_is_declared(db):
    benchmark = make_benchmark(name="ARC")
    source = make_source()
    full = make_result(benchmark=benchmark, value=50, source=source)
    measured(make_model(name="Part"), benchmark, 70, "subset", source)
    assert list(Ranking(benchmark).results()) == [full]


# Places are never computed across settings: the rule, by brute force.

HOW = st.sampled_from(["same", "other shots", "other metric", "subset", "not reported"])
ENTRIES = st.one_of(st.none(), st.tuples(SCORES.filter(lambda s: s[0] is not None), HOW, HOW))


@pytest.fixture
def crowd(db):
    return {
        "models": [make_model(name=f"Crowd {i:02d}") for i in range(16)],
        "sources": [make_source(), make_source()],
    }


@pytest.mark.slow
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(entries=st.lists(ENTRIES, min_size=1, max_size=16), second=st.booleans())
def test_places_count_only_comparable_results(crowd, monkeypatch, entries, second):
    benchmark = make_benchmark(ranked_metric="acc_norm", ranked_shots=10)
    ranked = []
    for model, entry in zip(crowd["models"], entries, strict=False):
        if entry is None:
            continue
        (value, _), how, other_how = entry
        measured(model, benchmark, value, how, crowd["sources"][0])
        if second:
            measured(model, benchmark, value + 1, other_how, crowd["sources"][1])
        # Brute force: a model is ranked by a result measured the declared way (of
        # two, the later entered, as the preference rule says).
        if second and other_how == "same":
            ranked.append((value + 1, None))
        elif how == "same":
            ranked.append((value, None))
    benchmark = Benchmark.objects.prefetch_related("versions").get(pk=benchmark.pk)
    assert sorted(r.value for r in Ranking(benchmark).results()) == sorted(v for v, _ in ranked)
    expected = {score: rule_place(score, ranked, True) for score in ranked}
    for path, threshold in PATHS.items():
        monkeypatch.setattr(ranking, "COUNTED_IN_SQL", threshold)
        assert Ranking(benchmark).places(ranked) == expected, path


def test_the_benchmark_page_says_what_it_ranks_and_lists_the_rest_apart(client, declared):
    source = make_source()
    measured(make_model(name="Ranked One"), declared, 80, "same", source)
    for name in ("Zero A", "Zero B"):
        measured(make_model(name=name), declared, 95, "other shots", source)
    measured(make_model(name="Part Run"), declared, 99, "subset", source)
    page = client.get(declared.get_absolute_url()).content.decode()
    assert "<dt>Ranked setting</dt><dd>acc_norm, 10-shot" in page
    heading = page.index('id="differently-heading"')
    ranking, apart = page[:heading], page[heading:]
    assert "Ranked One" in ranking and "Zero A" not in ranking and "Part Run" not in ranking
    assert "acc_norm, 0-shot: 2 results; acc_norm, 10-shot, on a subset: 1 result." in apart
    assert "<bdi>Zero A</bdi></a>: " in apart and "(0-shot, not 10-shot)" in apart
    assert "(ran on a subset)" in apart


def test_a_benchmark_that_declares_nothing_says_so(client, db):
    benchmark = make_benchmark(name="Plain")
    make_result(benchmark=benchmark, value=10)
    page = client.get(benchmark.get_absolute_url()).content.decode()
    assert '<dt>Ranked setting</dt><dd><span class="not-reported">none declared</span>' in page
    assert 'id="differently-heading"' not in page


@pytest.mark.parametrize("how", ["other shots", "other metric", "subset"])
def test_a_result_the_benchmark_does_not_rank_gets_no_place_in_the_rank_column(
    client, declared, how
):
    """A model whose headline result on the leaderboard's ranking benchmark is
    measured otherwise than the benchmark ranks has no place in the Rank column, on
    the page or in either export (its figure beat the ranked model's, so it took
    place 1 beside it), and its figure is marked "not ranked"."""
    declared.featured = True
    writes.save(declared)
    source = make_source()
    measured(make_model(name="Ranked One"), declared, 80, "same", source)
    measured(make_model(name="Other One"), declared, 90, how, source)

    page = client.get("/").content.decode()
    rows = {
        name: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))
        for row in re.findall(r"<tr.*?</tr>", page, re.S)
        for name in ("Ranked One", "Other One")
        if name in row
    }
    assert rows["Ranked One"].split()[0] == "1"
    assert not rows["Other One"].split()[0].isdigit()
    # Its figure says so, and what differs on hover.
    assert "not ranked" in rows["Other One"] and "not ranked" not in rows["Ranked One"]
    (other,) = [row for row in re.findall(r"<tr.*?</tr>", page, re.S) if "Other One" in row]
    why = {"other shots": "0-shot, not 10-shot", "other metric": "acc, not acc_norm"}
    assert f'title="Not ranked: {why.get(how, "ran on a subset")}.' in other
    # Its Rank cell says why it has no place, not that there is no result.
    assert 'title="Not ranked: its result is measured otherwise' in other.split("</td>")[0]
    data = json.loads(client.get("/", {"_export": "json"}).getvalue())
    assert {row["model"]["name"]: row["rank"] for row in data["rows"]} == {
        "Ranked One": 1,
        "Other One": None,
    }
    lines = client.get("/", {"_export": "csv"}).getvalue().decode().splitlines()[1:]
    assert [line.split(",")[:2] for line in lines] == [["1", "Ranked One"], ["", "Other One"]]


def test_the_api_and_the_export_give_each_setting_and_why_a_result_is_not_ranked(client, declared):
    source = make_source()
    ranked = measured(make_model(name="Ranked One"), declared, 80, "same", source)
    zero = measured(make_model(name="Zero One"), declared, 95, "other shots", source)
    items = client.get("/api/results", {"benchmark": declared.slug}).json()["items"]
    by_model = {item["model"]["slug"]: item for item in items}
    assert by_model[ranked.model.slug]["settings"] == {
        "metric": "acc_norm",
        "metric_variant": None,
        "shots": 10,
        "harness": None,
        "harness_version": None,
        "model_revision": None,
        "precision": None,
        "chat_template": None,
        "subset": None,
    }
    assert by_model[ranked.model.slug]["is_comparable"] is True
    assert by_model[ranked.model.slug]["not_ranked_because"] == []
    assert by_model[zero.model.slug]["is_comparable"] is False
    assert by_model[zero.model.slug]["not_ranked_because"] == ["0-shot, not 10-shot"]
    exported = client.get("/", {"show": declared.slug, "_export": "json"}).getvalue()
    cells = {
        row["model"]["name"]: row["results"][declared.slug] for row in json.loads(exported)["rows"]
    }
    assert cells["Zero One"]["settings"]["shots"] == 0 and cells["Zero One"]["ranked"] is False
    assert cells["Ranked One"]["settings"]["metric"] == "acc_norm"
    assert cells["Ranked One"]["ranked"] is True


def test_the_csv_export_says_how_each_figure_was_measured(client, declared):
    import csv
    import io

    source = make_source(title="A report")
    measured(make_model(name="Zero One"), declared, 95, "other shots", source)
    measured(make_model(name="Silent One"), declared, 90, "not reported", source)
    response = client.get("/", {"show": declared.slug, "_export": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = {row["Model"]: row for row in csv.DictReader(io.StringIO(text))}
    column = f"{declared.name}: source"
    assert rows["Zero One"][column] == "independent; A report; acc_norm, 0-shot"
    assert rows["Silent One"][column] == "independent; A report"


def compare_cells(client, benchmark, models):
    """The compare page's cells on ``benchmark``'s row, one per model, in order."""
    page = client.get("/compare/", {"models": [m.slug for m in models]}).content.decode()
    row = page[page.index(f">{benchmark.name}</a>") :]
    return re.findall(r"<td class=\"num[^\"]*\">(.*?)</td>", row[: row.index("</tr>")], re.S)


def test_compare_marks_the_settings_that_differ_and_weighs_only_like_with_like(client, declared):
    source = make_source()
    ranked = measured(make_model(name="Ranked One"), declared, 80, "same", source)
    zero = measured(make_model(name="Zero One"), declared, 95, "other shots", source)
    first, second = compare_cells(client, declared, [ranked.model, zero.model])
    # The shots differ, so they are highlighted in both cells; the metric agrees.
    differs = re.compile(r'<mark class="setting-differs"[^>]*>([^<]*)</mark>')
    assert differs.findall(first) == ["acc_norm, 10-shot"]
    assert differs.findall(second) == ["acc_norm, 0-shot"]
    # 95 measured 0-shot is not weighed against 80 measured 10-shot: neither is best.
    assert "best-mark" not in first + second and "tied-mark" not in first + second
    assert "not ranked: 0-shot, not 10-shot" in second and "not ranked" not in first


def test_compare_names_a_setting_one_result_does_not_report(client, declared):
    source = make_source()
    ranked = measured(make_model(name="Ranked One"), declared, 80, "same", source)
    other = measured(make_model(name="Ranked Two"), declared, 70, "same", source)
    silent = measured(make_model(name="Silent One"), declared, 90, "not reported", source)
    first, second, third = compare_cells(
        client, declared, [ranked.model, other.model, silent.model]
    )
    assert "metric not reported" in third and "shots not reported" in third
    assert "setting-differs" in first and "setting-differs" in second
    # The two measured alike are still weighed: 80 is best among the comparable.
    assert "best-mark" in first and "best-mark" not in second + third


def test_compare_marks_nothing_where_the_settings_agree(client, declared):
    source = make_source()
    ranked = measured(make_model(name="Ranked One"), declared, 80, "same", source)
    other = measured(make_model(name="Ranked Two"), declared, 70, "same", source)
    first, second = compare_cells(client, declared, [ranked.model, other.model])
    assert "setting-differs" not in first + second
    assert "acc_norm, 10-shot" in first and "acc_norm, 10-shot" in second


def test_the_changes_page_and_feed_say_how_each_figure_was_measured(client, declared):
    from xml.etree import ElementTree

    zero = measured(make_model(name="Zero One"), declared, 95, "other shots", make_source())
    zero.shots = 10
    zero.quote = zero.quote.replace("0-shot", "10-shot")
    writes.save(zero)
    page = client.get("/changes/").content.decode()
    body = page[page.index("<tbody>") :]
    newest, first = re.findall(r"<tr>(.*?)</tr>", body, re.S)[:2]
    assert "acc_norm, 10-shot" in newest and "shots" in newest
    assert "acc_norm, 0-shot" in first
    atom = "{http://www.w3.org/2005/Atom}"
    entries = ElementTree.fromstring(client.get("/feed.atom").content).findall(f"{atom}entry")
    summaries = [entry.findtext(f"{atom}summary") for entry in entries]
    assert "<p>Measured: acc_norm, 10-shot</p>" in summaries[0]
    assert "<p>Measured: acc_norm, 0-shot</p>" in summaries[1]
