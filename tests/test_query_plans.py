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


# Table statistics as ANALYZE wrote them for make_demo_data's 100,000 models × 50
# benchmarks (SQLite's sqlite_stat1, for the tables the leaderboard's reads join).
STATISTICS_AT_100K = [
    ("leaderboard_aimodel", "aimodel_active_params_idx", "100000 2"),
    ("leaderboard_aimodel", "aimodel_context_idx", "100000 16667"),
    ("leaderboard_aimodel", "aimodel_release_date_idx", "100000 100000"),
    ("leaderboard_aimodel", "aimodel_total_params_idx", "100000 2"),
    ("leaderboard_aimodel", "leaderboard_aimodel_organization_id_54619e39", "100000 100000"),
    ("leaderboard_aimodel", "sqlite_autoindex_leaderboard_aimodel_1", "100000 1"),
    ("leaderboard_aimodel", "sqlite_autoindex_leaderboard_aimodel_2", "100000 1"),
    ("leaderboard_organization", "sqlite_autoindex_leaderboard_organization_1", "1 1"),
    ("leaderboard_organization", "sqlite_autoindex_leaderboard_organization_2", "1 1"),
    ("leaderboard_result", "leaderboard_result_benchmark_id_632ac64c", "3333050 66661"),
    ("leaderboard_result", "leaderboard_result_claimed_by_id_9182da14", "3333050 1666525"),
    ("leaderboard_result", "leaderboard_result_model_id_b9515f0c", "3333050 34"),
    ("leaderboard_result", "leaderboard_result_source_id_9f705c30", "3333050 3333050"),
    ("leaderboard_result", "leaderboard_result_version_id_b5bc089a", "3333050 3333050"),
    ("leaderboard_result", "one_headline_unversioned_result_per_model_benchmark", "3333050 34 1"),
    ("leaderboard_result", "one_unversioned_result_per_model_benchmark_source", "3333050 34 1 1"),
    ("leaderboard_result", "ranked_benchmark_value_idx", "3333050 66661 66661 78"),
    ("leaderboard_result", "ranked_place_alone_idx", "332784 66557 66557 1"),
    ("leaderboard_result", "result_benchmark_value_idx", "3333050 66661 78"),
    ("leaderboard_result", "result_claims_idx", "665537 13311 13311"),
    ("leaderboard_result", "result_model_benchmark_idx", "3333050 34 1"),
]


@pytest.fixture
def statistics_at_100k(ranked):
    """The test database planned as a deployment of 100,000 models that has run
    ANALYZE (or ``PRAGMA optimize``) plans it: with ``STATISTICS_AT_100K``."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # makes sqlite_stat1
        cursor.execute("DELETE FROM sqlite_stat1")
        cursor.executemany(
            "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (%s, %s, %s)", STATISTICS_AT_100K
        )
        cursor.execute("ANALYZE sqlite_master")  # reads the statistics again
    yield
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sqlite_stat1")
        cursor.execute("ANALYZE sqlite_master")


def test_the_home_pages_chart_reads_the_top_of_the_ranked_index_with_statistics(
    ranked, statistics_at_100k
):
    """The scatter of scores against active parameters reads its points from the top
    of the ranked index, checking each model's size as it goes. With table statistics,
    SQLite read every model with a size from that size's index and sorted all their
    results: 0.4 s at 100,000 models, eight times the rest of the page."""
    bench, _ = ranked
    ranking = Ranking(bench)
    (steps,) = plans_of(ranking.top_values, ranking.sized_values(), 200)
    assert steps.startswith("SEARCH leaderboard_result USING INDEX ranked_benchmark_value_idx")
    assert "aimodel_active_params_idx" not in steps
    assert "USE TEMP B-TREE FOR ORDER BY" not in steps


def test_the_licences_the_filter_offers_are_read_from_their_index(ranked):
    """Read once per data version, but then from the licence's index alone, past the
    models with none stated: a scan of every model was 12 ms of a cold page at
    100,000 models."""
    from leaderboard.web.filters import licence_choices

    make_model(name="Licensed", license="Apache-2.0")
    plans = plans_of(licence_choices)  # the data version's, then the licences'
    (licences,) = [p for p in plans if "aimodel" in p]
    assert licences == (
        "SEARCH leaderboard_aimodel USING COVERING INDEX aimodel_license_idx (license>?)"
    )
