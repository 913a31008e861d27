"""Anyone submits a result at /submit/; the rules every write keeps check it at once;
nothing reaches the leaderboard until an editor accepts it (issue 21)."""

import pytest
from django.contrib.auth.models import Permission, User

from leaderboard.models import DataVersion, Result, Submission

from .conftest import EXAMPLE
from .factories import make_benchmark, make_model, make_organization, stating
from .support import change_form_data


@pytest.fixture
def listed(db):
    model = make_model(name="Listed Model", slug="listed-model")
    benchmark = make_benchmark(name="Bench Q", slug="bench-q")
    return model, benchmark


def form_data(model, benchmark, value="61.5", **changes):
    data = {
        "model_named": model.name,
        "benchmark": str(benchmark.pk),
        "value": value,
        "provenance": "independent",
        "source_url": "https://example.org/eval-report",
        "source_title": "An evaluation report",
        "quote": stating(model, benchmark, value),
        "contact": "me@example.org",
    }
    data.update(changes)
    return data


def test_a_result_the_rules_accept_is_kept_as_pending_and_nothing_else_is_written(client, listed):
    results, version = Result.objects.count(), DataVersion.current().version
    response = client.post("/submit/", form_data(*listed))
    assert response.status_code == 303
    submission = Submission.objects.get()
    assert response["Location"] == f"/submissions/{submission.pk}/"
    assert submission.status == Submission.Status.PENDING
    assert Result.objects.count() == results
    assert DataVersion.current().version == version  # no page changes
    page = client.get(response["Location"]).content.decode()
    assert "Waiting for an editor" in page and "a new result" in page
    assert "me@example.org" not in page  # the contact is for editors only


def test_a_quote_that_does_not_state_the_figure_is_refused_with_what_to_fix(client, listed):
    model, benchmark = listed
    data = form_data(model, benchmark, quote=stating(model, benchmark, "70"))
    response = client.post("/submit/", data)
    assert response.status_code == 400
    assert "does not state" in response.content.decode()
    assert not Submission.objects.exists()
    assert not Result.objects.exists()


def test_a_figure_off_the_benchmarks_scale_is_refused(client, listed):
    model, benchmark = listed
    benchmark.scale_max = 100
    benchmark.save()
    response = client.post("/submit/", form_data(model, benchmark, value="150"))
    assert response.status_code == 400
    assert "Above" in response.content.decode()
    assert not Submission.objects.exists()


def test_a_new_model_needs_its_organization_and_is_then_queued(client, listed):
    _, benchmark = listed
    organization = make_organization(name="New Lab", slug="new-lab")

    class Named:
        name = "Fresh Model 7B"

    data = form_data(Named, benchmark, model_named="", new_model_name="Fresh Model 7B")
    response = client.post("/submit/", data)
    assert response.status_code == 400
    assert "needs its organization" in response.content.decode()
    data["new_model_organization"] = str(organization.pk)
    response = client.post("/submit/", data)
    assert response.status_code == 303
    page = client.get(response["Location"]).content.decode()
    assert "a new model, Fresh Model 7B" in page


def test_a_filled_trap_field_keeps_nothing(client, listed):
    response = client.post("/submit/", form_data(*listed, website="https://spam.example"))
    assert response.status_code == 400
    assert not Submission.objects.exists()


def test_the_same_result_sent_twice_points_at_the_first(client, listed):
    first = client.post("/submit/", form_data(*listed))
    again = client.post("/submit/", form_data(*listed))
    assert again.status_code == 409
    assert first["Location"] in again.content.decode()
    assert Submission.objects.count() == 1


def test_markup_in_a_submission_is_shown_as_text(client, listed):
    model, benchmark = listed
    note = "<script>alert(1)</script>"
    response = client.post("/submit/", form_data(model, benchmark, note=note))
    page = client.get(response["Location"]).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;" in page


