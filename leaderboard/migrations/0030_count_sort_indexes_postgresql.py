"""Indexes for sorting models by a count, most first, on PostgreSQL.

The leaderboard sorts a count column most first with empty counts last
(``total_parameters DESC NULLS LAST, name``). A plain index read backwards gives empty
counts first, so at 100,000 models PostgreSQL sorted every model for each page (94 ms);
with these it reads the page's 50 from an index. SQLite cannot put NULLS LAST in an
index (and reads its plain index fast enough), so these exist on PostgreSQL only,
outside the models' Meta.
"""

from django.db import migrations

COUNTS = ("total_parameters", "active_parameters", "context_window_tokens")
TABLE = "leaderboard_aimodel"


def name(field):
    return f"aimodel_{field}_desc_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for field in COUNTS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name(field)} ON {TABLE} ("{field}" DESC NULLS LAST, "name")'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for field in COUNTS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name(field)}")


class Migration(migrations.Migration):
    dependencies = [("leaderboard", "0029_data_version_counts")]

    operations = [migrations.RunPython(create, drop)]
