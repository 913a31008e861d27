"""The first leaderboard page: the article's data, every column sorted in the
database with missing values last, and a query count that does not grow."""

import re

import pytest
from django.urls import reverse

from leaderboard.models import Openness

from .factories import make_benchmark, make_model, make_organization, make_result

pytestmark = pytest.mark.django_db


def row_names(response):
    """Model names in the order the table shows them."""
    body = response.content.decode()
    tbody = body[body.index("<tbody") : body.index("</tbody>")]
    return re.findall(r"<tr[^>]*>\s*<td[^>]*>([^<]+)</td>", tbody)


def test_home_shows_the_articles_facts_and_whose_claims_they_are(client, article):
    response = client.get(reverse("index"))
    assert response.status_code == 200
    page = response.content.decode()
    for text in [
        "Nemotron 3 Super",
        "GPT-OSS (largest version)",
        "AI Index composite score",
        "PinchBench",
        'title="128,000,000,000">128B',
        'title="12,000,000,000">12B',
        'title="1,000,000">1M',
        "#1",
        "NVIDIA&#x27;s claim",
        "not reported",
    ]:
        assert text in page, text
    assert row_names(response) == ["GPT-OSS (largest version)", "Nemotron 3 Super"]


@pytest.fixture
def table_data(db):
    """Six models; scores missing for some, one rank-only result, one lower-is-better benchmark."""
    big, small = make_organization(name="Big Lab"), make_organization(name="Acme")
    specs = {
        # name: (organization, total, active, open weights)
        "Alpha": (big, 100, 10, Openness.OPEN),
        "Bravo": (small, 50, None, Openness.CLOSED),
        "Charlie": (big, None, None, Openness.NOT_REPORTED),
        "Delta": (small, 200, 20, Openness.PARTIAL),
        "Echo": (big, 70, 7, Openness.OPEN),
        "Foxtrot": (small, None, 5, Openness.CLOSED),
    }
    models = {
        name: make_model(
            name=name,
            slug=name.lower(),
            organization=org,
            total_parameters=total,
            active_parameters=active,
            open_weights=weights,
        )
        for name, (org, total, active, weights) in specs.items()
    }
    score = make_benchmark(name="Score", slug="score", higher_is_better=True)
    errors = make_benchmark(name="Errors", slug="errors", higher_is_better=False)
    for name, value in {"Alpha": 80, "Bravo": 60, "Delta": 90, "Echo": 70}.items():
        make_result(model=models[name], benchmark=score, value=value)
    make_result(model=models["Foxtrot"], benchmark=score, value=None, rank=2)
    for name, value in {"Alpha": 3, "Charlie": 1, "Echo": 2}.items():
        make_result(model=models[name], benchmark=errors, value=value)
    return models


@pytest.mark.parametrize(
    "sort, expected",
    [
        # Best first: higher scores first, the rank-only result next, no result last.
        ("benchmark-score", ["Delta", "Alpha", "Echo", "Bravo", "Foxtrot", "Charlie"]),
        ("-benchmark-score", ["Bravo", "Echo", "Alpha", "Delta", "Foxtrot", "Charlie"]),
        # Lower is better on this one, so best first means lowest first.
        ("benchmark-errors", ["Charlie", "Echo", "Alpha", "Bravo", "Delta", "Foxtrot"]),
        ("-benchmark-errors", ["Alpha", "Echo", "Charlie", "Bravo", "Delta", "Foxtrot"]),
        ("total_parameters", ["Bravo", "Echo", "Alpha", "Delta", "Charlie", "Foxtrot"]),
        ("-total_parameters", ["Delta", "Alpha", "Echo", "Bravo", "Charlie", "Foxtrot"]),
        ("active_parameters", ["Foxtrot", "Echo", "Alpha", "Delta", "Bravo", "Charlie"]),
        ("-active_parameters", ["Delta", "Alpha", "Echo", "Foxtrot", "Bravo", "Charlie"]),
        # Most open first when descending; "not reported" last both ways.
        ("open_weights", ["Bravo", "Foxtrot", "Delta", "Alpha", "Echo", "Charlie"]),
        ("-open_weights", ["Alpha", "Echo", "Delta", "Bravo", "Foxtrot", "Charlie"]),
        ("organization", ["Bravo", "Delta", "Foxtrot", "Alpha", "Charlie", "Echo"]),
        ("-name", ["Foxtrot", "Echo", "Delta", "Charlie", "Bravo", "Alpha"]),
    ],
)
def test_columns_sort_both_ways_with_missing_values_last(client, table_data, sort, expected):
    response = client.get(reverse("index"), {"sort": sort})
    assert response.status_code == 200
    assert row_names(response) == expected


@pytest.mark.parametrize(
    "sort", ["nonsense", "-", "benchmark-", "benchmark-missing", "%00", "name,"]
)
def test_unknown_sort_keys_fall_back_to_the_default(client, table_data, sort):
    response = client.get(reverse("index"), {"sort": sort})
    assert response.status_code == 200
    assert row_names(response) == sorted(row_names(response))


def test_query_count_does_not_grow_with_models_or_benchmarks(
    client, django_assert_max_num_queries
):
    def grow(models, benchmarks):
        new_benchmarks = [make_benchmark() for _ in range(benchmarks)]
        for _ in range(models):
            model = make_model()
            for benchmark in new_benchmarks:
                make_result(model=model, benchmark=benchmark, value=42)
        return new_benchmarks

    sorted_by = grow(3, 2)[0].slug
    sorts = ["name", f"-benchmark-{sorted_by}"]
    counts = {}
    for sort in sorts:
        with django_assert_max_num_queries(4) as small:
            response = client.get(reverse("index"), {"sort": sort})
        assert len(row_names(response)) == 3
        counts[sort] = len(small.captured_queries)
    grow(30, 8)
    for sort in sorts:
        with django_assert_max_num_queries(counts[sort]):
            response = client.get(reverse("index"), {"sort": sort})
        assert len(row_names(response)) == 33
