"""Each integrity rule rejects bad data twice: in the database, and in clean() with a
message an editor can act on."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from leaderboard.models import (
    AIModel,
    Benchmark,
    BenchmarkCitation,
    BenchmarkVersion,
    ModelAlias,
    ModelCitation,
    Organization,
    Provenance,
    Result,
    ResultKind,
    Source,
)
from leaderboard.rules import writes

from .factories import (
    make_benchmark,
    make_model,
    make_organization,
    make_result,
    make_source,
    stating,
)

pytestmark = pytest.mark.django_db


def messages_for(error, field):
    return error.value.message_dict.get(field, [])


def assert_rejected_by_database(save):
    with pytest.raises(IntegrityError), transaction.atomic():
        save()


def test_active_parameters_cannot_exceed_total():
    model = make_model(total_parameters=10, active_parameters=10)
    model.active_parameters = 11
    with pytest.raises(ValidationError) as error:
        model.full_clean()
    assert messages_for(error, "active_parameters") == [
        "Active parameters cannot exceed total parameters."
    ]
    assert_rejected_by_database(model.save)


def test_active_parameters_alone_are_allowed():
    model = make_model(total_parameters=None, active_parameters=12)
    model.full_clean()
    stored = type(model).objects.get(pk=model.pk)
    assert (stored.total_parameters, stored.active_parameters) == (None, 12)


def test_rank_must_be_at_least_one():
    result = make_result(value=None, rank=1)
    result.rank = 0
    with pytest.raises(ValidationError) as error:
        result.full_clean()
    assert "A rank starts at 1 (first place)." in messages_for(error, "rank")
    assert_rejected_by_database(result.save)


def test_result_needs_a_value_or_a_rank():
    result = make_result(value=5)
    result.value = None
    with pytest.raises(ValidationError) as error:
        result.full_clean()
    assert "Give a value, a rank, or both." in messages_for(error, "value")
    assert_rejected_by_database(result.save)


def test_result_needs_a_quote():
    result = make_result(value=5)
    result.quote = ""
    with pytest.raises(ValidationError) as error:
        result.full_clean()
    assert messages_for(error, "quote")
    assert_rejected_by_database(result.save)


def test_one_result_per_model_benchmark_and_source():
    first = make_result(value=5)
    duplicate = Result(
        model=first.model,
        benchmark=first.benchmark,
        source=first.source,
        value=6,
        quote=f"{first.model.name} scored 6 on {first.benchmark.name}.",
        provenance=Provenance.INDEPENDENT,
    )
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert error.value.messages == [
        "This source already has a result for this model and benchmark."
    ]
    assert_rejected_by_database(duplicate.save)


def test_versions_keep_results_apart_but_not_twice_on_one_version():
    benchmark = make_benchmark()
    v2 = BenchmarkVersion.objects.create(benchmark=benchmark, name="v2")
    v3 = BenchmarkVersion.objects.create(benchmark=benchmark, name="v3")
    model, source = make_model(), make_source()
    make_result(model=model, benchmark=benchmark, source=source, version=v2, value=5)
    make_result(model=model, benchmark=benchmark, source=source, version=v3, value=6)
    make_result(model=model, benchmark=benchmark, source=source, value=7)
    again = Result(
        model=model,
        benchmark=benchmark,
        source=source,
        version=v3,
        value=8,
        quote=f"{model.name}: 8 on {benchmark.name}",
        provenance=Provenance.INDEPENDENT,
    )
    with pytest.raises(ValidationError) as error:
        again.full_clean()
    assert error.value.messages == [
        "This source already has a result for this model, benchmark and version."
    ]
    assert_rejected_by_database(again.save)


def test_version_must_belong_to_the_results_benchmark():
    other = BenchmarkVersion.objects.create(benchmark=make_benchmark(name="Other"), name="v1")
    result = make_result(value=5)
    result.version = other
    with pytest.raises(ValidationError) as error:
        result.full_clean()
    assert messages_for(error, "version") == [
        f"Other v1 is not a version of {result.benchmark.name}."
    ]


def test_value_must_lie_within_the_benchmarks_scale():
    benchmark = make_benchmark(name="Pct", scale_min=0, scale_max=100)
    result = make_result(benchmark=benchmark, value=100)
    result.full_clean()
    result.value = Decimal("100.5")
    result.quote = "It scored 100.5 percent."
    with pytest.raises(ValidationError) as error:
        result.full_clean()
    assert messages_for(error, "value") == ["Above Pct's scale, which ends at 100."]
    result.value = Decimal("-1")
    result.quote = "It scored -1."
    with pytest.raises(ValidationError) as error:
        result.full_clean()
    assert "Below Pct's scale, which starts at 0." in messages_for(error, "value")


def test_rank_only_benchmark_takes_no_value():
    benchmark = make_benchmark(name="Places", result_kind=ResultKind.RANK)
    result = make_result(benchmark=benchmark, value=None, rank=1)
    result.value = 3
    result.quote = stating(result.model, benchmark, 3, 1)
    with pytest.raises(ValidationError) as error:
        result.full_clean()
    assert messages_for(error, "value") == ["Places gives ranks only: leave the value empty."]


def test_benchmark_scale_minimum_below_maximum():
    benchmark = make_benchmark(scale_min=0, scale_max=100)
    benchmark.scale_min = 100
    with pytest.raises(ValidationError) as error:
        benchmark.full_clean()
    assert messages_for(error, "scale_max") == ["The scale's minimum must be below its maximum."]
    assert_rejected_by_database(benchmark.save)


def test_quote_must_state_the_value_and_the_rank():
    model, benchmark = make_model(name="Alpha"), make_benchmark(name="Bench")
    result = make_result(
        model=model, benchmark=benchmark, value=37, quote="Alpha scored 37 points on Bench."
    )
    result.full_clean()
    result.value = 38
    with pytest.raises(ValidationError) as error:
        result.full_clean()
    assert messages_for(error, "value") == ["The quote does not state 38."]

    rank_only = make_result(
        model=model,
        benchmark=make_benchmark(name="Places"),
        value=None,
        rank=1,
        quote="Alpha ranked first in Places.",
    )
    rank_only.full_clean()
    rank_only.rank = 2
    with pytest.raises(ValidationError) as error:
        rank_only.full_clean()
    assert messages_for(error, "rank") == [
        "The quote does not state place 2 (as “first”, “1st”, “#1” or “ranked 1”)."
    ]


def test_quote_must_stand_verbatim_in_the_sources_kept_text(article):
    source = Source.objects.get()
    result = Result.objects.get(model__slug="nemotron-3-super", benchmark__slug="ai-index")
    result.full_clean()
    result.quote = "NVIDIA claims Nemotron 3 Super scored 37 points."
    with pytest.raises(ValidationError) as error:
        result.full_clean()
    assert f"This quote is not in the text of {source}: copy it word for word." in (
        messages_for(error, "quote")
    )


def test_vendor_claim_names_the_vendor():
    model, benchmark = make_model(), make_benchmark()
    result = Result(
        model=model,
        benchmark=benchmark,
        source=make_source(),
        value=5,
        provenance=Provenance.VENDOR_CLAIM,
        quote=stating(model, benchmark, 5),
    )
    with pytest.raises(ValidationError) as error:
        result.full_clean()
    assert messages_for(error, "claimed_by") == ["Name the vendor whose claim this is."]
    result.claimed_by = make_organization(name="Acme")
    with pytest.raises(ValidationError) as error:
        result.full_clean()
    assert messages_for(error, "claimed_by") == [
        "Neither the quote nor its source names Acme: the claimer must be the one they name."
    ]
    result.quote = f"Acme claims {result.quote}"
    result.full_clean()


def test_model_citation_must_state_the_number_it_backs():
    model = make_model(total_parameters=128_000_000_000)
    citation = ModelCitation(
        model=model,
        attribute="total_parameters",
        source=make_source(),
        quote="a total parameter count of 128 billion",
    )
    citation.full_clean()
    citation.quote = "a total parameter count of 120 billion"
    with pytest.raises(ValidationError) as error:
        citation.full_clean()
    assert messages_for(error, "quote") == [
        "The quote does not state total parameters = 128000000000."
    ]


def test_seed_file_must_exist_inside_seeds():
    for name in ["missing.txt", "../manage.py", "/etc/passwd"]:
        source = Source(title="T", slug="t", seed_file=name)
        with pytest.raises(ValidationError) as error:
            source.full_clean()
        assert messages_for(error, "seed_file") == [f"No file named {name!r} in seeds/."]
        assert source.text == ""


def test_headline_prefers_independent_then_newest():
    model, benchmark = make_model(), make_benchmark()
    vendor = make_organization()

    def add(value, provenance, reported_on):
        return make_result(
            model=model,
            benchmark=benchmark,
            value=value,
            provenance=provenance,
            claimed_by=vendor,
            reported_on=reported_on,
        )

    add(90, Provenance.VENDOR_CLAIM, datetime.date(2026, 6, 1))
    assert Result.objects.headline().get().value == 90
    add(70, Provenance.INDEPENDENT, None)
    assert Result.objects.headline().get().value == 70
    add(75, Provenance.INDEPENDENT, datetime.date(2026, 1, 1))
    add(72, Provenance.INDEPENDENT, datetime.date(2025, 1, 1))
    assert Result.objects.headline().get().value == 75
    # One per model and benchmark: another model's result is its own headline.
    make_result(benchmark=benchmark, value=10)
    assert sorted(Result.objects.headline().values_list("value", flat=True)) == [10, 75]


def test_every_model_round_trips_its_natural_key(article):
    benchmark = Benchmark.objects.get(slug="ai-index")
    BenchmarkVersion.objects.create(benchmark=benchmark, name="v2")
    for model_class in [
        Organization,
        Source,
        AIModel,
        ModelAlias,
        ModelCitation,
        Benchmark,
        BenchmarkVersion,
        BenchmarkCitation,
        Result,
    ]:
        rows = list(model_class.objects.all())
        assert rows, model_class
        for row in rows:
            found = model_class.objects.get_by_natural_key(*row.natural_key())
            assert found.pk == row.pk


def test_headline_follows_edits_moves_and_deletes():
    model, other, benchmark = make_model(), make_model(), make_benchmark()
    vendor = make_organization()
    claim = make_result(
        model=model,
        benchmark=benchmark,
        value=90,
        provenance=Provenance.VENDOR_CLAIM,
        claimed_by=vendor,
    )
    measured = make_result(model=model, benchmark=benchmark, value=70)
    assert list(Result.objects.headline().values_list("pk", flat=True)) == [measured.pk]

    # An editor turns the measurement into a claim: the newer entry now wins.
    measured.provenance, measured.claimed_by = Provenance.VENDOR_CLAIM, vendor
    measured.quote = stating(model, benchmark, 70, claimed_by=vendor)
    writes.save(measured)
    assert list(Result.objects.headline().values_list("pk", flat=True)) == [measured.pk]
    measured.reported_on = datetime.date(2020, 1, 1)
    claim.reported_on = datetime.date(2021, 1, 1)
    writes.save(measured)
    writes.save(claim)
    assert list(Result.objects.headline().values_list("pk", flat=True)) == [claim.pk]

    # Moved to another model: both models keep exactly one headline.
    claim.model = other
    claim.quote = stating(other, benchmark, 90, claimed_by=vendor)
    writes.save(claim)
    assert set(Result.objects.headline().values_list("pk", flat=True)) == {claim.pk, measured.pk}

    # Deleted: the group is left without a headline, not with a stale one.
    writes.delete(claim)
    assert list(Result.objects.headline().values_list("pk", flat=True)) == [measured.pk]


def test_database_allows_one_headline_per_model_and_benchmark():
    first = make_result(value=1)
    second = make_result(model=first.model, benchmark=first.benchmark, value=2)
    assert Result.objects.headline().count() == 1
    assert_rejected_by_database(
        lambda: Result.objects.filter(pk__in=[first.pk, second.pk]).update(is_headline=True)
    )


@pytest.mark.parametrize(
    "field", ["total_parameters", "active_parameters", "context_window_tokens"]
)
def test_counts_are_at_least_one_in_the_database_too(field):
    model = make_model(total_parameters=None)
    setattr(model, field, 0)
    with pytest.raises(ValidationError):
        model.full_clean()
    assert_rejected_by_database(model.save)


def test_alias_and_version_changes_are_kept_in_history():
    model, benchmark = make_model(), make_benchmark()
    alias = ModelAlias.objects.create(model=model, name="first name")
    alias.name = "second name"
    alias.save()
    assert [h.name for h in alias.history.all()] == ["second name", "first name"]
    version = BenchmarkVersion.objects.create(benchmark=benchmark, name="v1")
    version.delete()
    assert BenchmarkVersion.history.filter(name="v1").count() == 2


def test_the_scale_and_count_bounds_are_inclusive():
    benchmark = make_benchmark(name="Pct", scale_min=0, scale_max=100)
    for edge in (0, 100):
        make_result(benchmark=benchmark, value=edge).full_clean()
    model = make_model(total_parameters=7_000_000_000, active_parameters=7_000_000_000)
    model.full_clean()  # active may equal total
    model.active_parameters = 7_000_000_001
    with pytest.raises(ValidationError):
        model.full_clean()


def test_a_quote_of_only_spaces_is_no_quote():
    result = make_result(value=5)
    result.quote = "   \n\t "
    with pytest.raises(ValidationError) as error:
        result.full_clean()
    assert messages_for(error, "quote") == ["Quote the words of the source that state this."]


def test_a_seed_file_that_goes_missing_fails_its_quotes(settings, tmp_path):
    settings.SEEDS_DIR = tmp_path
    (tmp_path / "kept.txt").write_text("Alpha scored 5 on Bench.")
    source = make_source(seed_file="kept.txt")
    result = make_result(
        source=source,
        model=make_model(name="Alpha"),
        benchmark=make_benchmark(name="Bench"),
        value=5,
        quote="Alpha scored 5 on Bench.",
    )
    (tmp_path / "kept.txt").unlink()
    result = Result.objects.get(pk=result.pk)
    with pytest.raises(ValidationError) as error:
        result.full_clean()
    assert messages_for(error, "source") == ["The source's kept text cannot be read."]


def test_the_seed_path_guard_refuses_a_sibling_folder(settings, tmp_path):
    seeds = tmp_path / "seeds"
    evil = tmp_path / "seeds_evil"
    seeds.mkdir()
    evil.mkdir()
    (evil / "x.txt").write_text("anything")
    settings.SEEDS_DIR = seeds
    source = Source(title="T", slug="t", seed_file="../seeds_evil/x.txt")
    assert source.seed_path is None and source.text == ""
    with pytest.raises(ValidationError):
        source.full_clean()
