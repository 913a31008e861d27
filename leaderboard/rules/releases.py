"""Publishing a data release: every result written to its files once, their SHA-256
kept, and the release recorded, all or nothing.

A release records the data version it was taken at, and a data version is released
at most once: the files are read inside one transaction with the version they are
stamped with, and an edit made meanwhile waits (SQLite) or is not seen (PostgreSQL's
repeatable read), so the files are exactly that version's data. Publishing is not a
change to the data: it does not move the data version on."""

import os
import shutil
import tempfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from ..models import DataRelease, DataVersion
from ..models.data_releases import RELEASE_FILES
from ..reading.data_releases import write_release


def refuse_unchanged_data(version):
    """Raise a ValidationError naming the release that already holds data version
    ``version``, if one does: the one check of the admin's form and ``publish``."""
    existing = DataRelease.objects.filter(data_version=version).first()
    if existing is not None:
        raise ValidationError(
            f"The data has not changed since release {existing.number} (data version "
            f"{version}): there is nothing new to release."
        )


def publish(notes=""):
    """Publish the current data as the next release, and return it. Refused (a
    ValidationError saying which release) when this data version is released
    already; nothing is kept of a release that fails midway."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        version = DataVersion.current().version
        refuse_unchanged_data(version)
        number = (DataRelease.objects.aggregate(last=Max("number"))["last"] or 0) + 1
        root = settings.DATA_RELEASES_DIR
        root.mkdir(parents=True, exist_ok=True)
        target = root / str(number)
        if target.exists():  # left by a release whose record did not survive
            shutil.rmtree(target)
        # Written beside the target, then renamed into place: a reader never sees half.
        partial = tempfile.mkdtemp(dir=root, prefix=f".{number}.")
        try:
            paths = {
                kind: os.path.join(partial, name) for kind, (name, _) in RELEASE_FILES.items()
            }
            with open(paths["csv"], "wb") as csv_file, open(paths["json"], "wb") as json_file:
                count, (csv_sha, csv_size), (json_sha, json_size) = write_release(
                    csv_file, json_file, version
                )
            release = DataRelease(
                number=number,
                data_version=version,
                published_at=timezone.now(),
                notes=notes,
                result_count=count,
                csv_sha256=csv_sha,
                json_sha256=json_sha,
                csv_bytes=csv_size,
                json_bytes=json_size,
            )
            release.full_clean()
            release.save()
            os.replace(partial, target)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
    return release
