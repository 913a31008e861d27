"""Exports that are safe to open in a spreadsheet."""

import re

from django_tables2.export import TableExport

# A cell a spreadsheet would run as a formula: it starts with one of these...
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# ...unless it is simply a number ("-1.5").
PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def defuse(cell):
    """Prefix a text cell that a spreadsheet would evaluate with an apostrophe."""
    if isinstance(cell, str) and cell.startswith(FORMULA_START) and not PLAIN_NUMBER.match(cell):
        return "'" + cell
    return cell


class SafeTableExport(TableExport):
    """CSV cells never start a formula (OWASP's "CSV injection"); JSON stays as is."""

    def table_to_dataset(self, table, exclude_columns, dataset_kwargs=None):
        dataset = super().table_to_dataset(table, exclude_columns, dataset_kwargs)
        if self.format != self.CSV:
            return dataset
        rows = [[defuse(cell) for cell in row] for row in dataset]
        headers = [defuse(header) for header in dataset.headers]
        dataset.wipe()
        dataset.headers = headers
        dataset.extend(rows)
        return dataset
