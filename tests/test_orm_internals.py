"""The Django internals the site relies on for speed (``leaderboard.reading.orm_internals``):
each test here fails on a Django upgrade that changes what they read."""

from datetime import date
from decimal import Decimal

from leaderboard.models import AIModel, Result
from leaderboard.reading.orm_internals import is_filtered, raw_rows

from .factories import make_benchmark, make_model, make_result


def test_raw_rows_convert_values_exactly_as_the_orm_does(db):
    """raw_rows hands over values as stored and converts them on request
    with Django's own converters: for every awkward decimal (float-inexact, the
    field's smallest and largest, whole, absent) the conversion equals the ORM's, on
    whichever database runs the suite; another column needing conversion (a date on
    SQLite) is still converted row by row."""

    benchmark = make_benchmark()
    values = ["0.1", "65.61", "0.000001", "999999999.999999", "37", "37.500000", "-2.5"]
    for text in values:
        make_result(benchmark=benchmark, value=Decimal(text), reported_on=date(2025, 8, 5))
    make_result(benchmark=benchmark, rank=3)
    queryset = (
        Result.objects.filter(benchmark=benchmark)
        .order_by("pk")
        .values_list("pk", "value", "rank", "reported_on")
    )
    rows, convert = raw_rows(queryset, "value")
    converted = [(pk, convert(value), rank, day) for pk, value, rank, day in rows]
    assert converted == [tuple(row) for row in queryset]
    assert [str(value) for _, value, _, _ in converted[:-1]] == [
        str(value) for value in queryset.values_list("value", flat=True)[: len(values)]
    ]


def test_is_filtered_tells_a_filtered_queryset_from_a_whole_table(db):
    assert not is_filtered(AIModel.objects.all())
    assert not is_filtered(AIModel.objects.order_by("name"))
    assert is_filtered(AIModel.objects.filter(name="x"))
    assert is_filtered(AIModel.objects.exclude(pk__in=[]).filter(open_weights="open"))


def test_raw_rows_convert_several_columns_each_with_its_own_converter(db):
    """raw_rows(queryset, *names) gives one converter per name, each Django's own for
    its column (a decimal, a boolean), and the row's other columns as the ORM gives
    them."""
    benchmark, model = make_benchmark(), make_model()
    make_result(
        benchmark=benchmark,
        value=Decimal("0.1"),
        stderr=Decimal("0.05"),
        quote=f"{model.name} scored 0.1 ± 0.05 on {benchmark.name}.",
        model=model,
    )
    make_result(
        benchmark=benchmark,
        value=Decimal("37"),
        chat_template=True,
        quote=f"{model.name} scored 37 on {benchmark.name} with a chat template.",
        model=model,
    )
    queryset = (
        Result.objects.filter(benchmark=benchmark)
        .order_by("pk")
        .values_list("value", "stderr", "chat_template", "quote")
    )
    rows, value, stderr, chat_template = raw_rows(queryset, "value", "stderr", "chat_template")
    converted = [(value(v), stderr(s), chat_template(c), q) for v, s, c, q in rows]
    assert converted == [tuple(row) for row in queryset]
    assert converted[1][2] is True and converted[0][2] is None
