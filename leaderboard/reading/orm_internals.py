"""The few places where speed needs Django's internals rather than its public API, kept
together so a Django upgrade that changes them breaks here, loudly, and in
``tests/test_orm_internals.py``, not somewhere in a page.

- ``raw_rows``: a ``values_list()`` queryset's rows as the database driver gives them,
  with Django's own converters applied on request (the CSV export of 10,000 models × 50
  benchmarks converts each distinct value once, not each of its 330,000 cells).
- ``is_filtered``: whether a queryset has a WHERE clause (a ranking then narrows its
  results to the rows asked for, and skips that subquery otherwise).
"""

from itertools import chain

from django.db.models.sql.constants import MULTI


def is_filtered(queryset):
    """Whether ``queryset`` filters its rows at all."""
    return queryset.query.has_filters()


def raw_rows(queryset, name):
    """The rows of ``queryset`` (a ``values_list()``) as the database driver gives
    them, and a function converting the ``name`` column's raw values as Django's own
    iteration would (the same converters: the backend's, then the field's), for a
    caller to apply once per distinct value rather than once a row. SQLite hands a
    decimal over as a float, which Django makes a Decimal rounded to the field's
    places: reading an export's 330,000 results took twice as long through it."""
    compiler = queryset.query.get_compiler(queryset.db)
    chunks = compiler.execute_sql(MULTI)
    selected = [expression for expression, _, _ in compiler.select[: compiler.col_count]]
    converters = compiler.get_converters(selected)
    position = list(queryset._fields).index(name)
    converting, expression = converters.pop(position, ((), None))
    rows = chain.from_iterable(chunks)
    if converters:  # other columns' (none, today), converted a row at a time as usual
        rows = compiler.apply_converters(rows, converters)
    connection = compiler.connection

    def convert(value):
        for converter in converting:
            value = converter(value, expression, connection)
        return value

    return rows, convert
