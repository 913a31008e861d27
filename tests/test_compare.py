"""The compare page: two to four models side by side, the better result marked."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from leaderboard.models import Provenance
from tests.factories import make_benchmark, make_model, make_organization, make_result

COMPARE = reverse("compare")


def text_of(html):
    """What a reader reads: the HTML without its tags (a claimer's name is isolated
    in ``<bdi>``)."""
    return re.sub(r"<[^>]+>", "", html)


def cells(page, benchmark_name):
    """The result cells of a benchmark's row."""
    row = re.search(
        rf"<tr>\s*<th scope=\"row\"><a [^>]*>{re.escape(benchmark_name)}</a>(.*?)</tr>", page, re.S
    )
    return re.findall(r"<td class=\"num[^\"]*\">(.*?)</td>", row.group(1), re.S)


def best_cells(page, benchmark_name):
    return [
        index
        for index, cell in enumerate(cells(page, benchmark_name))
        if '<strong class="best-mark">best</strong>' in cell
    ]


def tied_cells(page, benchmark_name):
    return [
        index
        for index, cell in enumerate(cells(page, benchmark_name))
        if re.search(r'<strong class="tied-mark"[^>]*>tied</strong>', cell)
    ]


def test_the_article_models_side_by_side(client, article):
    page = client.get(COMPARE, {"models": ["nemotron-3-super", "gpt-oss-largest"]})
    page = page.content.decode()
    headers = re.findall(r'<th scope="col"><a href="([^"]+)">', page)
    assert headers == ["/models/nemotron-3-super/", "/models/gpt-oss-largest/"]
    # 37 beats 33 on a higher-is-better benchmark: Nemotron's cell is marked.
    assert best_cells(page, "AI Index composite score") == [0]
    # PinchBench states no direction: nothing is marked better.
    assert best_cells(page, "PinchBench") == []
    assert "no result reported" in cells(page, "PinchBench")[1]
    # Every figure keeps its claim and its quote.
    assert text_of(page).count("NVIDIA’s claim") >= 3
    assert "Nemotron 3 Super scored 37 points" in page
    # Facts: the counts one source states, "not reported" for the other model.
    facts = page[page.index("Total parameters") :]
    facts = facts[: facts.index("</tr>")]
    assert "128,000,000,000" in facts and "not reported" in facts


@pytest.mark.django_db
@pytest.mark.parametrize(
    "higher_is_better, values, best, tied",
    [
        # Equal best values: neither is the better, both are marked tied.
        (True, [10, 30, 30], [], [1, 2]),
        (False, [10, 30, 5], [2], []),
        (None, [10, 30, 5], [], []),
    ],
)
def test_better_result_follows_the_direction(client, higher_is_better, values, best, tied):
    benchmark = make_benchmark(name="Bench X", higher_is_better=higher_is_better)
    models = [make_model() for _ in values]
    for model, value in zip(models, values, strict=True):
        make_result(model=model, benchmark=benchmark, value=value)
    page = client.get(COMPARE, {"models": [m.slug for m in models]}).content.decode()
    assert best_cells(page, "Bench X") == best
    assert tied_cells(page, "Bench X") == tied


@pytest.mark.django_db
def test_a_value_beats_a_place_alone_and_a_lone_result_is_not_best(client):
    benchmark = make_benchmark(name="Bench Y", higher_is_better=True)
    lone = make_benchmark(name="Bench Z", higher_is_better=True)
    placed, scored = make_model(), make_model()
    make_result(model=placed, benchmark=benchmark, value=None, rank=1)
    make_result(model=scored, benchmark=benchmark, value=3)
    make_result(model=scored, benchmark=lone, value=3)
    page = client.get(COMPARE, {"models": [placed.slug, scored.slug]}).content.decode()
    assert best_cells(page, "Bench Y") == [1]
    assert best_cells(page, "Bench Z") == []


@pytest.mark.django_db
def test_models_are_found_by_slug_name_or_alias_once_each(client, article):
    page = client.get(
        COMPARE, {"models": ["NEMOTRON 3 SUPER", "GPT-OSS", "gpt-oss-largest", "nemotron-3-super"]}
    ).content.decode()
    assert re.findall(r'<th scope="col"><a href="([^"]+)">', page) == [
        "/models/nemotron-3-super/",
        "/models/gpt-oss-largest/",
    ]


@pytest.mark.parametrize(
    "asked, says",
    [
        ([], "Choose at least 2 models"),
        (["nemotron-3-super"], "add at least one more model"),
        (["nemotron-3-super", "no-such-model"], "Model &#x27;no-such-model&#x27;: no model"),
        (["x" * 5000, "\x00", " "], "Choose at least 2 models"),
        (["nemotron-3-super", "gpt\x00oss"], "&#x27;gpt\\x00oss&#x27;: not a model"),
        ([f"m{n}" for n in range(1000)], "Choose at least 2 models"),
    ],
)
def test_too_few_or_unknown_models_get_a_clear_answer(client, article, asked, says):
    response = client.get(COMPARE, {"models": asked})
    assert response.status_code == 200
    page = response.content.decode()
    assert says in page
    assert "compare-table" not in page


@pytest.mark.django_db
def test_at_most_four_are_compared_and_the_rest_named(client):
    models = [make_model(name=f"Model {letter}") for letter in "ABCDE"]
    page = client.get(COMPARE, {"models": [m.slug for m in models]}).content.decode()
    assert len(re.findall(r'<th scope="col"><a href=', page)) == 4
    assert "At most 4 models compare at once; left out: Model E." in page


