"""Pages show a figure to the precision its uncertainty supports (the standard error,
else half the confidence interval, to 2 significant figures, the value to the same
place); exports, the API and the admin keep the stored figure."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from leaderboard.reading.headline_rows import HeadlineCell
from leaderboard.reading.presentation import shown_figures
from tests.factories import make_benchmark, make_model, make_result


def shown(value, stderr=None, ci=None):
    """``shown_figures`` of plain numbers, as stored (six decimals)."""

    def stored(number):
        return None if number is None else Decimal(str(number)).quantize(Decimal("0.000001"))

    low, high = ci or (None, None)
    return shown_figures(stored(value), stored(stderr), stored(low), stored(high))


def test_the_value_is_rounded_to_the_place_of_two_figures_of_the_stderr():
    assert shown("82.085242", "0.382692") == ("82.09", "± 0.38")
    assert shown("62.201365", "1.416966") == ("62.2", "± 1.4")


def test_zeros_the_rounding_implies_are_kept():
    assert shown("0.5", "0.12") == ("0.50", "± 0.12")
    assert shown("37", "0.1") == ("37.00", "± 0.10")


def test_a_figure_without_uncertainty_shows_as_stored():
    assert shown("37") == ("37", "")
    assert shown("82.085242") == ("82.085242", "")
    # A standard error of 0 supports every stored digit.
    assert shown("82.085242", "0") == ("82.085242", "± 0")


def test_an_interval_alone_is_rounded_to_two_figures_of_its_half_width():
    # Half of 67.877 - 63.123 is 2.377: 2.4, to one decimal.
    assert shown("65.512345", ci=("63.123", "67.877")) == ("65.5", "[63.1, 67.9]")
    # Half of 0.5 is 0.25: two decimals; half of 0.04 is 0.020: three.
    assert shown("0.71", ci=("0.46", "0.96")) == ("0.71", "[0.46, 0.96]")
    assert shown("0.71", ci=("0.69", "0.73")) == ("0.710", "[0.690, 0.730]")


def test_an_interval_beside_a_stderr_is_rounded_as_the_value():
    assert shown("82.085242", "0.382692", ("81.335", "82.835")) == (
        "82.09",
        "± 0.38 [81.34, 82.84]",
    )


def test_a_large_stderr_rounds_the_value_coarsely():
    assert shown("12.345678", "5.1") == ("12.3", "± 5.1")
    assert shown("12.345678", "51") == ("12", "± 51")
    assert shown("12.345678", "510") == ("10", "± 510")


def test_a_tiny_stderr_never_shows_more_digits_than_are_stored():
    assert shown("12.345678", "0.000012") == ("12.345678", "± 0.000012")
    # Two figures of 0.000001 would need a seventh decimal: six are stored.
    assert shown("12.345678", "0.000001") == ("12.345678", "± 0.000001")


def test_rounding_that_carries_keeps_two_figures():
    assert shown("50", "0.996") == ("50.0", "± 1.0")
    assert shown("50", "0.0996") == ("50.00", "± 0.10")


def test_halves_round_up_away_from_zero():
    assert shown("1.125", "0.12") == ("1.13", "± 0.12")
    assert shown("-1.125", "0.12") == ("-1.13", "± 0.12")


def test_negative_values():
    assert shown("-3.14159", "0.5") == ("-3.14", "± 0.50")
    assert shown("-12.345678", "1.416966") == ("-12.3", "± 1.4")
    assert shown("-2.5", ci=("-3.25", "-1.75")) == ("-2.50", "[-3.25, -1.75]")
    # A value that rounds to zero shows no sign.
    assert shown("-0.001", "0.5") == ("0.00", "± 0.50")


def test_no_value_shows_nothing():
    assert shown_figures(None, None, None, None) == ("", "")


@pytest.fixture
def rounded(db):
    benchmark = make_benchmark(name="Bench R", featured=True, higher_is_better=True)
    model = make_model(name="Rho")
    result = make_result(
        model=model,
        benchmark=benchmark,
        value=Decimal("82.085242"),
        stderr=Decimal("0.382692"),
        quote="Rho scored 82.085242 ± 0.382692 on Bench R.",
    )
    return result


def test_a_result_shows_the_rounded_figure_and_keeps_the_stored_one(rounded):
    assert rounded.display_value == "82.09"
    assert rounded.display_uncertainty == "± 0.38"
    assert rounded.stored_figures == "82.085242 ± 0.382692"
    # The admin and its messages name a result by its stored figure.
    assert str(rounded).endswith(": 82.085242")


def test_a_table_cell_borrows_the_rounding(rounded):
    cell = HeadlineCell(
        **{field: None for field in HeadlineCell._fields}
        | {"value": rounded.value, "stderr": rounded.stderr}
    )
    assert (cell.display_value, cell.display_uncertainty) == ("82.09", "± 0.38")


def test_pages_show_rounded_figures(client, rounded):
    model_page = client.get(rounded.model.get_absolute_url()).content.decode()
    assert '82.09 <small class="uncertainty">± 0.38</small>' in model_page
    assert 'title="82.085242 ± 0.382692 as stored' in model_page
    benchmark_page = client.get(rounded.benchmark.get_absolute_url()).content.decode()
    assert '>82.09</a> <small class="uncertainty">± 0.38</small>' in benchmark_page
    table = benchmark_page[benchmark_page.index('<table class="leaderboard"') :]
    table = table[: table.index("</table>")]
    assert "82.09" in table and "82.085242" not in table.replace("82.085242 ± 0.382692 on", "")
    home = client.get(reverse("index")).content.decode()
    assert '<small class="uncertainty">± 0.38</small>' in home


def test_exports_and_the_api_keep_the_stored_figure(client, rounded):
    index = reverse("index")
    data = json.loads(client.get(index, {"_export": "json"}).getvalue())
    exported = data["rows"][0]["results"][rounded.benchmark.slug]
    assert exported["value"] == 82.085242 and exported["stderr"] == 0.382692
    text = client.get(index, {"_export": "csv"}).getvalue().decode("utf-8")
    (row,) = csv.DictReader(io.StringIO(text))
    assert row["Bench R"] == "82.085242"
    api = client.get("/api/results", {"benchmark": rounded.benchmark.slug}).json()
    (item,) = api["items"]
    assert item["value"] == 82.085242 and item["stderr"] == 0.382692


@pytest.mark.django_db
def test_a_value_without_uncertainty_shows_every_stored_digit(client):
    benchmark = make_benchmark(name="Bench Q")
    model = make_model(name="Kappa")
    make_result(
        model=model,
        benchmark=benchmark,
        value=Decimal("61.234567"),
        quote="Kappa scored 61.234567 on Bench Q.",
    )
    page = client.get(model.get_absolute_url()).content.decode()
    assert "61.234567" in page and "as stored" not in page


def test_the_admin_list_shows_the_stored_figures_editors_correct(admin_client):
    make_result(
        value=Decimal("82.085242"),
        stderr=Decimal("0.382692"),
        quote="Model X scored 82.085242 ± 0.382692 on Bench Y.",
        model=make_model(name="Model X"),
        benchmark=make_benchmark(name="Bench Y"),
    )
    page = admin_client.get(reverse("admin:leaderboard_result_changelist")).content.decode()
    assert ">82.085242<" in page and "82.09" not in page


def test_charts_round_as_the_pages_do(client, db):
    benchmark = make_benchmark(name="Bench C")
    make_result(
        value=Decimal("82.085242"),
        stderr=Decimal("0.382692"),
        quote="Model C scored 82.085242 ± 0.382692 on Bench C.",
        model=make_model(name="Model C"),
        benchmark=benchmark,
    )
    page = client.get(benchmark.get_absolute_url()).content.decode()
    svg = page[page.index('<svg class="chart"') : page.index("</svg>")]
    assert "Model C: 82.09 ± 0.38" in svg and "82.085242" not in svg
