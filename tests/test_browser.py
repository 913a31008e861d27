"""The site in a real browser: Debian's Chromium, driven by Playwright, against the
site served the way `make run` serves it (gunicorn and whitenoise over SQLite)."""

import os
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import urlopen
from xml.etree import ElementTree

import pytest
from django.conf import settings

from .support import free_port

pytestmark = pytest.mark.slow

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


@contextmanager
def serving(directory, loads):
    """A fresh SQLite database in ``directory``, filled by the management commands
    ``loads``, served by gunicorn as in production: yields the site's address."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{directory / 'site.sqlite3'}",
        "DJANGO_SECRET_KEY": "browser-test-key",
        "DJANGO_DEBUG": "0",
        # Its own static files: servers of test modules run at once (pytest -n) would
        # otherwise write one folder together.
        "DJANGO_STATIC_ROOT": str(directory / "static"),
        "DJANGO_DOWNLOADS_DIR": str(directory / "downloads"),
    }
    manage = [sys.executable, "manage.py"]
    for args in (
        ["migrate", "--noinput", "-v0"],
        *loads,
        ["collectstatic", "--noinput", "-v0"],
    ):
        subprocess.run(manage + args, cwd=settings.BASE_DIR, env=env, check=True, timeout=600)
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
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def served_site(tmp_path_factory):
    """A fresh SQLite database holding the article, served by gunicorn."""
    with serving(tmp_path_factory.mktemp("site"), [["loaddata", "article", "-v0"]]) as site:
        yield site


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
        header.locator("a:not(.about)").click()
        page.wait_for_url("**/?sort=benchmark-ai-index")
        assert names() == ["Nemotron 3 Super", "GPT-OSS (largest version)"]
        assert header.get_attribute("aria-sort") == "descending"  # best first: 37, then 33

        # The same header, by keyboard: focus its link and press Enter.
        header.locator("a:not(.about)").focus()
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


def test_sorting_and_filtering_work_without_javascript(served_site):
    """Sorting is a link and filtering a form: both work with JavaScript off. (Text
    contrast, in both themes, is checked on every page by
    test_every_page_at_phone_and_desktop_width_in_light_and_dark.)"""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
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


# Every visible piece of text on the page (each element holding a text node that is not
# just whitespace, up to `limit` of them): its colour against the background it is
# actually drawn on, found by walking up its ancestors and blending any translucent
# backgrounds, as WCAG AA asks (4.5:1, or 3:1 for large text: 24px, or 18.66px bold).
TEXT_CONTRAST = """
(limit) => {
  const parse = (color) => {
    const match = /^rgba?\\(([^)]+)\\)$/.exec(color.trim());
    if (!match) return null;
    const parts = match[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  };
  const over = (top, bottom) => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3]));
  const luminance = (rgb) => {
    const [r, g, b] = rgb.map((v) => {
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
    const layers = [];
    for (let e = element; e; e = e.parentElement) {
      const color = parse(getComputedStyle(e).backgroundColor);
      if (color && color[3] > 0) {
        layers.push(color);
        if (color[3] >= 1) break;
      }
    }
    let rgb = [255, 255, 255];
    for (const layer of layers.reverse()) rgb = over(layer, rgb);
    return rgb;
  };
  // Hidden from sight but not from screen readers (.visually-hidden, a thead clipped
  // away): not text anyone reads on screen.
  const clippedAway = (element) => {
    for (let e = element; e && e !== document.body; e = e.parentElement) {
      const style = getComputedStyle(e);
      const box = e.getBoundingClientRect();
      if (style.clip === "rect(0px, 0px, 0px, 0px)") return true;
      if (style.overflow !== "visible" && (box.width <= 1 || box.height <= 1)) return true;
    }
    return false;
  };
  const describe = (element) => {
    const parts = [];
    for (let e = element; e && e !== document.body && parts.length < 4; e = e.parentElement) {
      let part = e.tagName.toLowerCase();
      if (e.id) part += "#" + e.id;
      const classes = e.getAttribute("class");
      if (classes && classes.trim()) part += "." + classes.trim().split(/\\s+/).join(".");
      parts.unshift(part);
    }
    return parts.join(" > ");
  };
  const seen = new Set();
  const failures = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node && seen.size < limit; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!node.nodeValue.trim() || !element || seen.has(element)) continue;
    if (element.closest("script, style, noscript, template, :disabled")) continue;
    if (!element.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    if (box.width < 2 || box.height < 2 || box.right <= 0 || box.bottom <= 0) continue;
    if (clippedAway(element)) continue;
    seen.add(element);
    const style = getComputedStyle(element);
    const paint = element instanceof SVGElement ? style.fill : style.color;
    const foreground = parse(paint);
    const behind = background(element);
    if (!foreground) {
      failures.push({selector: describe(element), text: node.nodeValue.trim().slice(0, 40),
                     problem: "unreadable colour " + paint});
      continue;
    }
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    const needed = large ? 3 : 4.5;
    const value = ratio(over(foreground, behind), behind);
    if (value < needed) {
      failures.push({
        selector: describe(element), text: node.nodeValue.trim().slice(0, 40),
        ratio: Math.round(value * 100) / 100, needed,
        color: paint, background: "rgb(" + behind.map(Math.round).join(", ") + ")",
      });
    }
  }
  return {checked: seen.size, failures};
}
"""

# What sticks out past the right edge of the window, outermost first, ignoring what a
# box that scrolls (or clips) sideways keeps inside itself.
OVERFLOWING = """
() => {
  const width = window.innerWidth;
  const found = [];
  const visit = (element) => {
    if (found.length >= 5) return;
    const box = element.getBoundingClientRect();
    if (box.right > width + 0.5) {
      const classes = (element.getAttribute("class") || "").trim().split(/\\s+/).join(".");
      found.push(`${element.tagName.toLowerCase()}${classes ? "." + classes : ""}`
                 + ` [${Math.round(box.left)}, ${Math.round(box.right)}]`);
    }
    const scrolls = getComputedStyle(element).overflowX !== "visible";
    if (scrolls && element !== document.body) return;
    for (const child of element.children) visit(child);
  };
  visit(document.body);
  return found;
}
"""

# Text that cannot be read where it stands: outside the window, or cut off by a box that
# scrolls or clips (text in table cells aside: a wide table scrolls in its box by design);
# and table cells whose content is wider than the cell, so it runs under its neighbour.
TEXT_CUT_OFF = """
() => {
  const found = [];
  const clips = (e) => getComputedStyle(e).overflowX !== "visible";
  // Out of sight on purpose: .visually-hidden text, a thead clipped to 1px, the skip link.
  const hidden = (e) => {
    if (!e.checkVisibility({opacityProperty: true, visibilityProperty: true})) return true;
    if (e.closest(".skip-link:not(:focus), script, style, noscript, template")) return true;
    for (let x = e; x && x !== document.body; x = x.parentElement) {
      const frame = x.getBoundingClientRect();
      if (clips(x) && (frame.width <= 1 || frame.height <= 1)) return true;
    }
    return false;
  };
  const name = (e) => {
    const classes = (e.getAttribute("class") || "").trim().split(/\\s+/).join(".");
    return e.tagName.toLowerCase() + (classes ? "." + classes : "");
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node && found.length < 10; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!node.nodeValue.trim() || !element || element.closest("td, th")) continue;
    if (hidden(element)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    if (box.width < 2 || box.height < 2) continue;
    let [left, right] = [0, window.innerWidth];
    for (let e = element.parentElement; e && e !== document.body; e = e.parentElement) {
      if (!clips(e)) continue;
      const frame = e.getBoundingClientRect();
      [left, right] = [Math.max(left, frame.left), Math.min(right, frame.right)];
    }
    if (box.left < left - 1 || box.right > right + 1)
      found.push(`${name(element)} "${node.nodeValue.trim().slice(0, 40)}" spans `
                 + `[${Math.round(box.left)}, ${Math.round(box.right)}], `
                 + `shown [${Math.round(left)}, ${Math.round(right)}]`);
  }
  for (const cell of document.querySelectorAll("td, th")) {
    if (found.length >= 20) break;
    if (hidden(cell)) continue;
    if (cell.scrollWidth > cell.clientWidth + 1)
      found.push(`${name(cell)} "${cell.textContent.trim().slice(0, 40)}" needs `
                 + `${cell.scrollWidth}px, has ${cell.clientWidth}px`);
  }
  return found;
}
"""


# Each th.benchmark of the leaderboard and the score cells under it, by column index:
# anything that lies outside the window, or is cut off by the box the table scrolls in.
BENCHMARK_COLUMNS_OFF_SCREEN = """
() => {
  const table = document.querySelector("table.leaderboard");
  const clip = table.closest(".table-wrap, .table-container") || document.documentElement;
  const right = Math.min(window.innerWidth, clip.getBoundingClientRect().right);
  const headers = [...table.querySelectorAll("thead th.benchmark")];
  const off = [];
  const check = (cell, label) => {
    const box = cell.getBoundingClientRect();
    if (box.left < 0 || box.right > right + 0.5)
      off.push(`${label} [${Math.round(box.left)}, ${Math.round(box.right)}] > ${right}`);
  };
  for (const header of headers) {
    check(header, "th " + header.textContent.trim());
    for (const row of table.tBodies[0].rows)
      check(row.cells[header.cellIndex], `td under ${header.textContent.trim()}`);
  }
  return {headers: headers.length, off};
}
"""


def public_pages(site):
    """Every page the sitemap lists, moved to `site`, named for its screenshot; then a
    comparison (if the site has one) and the 404 page: (name, URL, expected status)."""
    from django.urls import Resolver404, resolve

    with urlopen(site + "/sitemap.xml") as response:
        locations = [
            element.text.strip()
            for element in ElementTree.parse(response).iter()
            if element.tag.endswith("}loc")
        ]
    # Without django.contrib.sites the sitemap names the host the request came to; keep
    # the path only, so the pages are loaded from the test's server whatever it says.
    pages = []
    for location in locations:
        parts = urlsplit(location)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        pages.append((parts.path.strip("/").replace("/", "-") or "home", site + path, 200))
    assert len(pages) >= 5 and pages[0][0] == "home", locations
    try:
        resolve("/compare/")
    except Resolver404:
        pass
    else:
        pages.append(
            ("compare", site + "/compare/?models=nemotron-3-super&models=gpt-oss-largest", 200)
        )
    pages.append(("not-found", site + "/no-such-page/", 404))
    return pages


def test_every_page_at_phone_and_desktop_width_in_light_and_dark(served_site):
    """Each public page, at 1280 and 375 pixels wide, light and dark: the page never
    scrolls sideways, no text is cut off, its text passes WCAG AA contrast, everything
    it loads comes from this machine without errors, and on the home page at 1280 every
    benchmark column is in view. A screenshot of each goes to test-artifacts/."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    pages = public_pages(served_site)
    problems = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for width, height in [(1280, 900), (375, 800)]:
            for scheme in ["light", "dark"]:
                page = browser.new_page(
                    viewport={"width": width, "height": height}, color_scheme=scheme
                )
                now = {"url": "", "status": 200}

                def report(what, now=now, width=width, scheme=scheme):
                    problems.append(f"{now['url']} at {width} {scheme}: {what}")

                def on_console(message, now=now, report=report):
                    # Chromium logs the 404 page's own status as an error: that is expected.
                    expected = now["status"] == 404 and message.location.get("url") == now["url"]
                    if message.type == "error" and not expected:
                        report(f"console error {message.text!r}")

                def on_response(response, now=now, report=report):
                    if response.status >= 400 and response.url != now["url"]:
                        report(f"{response.status} for {response.url}")

                def on_request(request, report=report):
                    # data: and blob: URLs are made in the page, not fetched from anywhere.
                    if request.url.startswith(("data:", "blob:")):
                        return
                    if urlsplit(request.url).hostname != "127.0.0.1":
                        report(f"fetched from outside: {request.url}")

                page.on("console", on_console)
                page.on("pageerror", lambda error, report=report: report(f"page error {error}"))
                page.on("response", on_response)
                page.on("request", on_request)

                for name, url, status in pages:
                    now.update(url=url, status=status)
                    response = page.goto(url)
                    if response.status != status:
                        report(f"status {response.status}, not {status}")
                    page.screenshot(
                        path=str(ARTIFACTS / f"{name}-{width}-{scheme}.png"), full_page=True
                    )
                    if page.evaluate("document.documentElement.scrollWidth") > width:
                        report(f"page scrolls sideways: {page.evaluate(OVERFLOWING)}")
                    for text in page.evaluate(TEXT_CUT_OFF):
                        report(f"text cut off: {text}")
                    contrast = page.evaluate(TEXT_CONTRAST, 400)
                    if contrast["checked"] == 0:
                        report("no visible text found to check contrast")
                    for failure in contrast["failures"]:
                        report(f"low contrast {failure}")
                    if name == "home" and width == 1280:
                        columns = page.evaluate(BENCHMARK_COLUMNS_OFF_SCREEN)
                        if columns["headers"] == 0:
                            report("no th.benchmark on the home page")
                        for cell in columns["off"]:
                            report(f"benchmark column off screen: {cell}")
                page.close()
        browser.close()
    assert problems == [], "\n".join(problems)
