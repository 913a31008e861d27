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