@pytest.mark.django_db
def test_compare_costs_the_same_queries_however_many_benchmarks(
    client, django_assert_max_num_queries
):
    organization = make_organization()
    models = [make_model(organization=organization) for _ in range(4)]
    for _ in range(12):
        benchmark = make_benchmark()
        for model in models:
            make_result(model=model, benchmark=benchmark, value=7)
    # The data version; the models with their aliases and citations; their results
    # with benchmarks, sources and claimers; the benchmarks' versions.
    with django_assert_max_num_queries(7):
        response = client.get(COMPARE, {"models": [m.slug for m in models]})
    assert response.content.decode().count('class="quote-details"') == 48


def test_home_table_checkboxes_submit_to_the_compare_page(client, article):
    page = client.get(reverse("index")).content.decode()
    assert '<form id="compare-form"' in page and f'action="{COMPARE}"' in page
    boxes = re.findall(
        r'<input type="checkbox" name="models" value="([^"]+)" form="compare-form"', page
    )
    assert boxes == ["nemotron-3-super", "gpt-oss-largest"]
    # What the browser sends when both are ticked, with no JavaScript at all:
    assert client.get(COMPARE, {"models": boxes}).content.decode().count("best-mark") == 1


def test_model_page_offers_to_compare(client, article):
    page = client.get("/models/nemotron-3-super/").content.decode()
    assert '<input type="hidden" name="models" value="nemotron-3-super">' in page
    assert f"{COMPARE}?models=nemotron-3-super&amp;models=gpt-oss-largest" in page


@pytest.mark.django_db
def test_a_vendor_claim_and_a_measurement_are_labelled_apart(client):
    vendor = make_organization(name="Vendor Co")
    benchmark = make_benchmark(name="Bench W")
    a, b = make_model(), make_model()
    make_result(
        model=a,
        benchmark=benchmark,
        value=9,
        claimed_by=vendor,
        provenance=Provenance.VENDOR_CLAIM,
    )
    make_result(model=b, benchmark=benchmark, value=8)
    first, second = cells(
        client.get(COMPARE, {"models": [a.slug, b.slug]}).content.decode(), "Bench W"
    )
    assert "Vendor Co’s claim" in text_of(first) and 'class="claim"' in first
    assert 'class="measured"' in second and "claim" not in second


def compared_with_uncertainty(client, higher_is_better, *figures):
    """The compare page's cells on "Bench T" for one model per (value, stderr, ci)."""
    benchmark = make_benchmark(name="Bench T", higher_is_better=higher_is_better)
    models = []
    for value, stderr, ci in figures:
        model = make_model()
        stated = f"{value}" + (f" ± {stderr}" if stderr is not None else "")
        if ci:
            stated += f" (95% CI {ci[0]} to {ci[1]})"
        make_result(
            model=model,
            benchmark=benchmark,
            value=Decimal(str(value)),
            stderr=None if stderr is None else Decimal(str(stderr)),
            ci_low=None if not ci else Decimal(str(ci[0])),
            ci_high=None if not ci else Decimal(str(ci[1])),
            quote=f"{model.name} scored {stated} on Bench T.",
        )
        models.append(model)
    return client.get(COMPARE, {"models": [m.slug for m in models]}).content.decode()


@pytest.mark.django_db
def test_overlapping_intervals_are_tied_not_best(client):
    # 50 ± 1 spans 48.04 to 51.96; 49 ± 1 spans 47.04 to 50.96: they overlap.
    page = compared_with_uncertainty(client, True, (50, 1, None), (49, 1, None))
    assert best_cells(page, "Bench T") == []
    assert tied_cells(page, "Bench T") == [0, 1]
    assert "best-mark" not in "".join(cells(page, "Bench T"))


@pytest.mark.django_db
def test_a_clearly_better_result_stays_best(client):
    # 60 ± 1 (58.04 to 61.96) lies wholly above 50 ± 1 (48.04 to 51.96).
    page = compared_with_uncertainty(client, True, (50, 1, None), (60, 1, None))
    assert best_cells(page, "Bench T") == [1]
    assert tied_cells(page, "Bench T") == []


@pytest.mark.django_db
def test_ties_follow_the_direction_and_confidence_intervals(client):
    # Lower is better: 10 [9, 12] overlaps 11.5 [11, 13]; 20 [19, 21] does not.
    page = compared_with_uncertainty(
        client, False, (11.5, None, (11, 13)), (10, None, (9, 12)), (20, None, (19, 21))
    )
    assert best_cells(page, "Bench T") == []
    assert tied_cells(page, "Bench T") == [0, 1]


@pytest.mark.django_db
def test_only_results_overlapping_the_best_are_tied(client):
    # 70 ± 1 overlaps 69 ± 1 (tied); 60 ± 1 overlaps neither: unmarked.
    page = compared_with_uncertainty(client, True, (60, 1, None), (70, 1, None), (69, 1, None))
    assert best_cells(page, "Bench T") == []
    assert tied_cells(page, "Bench T") == [1, 2]


@pytest.mark.django_db
def test_without_uncertainty_the_better_value_is_best(client):
    # A value alone is its own interval: 50.1 beats 50, as before.
    page = compared_with_uncertainty(client, True, (50, None, None), (50.1, None, None))
    assert best_cells(page, "Bench T") == [1]
    assert tied_cells(page, "Bench T") == []


@pytest.mark.django_db
def test_an_uncertain_best_ties_with_a_bare_value_inside_its_interval(client):
    # 50 ± 1 (48.04 to 51.96) holds 49, which gives no uncertainty.
    page = compared_with_uncertainty(client, True, (50, 1, None), (49, None, None))
    assert best_cells(page, "Bench T") == []
    assert tied_cells(page, "Bench T") == [0, 1]
