"""The reads that grew with the data at 100,000 models answer from an index, not by
reading every result of a benchmark or every model: each plan is asked of SQLite
(``EXPLAIN QUERY PLAN``), whose choice does not hang on how many rows a test holds.
PostgreSQL picks by table statistics, so a test's handful of rows tells nothing there."""

import pytest
from django.db import connection
from django.db.models import Q

from leaderboard.models import AIModel, Openness, Result
from leaderboard.rules.ranking import Ranking, among
from leaderboard.views.pages import models_to_compare_with

from .factories import make_benchmark, make_model, make_result

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="PostgreSQL plans by table statistics"
    ),
]


def plan(queryset):
    """SQLite's plan for ``queryset``, one step a line."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(row[-1] for row in cursor.fetchall())


def plans_of(function, *args):
    """The plans of every query ``function(*args)`` runs."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        function(*args)
    plans = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
            plans.append("\n".join(row[-1] for row in cursor.fetchall()))
    return plans


@pytest.fixture
def ranked():
    bench = make_benchmark(name="Plan Bench", higher_is_better=True)
    models = [make_model(name=f"Plan Model {i}") for i in range(3)]
    for i, model in enumerate(models):
        make_result(model=model, benchmark=bench, value=50 + i)
    return bench, models


def test_whether_a_benchmark_gives_uncertainties_is_read_from_its_own_index(ranked):
    bench, _ = ranked
    uncertain = Ranking(bench).results().filter(Q(stderr__isnull=False) | Q(ci_low__isnull=False))
    assert "USING INDEX ranked_uncertain_idx" in plan(uncertain.order_by())


def test_results_measured_differently_are_read_from_their_own_index(ranked):
    bench, _ = ranked
    assert "USING INDEX headline_differently_idx" in plan(
        Ranking(bench).measured_differently().order_by()
    )


def test_claims_beside_measurements_are_found_from_indexes(ranked):
    bench, _ = ranked
    claims = bench.results.filter(bench.ranked_version_q()).beside_measurements().order_by()
    steps = plan(claims)
    # The claims are found from their own index (in the subquery that first asks
    # whether anything measured them), never by reading the benchmark's results; and
    # only those whose model has a result beside another, read from the few that are
    # not their group's headline (at 100,000 models: 0.6 ms with table statistics,
    # 7.5 ms without, 20 ms before).
    assert "USING INDEX result_claims_idx" in steps
    assert "USING INDEX result_beside_idx" in steps
    assert "SCAN leaderboard_result" not in steps


def test_compare_suggestions_never_read_every_result(ranked):
    _, models = ranked
    plans = plans_of(models_to_compare_with, models[0])
    assert plans
    for steps in plans:
        # Models walked in name order, each asked by an index lookup; not every
        # result of the shared benchmarks listed, then sorted.
        assert "USE TEMP B-TREE FOR ORDER BY" not in steps
        assert "(benchmark_id=?)" not in steps


def test_results_among_filtered_models_look_each_model_up(ranked):
    bench, _ = ranked
    kept = AIModel.objects.filter(open_weights=Openness.OPEN)
    results = Ranking(bench).results().filter(among(kept)).order_by("-value")
    steps = plan(results)
    # Walked from the top of the ranked index, each result's model asked by its key;
    # ``model__in`` listed every kept model first.
    assert "USING INDEX ranked_benchmark_value_idx" in steps
    assert "SCAN leaderboard_aimodel" not in steps
    assert "LIST SUBQUERY" not in steps


def test_results_among_filtered_models_are_those_models_results(ranked):
    bench, models = ranked
    AIModel.objects.filter(pk=models[1].pk).update(open_weights=Openness.OPEN)
    kept = AIModel.objects.filter(open_weights=Openness.OPEN)
    got = set(Result.objects.filter(among(kept), benchmark=bench).values_list("model", flat=True))
    assert got == {models[1].pk}


@pytest.mark.parametrize("independent_only", [False, True])
def test_a_suites_stored_averages_are_read_in_order_from_their_indexes(independent_only):
    """A page of a suite's averages, and of the models listed apart, read from the top
    of their partial indexes: the options' flag as ``NOT "independent_only"`` kept
    SQLite from the index's third column, and it sorted every stored row."""
    from leaderboard.rules import averages
    from leaderboard.rules.standings import StoredAverages

    from .test_averages import suite_of

    first, second = make_benchmark(name="Suite A"), make_benchmark(name="Suite B")
    for i in range(3):
        make_result(model=make_model(name=f"Suite Model {i}"), benchmark=first, value=50 + i)
    suite = suite_of(first, second)
    stored = StoredAverages(suite, [first, second], averages.PLAIN, independent_only, [])
    for queryset, index in (
        (stored.averages.queryset[:50], "standing_order_idx"),
        (stored.incomplete.queryset[:100], "standing_incomplete_idx"),
    ):
        steps = plan(queryset)
        assert f"USING INDEX {index}" in steps or f"USING COVERING INDEX {index}" in steps
        assert "TEMP B-TREE" not in steps
