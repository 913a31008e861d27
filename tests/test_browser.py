"""The site in a real browser: Debian's Chromium, driven by Playwright, against the
site served the way `make run` serves it (gunicorn and whitenoise over SQLite)."""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

ARTIFACTS = settings.BASE_DIR / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # This machine's network is closed: keep Chromium from calling home at all.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path():
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if Path(path).exists():
        return path
    if os.environ.get("CI"):
        pytest.fail("Chromium is missing: .ci/run installs Debian's chromium package.")
    pytest.skip("Debian's chromium is not installed (apt-get install chromium).")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def served_site(tmp_path_factory):
    """A fresh SQLite database holding the article, served by gunicorn."""
    directory = tmp_path_factory.mktemp("site")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{directory / 'site.sqlite3'}",
        "DJANGO_SECRET_KEY": "browser-test-key",
        "DJANGO_DEBUG": "0",
    }
    manage = [sys.executable, "manage.py"]
    for args in (
        ["migrate", "--noinput", "-v0"],
        ["loaddata", "article", "-v0"],
        ["collectstatic", "--noinput", "-v0"],
    ):
        subprocess.run(manage + args, cwd=settings.BASE_DIR, env=env, check=True, timeout=300)
    port = free_port()
    log = open(directory / "gunicorn.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "leaderboard.wsgi"),
            *("-c", "python:leaderboard.gunicorn_conf", "--bind", f"127.0.0.1:{port}"),
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError((directory / "gunicorn.log").read_text()) from None
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=10)
    log.close()


def test_leaderboard_in_a_real_browser(served_site):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors, outside, failed = [], [], []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on(
            "request",
            lambda r: None if urlsplit(r.url).hostname == "127.0.0.1" else outside.append(r.url),
        )

        def names():
            return page.locator("td.model a").all_inner_texts()

        page.goto(served_site + "/")
        assert names() == ["Nemotron 3 Super", "GPT-OSS (largest version)"]
        stylesheet = page.locator("link[rel=stylesheet]").get_attribute("href")
        assert stylesheet.startswith("/static/css/site.") and stylesheet != "/static/css/site.css"

        header = page.locator("th.benchmark", has_text="AI Index composite score")
        assert header.get_attribute("aria-sort") is None
        header.locator("a").click()
        page.wait_for_url("**/?sort=benchmark-ai-index")
        assert names() == ["Nemotron 3 Super", "GPT-OSS (largest version)"]
        assert header.get_attribute("aria-sort") == "descending"  # best first: 37, then 33

        # The same header, by keyboard: focus its link and press Enter.
        header.locator("a").focus()
        page.keyboard.press("Enter")
        page.wait_for_url("**/?sort=-benchmark-ai-index")
        assert names() == ["GPT-OSS (largest version)", "Nemotron 3 Super"]
        assert header.get_attribute("aria-sort") == "ascending"
        page.screenshot(path=str(ARTIFACTS / "leaderboard.png"), full_page=True)

        page.locator("td.model a", has_text="Nemotron 3 Super").click()
        page.wait_for_url("**/models/nemotron-3-super/")
        assert page.locator("h1").inner_text() == "Nemotron 3 Super"
        assert "128,000,000,000" in page.content()
        page.screenshot(path=str(ARTIFACTS / "model.png"), full_page=True)

        # At phone width the page itself does not scroll sideways: the table does.
        page.set_viewport_size({"width": 375, "height": 800})
        page.goto(served_site + "/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.screenshot(path=str(ARTIFACTS / "leaderboard-375.png"), full_page=True)

        browser.close()
    assert failed == []
    assert errors == []
    assert outside == []


def test_static_files_are_hashed_compressed_and_cached_for_ever(served_site):
    from urllib.request import Request, urlopen

    with urlopen(served_site + "/") as response:
        page = response.read().decode()
    stylesheet = page.split('rel="stylesheet" href="')[1].split('"')[0]
    request = Request(served_site + stylesheet, headers={"Accept-Encoding": "gzip"})
    with urlopen(request) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert "immutable" in response.headers["Cache-Control"]


CONTRAST = """
() => {
  const luminance = (color) => {
    const [r, g, b] = color.match(/[\\d.]+/g).slice(0, 3).map(Number).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const background = (element) => {
    for (let e = element; e; e = e.parentElement) {
      const color = getComputedStyle(e).backgroundColor;
      if (color !== "rgba(0, 0, 0, 0)") return color;
    }
    return "rgb(255, 255, 255)";
  };
  const found = {};
  for (const selector of ["main p", "a", ".not-reported", ".rule", "thead th a",
                          ".claim", ".site-footer p", "tbody tr:nth-child(2) td"]) {
    const element = document.querySelector(selector);
    if (element) found[selector] = ratio(getComputedStyle(element).color, background(element));
  }
  return found;
}
"""


def test_text_contrast_in_light_and_dark_and_pages_work_without_javascript(served_site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for scheme in ["light", "dark"]:
            page = browser.new_page(color_scheme=scheme)
            page.goto(served_site + "/")
            ratios = page.evaluate(CONTRAST)
            assert len(ratios) == 8, ratios
            # WCAG AA for normal text.
            assert all(value >= 4.5 for value in ratios.values()), (scheme, ratios)
            page.close()

        page = browser.new_page(java_script_enabled=False)
        page.goto(served_site + "/")
        page.locator("th.benchmark a", has_text="AI Index composite score").click()
        page.wait_for_url("**/?sort=benchmark-ai-index")
        page.locator("th.benchmark a", has_text="AI Index composite score").click()
        page.wait_for_url("**/?sort=-benchmark-ai-index")
        assert page.locator("td.model a").all_inner_texts()[0] == "GPT-OSS (largest version)"
        page.get_by_label("Name or alias").fill("largest")
        page.get_by_role("button", name="Apply").click()
        assert page.locator("td.model a").all_inner_texts() == ["GPT-OSS (largest version)"]
        browser.close()
