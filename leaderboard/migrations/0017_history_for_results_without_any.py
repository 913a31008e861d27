"""Give every result without any history row the "+" row a save would have written.

Results loaded before ``loaddata`` recorded history (and any other result saved with
no history row) are missing from /changes/ and /feed.atom. Each gets one "added" row
with its fields as they stand, dated when this migration runs, naming no editor, and
a reason saying it was recorded when the history began. Results that have any history
row are left alone. When it writes any, the data version moves on, so no cached
changes page or feed outlives them. On a fresh database this runs before
``make_demo_data`` can bulk-insert anything, so the demo results still have no history.
"""

from django.db import migrations
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

REASON = "Recorded when the history began: added before it was kept"
# Results read, and history rows written, at a time.
BATCH = 1000


def record_history_for_results_without_any(apps, schema_editor):
    Result = apps.get_model("leaderboard", "Result")
    HistoricalResult = apps.get_model("leaderboard", "HistoricalResult")
    tracked = {field.attname for field in HistoricalResult._meta.concrete_fields}
    fields = [field.attname for field in Result._meta.concrete_fields if field.attname in tracked]
    reason = REASON[: HistoricalResult._meta.get_field("history_change_reason").max_length]
    now = timezone.now()
    without_history = Result.objects.filter(
        ~Exists(HistoricalResult.objects.filter(id=OuterRef("pk")))
    ).order_by("pk")
    last, written = None, 0
    while True:
        batch = without_history if last is None else without_history.filter(pk__gt=last)
        rows = list(batch.values(*fields)[:BATCH])
        if not rows:
            break
        HistoricalResult.objects.bulk_create(
            [
                HistoricalResult(
                    **row,
                    history_date=now,
                    history_type="+",
                    history_change_reason=reason,
                    history_user=None,
                )
                for row in rows
            ],
            batch_size=BATCH,
        )
        last = rows[-1][Result._meta.pk.attname]
        written += len(rows)
    if written:
        DataVersion = apps.get_model("leaderboard", "DataVersion")
        if not DataVersion.objects.filter(pk=1).update(version=F("version") + 1, changed_at=now):
            DataVersion.objects.create(pk=1, version=1, changed_at=now)


class Migration(migrations.Migration):
    dependencies = [
        ("leaderboard", "0016_benchmark_harness_metric"),
    ]

    operations = [
        migrations.RunPython(record_history_for_results_without_any, migrations.RunPython.noop),
    ]
