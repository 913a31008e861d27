"""The editors' flow through the real admin: add a result, see it listed, see who
changed what in its history, revert; bad input comes back as form errors."""

import datetime

import pytest
from django.urls import reverse

from leaderboard.models import (
    AIModel,
    Benchmark,
    BenchmarkAlias,
    Organization,
    Result,
    Source,
)
from leaderboard.rules import writes

from .support import change_form_data

pytestmark = pytest.mark.django_db

SOURCE_SLUG = "gate-nvidia-enters-the-ai-large-model-race"
AI_INDEX_QUOTE = (
    "NVIDIA claims that in the AI Index composite score, Nemotron 3 Super scored 37 points, "
    "while GPT-OSS scored only 33 points."
)


@pytest.fixture
def new_benchmark(article):
    """A second benchmark that the article's AI Index sentence names (by an alias), so
    a result on it can quote that sentence."""
    benchmark = Benchmark.objects.create(
        name="Second Index", slug="second-index", result_kind="score", higher_is_better=True
    )
    BenchmarkAlias.objects.create(benchmark=benchmark, name="AI Index composite score")
    return benchmark


def gpt_oss():
    """The model the article's sentence gives 33 (the figure nearest its name)."""
    return AIModel.objects.get(slug="gpt-oss-largest")


