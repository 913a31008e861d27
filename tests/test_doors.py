"""Each way in, walked with the input that used to get through, is turned back with
the right message, and nothing changes: every leaderboard table (history included)
has the same rows, to the byte, before and after."""

import hashlib
import json

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from leaderboard.models import AIModel, Benchmark, ModelAlias, Organization, Result, Source
from leaderboard.rules import writes

pytestmark = pytest.mark.django_db

ARTICLE = "gate-nvidia-enters-the-ai-large-model-race"
AI_INDEX = (
    "NVIDIA claims that in the AI Index composite score, Nemotron 3 Super scored 37 points, "
    "while GPT-OSS scored only 33 points."
)


def fingerprint():
    """Row count and a digest of every row, per leaderboard table."""
    tables = {}
    for model in apps.get_app_config("leaderboard").get_models():
        rows = list(model.objects.order_by("pk").values_list())
        tables[model._meta.db_table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return tables


def fixture_row(**fields):
    return {
        "model": "leaderboard.result",
        "fields": {
            "model": ["gpt-oss-largest"],
            "benchmark": ["pinchbench"],
            "version": None,
            "source": [ARTICLE],
            "value": None,
            "rank": None,
            "provenance": "vendor_claim",
            "claimed_by": ["nvidia"],
            **fields,
        },
    }


def load(tmp_path, rows):
    path = tmp_path / "door.json"
    path.write_text(json.dumps(rows))
    call_command("loaddata", str(path), verbosity=0)


def form_of(client, url):
    form = client.get(url).context["adminform"].form
    return {name: form[name].value() or "" for name in form.fields if name != "upload"}


def result_add(client, **fields):
    data = {
        "model": AIModel.objects.get(slug="gpt-oss-largest").pk,
        "benchmark": Benchmark.objects.get(slug="pinchbench").pk,
        "source": Source.objects.get(slug=ARTICLE).pk,
        "provenance": "vendor_claim",
        "claimed_by": Organization.objects.get(slug="nvidia").pk,
        "value": "",
        "rank": "",
        "version": "",
        "reported_on": "",
        "quote": "",
        **fields,
    }
    return client.post(reverse("admin:leaderboard_result_add"), data)


# Each door: a function that tries the input and returns the message it got back.


def fixture_quote_not_in_source(client, tmp_path):
    with pytest.raises(CommandError) as refused:
        load(tmp_path, [fixture_row(value="99", quote="GPT-OSS scored 99 on PinchBench.")])
    return str(refused.value)


def fixture_quote_about_another_model(client, tmp_path):
    with pytest.raises(CommandError) as refused:
        load(tmp_path, [fixture_row(rank=1, quote="Nemotron 3 Super ranked first in this test.")])
    return str(refused.value)


def fixture_swapped_figures(client, tmp_path):
    with pytest.raises(CommandError) as refused:
        load(tmp_path, [fixture_row(benchmark=["ai-index"], value="37", quote=AI_INDEX)])
    return str(refused.value)


def fixture_bad_row_after_good_ones(client, tmp_path):
    """The first row is valid: the whole file is still refused."""
    good = {"model": "leaderboard.organization", "fields": {"name": "Acme", "slug": "acme"}}
    with pytest.raises(CommandError) as refused:
        load(tmp_path, [good, fixture_row(value="99", quote="GPT-OSS scored 99.")])
    return str(refused.value)


def admin_rank_of_a_plain_number(client, tmp_path):
    response = result_add(
        client, benchmark=Benchmark.objects.get(slug="ai-index").pk, rank="33", quote=AI_INDEX
    )
    assert response.status_code == 200
    return response.content.decode()


def admin_independent_but_attributed(client, tmp_path):
    response = result_add(
        client,
        benchmark=Benchmark.objects.get(slug="ai-index").pk,
        value="33",
        quote=AI_INDEX,
        provenance="independent",
        claimed_by="",
    )
    assert response.status_code == 200
    return response.content.decode()


def admin_rescale_below_held_values(client, tmp_path):
    benchmark = Benchmark.objects.get(slug="ai-index")
    url = reverse("admin:leaderboard_benchmark_change", args=[benchmark.pk])
    page = client.get(url)
    data = {}
    for form in [page.context["adminform"].form] + [
        f for inline in page.context["inline_admin_formsets"] for f in inline.formset
    ]:
        data.update({form.add_prefix(n): form[n].value() or "" for n in form.fields})
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(n): management[n].value() for n in management.fields})
    data = {k: v for k, v in data.items() if v is not False}
    data.update(scale_min="0", scale_max="30")
    response = client.post(url, data)
    assert response.status_code == 200
    return response.content.decode()


