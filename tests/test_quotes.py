from decimal import Decimal

from leaderboard.quotes import format_number, numbers_in, ranks_in, short_count


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
