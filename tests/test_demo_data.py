"""The synthetic data set: reproducible, realistic in shape, clearly not real, and
removable without touching real data."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from leaderboard.models import AIModel, Benchmark, DataVersion, Organization, Result, ResultKind

pytestmark = pytest.mark.django_db


def make(**options):
    call_command("make_demo_data", stdout=io.StringIO(), stderr=io.StringIO(), **options)


def synthetic_results():
    return Result.objects.filter(source__slug="synthetic-demo-data")


def fingerprint():
    return sorted(
        synthetic_results().values_list("model__slug", "benchmark__slug", "value", "rank")
    )


@pytest.mark.slow
def test_makes_a_realistic_clearly_synthetic_data_set(article):
    version = DataVersion.current().version
    make(models=60, benchmarks=10, seed=3)
    organization = Organization.objects.get(slug="synthetic-demo-lab")
    assert "not real" in organization.name
    models = AIModel.objects.filter(organization=organization)
    assert models.count() == 60
    assert all("Synthetic" in name for name in models.values_list("name", flat=True))
    benchmarks = Benchmark.objects.filter(slug__startswith="synthetic-bench-")
    assert benchmarks.count() == 10
    kinds = set(benchmarks.values_list("result_kind", "higher_is_better"))
    assert {(ResultKind.SCORE, True), (ResultKind.SCORE, False), (ResultKind.RANK, None)} <= kinds

    missing = 1 - synthetic_results().count() / (60 * 10)
    assert 0.25 < missing < 0.42
    rank_only = synthetic_results().filter(benchmark__result_kind=ResultKind.RANK)
    assert rank_only.exists() and not rank_only.filter(value__isnull=False).exists()
    # Skewed sizes: a few large models, mostly small ones, some mixture-of-experts.
    totals = sorted(t for t in models.values_list("total_parameters", flat=True) if t)
    assert totals[len(totals) // 2] < sum(totals) / len(totals)
    assert any(m.active_parameters < m.total_parameters for m in models if m.total_parameters)
    assert models.filter(total_parameters=None).exists()
    # Every row passes the same validation an editor's would.
    for result in synthetic_results()[:200]:
        result.full_clean()
    assert DataVersion.current().version > version
    assert (
        Result.objects.filter(source__slug="gate-nvidia-enters-the-ai-large-model-race").count()
        == 3
    )


def test_same_seed_same_data_and_a_rerun_replaces_it(db):
    make(models=25, benchmarks=5, seed=7)
    first = fingerprint()
    make(models=25, benchmarks=5, seed=7)
    assert fingerprint() == first
    assert AIModel.objects.count() == 25
    make(models=25, benchmarks=5, seed=8)
    assert fingerprint() != first


def test_clear_removes_only_the_synthetic_data(article):
    real = sorted(map(str, Result.objects.values_list()))
    make(models=20, benchmarks=4, seed=1)
    AIModel.objects.get(slug="synthetic-model-000001").aliases.create(name="an editor's alias")
    make(clear=True)
    assert sorted(map(str, Result.objects.values_list())) == real
    assert not Organization.objects.filter(slug="synthetic-demo-lab").exists()
    assert not Benchmark.objects.filter(slug__startswith="synthetic-bench-").exists()
    assert AIModel.objects.count() == 2


@pytest.mark.parametrize("options", [{"models": 0}, {"benchmarks": 0}, {"models": 2_000_000}])
def test_rejects_impossible_sizes(db, options):
    with pytest.raises(CommandError):
        make(**options)
