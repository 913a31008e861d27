"""Running an import: a file read into rows, the rows through ``ResultResource`` in
one transaction, and a report of what was (or, in a dry run, would be) created,
changed, left as it was, or refused and why."""

from dataclasses import dataclass, field
from pathlib import Path

import tablib
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction

from .resources import ResultResource

# The formats rows come in, by the name ``--format`` takes and a file's suffix.
ROW_FORMATS = ("csv", "json", "xlsx")


class ImportRefused(Exception):
    """A file that cannot be read as rows at all (not the format it claims, a column
    missing): the sentence says what is wrong."""


@dataclass
class ImportReport:
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    refused: list = field(default_factory=list)  # "Row 3: value: The quote does not …"
    rows: list = field(default_factory=list)  # (row number, "new" / "update" / "skip", text)
    written: bool = False

    @property
    def total(self):
        return self.created + self.changed + self.unchanged + len(self.refused)

    def summary(self, dry_run):
        verb = "would be" if dry_run else "were"
        if self.refused:
            return (
                f"Nothing was written: {len(self.refused)} row(s) refused "
                f"(of {self.total}). Fix them and import again."
            )
        return (
            f"{self.created} result(s) {verb} created, {self.changed} changed, "
            f"{self.unchanged} unchanged."
        )


def read_rows(path, fmt=None):
    """A tablib Dataset of the file's rows; ``fmt`` from its suffix when not given."""
    path = Path(path)
    fmt = fmt or path.suffix.lstrip(".").lower()
    if fmt not in ROW_FORMATS:
        raise ImportRefused(f"{path.name}: not a format rows come in (csv, json or xlsx).")
    try:
        if fmt == "xlsx":
            return tablib.Dataset().load(path.read_bytes(), format="xlsx")
        return tablib.Dataset().load(path.read_text(encoding="utf-8-sig"), format=fmt)
    except UnicodeDecodeError as error:
        raise ImportRefused(f"{path.name}: not UTF-8 text ({error.reason}).") from error
    except Exception as error:  # tablib's and its parsers' errors have no common base
        raise ImportRefused(f"{path.name}: cannot be read as {fmt.upper()}: {error}") from error


def import_rows(rows, dry_run=False, progress=None):
    """Import rows of results in one transaction, written only when no row is refused
    and this is not a dry run. ``rows``: a Dataset, or a function returning one, called
    inside that transaction (a harness file saves its source there first, so that it
    too is written only with its rows). ``progress(total)``, if given, returns a
    function called once a row."""
    resource = ResultResource()
    with transaction.atomic():
        dataset = rows() if callable(rows) else rows
        if progress is not None:
            tick = progress(len(dataset))
            resource.after_import_row = lambda row, row_result, **kwargs: tick()
        result = resource.import_data(
            dataset,
            dry_run=dry_run,
            use_transactions=True,
            rollback_on_validation_errors=True,
        )
        report = report_of(result)
        report.written = not (dry_run or report.refused)
        if not report.written:
            transaction.set_rollback(True)
    return report


def report_of(result):
    report = ImportReport(
        created=result.totals["new"],
        changed=result.totals["update"],
        unchanged=result.totals["skip"],
    )
    for error in result.base_errors:
        report.refused.append(f"The file: {error.error}")
    for number, errors in result.row_errors():
        for error in errors:
            report.refused.append(f"Row {number}: {error.error}")
    for invalid in result.invalid_rows:
        for name, messages in invalid.error_dict.items():
            where = "" if name == NON_FIELD_ERRORS else f"{name}: "
            for message in messages:
                report.refused.append(f"Row {invalid.number}: {where}{message}")
    for number, row_result in enumerate(result.rows, 1):
        report.rows.append((number, row_result.import_type, row_result.object_repr or ""))
    return report