@pytest.mark.slow
def test_a_flood_from_one_address_is_throttled_and_says_when_to_try_again(
    client, listed, settings
):
    settings.SUBMISSIONS_PER_HOUR_PER_CLIENT = 3
    model, benchmark = listed
    answers = []
    for n in range(1000):
        value = f"{50 + n}"
        data = form_data(model, benchmark, value=value, source_url=f"https://example.org/r{n}")
        # A forged X-Forwarded-For does not make another client: no proxy is trusted.
        answers.append(client.post("/submit/", data, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}"))
    assert [a.status_code for a in answers[:3]] == [303, 303, 303]
    assert {a.status_code for a in answers[3:]} == {429}
    assert 0 < int(answers[-1]["Retry-After"]) <= 3600
    assert "Try again in" in answers[-1].content.decode()
    assert Submission.objects.count() == 3
    # Another address may still send.
    other = form_data(model, benchmark, value="99", source_url="https://example.org/other")
    assert client.post("/submit/", other, REMOTE_ADDR="192.0.2.7").status_code == 303


def test_refused_attempts_are_counted_too(client, listed, settings):
    settings.SUBMISSION_ATTEMPTS_PER_HOUR_PER_CLIENT = 5
    model, benchmark = listed
    bad = form_data(model, benchmark, quote="nothing stated here")
    statuses = [client.post("/submit/", bad).status_code for _ in range(8)]
    assert statuses[:5] == [400] * 5
    assert set(statuses[5:]) == {429}


@pytest.fixture
def pending(client, listed):
    response = client.post("/submit/", form_data(*listed))
    return Submission.objects.get(pk=int(response["Location"].strip("/").split("/")[-1]))


def test_an_editor_accepts_a_submission_and_its_result_is_written_naming_both(
    admin_client, pending
):
    url = f"/admin/leaderboard/submission/{pending.pk}/change/"
    data = change_form_data(admin_client, url, prefixes=())
    data["_accept"] = "Accept"
    response = admin_client.post(url, data)
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Submission.Status.ACCEPTED
    result = pending.result
    assert result.value == 61.5 and result.model.slug == "listed-model"
    record = result.history.get()
    assert record.history_user.username == "admin"
    assert record.history_change_reason == f"From submission #{pending.pk}"
    assert "listed-model" in admin_client.get(f"/submissions/{pending.pk}/").content.decode()
    model_page = admin_client.get("/models/listed-model/").content.decode()
    assert (
        f'<a href="/submissions/{pending.pk}/">submitted, reviewed by an editor</a>' in model_page
    )


def test_an_editor_corrects_a_submission_before_accepting_it(admin_client, pending, listed):
    model, benchmark = listed
    url = f"/admin/leaderboard/submission/{pending.pk}/change/"
    data = change_form_data(admin_client, url, prefixes=())
    data.update(value="62.5", quote=stating(model, benchmark, "62.5"), _accept="Accept")
    admin_client.post(url, data)
    pending.refresh_from_db()
    assert pending.result.value == 62.5
    values = [str(row.value) for row in pending.history.order_by("history_date")]
    assert values[0].startswith("61.5") and values[-1].startswith("62.5")


def test_a_rejection_needs_a_reason_which_is_shown_publicly(admin_client, client, pending):
    url = f"/admin/leaderboard/submission/{pending.pk}/change/"
    data = change_form_data(admin_client, url, prefixes=())
    data["_reject"] = "Reject"
    response = admin_client.post(url, data)
    assert response.status_code == 200  # the form again, with the error
    pending.refresh_from_db()
    assert pending.status == Submission.Status.PENDING
    data["reason"] = "The report measures a different model revision."
    admin_client.post(url, data)
    pending.refresh_from_db()
    assert pending.status == Submission.Status.REJECTED
    assert not Result.objects.exists()
    page = client.get(f"/submissions/{pending.pk}/").content.decode()
    assert "a different model revision" in page


def test_a_stale_accept_writes_nothing_twice(admin_client, pending):
    url = f"/admin/leaderboard/submission/{pending.pk}/change/"
    data = change_form_data(admin_client, url, prefixes=())
    admin_client.post(url, {**data, "_accept": "Accept"})
    admin_client.post(url, {**data, "_accept": "Accept"})
    assert Result.objects.count() == 1


def test_staff_without_the_permission_cannot_review(client, pending):
    user = User.objects.create_user("helper", password="pw", is_staff=True)
    client.force_login(user)
    url = f"/admin/leaderboard/submission/{pending.pk}/change/"
    assert client.get(url).status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="view_submission"))
    assert client.get(url).status_code == 200
    data = change_form_data(client, url, prefixes=())
    assert client.post(url, {**data, "_accept": "Accept"}).status_code == 403
    assert not Result.objects.exists()


