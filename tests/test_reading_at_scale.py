"""How the leaderboard reads once it holds many models and benchmarks: the sorted
column in view, a compact claim mark with a legend, the pager outside the table's
scroll box, summary tiles that stay small."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse

from leaderboard.models import Provenance
from leaderboard.tables.columns import benchmark_key

from .factories import make_benchmark, make_model, make_organization, make_result


def header_keys(page):
    """The ``?sort=`` keys of the table's headers, in order."""
    head = page[page.index("<thead>") : page.index("</thead>")]
    return [key.removeprefix("-") for key in re.findall(r'<a href="\?sort=([^"&]+)', head)]


@pytest.fixture
def eight(db):
    benchmarks = [make_benchmark(name=f"Bench {i}", featured=True) for i in range(8)]
    for n in range(3):
        model = make_model(name=f"Model {n}", total_parameters=(n + 1) * 10**9)
        for benchmark in benchmarks:
            make_result(model=model, benchmark=benchmark, value=10 + n)
    return benchmarks


def test_the_sorted_benchmark_comes_right_after_the_model(client, eight):
    last = eight[-1]
    keys = header_keys(
        client.get(reverse("index"), {"sort": benchmark_key(last)}).content.decode()
    )
    assert keys[:3] == ["rank", "name", benchmark_key(last)]
    # Unsorted, the columns keep their order.
    keys = header_keys(client.get(reverse("index")).content.decode())
    assert keys[2:4] == [benchmark_key(eight[0]), benchmark_key(eight[1])]


def test_a_sorted_fact_comes_right_after_the_model(client, eight):
    page = client.get(reverse("index"), {"sort": "-total_parameters"}).content.decode()
    assert header_keys(page)[:3] == ["rank", "name", "total_parameters"]


class Ancestry(HTMLParser):
    """The classes of the elements open around each tag's first occurrence."""

    VOID = {"br", "input", "img", "meta", "link", "hr", "col", "source", "wbr"}

    def __init__(self):
        super().__init__()
        self.open, self.found = [], {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        key = attrs.get("aria-label") or tag
        self.found.setdefault(key, [a for _, a in self.open])
        if tag not in self.VOID:
            self.open.append((tag, attrs.get("class") or ""))

    def handle_endtag(self, tag):
        while self.open:
            if self.open.pop()[0] == tag:
                break


def test_the_pager_is_in_the_page_not_the_tables_scroll_box(client, db):
    benchmark = make_benchmark(featured=True)
    for n in range(30):
        make_result(model=make_model(name=f"Paged {n:02d}"), benchmark=benchmark, value=n)
    for url in (reverse("index"), benchmark.get_absolute_url()):
        parser = Ancestry()
        parser.feed(client.get(url, {"per_page": 10}).content.decode())
        assert "Pages" in parser.found, url
        assert "table-wrap" not in parser.found["Pages"], url


def test_a_claim_is_marked_compactly_with_its_claimer_on_hover_and_a_legend(client, db):
    vendor = make_organization(name="A Vendor With A Long Name")
    benchmark = make_benchmark(name="Claimed Bench", featured=True)
    make_result(
        model=make_model(name="Claimed"),
        benchmark=benchmark,
        value=70,
        claimed_by=vendor,
        provenance=Provenance.VENDOR_CLAIM,
    )
    page = client.get(reverse("index")).content.decode()
    body = page[page.index("<tbody>") : page.index("</tbody>")]
    badges = re.findall(r'<small class="claim" title="([^"]*)">(.*?)</small>', body)
    # The figure's badge (the Rank cell's says "claimed").
    ((title, text),) = [badge for badge in badges if badge[1].endswith(">claim")]
    assert title.startswith("A Vendor With A Long Name’s claim. Source: ")
    # Seen: "claim"; read out: whose claim it is.
    assert text == '<span class="visually-hidden">A Vendor With A Long Name’s </span>claim'
    legend = page[page.index("</table>") :]
    assert "marks a figure a vendor claims rather than one measured independently" in legend


def test_the_browser_finds_the_icon_where_it_looks_first(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == static("favicon.svg")
    assert finders.find("favicon.svg")  # the file every page links, shipped with the site


def test_the_model_page_leads_with_results_and_writes_counts_as_the_table(client, article):
    page = client.get("/models/nemotron-3-super/").content.decode()
    assert page.index("<h2>Results</h2>") < page.index("<h2>Facts</h2>")
    facts = page[page.index("<h2>Facts</h2>") :]
    assert '<span title="128,000,000,000">128B</span>' in facts
    # The model's own name heads the page: no "uncited" row for it.
    assert '<th scope="row">Name</th>' not in facts


def test_the_tie_mark_is_explained_only_where_a_page_shows_one(client, db):
    benchmark = make_benchmark(name="Bench T", featured=True)
    explained = "is statistically tied with the results from #1"
    for name, value in [("Plain A", 50), ("Plain B", 49)]:
        make_result(model=make_model(name=name), benchmark=benchmark, value=value)
    for url in (reverse("index"), benchmark.get_absolute_url()):
        assert explained not in client.get(url).content.decode(), url
    make_result(
        model=make_model(name="Close"),
        benchmark=benchmark,
        value=48,
        stderr=2,
        quote="Close scored 48 ± 2 on Bench T.",
    )
    for url in (reverse("index"), benchmark.get_absolute_url()):
        page = client.get(url).content.decode()
        assert "≈ #1" in page and explained in page, url


def test_the_sort_mark_is_on_the_sorted_header_alone_and_not_in_its_about_link(client, eight):
    page = client.get(reverse("index"), {"sort": benchmark_key(eight[2])}).content.decode()
    head = page[page.index("<thead>") : page.index("</thead>")]
    headers = re.findall(r"<th [^>]*>(.*?)</th>", head, re.S)
    marked = [h for h in headers if "sort-mark" in h]
    assert len(marked) == 1 and "Bench 2" in marked[0]
    # The mark sits in the sort link, before the direction in words; the about link
    # ("i") holds neither.
    link, about = re.match(
        r'<a href="[^"]*">(.*?)</a> <a class="about"[^>]*>(.*?)</a>', marked[0]
    ).groups()
    assert link.index("sort-mark") < link.index('class="direction"')
    assert about == "i"


def test_the_rank_header_carries_no_direction_note(client, eight):
    page = client.get(reverse("index")).content.decode()
    head = page[page.index("<thead>") : page.index("</thead>")]
    rank = re.search(r'<th [^>]*><a href="\?sort=-?rank">(.*?)</a>', head).group(1)
    assert "direction" not in rank
