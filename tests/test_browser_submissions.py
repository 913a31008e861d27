"""Submitting a result in a real browser at phone and desktop width, then an editor
accepting it, served as `make run` serves the site (issue 21)."""

import pytest

from .test_browser import CHROMIUM_ARGS, chromium_path, serving

pytestmark = pytest.mark.slow

EDITOR = (
    "from django.contrib.auth.models import User; "
    "User.objects.create_superuser('editor', password='editor-pass-1')"
)


@pytest.fixture(scope="module")
def site_with_editor(tmp_path_factory):
    loads = [["loaddata", "article", "-v0"], ["shell", "-c", EDITOR]]
    with serving(tmp_path_factory.mktemp("submissions"), loads) as site:
        yield site


def fill(page, value, url, quote):
    page.select_option("#id_benchmark", label="AI Index composite score")
    page.fill("#id_value", value)
    page.fill("#id_source_url", url)
    page.fill("#id_source_title", "An independent run")
    page.fill("#id_quote", quote)
    page.click(".submit-form button[type=submit]")


@pytest.mark.parametrize("width", [375, 1280])
def test_a_submission_from_a_model_page_to_the_queue_and_onto_the_model_page(
    site_with_editor, width
):
    from playwright.sync_api import sync_playwright

    site = site_with_editor
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(site + "/models/nemotron-3-super/")
        page.click("text=Submit a result for it")
        page.wait_for_url("**/submit/?model=nemotron-3-super")
        assert page.input_value("#id_model_named") == "Nemotron 3 Super"

        # A quote that does not state the figure: the form says so, nothing is kept.
        url = f"https://example.org/run-{width}"
        fill(page, "36", url, "Nemotron 3 Super did well on the AI Index composite score.")
        alert = page.locator(".errors[role=alert]")
        assert "does not state" in alert.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= width

        # Corrected, it is queued for an editor.
        page.fill("#id_quote", "Nemotron 3 Super scored 36 on the AI Index composite score.")
        page.click(".submit-form button[type=submit]")
        page.wait_for_url("**/submissions/*/")
        submission_url = page.url
        assert "Waiting for an editor" in page.inner_text("main")
        assert page.evaluate("document.documentElement.scrollWidth") <= width

        # An editor accepts it in the admin.
        editor = browser.new_page(viewport={"width": 1280, "height": 900})
        editor.goto(site + "/admin/login/")
        editor.fill("#id_username", "editor")
        editor.fill("#id_password", "editor-pass-1")
        editor.click("input[type=submit]")
        number = submission_url.rstrip("/").rsplit("/", 1)[-1]
        editor.goto(f"{site}/admin/leaderboard/submission/{number}/change/")
        assert "Every rule holds" in editor.inner_text("#content")
        editor.click("input[name=_accept]")
        editor.wait_for_url("**/admin/leaderboard/submission/")

        # The submitter follows it to the model page, where the result says how it came.
        page.goto(submission_url)
        assert "Accepted" in page.inner_text("main")
        page.click("text=a result of Nemotron 3 Super")
        page.wait_for_url("**/models/nemotron-3-super/")
        assert page.locator("a", has_text="submitted, reviewed by an editor").count() >= 1
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        browser.close()
