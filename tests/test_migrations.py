"""Migrations apply over a database that already holds data, as a deploy's would."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from leaderboard.models import Result

pytestmark = pytest.mark.slow  # each migrates a database back and forth

BEFORE_HEADLINES = [("leaderboard", "0003_result_model_benchmark_index")]


# Outside a test transaction: each migration runs in its own, as in `manage.py migrate`.
@pytest.mark.django_db(transaction=True)
def test_migrations_apply_over_existing_data(article):
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("leaderboard")
    executor.migrate(BEFORE_HEADLINES)
    executor = MigrationExecutor(connection)
    executor.migrate(latest)
    # The data migration marked one headline per model, benchmark and version.
    assert sorted(Result.objects.headline().values_list("model__slug", "benchmark__slug")) == [
        ("gpt-oss-largest", "ai-index"),
        ("nemotron-3-super", "ai-index"),
        ("nemotron-3-super", "pinchbench"),
    ]


def test_the_models_match_their_migrations(db):
    """Every field's definition (sizes, nullability, choices) is the one the database
    was migrated to: a change without its migration fails here, not in production."""
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("makemigrations", "leaderboard", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


BEFORE_HISTORY_BEGAN = [("leaderboard", "0016_benchmark_harness_metric")]
HISTORY_BEGAN = "Recorded when the history began: added before it was kept"


def migrate_through_history_began():
    """Back to before the migration that gives results without history their "+"
    row, and forward again to the latest, as a deploy runs it."""
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("leaderboard")
    try:
        executor.migrate(BEFORE_HISTORY_BEGAN)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)


@pytest.mark.django_db(transaction=True)
def test_results_without_history_get_one_added_row_and_others_none(article, monkeypatch):
    import importlib

    from django.utils import timezone

    from leaderboard.models import DataVersion

    # One result a batch, so that going from batch to batch is tested too.
    migration = importlib.import_module(
        "leaderboard.migrations.0017_history_for_results_without_any"
    )
    monkeypatch.setattr(migration, "BATCH", 1)
    HistoricalResult = Result.history.model
    unrecorded = list(
        Result.objects.exclude(model__slug="nemotron-3-super", benchmark__slug="ai-index")
    )
    assert len(unrecorded) == 2
    # As results loaded before loaddata recorded history have none.
    HistoricalResult.objects.filter(id__in=[r.pk for r in unrecorded]).delete()
    kept = sorted(
        HistoricalResult.objects.values_list("history_id", "id", "history_change_reason")
    )
    assert len(kept) == 1
    version = DataVersion.current().version
    started = timezone.now()
    migrate_through_history_began()
    for result in unrecorded:
        added = HistoricalResult.objects.get(id=result.pk)
        assert added.history_type == "+" and added.history_user_id is None
        assert added.history_change_reason == HISTORY_BEGAN
        assert started <= added.history_date <= timezone.now()
        for field in HistoricalResult.tracked_fields:
            assert getattr(added, field.attname) == getattr(result, field.attname), field.name
    # The result that had history got nothing more.
    assert (
        sorted(
            HistoricalResult.objects.exclude(id__in=[r.pk for r in unrecorded]).values_list(
                "history_id", "id", "history_change_reason"
            )
        )
        == kept
    )
    # Cached pages of the changes are built again.
    assert DataVersion.current().version == version + 1


@pytest.mark.django_db(transaction=True)
def test_history_began_with_no_result_without_history_writes_nothing(article):
    from leaderboard.models import DataVersion

    history = sorted(Result.history.values_list("history_id", flat=True))
    version = DataVersion.current().version
    migrate_through_history_began()
    assert sorted(Result.history.values_list("history_id", flat=True)) == history
    assert DataVersion.current().version == version


@pytest.mark.django_db(transaction=True)
def test_history_began_over_no_results_at_all():
    migrate_through_history_began()
    assert not Result.objects.exists() and not Result.history.exists()
