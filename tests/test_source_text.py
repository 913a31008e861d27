"""Every source can be read: its kept text on its page with each quoted passage
marked, each figure on the site linking to its passage, and sources without text
shown as such, their quotes as unverified."""

import re

import pytest
from django.urls import reverse

from leaderboard.models import Result, Source

from .factories import make_result, make_source

pytestmark = pytest.mark.django_db

ARTICLE = "gate-nvidia-enters-the-ai-large-model-race"


def test_source_page_marks_every_quoted_passage(client, article):
    source = Source.objects.get(slug=ARTICLE)
    page = client.get(source.get_absolute_url()).content.decode()
    assert page.count('class="anchor"') == (
        source.results.count() + source.modelcitations.count() + source.benchmarkcitations.count()
    )
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
    assert f'href="/sources/{ARTICLE}/#result-{result.pk}"' in model_page
    source_page = client.get(result.source.get_absolute_url()).content.decode()
    assert f'id="result-{result.pk}"' in source_page
    anchor_at = source_page.index(f'id="result-{result.pk}"')
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
    from .factories import make_benchmark, make_model

    result = make_result(
        source=source,
        model=make_model(name="Alpha"),
        benchmark=make_benchmark(name="Bench"),
        value=5,
        quote="Alpha scored 5 on Bench.",
    )
    page = client.get(reverse("source", args=[source.slug])).content.decode()
    assert f'<span id="result-{result.pk}" class="anchor"></span><mark' in page
    assert "kept here, below" in page
