"""Migrations apply over a database that already holds data, as a deploy's would."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from leaderboard.models import Result

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
