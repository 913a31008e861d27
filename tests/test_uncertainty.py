"""A result's standard error or confidence interval: checked against its quote,
shown beside the value, drawn as error bars, and statistical ties in the ranking."""

import json
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leaderboard.models import Result
from leaderboard.rules.ranking import Ranking
from tests.factories import make_benchmark, make_model, make_result, make_source


def measured(benchmark, name, value, stderr=None, ci=None, quote=None, **fields):
    model = make_model(name=name)
    stated = f"{value}" + (f" ± {stderr}" if stderr is not None else "")
    if ci:
        stated += f" (95% CI {ci[0]} to {ci[1]})"
    return make_result(
        model=model,
        benchmark=benchmark,
        value=Decimal(str(value)),
        stderr=None if stderr is None else Decimal(str(stderr)),
        ci_low=None if not ci else Decimal(str(ci[0])),
        ci_high=None if not ci else Decimal(str(ci[1])),
        quote=quote or f"{name} scored {stated} on {benchmark.name}.",
        **fields,
    )


@pytest.mark.django_db
def test_the_quote_must_state_the_uncertainty():
    benchmark = make_benchmark(name="Bench U")
    with pytest.raises(ValidationError, match="does not state the standard error, 1.5"):
        measured(benchmark, "Alpha", 50, stderr=1.5, quote="Alpha scored 50 ± 1.2 on Bench U.")
    with pytest.raises(ValidationError, match="does not state the confidence interval to"):
        measured(benchmark, "Beta", 50, ci=(48, 53), quote="Beta scored 50 (48 to 52) on Bench U.")
    measured(benchmark, "Gamma", 50, stderr=1.2)
    measured(benchmark, "Delta", 50, ci=(48, 52))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields, message",
    [
        ({"value": None, "rank": 1, "stderr": Decimal(1)}, "belongs to a value"),
        ({"stderr": Decimal(-1)}, "not negative"),
        ({"ci_low": Decimal(40)}, "both ends"),
        ({"ci_low": Decimal(51), "ci_high": Decimal(55)}, "does not hold the value 50"),
    ],
)
def test_impossible_uncertainties_are_refused_by_clean(fields, message):
    benchmark = make_benchmark(name="Bench V")
    model = make_model(name="Epsilon")
    result = Result(
        model=model,
        benchmark=benchmark,
        source=make_source(),
        provenance="independent",
        value=Decimal(50),
        quote="Epsilon scored 50 ± -1 (51 to 55) ranked #1 40 on Bench V.",
    )
    for name, value in fields.items():
        setattr(result, name, value)
    with pytest.raises(ValidationError, match=message):
        result.full_clean()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "update",
    [{"stderr": Decimal(-1)}, {"ci_low": Decimal(60), "ci_high": Decimal(70)}, {"ci_low": 1}],
)
def test_the_database_refuses_them_too(update):
    result = measured(make_benchmark(name="Bench W"), "Zeta", 50, stderr=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Result.objects.filter(pk=result.pk).update(**update)


@pytest.mark.django_db
def test_a_fraction_is_stored_as_a_percentage_and_checked_as_stated():
    benchmark = make_benchmark(name="Bench P", unit="%", result_kind="percentage")
    model = make_model(name="Eta")
    quote = '"Bench P": {"acc,none": 0.65612345678, "acc_stderr,none": 0.0048}'
    source = make_source(
        kept_text=f"Results of Eta on Bench P.\n{quote}\n",
        about_model=model,
        about_benchmark=benchmark,
    )
    result = make_result(
        model=model,
        benchmark=benchmark,
        source=source,
        value=Decimal("65.612346"),
        stderr=Decimal("0.48"),
        as_percentage=True,
        quote=quote,
    )
    # Pages round to what the standard error supports; the stored figure is kept.
    assert result.display_value == "65.61" and result.value == Decimal("65.612346")
    # The same figure not converted is not what the quote states.
    result.as_percentage = False
    with pytest.raises(ValidationError, match="does not state 65.612346"):
        result.full_clean()
    result.as_percentage = True
    result.value = Decimal("0.656123")
    with pytest.raises(ValidationError, match=r"0.00656123 \(0.656123 as a percentage\)"):
        result.full_clean()


@pytest.mark.django_db
def test_pages_show_the_uncertainty_beside_the_value(client):
    benchmark = make_benchmark(name="Bench S", featured=True)
    result = measured(benchmark, "Theta", 37, stderr=1.2)
    home = client.get(reverse("index")).content.decode()
    assert '<small class="uncertainty">± 1.2</small>' in home
    model_page = client.get(result.model.get_absolute_url()).content.decode()
    assert '<small class="uncertainty">± 1.2</small>' in model_page
    data = json.loads(client.get(reverse("index"), {"_export": "json"}).getvalue())
    assert data["rows"][0]["results"][benchmark.slug]["stderr"] == 1.2


@pytest.fixture
def close_race(db):
    """Three results on a higher-is-better benchmark: the first two within each
    other's error, the third clear of both."""
    benchmark = make_benchmark(name="Bench T", featured=True)
    measured(benchmark, "First", 50, stderr=1)  # 48.04 to 51.96
    measured(benchmark, "Second", 49, ci=(47, 51))
    measured(benchmark, "Third", 40)  # no uncertainty: the value alone
    return benchmark


def test_statistical_ties_follow_the_intervals(close_race, django_assert_num_queries):
    ranking = Ranking(close_race)
    results = list(ranking.results().order_by("-value"))
    with django_assert_num_queries(2):
        best = ranking.best_places(results)
    by_name = {r.model.name: best[r.pk] for r in results}
    assert by_name == {"First": 1, "Second": 1, "Third": 3}


@pytest.mark.django_db
def test_lower_is_better_ties_and_none_without_uncertainty(django_assert_num_queries):
    benchmark = make_benchmark(name="Bench L", higher_is_better=False)
    measured(benchmark, "Quick", 10, stderr=2)  # 6.08 to 13.92
    measured(benchmark, "Slow", 13)
    measured(benchmark, "Slowest", 30)
    ranking = Ranking(benchmark)
    results = list(ranking.results())
    by_name = {
        r.model.name: p
        for r in results
        for pk, p in ranking.best_places(results).items()
        if pk == r.pk
    }
    assert by_name == {"Quick": 1, "Slow": 1, "Slowest": 3}
    plain = make_benchmark(name="Bench N")
    measured(plain, "Plain", 5)
    ranking = Ranking(plain)
    results = list(ranking.results())
    with django_assert_num_queries(1):
        assert ranking.best_places(results) == {}


def test_rank_column_marks_a_statistical_tie(client, close_race):
    page = client.get(reverse("index")).content.decode()
    cells = re.findall(r'<td class="num rank">(.*?)</td>', page)
    assert cells[0] == "1"
    assert cells[1].startswith("2 ") and "≈ #1" in cells[1]
    assert cells[2] == "3"


def test_charts_draw_error_bars(client, close_race):
    page = client.get(close_race.get_absolute_url()).content.decode()
    svg = page[page.index('<svg class="chart"') : page.index("</svg>")]
    assert svg.count('class="chart-error"') == 2  # Third gives no uncertainty
    # Rounded as pages round: two figures of the uncertainty.
    assert "First: 50.0 ± 1.0" in svg and "Second: 49.0 [47.0, 51.0]" in svg


def test_the_api_ranking_gives_each_results_best_place(client, close_race):
    items = client.get(f"/api/benchmarks/{close_race.slug}/ranking").json()["items"]
    assert [(i["model"]["name"], i["place"], i["best_place"]) for i in items] == [
        ("First", 1, 1),
        ("Second", 2, 1),
        ("Third", 3, 3),
    ]
    assert items[0]["result"]["stderr"] == 1


# best_places counts the test surely_better makes: the two must agree.

FIGURES = st.tuples(
    st.integers(min_value=0, max_value=20),  # value
    st.one_of(st.none(), st.integers(min_value=0, max_value=4)),  # stderr
)


@pytest.fixture
def bench_models(db):
    return [make_model(name=f"Interval {i}") for i in range(6)]


@pytest.mark.slow
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(figures=st.lists(FIGURES, min_size=1, max_size=6), higher=st.booleans())
def test_best_places_count_the_results_surely_better(bench_models, figures, higher):
    benchmark = make_benchmark(higher_is_better=higher)
    for model, (value, stderr) in zip(bench_models, figures, strict=False):
        stated = f"{value}" + (f" ± {stderr}" if stderr is not None else "")
        make_result(
            model=model,
            benchmark=benchmark,
            value=Decimal(value),
            stderr=None if stderr is None else Decimal(stderr),
            quote=f"{model.name} scored {stated} on {benchmark.name}.",
        )
    ranking = Ranking(benchmark)
    results = list(ranking.results())
    best = ranking.best_places(results)
    if all(r.stderr is None for r in results):
        assert best == {}
        return
    for result in results:
        beyond = sum(ranking.surely_better(other, result) for other in results)
        assert best[result.pk] == 1 + beyond
