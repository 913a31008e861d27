"""Running an import: a file read into rows, the rows through ``ResultResource`` in
one transaction, and a report of what was (or, in a dry run, would be) created,
changed, left as it was, or refused and why."""

from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction

from .resources import ResultResource


class ImportRefused(Exception):
    """A file that cannot be read as rows at all (not the format it claims, a column
    missing): the sentence says what is wrong."""


@dataclass
class ImportReport:
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    refused: list = field(default_factory=list)  # "Row 3: value: The quote does not …"
    refused_rows: set = field(default_factory=set)  # the numbers of the rows refused
    rows: list = field(default_factory=list)  # (row number, "new" / "update" / "skip", text)
    total: int = 0  # rows in the file
    written: bool = False

    def refuse(self, number, message):
        """Note a refusal: of row ``number``, or of the whole file (None)."""
        self.refused.append(message)
        if number is not None:
            self.refused_rows.add(number)

    def summary(self, dry_run):
        verb = "would be" if dry_run else "were"
        if self.refused:
            if self.refused_rows:
                what = f"{len(self.refused_rows)} of {self.total} row(s) refused"
            else:
                what = "the file was refused"
            return f"Nothing was written: {what}. Fix them and import again."
        return (
            f"{self.created} result(s) {verb} created, {self.changed} changed, "
            f"{self.unchanged} unchanged."
        )


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
        total=result.total_rows,
    )
    for error in result.base_errors:
        report.refuse(None, f"The file: {unexpected(error.error)}")
    for number, errors in result.row_errors():
        for error in errors:
            report.refuse(number, f"Row {number}: {unexpected(error.error)}")
    for invalid in result.invalid_rows:
        for name, messages in invalid.error_dict.items():
            where = "" if name == NON_FIELD_ERRORS else f"{name}: "
            for message in messages:
                report.refuse(invalid.number, f"Row {invalid.number}: {where}{message}")
    for number, row_result in enumerate(result.rows, 1):
        report.rows.append((number, row_result.import_type, row_result.object_repr or ""))
    return report


def unexpected(error):
    """An error no rule foresaw, as a sentence: its kind and message, never a
    traceback (the rules refuse every input they know of with their own sentence)."""
    message = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"it could not be checked ({type(error).__name__}{': ' if message else ''}{message})."