def admin_source_text_dropping_quotes(client, tmp_path):
    source = Source.objects.get(slug=ARTICLE)
    url = reverse("admin:leaderboard_source_change", args=[source.pk])
    data = form_of(client, url)
    data["kept_text"] = "A shorter text that quotes nothing."
    response = client.post(url, data)
    assert response.status_code == 200
    return response.content.decode()


def admin_rename_claimer(client, tmp_path):
    nvidia = Organization.objects.get(slug="nvidia")
    url = reverse("admin:leaderboard_organization_change", args=[nvidia.pk])
    data = form_of(client, url)
    data["name"] = "Nvidia Corporation"
    response = client.post(url, data)
    assert response.status_code == 200
    return response.content.decode()


def admin_delete_alias_quotes_rely_on(client, tmp_path):
    alias = ModelAlias.objects.get(name="GPT-OSS")
    response = client.post(
        reverse("admin:leaderboard_modelalias_delete", args=[alias.pk]), {"post": "yes"}
    )
    assert response.status_code == 200
    return response.content.decode()


def admin_shots_the_quote_never_states(client, tmp_path):
    response = result_add(
        client,
        model=AIModel.objects.get(slug="nemotron-3-super").pk,
        benchmark=Benchmark.objects.get(slug="ai-index").pk,
        value="37",
        shots="5",
        quote=AI_INDEX,
    )
    assert response.status_code == 200
    return response.content.decode()


def admin_metric_the_quote_never_states(client, tmp_path):
    response = result_add(
        client,
        model=AIModel.objects.get(slug="nemotron-3-super").pk,
        benchmark=Benchmark.objects.get(slug="ai-index").pk,
        value="37",
        metric="acc_norm",
        precision="bfloat16",
        quote=AI_INDEX,
    )
    assert response.status_code == 200
    return response.content.decode()


def fixture_invented_setting(client, tmp_path):
    with pytest.raises(CommandError) as refused:
        load(
            tmp_path,
            [fixture_row(benchmark=["ai-index"], value="33", quote=AI_INDEX, subset=True)],
        )
    return str(refused.value)


def write_path_swapped(client, tmp_path):
    result = Result.objects.get(model__slug="gpt-oss-largest", benchmark__slug="ai-index")
    result.value = 37
    with pytest.raises(ValidationError) as refused:
        writes.save(result)
    return str(refused.value)


def restore_of_a_tampered_backup(client, tmp_path):
    path = tmp_path / "backup.json"
    call_command("backup", str(path))
    rows = json.loads(path.read_text())
    for row in rows:
        if row["model"] == "leaderboard.result" and row["fields"]["value"] == "33.000000":
            row["fields"]["value"] = "37.000000"
    path.write_text(json.dumps(rows))
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(path), "--yes")
    return str(refused.value)


def fixture_suite_of_a_rank_only_benchmark(client, tmp_path):
    rows = [
        {"model": "leaderboard.suite", "fields": {"name": "Door Suite", "slug": "door-suite"}},
        {
            "model": "leaderboard.suitemember",
            "fields": {"suite": ["door-suite"], "benchmark": ["pinchbench"], "position": 0},
        },
    ]
    with pytest.raises(CommandError) as refused:
        load(tmp_path, rows)
    return str(refused.value)


def fixture_baseline_the_quote_never_states(client, tmp_path):
    rows = [
        {
            "model": "leaderboard.benchmarkcitation",
            "fields": {
                "benchmark": ["ai-index"],
                "attribute": "random_baseline",
                "source": [ARTICLE],
                "quote": AI_INDEX,
            },
        }
    ]
    Benchmark.objects.filter(slug="ai-index").update(random_baseline=25)
    try:
        with pytest.raises(CommandError) as refused:
            load(tmp_path, rows)
    finally:
        Benchmark.objects.filter(slug="ai-index").update(random_baseline=None)
    return str(refused.value)


