"""Every source can be read: its kept text on its page with each quoted passage
marked, each figure on the site linking to its passage, and sources without text
shown as such, their quotes as unverified."""

import hashlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from leaderboard.models import Result, Source
from leaderboard.quotes import normalize_space

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
    assert f'href="/sources/{ARTICLE}/#{result.anchor}"' in model_page
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
    from leaderboard import writes
    from leaderboard.models import AIModel

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
    link = f'<a class="figure" href="/sources/{ARTICLE}/#{result.anchor}"'
    assert link in client.get("/").content.decode()
    assert link in client.get("/benchmarks/ai-index/").content.decode()
    place = Result.objects.get(model__slug="nemotron-3-super", benchmark__slug="pinchbench")
    assert f'#{place.anchor}" title="Where the source states it">#1</a>' in (
        client.get("/benchmarks/pinchbench/").content.decode()
    )


def test_uncited_counts_are_marked_in_the_tables(client, article):
    from leaderboard import writes
    from leaderboard.models import AIModel

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
