"""The few places where speed needs Django's internals rather than its public API, kept
together so a Django upgrade that changes them breaks here, loudly, and in
``tests/test_orm_internals.py``, not somewhere in a page.

- ``raw_rows``: a ``values_list()`` queryset's rows as the database driver gives them,
  with Django's own converters applied on request (the CSV and JSON exports of 10,000
  models × 50 benchmarks convert each distinct value once, not each of 330,000 cells).
- ``is_filtered``: whether a queryset has a WHERE clause (a ranking then narrows its
  results to the rows asked for, and skips that subquery otherwise).
"""

from itertools import chain

from django.db.models.sql.constants import MULTI


def is_filtered(queryset):
    """Whether ``queryset`` filters its rows at all."""
    return queryset.query.has_filters()


def raw_rows(queryset, *names):
    """The rows of ``queryset`` (a ``values_list()``) as the database driver gives
    them, and for each of ``names`` a function converting that column's raw values as
    Django's own iteration would (the same converters: the backend's, then the
    field's), for a caller to apply once per distinct value rather than once a row:
    ``rows, convert_value, convert_stderr = raw_rows(queryset, "value", "stderr")``.
    SQLite hands a decimal over as a float, which Django makes a Decimal rounded to
    the field's places: reading an export's 330,000 results took twice as long
    through it."""
    compiler = queryset.query.get_compiler(queryset.db)
    chunks = compiler.execute_sql(MULTI)
    selected = [expression for expression, _, _ in compiler.select[: compiler.col_count]]
    converters = compiler.get_converters(selected)
    fields = list(queryset._fields)
    raw = [converters.pop(fields.index(name), ((), None)) for name in names]
    rows = chain.from_iterable(chunks)
    if converters:  # other columns', converted a row at a time as usual
        rows = compiler.apply_converters(rows, converters)
    connection = compiler.connection

    def converter(converting, expression):
        def convert(value):
            for function in converting:
                value = function(value, expression, connection)
            return value

        return convert

    return rows, *(converter(converting, expression) for converting, expression in raw)