def test_the_list_shows_submissions_newest_first(client, listed):
    model, benchmark = listed
    for n in range(2):
        client.post(
            "/submit/",
            form_data(model, benchmark, value=str(40 + n), source_url=f"https://e.org/{n}"),
        )
    page = client.get("/submissions/").content.decode()
    first, second = Submission.objects.order_by("pk")
    assert page.index(f"#{second.pk}:") < page.index(f"#{first.pk}:")


def test_the_form_shows_every_field_in_its_part(client, db):
    from leaderboard.views.submissions import SubmissionForm

    form = SubmissionForm()
    in_parts = [field.name for _, fields in form.parts() for field in fields]
    assert sorted(in_parts) == sorted(form.fields)
    page = client.get("/submit/").content.decode()
    assert page.count("<fieldset>") == len(SubmissionForm.PARTS)


def test_model_and_benchmark_pages_link_to_the_form_filled_in(client, listed):
    model, benchmark = listed
    assert "/submit/?model=listed-model" in client.get("/models/listed-model/").content.decode()
    assert "/submit/?benchmark=bench-q" in client.get("/benchmarks/bench-q/").content.decode()
    form = client.get("/submit/?model=listed-model&benchmark=bench-q").context["form"]
    assert form["model_named"].value() == "Listed Model"
    assert form["benchmark"].value() == benchmark.pk
    for hostile in ("?model=%00", "?benchmark=" + "x" * 5000, "?model=no-such"):
        assert client.get(f"/submit/{hostile}").status_code == 200


def test_the_feed_lists_submissions_without_their_contact(client, listed):
    response = client.post("/submit/", form_data(*listed))
    feed = client.get("/submissions/feed.atom")
    assert feed.status_code == 200
    text = feed.content.decode()
    assert response["Location"] in text and "pending review" in text
    assert "me@example.org" not in text


def test_a_post_without_its_csrf_token_is_refused(listed):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    assert client.post("/submit/", form_data(*listed)).status_code == 403
    assert not Submission.objects.exists()


def test_accepting_never_changes_a_row_the_site_holds(admin_client, client, listed):
    """A submission naming a held source by its address, under another title and with
    another text, adds its result and leaves the source as it was."""
    from leaderboard.models import Source

    from .factories import make_source

    held = make_source(title="The held report", url="https://example.org/held")
    before = Source.objects.filter(pk=held.pk).values().get()
    model, benchmark = listed
    data = form_data(
        model,
        benchmark,
        source_url="https://example.org/held",
        source_title="A title of my own",
        source_text="Some other text entirely.",
    )
    response = client.post("/submit/", data)
    assert response.status_code == 303
    submission = Submission.objects.get()
    url = f"/admin/leaderboard/submission/{submission.pk}/change/"
    admin_client.post(url, {**change_form_data(admin_client, url, prefixes=()), "_accept": "A"})
    submission.refresh_from_db()
    assert submission.result.source_id == held.pk
    assert Source.objects.filter(pk=held.pk).values().get() == before
    assert Source.objects.count() == 1


# A results file of lm-evaluation-harness in place of one result (``harness_world``).


