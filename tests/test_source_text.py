"""Every source can be read: its kept text on its page with each quoted passage
marked (a long text a page at a time, each link to a passage landing on its page),
each figure on the site linking to its passage, and sources without text shown as
such, their quotes as unverified."""

import hashlib
import re
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from leaderboard.models import Result, Source
from leaderboard.reading.passages import TEXT_PAGE_CHARS, TEXT_PAGE_LINES, text_lines
from leaderboard.rules.quotes import normalize_space

from .factories import make_benchmark, make_model, make_result, make_source

pytestmark = pytest.mark.django_db

ARTICLE = "gate-nvidia-enters-the-ai-large-model-race"


def test_source_page_marks_every_quoted_passage(client, article):
    source = Source.objects.get(slug=ARTICLE)
    page = client.get(source.get_absolute_url()).content.decode()
    quotes = {
        normalize_space(q)
        for related in (source.results, source.modelcitations, source.benchmarkcitations)
        for q in related.values_list("quote", flat=True)
    }
    assert page.count('class="anchor"') == len(quotes) == 9
    marked = " ".join(re.findall(r"<mark[^>]*>([^<]*)</mark>", page))
    assert "Nemotron 3 Super ranked first in this test." in marked
    assert "It natively supports a super-long context window of 1 million tokens." in marked
    # Unquoted text is shown, unmarked.
    assert "Abstract generation in progress" in page
    assert "Abstract generation in progress" not in marked
    assert source.text_sha256[:16] in page


def test_each_figure_links_to_its_passage(client, article):
    result = Result.objects.get(model__slug="nemotron-3-super", benchmark__slug="pinchbench")
    model_page = client.get(result.model.get_absolute_url()).content.decode()
    anchor = result.anchor
    assert f'href="/sources/{ARTICLE}/?passage={anchor}#{anchor}"' in model_page
    source_page = client.get(result.source.get_absolute_url()).content.decode()
    anchor_at = source_page.index(f'id="{result.anchor}"')
    following = source_page[anchor_at : anchor_at + 700]
    assert "Nemotron 3 Super participated in a new benchmarking test called PinchBench" in (
        re.sub(r"<[^>]+>", "", following)
    )


def test_a_source_without_text_is_shown_unverified(client):
    source = make_source(title="A forum post")
    result = make_result(source=source, value=5)
    page = client.get(source.get_absolute_url()).content.decode()
    assert "not kept: the quotes below are unverified" in page
    model_page = client.get(result.model.get_absolute_url()).content.decode()
    assert "unverified</span>" in model_page


def test_a_pasted_text_is_kept_and_its_quotes_marked(client):
    source = make_source(kept_text="Intro.\n\nAlpha scored 5 on Bench.\nOutro.")
    result = make_result(
        source=source,
        model=make_model(name="Alpha"),
        benchmark=make_benchmark(name="Bench"),
        value=5,
        quote="Alpha scored 5 on Bench.",
    )
    page = client.get(reverse("source", args=[source.slug])).content.decode()
    assert f'<span id="{result.anchor}" class="anchor"></span><mark' in page
    assert "kept here, below" in page