def result_form(**overrides):
    data = {
        "model": AIModel.objects.get(slug="nemotron-3-super").pk,
        "benchmark": Benchmark.objects.get(slug="second-index").pk,
        "version": "",
        "value": "37",
        "rank": "",
        "reported_on": "",
        "source": Source.objects.get(slug=SOURCE_SLUG).pk,
        "quote": AI_INDEX_QUOTE,
        "provenance": "vendor_claim",
        "claimed_by": Organization.objects.get(slug="nvidia").pk,
    }
    data.update(overrides)
    return data


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("admin:leaderboard_result_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


@pytest.mark.parametrize(
    "model_name",
    [
        "organization",
        "source",
        "aimodel",
        "modelcitation",
        "benchmark",
        "benchmarkversion",
        "benchmarkcitation",
        "result",
    ],
)
def test_every_admin_page_opens(admin_client, article, model_name):
    for view in ["changelist", "add"]:
        url = reverse(f"admin:leaderboard_{model_name}_{view}")
        assert admin_client.get(url).status_code == 200, url
    search = reverse(f"admin:leaderboard_{model_name}_changelist") + "?q=nemotron"
    assert admin_client.get(search).status_code == 200


def test_model_page_shows_its_results_with_source_and_quote(admin_client, article):
    model = AIModel.objects.get(slug="nemotron-3-super")
    response = admin_client.get(reverse("admin:leaderboard_aimodel_change", args=[model.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "ranked first in this test." in page
    assert "NVIDIA enters the AI large model race" in page


def test_editor_adds_a_result_and_sees_it_listed_and_in_history(
    admin_client, admin_user, new_benchmark
):
    response = admin_client.post(reverse("admin:leaderboard_result_add"), result_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    result = Result.objects.get(benchmark=new_benchmark)
    assert result.value == 37

    listing = admin_client.get(
        reverse("admin:leaderboard_result_changelist"), {"benchmark__id__exact": new_benchmark.pk}
    )
    assert listing.context["cl"].result_count == 1
    assert reverse("admin:leaderboard_result_change", args=[result.pk]) in listing.content.decode()

    change = reverse("admin:leaderboard_result_change", args=[result.pk])
    response = admin_client.post(change, result_form(value="33", model=gpt_oss().pk))
    assert response.status_code == 302
    result.refresh_from_db()
    assert result.value == 33

    history = admin_client.get(reverse("admin:leaderboard_result_history", args=[result.pk]))
    page = history.content.decode()
    assert admin_user.username in page
    # The change column shows the old and the new value.
    assert "37.000000" in page and "33.000000" in page
    assert [h.history_user for h in result.history.all()] == [admin_user, admin_user]


def test_editor_reverts_a_result_to_an_earlier_version(admin_client, new_benchmark):
    admin_client.post(reverse("admin:leaderboard_result_add"), result_form())
    result = Result.objects.get(benchmark=new_benchmark)
    admin_client.post(
        reverse("admin:leaderboard_result_change", args=[result.pk]),
        result_form(value="33", model=gpt_oss().pk),
    )
    first = result.history.earliest()
    revert_url = reverse(
        "admin:leaderboard_result_simple_history", args=[result.pk, first.history_id]
    )
    form_page = admin_client.get(revert_url).content.decode()
    assert 'value="37.000000"' in form_page
    response = admin_client.post(revert_url, result_form(value="37"))
    assert response.status_code == 302
    result.refresh_from_db()
    assert result.value == 37
    assert result.history.count() == 3


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"value": "38"}, "The quote does not state 38."),
        ({"value": "", "rank": ""}, "Give a value, a rank, or both."),
        ({"value": "", "rank": "0"}, "A rank starts at 1 (first place)."),
        ({"quote": "Nemotron 3 Super scored 37 points."}, "This quote is not in the text of"),
        ({"claimed_by": ""}, "Name the vendor whose claim this is."),
    ],
)
def test_bad_result_comes_back_as_a_form_error(admin_client, new_benchmark, overrides, message):
    response = admin_client.post(reverse("admin:leaderboard_result_add"), result_form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Result.objects.filter(benchmark=new_benchmark).exists()


def test_duplicate_result_comes_back_as_a_form_error(admin_client, new_benchmark):
    admin_client.post(reverse("admin:leaderboard_result_add"), result_form())
    response = admin_client.post(reverse("admin:leaderboard_result_add"), result_form())
    assert response.status_code == 200
    assert "This source already has a result for this model and benchmark." in (
        response.content.decode()
    )
    assert Result.objects.filter(benchmark=new_benchmark).count() == 1


def test_active_above_total_comes_back_as_a_form_error(admin_client, article):
    model = AIModel.objects.get(slug="gpt-oss-largest")
    url = reverse("admin:leaderboard_aimodel_change", args=[model.pk])
    data = change_form_data(admin_client, url)
    data.update(total_parameters="10", active_parameters="20")
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "Active parameters cannot exceed total parameters." in response.content.decode()
    model.refresh_from_db()
    assert model.total_parameters is None


def test_deleting_a_model_with_results_is_refused(admin_client, article):
    model = AIModel.objects.get(slug="nemotron-3-super")
    response = admin_client.post(
        reverse("admin:leaderboard_aimodel_delete", args=[model.pk]), {"post": "yes"}
    )
    assert response.status_code == 200
    assert "would require deleting the following protected related objects" in (
        response.content.decode()
    )
    assert AIModel.objects.filter(pk=model.pk).exists()


def test_parameter_counts_take_suffixes(admin_client, article):
    model = AIModel.objects.get(slug="gpt-oss-largest")
    url = reverse("admin:leaderboard_aimodel_change", args=[model.pk])
    data = model_page_data(admin_client, url)
    data.update(total_parameters="235B", active_parameters="22,000,000,000")
    data.update(context_window_tokens="1M")
    response = admin_client.post(url, data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors,
        [f.formset.errors for f in response.context["inline_admin_formsets"]],
    )
    model.refresh_from_db()
    assert model.total_parameters == 235_000_000_000
    assert model.active_parameters == 22_000_000_000
    assert model.context_window_tokens == 1_000_000
    data = model_page_data(admin_client, url)  # opened again after the save
    data.update(total_parameters="1.5 million", active_parameters="", context_window_tokens="")
    assert admin_client.post(url, data).status_code == 302
    model.refresh_from_db()
    assert model.total_parameters == 1_500_000
    data = model_page_data(admin_client, url)
    data.update(total_parameters="12 parsecs")
    response = admin_client.post(url, data)
    assert "Enter a whole number, or one with K, M, B or T after it" in response.content.decode()
    model.refresh_from_db()
    assert model.total_parameters == 1_500_000


def test_a_negative_rank_gets_the_message_about_ranks(admin_client, new_benchmark):
    response = admin_client.post(
        reverse("admin:leaderboard_result_add"), result_form(value="", rank="-1")
    )
    page = response.content.decode()
    assert "A rank starts at 1 (first place)." in page
    assert "Give a value, a rank, or both." not in page
    assert "greater than or equal to" not in page


def test_provenance_has_no_default_and_must_be_picked(admin_client, new_benchmark):
    form = admin_client.get(reverse("admin:leaderboard_result_add")).context["adminform"].form
    assert form["provenance"].value() in (None, "")
    response = admin_client.post(
        reverse("admin:leaderboard_result_add"), result_form(provenance="")
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Result.objects.filter(benchmark=new_benchmark).exists()


def model_page_data(client, url):
    """The model page's form data as the browser would send it, inlines included."""
    response = client.get(url)
    data = {}
    for form in [response.context["adminform"].form] + [
        f for formset in response.context["inline_admin_formsets"] for f in formset.formset
    ]:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = value
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
    return {k: ("" if v is None else v) for k, v in data.items()}


def test_two_identical_new_results_in_one_submit_are_a_form_error(admin_client, new_benchmark):
    model = AIModel.objects.get(slug="nemotron-3-super")
    url = reverse("admin:leaderboard_aimodel_change", args=[model.pk])
    data = model_page_data(admin_client, url)
    n = int(data["results-TOTAL_FORMS"])
    row = result_form()
    for i in (n, n + 1):
        data.update({f"results-{i}-{k}": v for k, v in row.items() if k != "model"})
    data["results-TOTAL_FORMS"] = str(n + 2)
    before = Result.objects.count()
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "Two rows give a result on Second Index from the same source" in (
        response.content.decode()
    )
    assert Result.objects.count() == before


def test_saving_a_form_someone_else_changed_since_is_refused(admin_client, article):
    result = Result.objects.get(model__slug="gpt-oss-largest", benchmark__slug="ai-index")
    url = reverse("admin:leaderboard_result_change", args=[result.pk])
    form = admin_client.get(url).context["adminform"].form
    mine = {name: form[name].value() or "" for name in form.fields}
    mine["reported_on"] = "2026-03-12"
    # Meanwhile another editor saves a change.
    theirs = Result.objects.get(pk=result.pk)
    theirs.reported_on = datetime.date(2026, 3, 11)
    writes.save(theirs)
    response = admin_client.post(url, mine)
    assert response.status_code == 200
    assert "Someone else saved a change to this since you opened it" in (response.content.decode())
    result.refresh_from_db()
    assert result.reported_on == datetime.date(2026, 3, 11)
    # Opened afresh, the same edit saves.
    form = admin_client.get(url).context["adminform"].form
    fresh = {name: form[name].value() or "" for name in form.fields}
    fresh["reported_on"] = "2026-03-12"
    assert admin_client.post(url, fresh).status_code == 302
    result.refresh_from_db()
    assert result.reported_on == datetime.date(2026, 3, 12)