def file_data(**changes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("results.json", EXAMPLE.read_bytes(), "application/json")
    return {"results_file": upload, "provenance": "independent", **changes}


def test_a_results_file_is_checked_as_an_import_and_queued(client, harness_world):
    response = client.post("/submit/", file_data())
    assert response.status_code == 303
    submission = Submission.objects.get()
    assert submission.results_file == EXAMPLE.read_text()
    assert not Result.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "lm-evaluation-harness results file" in page


def test_a_results_file_naming_no_listed_model_is_refused_saying_so(client, db):
    response = client.post("/submit/", file_data())
    assert response.status_code == 400
    assert "no model&#x27;s Hugging Face repository, name or alias" in response.content.decode()
    assert not Submission.objects.exists()


def test_a_file_and_a_result_together_are_refused(client, harness_world):
    model, arc, _ = harness_world
    response = client.post("/submit/", file_data(benchmark=str(arc.pk), value="50"))
    assert response.status_code == 400
    assert "not both" in response.content.decode()


def test_a_file_over_the_bound_is_refused_before_it_is_read(client, harness_world, monkeypatch):
    from leaderboard.views import submissions as view

    monkeypatch.setattr(view, "RESULTS_FILE_MAX_BYTES", 100)
    response = client.post("/submit/", file_data())
    assert response.status_code == 400
    assert "a results file may have up to 100" in response.content.decode()


def test_an_accepted_results_file_becomes_its_source_and_results(
    admin_client, client, harness_world
):
    model, arc, hellaswag = harness_world
    client.post("/submit/", file_data())
    submission = Submission.objects.get()
    url = f"/admin/leaderboard/submission/{submission.pk}/change/"
    admin_client.post(url, {**change_form_data(admin_client, url, prefixes=()), "_accept": "A"})
    submission.refresh_from_db()
    assert submission.status == Submission.Status.ACCEPTED
    results = submission.source.results.order_by("benchmark__slug")
    assert [r.benchmark for r in results] == [arc, hellaswag]
    assert all(r.model == model for r in results)
    for result in results:
        record = result.history.latest()
        assert record.history_change_reason == f"From submission #{submission.pk}"
    model_page = admin_client.get(f"/models/{model.slug}/").content.decode()
    assert model_page.count("submitted, reviewed by an editor") == 2
    # The same file again points at what it became.
    again = client.post("/submit/", file_data())
    assert again.status_code == 409
    assert submission.source.get_absolute_url() in again.content.decode()


def test_a_results_file_that_is_not_utf8_is_refused(client, harness_world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("results.json", b'{"results": {"\xff": 1}}')
    response = client.post("/submit/", {"results_file": upload, "provenance": "independent"})
    assert response.status_code == 400
    assert "not UTF-8 text" in response.content.decode()
    assert not Submission.objects.exists()


def test_the_admin_lists_the_queue_pending_and_oldest_first(admin_client, client, listed):
    model, benchmark = listed
    for n in range(3):
        data = form_data(model, benchmark, value=str(40 + n), source_url=f"https://e.org/q{n}")
        client.post("/submit/", data)
    first, second, third = Submission.objects.order_by("pk")
    Submission.objects.filter(pk=second.pk).update(status=Submission.Status.REJECTED)
    listing = admin_client.get("/admin/leaderboard/submission/").content.decode()
    assert f"Submission #{first.pk}:" in listing and f"Submission #{third.pk}:" in listing
    assert f"Submission #{second.pk}:" not in listing
    assert listing.index(f"Submission #{first.pk}:") < listing.index(f"Submission #{third.pk}:")
    everything = admin_client.get("/admin/leaderboard/submission/?queue=all").content.decode()
    assert f"Submission #{second.pk}:" in everything


def test_the_settings_a_result_records_are_submitted_and_checked_too(client, listed):
    """A setting the quote does not state is refused, as in the admin; one it states
    reaches the result an editor accepts."""
    model, benchmark = listed
    refused = client.post("/submit/", form_data(model, benchmark, metric_variant="strict-match"))
    assert refused.status_code == 400
    assert "Neither the quote nor the source states" in refused.content.decode()
    quote = f"{model.name} scored 61.5 on {benchmark.name} (strict-match, 5-shot)."
    data = form_data(model, benchmark, quote=quote, metric_variant="strict-match", shots="5")
    response = client.post("/submit/", data)
    assert response.status_code == 303
    page = client.get(response["Location"]).content.decode()
    assert "strict-match, 5-shot" in page


def test_a_decided_submissions_page_in_the_admin_checks_nothing_again(admin_client, pending):
    url = f"/admin/leaderboard/submission/{pending.pk}/change/"
    admin_client.post(url, {**change_form_data(admin_client, url, prefixes=()), "_accept": "A"})
    page = admin_client.get(url).content.decode()
    assert "Not checked: it was accepted." in page
    assert "Every rule holds" not in page