def admin_suite_inline_of_a_rank_only_benchmark(client, tmp_path):
    response = client.post(
        reverse("admin:leaderboard_suite_add"),
        {
            "name": "Door Suite",
            "slug": "door-suite",
            "description": "",
            "members-TOTAL_FORMS": "1",
            "members-INITIAL_FORMS": "0",
            "members-0-benchmark": Benchmark.objects.get(slug="pinchbench").pk,
            "members-0-position": "0",
        },
    )
    assert response.status_code == 200
    return response.content.decode()


def submitted(client, quote, value, model="gpt-oss-largest"):
    """The public form, sending a result of the article's (held at an address for it)."""
    url = "https://example.org/nvidia-article"
    Source.objects.filter(slug=ARTICLE).update(url=url)
    client.logout()  # anyone may submit
    try:
        response = client.post(
            reverse("submit"),
            {
                "model_named": AIModel.objects.get(slug=model).name,
                "benchmark": Benchmark.objects.get(slug="ai-index").pk,
                "value": value,
                "provenance": "vendor_claim",
                "claimed_by": Organization.objects.get(slug="nvidia").pk,
                "source_url": url,
                "source_title": "The article",
                "quote": quote,
            },
        )
    finally:
        Source.objects.filter(slug=ARTICLE).update(url="")
    assert response.status_code == 400
    return response.content.decode()


def submission_swapped_figures(client, tmp_path):
    return submitted(client, AI_INDEX, "37")


def submission_quote_not_in_source(client, tmp_path):
    return submitted(client, AI_INDEX.replace("only 33", "33"), "33")


def submission_quote_about_another_model(client, tmp_path):
    return submitted(client, "Nemotron 3 Super scored 37 points", "37")


DOORS = {
    fixture_quote_not_in_source: "This quote is not in the text of",
    fixture_quote_about_another_model: "The quote does not name GPT-OSS (largest version)",
    fixture_swapped_figures: "The quote ties 33 to GPT-OSS (largest version), not 37",
    fixture_bad_row_after_good_ones: "breaks a rule, so nothing was loaded",
    admin_rank_of_a_plain_number: "The quote does not state place 33",
    admin_independent_but_attributed: "The quote attributes this result to someone",
    admin_rescale_below_held_values: "Above AI Index composite score&#x27;s scale",
    admin_source_text_dropping_quotes: "This change would break",
    admin_rename_claimer: "Renaming the organization would break 3 row(s)",
    admin_delete_alias_quotes_rely_on: "GPT-OSS (largest version) · AI Index composite score: 33",
    admin_shots_the_quote_never_states: "Neither the quote nor the source states 5-shot",
    admin_metric_the_quote_never_states: "Neither the quote nor the source states the metric",
    fixture_invented_setting: "subset: Neither the quote nor the source states that it ran on",
    write_path_swapped: "The quote ties 33 to GPT-OSS (largest version), not 37",
    restore_of_a_tampered_backup: "The quote ties 33 to GPT-OSS (largest version), not 37",
    fixture_suite_of_a_rank_only_benchmark: "an average needs scores or percentages",
    fixture_baseline_the_quote_never_states: "does not state the random baseline 25",
    admin_suite_inline_of_a_rank_only_benchmark: "an average needs scores or percentages",
    submission_swapped_figures: "The quote ties 33 to GPT-OSS (largest version), not 37",
    submission_quote_not_in_source: "This quote is not in the text of",
    submission_quote_about_another_model: "The quote does not name GPT-OSS (largest version)",
}


# A restore empties tables, which PostgreSQL refuses inside a test's open transaction.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("door", DOORS, ids=lambda door: door.__name__)
def test_each_door_turns_back_its_input_and_changes_nothing(admin_client, article, tmp_path, door):
    before = fingerprint()
    message = door(admin_client, tmp_path)
    assert DOORS[door] in message
    assert fingerprint() == before


def test_check_rules_lists_rows_entered_before_a_rule(article):
    from io import StringIO

    # A row written past the rules (as data from before an upgrade was).
    Result.objects.filter(model__slug="gpt-oss-largest").update(quote="It scored 33.")
    out = StringIO()
    with pytest.raises(CommandError, match="1 row"):
        call_command("check_rules", stdout=out)
    assert "leaderboard.Result gpt-oss-largest/ai-index//" in out.getvalue()
    assert "does not name GPT-OSS (largest version)" in out.getvalue()


def test_check_rules_passes_the_article(article):
    from io import StringIO

    out = StringIO()
    call_command("check_rules", stdout=out)
    assert "Every row keeps every rule." in out.getvalue()
