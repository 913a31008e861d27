"""How a result reads (``leaderboard.reading.presentation``): one wording and one
rounding on every page, export, chart and feed."""

from decimal import Decimal

from django.template import Context, Template
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from hypothesis import given
from hypothesis import strategies as st

from leaderboard.models import Provenance
from leaderboard.reading.presentation import (
    claim_badge,
    claim_text,
    escape_text,
    figure_html,
    format_number,
    html_of,
    json_number,
    not_ranked_mark,
    short_count,
    whose,
    whose_html,
)
from tests.factories import make_benchmark, make_model, make_organization, make_result


@given(st.one_of(st.text(), st.integers(), st.decimals(allow_nan=False)))
def test_escape_text_escapes_as_django_does(text):
    """Pages build their HTML with ``escape_text``, not Django's ``escape``: the same
    text for anything (quotes, ampersands, angle brackets, numbers), so a Django
    upgrade that escapes otherwise fails here."""
    assert escape_text(text) == escape(text)
    assert html_of(text) == conditional_escape(text)


@given(st.text(), st.text(), st.lists(st.text(), max_size=3))
def test_a_cells_marks_escape_what_they_are_given(claimer, source_title, differences):
    """A cell's claim badge and not-ranked mark are built with f-strings: they escape
    a claimer's name, a source's title and what differs as ``format_html`` does, and
    come marked safe."""
    badge = claim_badge(True, claimer, source_title)
    assert badge == format_html(
        ' <small class="claim" title="{}. Source: {}">'
        '<span class="visually-hidden">{}’s </span>claim</small>',
        whose(True, claimer),
        source_title,
        claimer,
    )
    mark = not_ranked_mark(differences)
    why = "; ".join(differences) or "measured otherwise than the benchmark ranks"
    assert mark == format_html(
        ' <small class="differs" title="Not ranked: {}. It has no place among the '
        'results measured as the benchmark ranks">not ranked</small>',
        why,
    )
    assert hasattr(badge, "__html__") and hasattr(mark, "__html__")


def test_html_of_keeps_what_is_marked_safe():
    cell = mark_safe('<a href="/models/x/">X &amp; Y</a>')
    assert html_of(cell) == cell == conditional_escape(cell)
    assert html_of('<b>"X" & Y</b>') == "&lt;b&gt;&quot;X&quot; &amp; Y&lt;/b&gt;"


def test_format_number_drops_trailing_zeros_only():
    assert format_number(Decimal("37.000000")) == "37"
    assert format_number(Decimal("37.500000")) == "37.5"
    assert format_number(Decimal("100")) == "100"
    assert format_number(Decimal("0.000100")) == "0.0001"
    assert format_number(None) == ""


def test_short_count_rounds_in_decimal():
    assert short_count(128_000_000_000) == "128B"
    assert short_count(131_072) == "131.1K"
    assert short_count(1_000_000) == "1M"
    assert short_count(12_345_678_901_234) == "12.3T"
    assert short_count(999) == "999"


def test_json_number_keeps_whole_numbers_whole_and_the_digits_stored():
    assert json_number(Decimal("37.000000")) == 37 and isinstance(json_number(Decimal(37)), int)
    assert json_number(Decimal("82.085242")) == 82.085242
    assert json_number(None) is None


def test_whose_says_a_claim_one_way_with_one_apostrophe():
    assert whose(True, "NVIDIA") == "NVIDIA’s claim"
    assert whose(True, None) == "A vendor’s claim"
    assert whose(False, "NVIDIA") == "Independently measured"
    assert whose(False, None, short=True) == "independent"


def test_whose_html_isolates_the_claimers_name_and_escapes_it():
    html = str(whose_html(True, "<b>Acme\u202e</b>"))
    assert html == (
        '<span class="claim" dir="ltr"><bdi>&lt;b&gt;Acme\u202e&lt;/b&gt;</bdi>’s claim</span>'
    )
    assert "Independently measured" in whose_html(False, "Acme")


def test_claim_text_of_an_export_says_whose_and_the_source():
    text = claim_text(True, "NVIDIA", "The article")
    assert text == "NVIDIA’s claim; The article"
    assert claim_text(False, None, "A paper") == "independent; A paper"


def test_figure_html_links_the_rounded_figure_to_its_passage_and_escapes():
    html = str(figure_html("82.09", "± 0.38", '/sources/x/#"q'))
    assert html == (
        '<a class="figure" href="/sources/x/#&quot;q" title="Where the source states it">'
        '82.09</a> <small class="uncertainty">± 0.38</small>'
    )
    assert str(figure_html("37", "")) == "37"


def test_claim_badge_is_compact_and_names_whose_claim_to_a_screen_reader():
    assert claim_badge(False, "NVIDIA", "A source") == ""
    badge = str(claim_badge(True, "NVIDIA", "The article"))
    assert 'title="NVIDIA’s claim. Source: The article"' in badge
    assert '<span class="visually-hidden">NVIDIA’s </span>claim</small>' in badge


def test_template_tags_write_a_result_as_the_tables_do(db):
    vendor = make_organization(name="Acme")
    result = make_result(
        model=make_model(name="Rho"),
        benchmark=make_benchmark(name="Bench R"),
        quote="Acme claims Rho scored 82.085242 ± 0.382692 on Bench R.",
        value=Decimal("82.085242"),
        stderr=Decimal("0.382692"),
        provenance=Provenance.VENDOR_CLAIM,
        claimed_by=vendor,
    )
    page = Template("{% load reading %}{% figure result %}|{% whose result %}").render(
        Context({"result": result})
    )
    assert page == (
        '82.09 <small class="uncertainty">± 0.38</small>|'
        '<span class="claim" dir="ltr"><bdi>Acme</bdi>’s claim</span>'
    )
