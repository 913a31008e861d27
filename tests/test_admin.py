"""The editors' flow through the real admin: add a result, see it listed, see who
changed what in its history, revert; bad input comes back as form errors."""

import pytest
from django.urls import reverse

from leaderboard.models import AIModel, Benchmark, Organization, Result, Source

pytestmark = pytest.mark.django_db

SOURCE_SLUG = "gate-nvidia-enters-the-ai-large-model-race"
AI_INDEX_QUOTE = (
    "NVIDIA claims that in the AI Index composite score, Nemotron 3 Super scored 37 points, "
    "while GPT-OSS scored only 33 points."
)


@pytest.fixture
def new_benchmark(article):
    return Benchmark.objects.create(
        name="Second Index", slug="second-index", result_kind="score", higher_is_better=True
    )


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
    response = admin_client.post(change, result_form(value="33"))
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
        reverse("admin:leaderboard_result_change", args=[result.pk]), result_form(value="33")
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
    form = admin_client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(total_parameters="10", active_parameters="20")
    for prefix in ["aliases", "citations", "results"]:
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
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
