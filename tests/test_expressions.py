"""The project's own SQL expressions (``reading.expressions``) against Django's."""

import json

import pytest

from leaderboard.models import AIModel, Result
from leaderboard.reading.expressions import InIds, JSONArrayText
from tests.factories import make_model, make_result


def test_in_ids_keeps_the_rows_django_s_in_keeps(db):
    models = [make_model() for _ in range(5)]
    results = [make_result(model=model) for model in models]
    asked = [models[0].pk, models[3].pk, models[3].pk, max(m.pk for m in models) + 10]

    def kept(queryset, condition):
        return sorted(queryset.filter(condition).values_list("pk", flat=True))

    assert kept(Result.objects, InIds("model_id", asked)) == sorted(
        Result.objects.filter(model_id__in=asked).values_list("pk", flat=True)
    )
    assert kept(Result.objects, InIds("model_id", asked)) == sorted([results[0].pk, results[3].pk])
    # Combined with other conditions, negated, and on the primary key.
    assert kept(AIModel.objects.exclude(InIds("pk", asked)), InIds("pk", [models[1].pk])) == [
        models[1].pk
    ]


def test_in_ids_of_no_ids_keeps_nothing_without_asking(db, django_assert_num_queries):
    make_model()
    with django_assert_num_queries(0):
        assert list(AIModel.objects.filter(InIds("pk", []))) == []


@pytest.mark.parametrize("ids", [["1"], [1.0], [True], [None], ["1) OR (1=1"]])
def test_in_ids_takes_only_ints(ids):
    """The ids become SQL parameters as they are: anything but an int is refused
    rather than passed on for the database to coerce."""
    with pytest.raises(TypeError):
        InIds("pk", ids)


def test_json_array_text_reads_several_columns_as_one_json_array(db):
    result = make_result(value=50)
    (text,) = Result.objects.filter(pk=result.pk).values_list(
        JSONArrayText("benchmark_id", "shots", "provenance"), flat=True
    )
    benchmark_id, shots, provenance = json.loads(text)
    # A number may come as its text on PostgreSQL (``JSONArrayText``).
    assert (int(benchmark_id), shots, provenance) == (result.benchmark_id, None, "independent")