def source_form(client, source):
    url = reverse("admin:leaderboard_source_change", args=[source.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields if name != "upload"}
    return url, data


def test_an_editor_uploads_a_sources_text_and_its_history_keeps_it(admin_client):
    source = make_source(title="Lab report")
    url, data = source_form(admin_client, source)
    data["upload"] = SimpleUploadedFile("report.txt", b"Alpha scored 5 on Bench.\n")
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    source.refresh_from_db()
    assert source.kept_text == "Alpha scored 5 on Bench.\n"
    assert source.kept_text_sha256 == hashlib.sha256(b"Alpha scored 5 on Bench.\n").hexdigest()
    assert source.history.first().kept_text == "Alpha scored 5 on Bench.\n"

    # A file that is not text is refused, and nothing changes.
    url, data = source_form(admin_client, source)
    data["upload"] = SimpleUploadedFile("x.bin", b"\xff\xfe\x00bad")
    response = admin_client.post(url, data)
    assert "The file is not UTF-8 text" in response.content.decode()
    source.refresh_from_db()
    assert source.kept_text == "Alpha scored 5 on Bench.\n"


def test_a_new_text_that_drops_a_quoted_passage_is_refused_in_the_admin(admin_client):
    source = make_source(kept_text="Alpha scored 5 on Bench.")
    make_result(
        source=source,
        model=make_model(name="Alpha"),
        benchmark=make_benchmark(name="Bench"),
        value=5,
        quote="Alpha scored 5 on Bench.",
    )
    url, data = source_form(admin_client, source)
    data["kept_text"] = "Alpha scored 6 on Bench."
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "This change would break 1 row(s)" in str(response.context["adminform"].form.errors)
    source.refresh_from_db()
    assert source.kept_text == "Alpha scored 5 on Bench."


def test_a_fact_entered_without_a_citation_is_shown_as_uncited(client, article):
    from leaderboard.models import AIModel
    from leaderboard.rules import writes

    gpt = AIModel.objects.get(slug="gpt-oss-largest")
    gpt.total_parameters = 120_000_000_000
    writes.save(gpt)
    page = client.get(gpt.get_absolute_url()).content.decode()
    row = page[page.index("Total parameters") :]
    row = row[: row.index("</tr>")]
    assert "120,000,000,000" in row and "uncited: no source recorded" in row
    # Nemotron's counts are cited: no such label beside them.
    nemotron = client.get("/models/nemotron-3-super/").content.decode()
    row = nemotron[nemotron.index("Total parameters") :]
    assert "uncited" not in row[: row.index("</tr>")]


@pytest.mark.slow
def test_long_lists_on_source_and_organization_pages_come_in_pages(
    client, django_assert_max_num_queries
):
    source = make_source(title="Big table")
    benchmark = make_benchmark(name="Bench")
    vendor = make_model().organization
    for _ in range(230):
        make_result(
            source=source,
            benchmark=benchmark,
            value=5,
            provenance="vendor_claim",
            claimed_by=vendor,
        )
    with django_assert_max_num_queries(12):
        page = client.get(source.get_absolute_url()).content.decode()
    assert page.count("<blockquote") == 100
    assert "1–100 of 230" in page and 'href="?results=2" rel="next"' in page
    last = client.get(source.get_absolute_url(), {"results": "3"}).content.decode()
    assert last.count("<blockquote") == 30 and "201–230 of 230" in last
    for bad in ["0", "-1", "x", "99999999999999999999"]:
        response = client.get(source.get_absolute_url(), {"results": bad})
        assert response.status_code == 200
    with django_assert_max_num_queries(12):
        claims = client.get(vendor.get_absolute_url(), {"claims": "2"}).content.decode()
    assert "101–200 of 230" in claims


def test_every_score_in_the_tables_links_to_its_passage(client, article):
    result = Result.objects.get(model__slug="nemotron-3-super", benchmark__slug="ai-index")
    anchor = result.anchor
    link = f'<a class="figure" href="/sources/{ARTICLE}/?passage={anchor}#{anchor}"'
    assert link in client.get("/").content.decode()
    assert link in client.get("/benchmarks/ai-index/").content.decode()
    place = Result.objects.get(model__slug="nemotron-3-super", benchmark__slug="pinchbench")
    assert f'#{place.anchor}" title="Where the source states it">#1</a>' in (
        client.get("/benchmarks/pinchbench/").content.decode()
    )


def test_uncited_counts_are_marked_in_the_tables(client, article):
    from leaderboard.models import AIModel
    from leaderboard.rules import writes

    gpt = AIModel.objects.get(slug="gpt-oss-largest")
    gpt.active_parameters = 5_000_000_000
    writes.save(gpt)
    for page in [client.get("/"), client.get("/benchmarks/ai-index/")]:
        html = page.content.decode()
        html = html[html.index("<tbody") :]
        gpt_row = html[html.index(">GPT-OSS (largest version)<") :]
        gpt_row = gpt_row[: gpt_row.index("</tr>")]
        assert '<span title="5,000,000,000">5B</span> <small class="uncited"' in gpt_row
        nemotron_row = html[html.index(">Nemotron 3 Super<") :]
        nemotron_row = nemotron_row[: nemotron_row.index("</tr>")]
        assert "12B</span>" in nemotron_row and "uncited" not in nemotron_row


# Three and a half pages of TEXT_PAGE_LINES lines.
LONG_TEXT_LINES = 3 * TEXT_PAGE_LINES + TEXT_PAGE_LINES // 2


@pytest.fixture
def long_source():
    """A source whose text runs to four pages, quoted on its first page, across the
    break between the first and second, and far down on the last."""
    lines = [f"Line {n} of the log." for n in range(1, LONG_TEXT_LINES + 1)]
    lines[4] = "Alpha scored 5 on Bench."
    lines[TEXT_PAGE_LINES - 1 : TEXT_PAGE_LINES + 1] = ["Gamma scored 6", "on Bench."]
    lines[3 * TEXT_PAGE_LINES + 200] = "Beta scored 7 on Bench."
    source = make_source(title="A long log", kept_text="\n".join(lines))
    benchmark = make_benchmark(name="Bench")
    results = {
        name: make_result(
            source=source,
            model=make_model(name=name),
            benchmark=benchmark,
            value=value,
            quote=f"{name} scored {value} on Bench.",
        )
        for name, value in [("Alpha", 5), ("Gamma", 6), ("Beta", 7)]
    }
    return source, results


def shown_lines(page):
    return [int(n) for n in re.findall(r"Line (\d+) of the log\.", page)]


def test_a_long_text_is_shown_a_page_of_lines_at_a_time(client, long_source, settings):
    source, _ = long_source
    first = client.get(source.get_absolute_url()).content.decode()
    assert shown_lines(first) == [n for n in range(1, TEXT_PAGE_LINES + 1) if n not in (5, 1000)]
    assert f"Lines 1–1,000 of {LONG_TEXT_LINES:,}, page 1 of 4" in first
    assert 'href="?text=2#text" rel="next"' in first and 'rel="prev"' not in first
    assert len(first.encode()) < settings.PAGE_CACHE_MAX_BYTES  # so the page is cached

    second = client.get(source.get_absolute_url(), {"text": "2"}).content.decode()
    assert shown_lines(second) == list(range(1002, 2 * TEXT_PAGE_LINES + 1))
    assert 'href="?text=1#text" rel="prev"' in second and 'href="?text=3#text"' in second
    last = client.get(source.get_absolute_url(), {"text": "4"}).content.decode()
    assert shown_lines(last)[-1] == LONG_TEXT_LINES and 'rel="next"' not in last


def test_a_page_of_long_lines_stops_at_its_characters(client, settings):
    """A page also ends once it holds TEXT_PAGE_CHARS characters, so a text of long
    lines (a paper's paragraphs) still comes in pages the cache keeps."""
    paragraph = "This paragraph says a great deal about the evaluation. " * 40
    source = make_source(kept_text=f"{paragraph}\n" * 300)  # 300 lines, 660 KB
    page = client.get(source.get_absolute_url()).content.decode()
    per_page = TEXT_PAGE_CHARS // len(f"{paragraph.strip()}\n")  # 45 lines
    assert f"Lines 1–{per_page} of 300, page 1 of 7" in page
    assert page.count(paragraph.strip()) == per_page
    assert len(page.encode()) < settings.PAGE_CACHE_MAX_BYTES


def test_a_link_to_a_passage_far_down_lands_on_its_page_highlighted(client, long_source):
    source, results = long_source
    beta = results["Beta"]
    marked = f'<span id="{beta.anchor}" class="anchor"></span><mark data-quotes="{beta.anchor}">'
    # The site's links to a passage (from a model's page, a table's figure, the API)
    # name it twice: ?passage= for the page of the text holding it, and the anchor.
    address, anchor = beta.passage_url.split("#")
    assert anchor == beta.anchor
    assert address.endswith(f"?passage={anchor}")
    landed = client.get(address).content.decode()
    assert marked + "Beta scored 7 on Bench.</mark>" in landed and "page 4 of 4" in landed
    # A link naming the anchor alone (an old bookmark) lands on the first page, at
    # the passage's entry among those further on, which leads to its page.
    address = address.split("?")[0]
    first = client.get(address).content.decode()
    assert marked not in first
    entry = re.search(
        rf'<span id="{anchor}" class="anchor"></span><mark class="elsewhere"><a href="([^"]+)">'
        rf"“Beta scored 7 on Bench.”, page 4</a>",
        first,
    )
    assert entry and entry[1] == f"?text=4#{anchor}"
    page = client.get(address + entry[1].split("#")[0]).content.decode()
    assert marked + "Beta scored 7 on Bench.</mark>" in page
    assert page.count(f'id="{anchor}"') == 1
    # ?passage= lands there directly; the page's own "in the text" links go there too.
    direct = client.get(address, {"passage": anchor}).content.decode()
    assert marked in direct and "page 4 of 4" in direct
    assert f'href="?text=4#{anchor}">in the text</a>' in first


def test_a_quote_across_a_page_break_is_marked_on_both_pages(client, long_source):
    source, results = long_source
    gamma = results["Gamma"].anchor
    first = client.get(source.get_absolute_url()).content.decode()
    second = client.get(source.get_absolute_url(), {"text": "2"}).content.decode()
    assert f'<span id="{gamma}" class="anchor"></span><mark data-quotes="{gamma}">' in first
    assert f'<mark data-quotes="{gamma}">Gamma scored 6</mark>' in first
    assert f'<p><mark data-quotes="{gamma}">on Bench.</mark></p>' in second
    assert f'id="{gamma}"' not in second  # the anchor stands where the quote begins
    assert f'href="?text=1#{gamma}">in the text</a>' in second


@pytest.mark.parametrize(
    ("asked", "shown"),
    [
        ("x", 1),  # not a number: the first page, as every list's ?page= on the site
        ("", 1),
        ("1.5", 1),
        ("5", 4),  # past the end: the last
        ("99999999999999999999", 4),
        ("0", 4),  # below 1: the last, as Paginator.get_page (the page's lists) does
        ("-1", 4),
    ],
)
def test_a_text_page_out_of_range_shows_a_page_not_an_error(client, long_source, asked, shown):
    source, _ = long_source
    response = client.get(source.get_absolute_url(), {"text": asked})
    assert response.status_code == 200
    assert f"page {shown} of 4" in response.content.decode()


def test_an_unknown_passage_shows_the_first_page(client, long_source):
    source, _ = long_source
    for passage in ["q-000000000000", "", "<script>"]:
        page = client.get(source.get_absolute_url(), {"passage": passage}).content.decode()
        assert "page 1 of 4" in page


def test_a_short_text_is_one_page_as_before(client):
    source = make_source(kept_text="Intro.\nAlpha scored 5 on Bench.\nOutro.")
    result = make_result(
        source=source,
        model=make_model(name="Alpha"),
        benchmark=make_benchmark(name="Bench"),
        value=5,
        quote="Alpha scored 5 on Bench.",
    )
    for query in [{}, {"text": "2"}, {"text": "x"}, {"passage": result.anchor}]:
        page = client.get(source.get_absolute_url(), query).content.decode()
        assert "Pages of the text" not in page and "Quoted passages on later" not in page
        assert f'href="#{result.anchor}">in the text</a>' in page
        assert f'<span id="{result.anchor}" class="anchor"></span><mark' in page
        assert "Intro." in page and "Outro." in page


def test_a_long_sources_pages_cost_a_bounded_number_of_queries(
    client, long_source, django_assert_max_num_queries
):
    source, results = long_source
    for query in [{}, {"text": "3"}, {"passage": results["Beta"].anchor}]:
        with django_assert_max_num_queries(9):
            assert client.get(source.get_absolute_url(), query).status_code == 200


def test_the_text_is_read_line_by_line_as_the_quote_rule_reads_it():
    """``text_lines`` skips collapsing what needs no collapsing; what it gives is still
    each non-blank line as ``normalize_space`` reads it."""
    assert not any(chr(c).isspace() for c in range(0x3001, sys.maxunicode + 1))
    for raw in [
        "a b\nc d\n",
        "a  b\n\n \t\nc\u00a0\u00a0d\r\n\u3000e\u2028f\x1c",
        " lead\ttab \n\x85trail\u202f",
    ]:
        expected = [normalize_space(p) for p in raw.split("\n") if p.strip()]
        assert text_lines(raw) == expected
