from decimal import Decimal

import pytest

from leaderboard.rules.quotes import (
    PLACE,
    VALUE,
    figures_in,
    mentions,
    normalize_space,
    numbers_in,
    ranks_in,
    tied_figures,
)


def test_numbers_in_applies_scale_words_and_separators():
    text = (
        "a total parameter count of 128 billion (with inference activating only 12 billion), "
        "1 million tokens, RMB 178.8 billion, 1,000,000 users, a 550-billion-parameter model"
    )
    assert numbers_in(text) == {
        Decimal("128000000000"),
        Decimal("12000000000"),
        Decimal("1000000"),
        Decimal("178800000000"),
        Decimal("550000000000"),
    }


def test_numbers_in_skips_names_and_reads_signs():
    assert numbers_in("H100 chips and GPT-4 scored -1.5 and 37 points") == {
        Decimal("4"),
        Decimal("-1.5"),
        Decimal("37"),
    }


def test_ranks_in_reads_words_suffixes_and_hashes():
    assert ranks_in("ranked first, then 3rd, then #12, tenth") == {1, 3, 12, 10}
    assert ranks_in("no places here, 37 points") == set()


def test_every_ordinal_word_and_scale_word_has_its_own_value():
    words = "first second third fourth fifth sixth seventh eighth ninth tenth"
    assert sorted(ranks_in(words)) == list(range(1, 11))
    assert ranks_in("Second") == {2} and ranks_in("TENTH") == {10}
    assert numbers_in("5 thousand, 7 million, 2 billion, 3 trillion") == {
        Decimal(5_000),
        Decimal(7_000_000),
        Decimal(2_000_000_000),
        Decimal(3_000_000_000_000),
    }


def test_numbers_with_separators_fractions_and_odd_spacing():
    assert numbers_in("1,250 and 37.25 and 128 Billion") == {
        Decimal(1250),
        Decimal("37.25"),
        Decimal(128_000_000_000),
    }
    assert ranks_in("ranked   #   2") == {2}
    assert ranks_in("# 2 and No. 3 and placed 4 and position number 5") == {2, 3, 4, 5}


def test_a_name_is_named_only_as_a_whole_word():
    assert mentions("Alphabet scored 5", ["Alpha"]) == []
    assert mentions("BetaAlpha scored 5", ["Alpha"]) == []
    assert mentions("alpha  scored", ["ALPHA"]) == [(0, 5)]
    # A name of only spaces names nothing (it would otherwise match everywhere).
    assert mentions("Alpha, scored: 5 .", ["  ", ""]) == []


def test_a_figure_right_after_a_name_is_tied_to_it():
    # The name ends in a sign, so the figure touches it without being inside it.
    assert tied_figures("Model--7", ["Model-"], VALUE) == {Decimal(-7)}
    assert tied_figures("Alpha 3rd", ["Alpha"], PLACE) == {Decimal(3)}
    assert tied_figures("Alpha 3rd", ["Alpha"], VALUE) == set()


def test_the_nearest_figure_counts_characters_on_both_sides():
    text = "12 Alpha, then 9 points"
    assert tied_figures(text, ["Alpha"], VALUE) == {Decimal(12)}
    text = "1 point; then Alpha scored 9"
    assert tied_figures(text, ["Alpha"], VALUE) == {Decimal(9)}


def test_a_number_just_before_a_place_is_still_a_number():
    assert figures_in("5#1") == [((0, 1), VALUE, Decimal(5)), ((1, 3), PLACE, Decimal(1))]


@pytest.mark.parametrize(
    "text",
    [
        "plain words, single spaces",
        "  leading and trailing  ",
        "two  spaces",
        "a\ttab",
        "a line\nbreak",
        "a\r\nwindows break",
        "no\xa0break space",
        "an\u2003em space and\u3000ideographic",
        "a\x1cfile separator",
        "next\x85line",
        "",
    ],
)
def test_normalize_space_skips_the_substitution_only_where_it_changes_nothing(text):
    """normalize_space's fast path (printable text without double spaces is only
    stripped) gives what collapsing every run of whitespace gives."""
    import re

    assert normalize_space(text) == re.sub(r"\s+", " ", text).strip()
