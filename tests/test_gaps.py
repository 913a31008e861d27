"""A vendor's claim beside an independent measurement of the same thing."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from leaderboard.models import BenchmarkVersion, Provenance, Result
from leaderboard.models.results import with_measurements
from tests.factories import make_benchmark, make_model, make_organization, make_result


@pytest.fixture
def claimed_and_measured(db):
    vendor = make_organization(name="NVIDIA")
    benchmark = make_benchmark(name="Bench G", unit="points")
    models = []
    for name, claimed, measured in [
        ("Close Model", "37", ("35.2", "0.9")),
        ("Far Model", "50", ("41", None)),
        ("Unmeasured Model", "44", None),
    ]:
        model = make_model(name=name)
        models.append(model)
        make_result(
            model=model,
            benchmark=benchmark,
            value=Decimal(claimed),
            claimed_by=vendor,
            provenance=Provenance.VENDOR_CLAIM,
        )
        if measured:
            value, stderr = measured
            make_result(
                model=model,
                benchmark=benchmark,
                value=Decimal(value),
                stderr=None if stderr is None else Decimal(stderr),
                quote=f"{name} scored {value}"
                + (f" ± {stderr}" if stderr else "")
                + " on Bench G.",
            )
    return benchmark, models


def test_claims_are_paired_with_their_measurement_and_the_gap(claimed_and_measured):
    claims = {
        c.model.name: (c.value, c.measured, c.gap)
        for c in Result.objects.beside_measurements().select_related("model")
    }
    assert claims == {
        "Close Model": (Decimal(37), Decimal("35.2"), Decimal("1.8")),
        "Far Model": (Decimal(50), Decimal(41), Decimal(9)),
    }


def test_model_page_shows_the_claim_beside_the_measurement(client, claimed_and_measured):
    _, (close, _, unmeasured) = claimed_and_measured
    page = client.get(close.get_absolute_url()).content.decode()
    section = page[page.index('id="gaps-heading"') :]
    text = re.sub(r"<[^>]+>", "", section)
    assert "NVIDIA claims 37; measured 35.20 ± 0.90 (+1.80)" in text
    page = client.get(unmeasured.get_absolute_url()).content.decode()
    assert 'id="gaps-heading"' not in page


def test_benchmark_page_lists_the_largest_gaps_first(client, claimed_and_measured):
    benchmark, _ = claimed_and_measured
    page = client.get(benchmark.get_absolute_url()).content.decode()
    section = page[page.index('id="gaps-heading"') :]
    section = section[: section.index("</section>")]
    assert re.findall(r'<li><a href="/models/[^"]+/">([^<]+)</a>', section) == [
        "Far Model",
        "Close Model",
    ]
    assert "(+9)" in section and "(+1.80)" in section


def test_compare_page_shows_the_claim_under_the_measurement(client, claimed_and_measured):
    _, (close, far, _) = claimed_and_measured
    page = client.get(reverse("compare"), {"models": [close.slug, far.slug]})
    text = re.sub(r"<[^>]+>", "", page.content.decode())
    assert "NVIDIA claims 37; measured 35.20 ± 0.90 (+1.80)" in text
    assert "NVIDIA claims 50; measured 41 (+9)" in text


@pytest.mark.django_db
def test_a_claim_and_a_measurement_of_different_versions_are_not_compared():
    vendor = make_organization(name="Vendor V")
    benchmark = make_benchmark(name="Bench H")
    v1 = BenchmarkVersion.objects.create(benchmark=benchmark, name="v1")
    v2 = BenchmarkVersion.objects.create(benchmark=benchmark, name="v2")
    model = make_model(name="Versioned")
    make_result(
        model=model,
        benchmark=benchmark,
        version=v1,
        value=Decimal(60),
        claimed_by=vendor,
        provenance=Provenance.VENDOR_CLAIM,
    )
    make_result(model=model, benchmark=benchmark, version=v2, value=Decimal(50))
    assert not Result.objects.beside_measurements().exists()
    make_result(model=model, benchmark=benchmark, version=None, value=Decimal(55))
    assert not Result.objects.beside_measurements().exists()


@pytest.mark.django_db
def test_a_claim_is_answered_only_by_a_measurement_made_alike():
    vendor = make_organization(name="Vendor S")
    benchmark = make_benchmark(name="Bench S")
    model = make_model(name="Shotted")
    make_result(
        model=model,
        benchmark=benchmark,
        value=Decimal(70),
        shots=5,
        metric="acc",
        quote="Vendor S claims Shotted scored 70 on Bench S (acc, 5-shot).",
        claimed_by=vendor,
        provenance=Provenance.VENDOR_CLAIM,
    )
    quote = "Shotted scored {} on Bench S (acc, {}-shot{})."
    for value, shots, subset in [(50, 0, None), (52, 5, True)]:
        make_result(
            model=model,
            benchmark=benchmark,
            value=Decimal(value),
            shots=shots,
            metric="acc",
            subset=subset,
            quote=quote.format(value, shots, ", on a subset" if subset else ""),
        )
    # A 0-shot run and a run on a subset measure something else: no gap.
    assert not Result.objects.beside_measurements().exists()
    alike = make_result(
        model=model,
        benchmark=benchmark,
        value=Decimal(61),
        shots=5,
        metric="acc",
        quote=quote.format(61, 5, ""),
    )
    (claim,) = Result.objects.beside_measurements()
    assert (claim.measured_pk, claim.gap) == (alike.pk, Decimal(9))


@pytest.mark.django_db
def test_the_gap_is_rounded_as_the_measurement_is_shown():
    vendor = make_organization(name="Vendor R")
    benchmark = make_benchmark(name="Bench R")
    model = make_model(name="Rounded")
    make_result(
        model=model,
        benchmark=benchmark,
        value=Decimal(82),
        claimed_by=vendor,
        provenance=Provenance.VENDOR_CLAIM,
    )
    make_result(
        model=model,
        benchmark=benchmark,
        value=Decimal("82.085242"),
        stderr=Decimal("0.382692"),
        quote="Rounded scored 82.085242 ± 0.382692 on Bench R.",
    )
    (claim,) = with_measurements(Result.objects.beside_measurements())
    assert claim.gap == Decimal("-0.085242")  # exactly, on every database
    assert claim.display_gap == "-0.09"  # shown as 82.09 ± 0.38 is
