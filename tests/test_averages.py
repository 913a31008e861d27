"""A suite's average (``rules.averages``): the formula by hand, coverage, the two
normalisations, independent measurements only, the uncertainty and ties, a
Hypothesis check against a brute-force version, and the suite's pages and doors."""

import csv
import io
import json
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from leaderboard.models import (
    AIModel,
    BenchmarkCitation,
    Openness,
    Provenance,
    ResultKind,
    Suite,
    SuiteMember,
)
from leaderboard.rules import averages, writes

from .factories import make_benchmark, make_model, make_organization, make_result, make_source

pytestmark = pytest.mark.django_db


def cite_baseline(benchmark, baseline, words=None):
    benchmark.random_baseline = Decimal(baseline)
    writes.save(benchmark)
    citation = BenchmarkCitation(
        benchmark=benchmark,
        attribute=BenchmarkCitation.Attribute.RANDOM_BASELINE,
        source=make_source(),
        quote=words or f"Guessing at random scores {baseline} on {benchmark.name}.",
    )
    writes.save(citation)
    return citation


def suite_of(*benchmarks, slug="core"):
    suite = Suite(name=f"Suite {slug}", slug=slug)
    writes.save(suite)
    for position, benchmark in enumerate(benchmarks):
        writes.save(SuiteMember(suite=suite, benchmark=benchmark, position=position))
    return suite


def computed(benchmarks, **options):
    from leaderboard.models import Benchmark

    fresh = Benchmark.objects.prefetch_related("versions", "citations").in_bulk(
        [b.pk for b in benchmarks]
    )
    return averages.suite_averages([fresh[b.pk] for b in benchmarks], **options)


@pytest.fixture
def pair():
    """Two percentage benchmarks and three models: two complete, one missing one."""
    first = make_benchmark(name="Alpha Bench", result_kind=ResultKind.PERCENTAGE)
    second = make_benchmark(name="Beta Bench", result_kind=ResultKind.PERCENTAGE)
    complete_a, complete_b, partial = (make_model(name=n) for n in ("Ann", "Bob", "Cid"))
    make_result(model=complete_a, benchmark=first, value=80)
    make_result(model=complete_a, benchmark=second, value=60)
    make_result(model=complete_b, benchmark=first, value=90)
    make_result(model=complete_b, benchmark=second, value=40)
    make_result(model=partial, benchmark=first, value=99)
    return first, second, (complete_a, complete_b, partial)


def test_the_plain_mean_by_hand_and_coverage(pair):
    first, second, (ann, bob, cid) = pair
    found = computed([first, second])
    assert found.unavailable == []
    assert [(a.name, a.value, a.place) for a in found.averages] == [
        ("Ann", Decimal(70), 1),
        ("Bob", Decimal(65), 2),
    ]
    # Cid's 99 on one benchmark outranks nobody: listed apart, with what he misses.
    assert [(row.model_id, row.missing) for row in found.incomplete] == [(cid.pk, (second.pk,))]
    assert all(a.stderr is None and a.best_place is None for a in found.averages)


def test_the_normalised_mean_by_hand(pair):
    first, second, _ = pair
    cite_baseline(first, 25)
    cite_baseline(second, 50)
    found = computed([first, second], normalisation=averages.NORMALISED)
    # Ann: 100 × (80 − 25) / 75 = 73.333…, 100 × (60 − 50) / 50 = 20 → 46.666667.
    # Bob: 100 × (90 − 25) / 75 = 86.666…, 100 × (40 − 50) / 50 = −20 → 33.333333.
    assert [(a.name, a.value) for a in found.averages] == [
        ("Ann", Decimal("46.666667")),
        ("Bob", Decimal("33.333333")),
    ]
    assert found.averages[1].counted[1] == Decimal(-20)  # below chance is not clipped


def test_a_baseline_no_source_states_is_not_used(pair):
    first, second, _ = pair
    cite_baseline(first, 25)
    second.random_baseline = Decimal(50)
    writes.save(second)  # entered, but no citation states it
    found = computed([first, second], normalisation=averages.NORMALISED)
    assert found.averages == []
    assert found.unavailable == ["Beta Bench: no cited source states its random baseline."]


def test_a_citation_must_state_the_baseline(pair):
    first, _, _ = pair
    with pytest.raises(ValidationError, match="does not state the random baseline 25"):
        cite_baseline(first, 25, words="Guessing at random scores 20 on Alpha Bench.")


def test_a_baseline_off_the_scale_is_refused(pair):
    first, _, _ = pair
    first.scale_min, first.scale_max, first.random_baseline = 0, 100, Decimal(100)
    with pytest.raises(ValidationError, match="random baseline lies on the scale"):
        writes.save(first)


def test_a_plain_mean_of_unlike_scales_is_refused(pair):
    first, _, (ann, _, _) = pair
    unit_scale = make_benchmark(name="Gamma Bench", scale_min=0, scale_max=1)
    make_result(model=ann, benchmark=unit_scale, value=Decimal("0.5"))
    found = computed([first, unit_scale])
    assert found.averages == []
    assert "one scale" in found.unavailable[0] and "Gamma Bench: 0–1" in found.unavailable[0]


def test_independent_only_sets_claims_apart_and_claims_are_counted(pair):
    first, second, (ann, bob, _) = pair
    vendor = make_organization(name="Vendorco")
    # Dan's only figure on Beta Bench is his vendor's claim.
    dan = make_model(name="Dan", organization=vendor)
    make_result(model=dan, benchmark=first, value=70)
    make_result(
        model=dan,
        benchmark=second,
        value=70,
        provenance=Provenance.VENDOR_CLAIM,
        claimed_by=vendor,
    )
    every = computed([first, second])
    assert {a.name: a.claims for a in every.averages} == {"Ann": 0, "Bob": 0, "Dan": 1}
    # Dan's 70 ties Ann's: one place, named in order.
    assert [(a.name, a.place) for a in every.averages] == [("Ann", 1), ("Dan", 1), ("Bob", 3)]
    independent = computed([first, second], independent_only=True)
    assert [a.name for a in independent.averages] == ["Ann", "Bob"]
    assert (dan.pk, (second.pk,)) in [
        (row.model_id, row.missing) for row in independent.incomplete
    ]


def test_equal_averages_share_a_place(pair):
    first, second, _ = pair
    dan = make_model(name="Dan")
    make_result(model=dan, benchmark=first, value=70)
    make_result(model=dan, benchmark=second, value=70)
    found = computed([first, second])
    assert [(a.name, a.place) for a in found.averages] == [("Ann", 1), ("Dan", 1), ("Bob", 3)]


def with_error(model, benchmark, value, stderr):
    return make_result(
        model=model,
        benchmark=benchmark,
        value=value,
        stderr=stderr,
        quote=f"{model.name} scored {value} ± {stderr} on {benchmark.name}.",
    )


def test_the_uncertainty_and_ties_follow_the_interval_test():
    first = make_benchmark(name="Delta Bench", result_kind=ResultKind.PERCENTAGE)
    second = make_benchmark(name="Echo Bench", result_kind=ResultKind.PERCENTAGE)
    eve, fay, gus = (make_model(name=n) for n in ("Eve", "Fay", "Gus"))
    with_error(eve, first, 80, 1)
    with_error(eve, second, 60, 2)
    with_error(fay, first, 79, 1)
    with_error(fay, second, 59, 2)
    with_error(gus, first, 50, 1)
    with_error(gus, second, 30, 1)
    found = computed([first, second])
    by_name = {a.name: a for a in found.averages}
    # √(1² + 2²) / 2 = 1.118034 (to the stored six places).
    assert by_name["Eve"].stderr == Decimal("1.118034")
    assert by_name["Gus"].stderr == Decimal("0.707107")
    # Eve 70 ± 2.19 and Fay 69 ± 2.19 overlap: Fay may be first. Gus (40) is surely third.
    assert (by_name["Fay"].place, by_name["Fay"].best_place) == (2, 1)
    assert (by_name["Gus"].place, by_name["Gus"].best_place) == (3, 3)


def test_one_input_without_an_error_leaves_the_average_without_one(pair):
    first, second, _ = pair
    hal = make_model(name="Hal")
    with_error(hal, first, 80, 1)
    make_result(model=hal, benchmark=second, value=60)
    found = computed([first, second])
    assert next(a for a in found.averages if a.name == "Hal").stderr is None


# Hypothesis: the rule against a brute-force version of it.
def stand_in(pk, baseline=None):
    """A benchmark as an average reads it: on 0–100, its random baseline cited."""
    quote = f"Random guessing scores {baseline}." if baseline is not None else ""
    citation = SimpleNamespace(attribute="random_baseline", quote=quote)
    return SimpleNamespace(
        pk=pk,
        scale_min=Decimal(0),
        scale_max=Decimal(100),
        result_kind=ResultKind.PERCENTAGE,
        higher_is_better=True,
        random_baseline=baseline,
        citations=SimpleNamespace(all=lambda: [citation] if baseline is not None else []),
        __str__=lambda: f"bench {pk}",
    )


VALUES = st.decimals(min_value=0, max_value=100, places=1, allow_nan=False)
BASELINES = st.sampled_from([Decimal(0), Decimal(20), Decimal(25), Decimal("33.3"), Decimal(50)])


def brute_force(grid, baselines):
    """Each complete model's mean, computed as the formula reads, at 60 digits."""
    from decimal import localcontext

    expected = {}
    with localcontext() as context:
        context.prec = 60
        for m, values in enumerate(grid):
            mine = values[: len(baselines)]
            if None in mine:
                continue
            if baselines[0] is None:
                counted = mine
            else:
                counted = [(v - b) * 100 / (100 - b) for v, b in zip(mine, baselines, strict=True)]
            expected[m] = sum(counted) / len(counted)
    return {m: value.quantize(averages.STORED_PLACES) for m, value in expected.items()}


@settings(max_examples=150, deadline=None)
@given(
    baselines=st.one_of(
        st.lists(st.none(), min_size=1, max_size=4),
        st.lists(BASELINES, min_size=1, max_size=4),
    ),
    grid=st.lists(st.lists(st.one_of(st.none(), VALUES), min_size=4, max_size=4), max_size=12),
)
def test_averages_and_places_match_a_brute_force_version(baselines, grid):
    normalised = baselines[0] is not None
    benchmarks = [stand_in(pk, b) for pk, b in enumerate(baselines, start=1)]
    rows = [
        (m, b.pk, m * 10 + b.pk, values[i], None, "independent")
        for m, values in enumerate(grid)
        for i, b in enumerate(benchmarks)
        if values[i] is not None
    ]
    names = lambda ids: {m: (f"model {m:02}", f"m-{m}") for m in ids}  # noqa: E731
    found = averages.suite_averages(
        benchmarks,
        normalisation=averages.NORMALISED if normalised else averages.PLAIN,
        rows=rows,
        names=names,
    )
    assert found.unavailable == []
    expected = brute_force(grid, baselines)
    assert {a.model_id: a.value for a in found.averages} == expected
    for average in found.averages:
        assert average.place == 1 + sum(v > average.value for v in expected.values())
    listed_apart = {
        m for m, values in enumerate(grid) if any(v is not None for v in values[: len(baselines)])
    }
    assert {row.model_id for row in found.incomplete} == listed_apart - set(expected)


# The doors: a suite's rows go through the one write path and its rules.
def test_a_suite_refuses_a_benchmark_an_average_cannot_use(pair):
    first, _, _ = pair
    suite = suite_of(first)
    lower = make_benchmark(name="Loss Bench", higher_is_better=False)
    places = make_benchmark(name="Place Bench", result_kind=ResultKind.RANK)
    with pytest.raises(ValidationError, match="lower is better"):
        writes.save(SuiteMember(suite=suite, benchmark=lower))
    with pytest.raises(ValidationError, match="needs scores or percentages"):
        writes.save(SuiteMember(suite=suite, benchmark=places))
    assert list(suite.members.values_list("benchmark__name", flat=True)) == ["Alpha Bench"]


def test_a_suite_in_the_admin_moves_the_data_version(admin_client, pair):
    from leaderboard.models import DataVersion

    before = DataVersion.current().version
    response = admin_client.post(
        "/admin/leaderboard/suite/add/",
        {
            "name": "Admin Suite",
            "slug": "admin-suite",
            "description": "",
            "members-TOTAL_FORMS": "1",
            "members-INITIAL_FORMS": "0",
            "members-0-benchmark": str(pair[0].pk),
            "members-0-position": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Suite.objects.get(slug="admin-suite").members.count() == 1
    assert DataVersion.current().version > before


# The pages.
def test_the_suite_page_shows_the_averages_the_formula_and_each_inputs_source(client, pair):
    first, second, _ = pair
    suite_of(first, second)
    page = client.get("/suites/core/").content.decode()
    assert "Computed by this site" in page
    assert averages.formula(averages.PLAIN) in page
    assert ">70.00<" in page and ">65.00<" in page
    assert "?passage=q-" in page  # each input one click from its passage
    assert "Missing some benchmarks" in page and "Cid" in page


def test_the_suite_page_says_why_an_average_cannot_be_computed(client, pair):
    first, second, _ = pair
    suite_of(first, second)
    page = client.get("/suites/core/?normalisation=normalised").content.decode()
    assert "cannot be computed as asked" in page
    assert "no cited source states its random baseline" in page


@pytest.mark.parametrize(
    "query", ["normalisation=bogus", "independent=yes", "sort=nothing", "page=99", "sort=-value"]
)
def test_bad_suite_addresses_get_a_clear_answer(client, pair, query):
    first, second, _ = pair
    suite_of(first, second)
    response = client.get(f"/suites/core/?{query}")
    assert response.status_code in (200, 404)
    if query.startswith(("normalisation", "independent", "sort=nothing")):
        assert "was ignored" in response.content.decode()


def test_the_suite_page_sorts_by_every_column(client, pair):
    first, second, _ = pair
    suite_of(first, second)
    for column in ("place", "name", "value", "claims", f"input_{first.slug}"):
        for sort in (column, f"-{column}"):
            response = client.get(f"/suites/core/?sort={sort}")
            assert response.status_code == 200
            assert "was ignored" not in response.content.decode()
    by_beta = client.get(f"/suites/core/?sort=-input_{second.slug}").content.decode()
    assert by_beta.index(">Ann<") < by_beta.index(">Bob<")  # 60 before 40


def models_on_both(prefix, count, first, second, offsets=(10, 20)):
    """``count`` more models with a result on both benchmarks, the i-th scoring
    offsets[0] + i and offsets[1] + i: rows for the query-count tests."""
    for i in range(count):
        model = make_model(name=f"{prefix} {i:02}")
        make_result(model=model, benchmark=first, value=offsets[0] + i)
        make_result(model=model, benchmark=second, value=offsets[1] + i)


def test_the_suite_page_reads_in_a_bounded_number_of_queries(
    client, pair, django_assert_max_num_queries
):
    first, second, _ = pair
    suite_of(first, second)
    models_on_both("Extra", 12, first, second)
    with django_assert_max_num_queries(17):
        assert client.get("/suites/core/?cold=1").status_code == 200


def test_the_suite_list_names_each_suite_and_its_benchmarks(client, pair):
    first, second, _ = pair
    suite_of(first, second)
    page = client.get("/suites/").content.decode()
    assert "Suite core" in page and "Alpha Bench" in page and "Beta Bench" in page
    assert client.get("/suites/missing/").status_code == 404


# The API: the same averages as the page, labelled as computed by this site.
def test_the_api_gives_the_pages_averages_with_each_input_and_its_passage(client, pair):
    first, second, (ann, bob, _) = pair
    suite_of(first, second)
    body = client.get("/api/suites/core/averages").json()
    assert body["computed_by"] == "this site"
    assert body["formula"] == averages.formula(averages.PLAIN)
    assert body["unavailable"] == [] and body["incomplete_count"] == 1
    assert [(row["model"]["slug"], row["average"], row["place"]) for row in body["items"]] == [
        (ann.slug, 70, 1),
        (bob.slug, 65, 2),
    ]
    first_input = body["items"][0]["inputs"][0]
    assert first_input["benchmark"]["slug"] == first.slug
    assert first_input["counted"] == 80 and first_input["result"]["value"] == 80
    assert "?passage=q-" in first_input["result"]["passage_url"]
    listed = client.get("/api/suites").json()
    assert listed["items"][0]["benchmarks"] == [
        {"slug": b.slug, "name": b.name, "url": f"http://testserver/benchmarks/{b.slug}/"}
        for b in (first, second)
    ]


def test_the_api_says_why_no_average_can_be_computed(client, pair):
    first, second, _ = pair
    suite_of(first, second)
    body = client.get("/api/suites/core/averages?normalisation=normalised").json()
    assert body["items"] == [] and body["count"] == 0
    assert "no cited source states its random baseline" in " ".join(body["unavailable"])


@pytest.mark.parametrize(
    "url, status",
    [
        ("/api/suites/core/averages?normalisation=bogus", 422),
        ("/api/suites/core/averages?independent=maybe", 422),
        ("/api/suites/core/averages?page=9", 404),
        ("/api/suites/nope/averages", 404),
    ],
)
def test_bad_api_requests_get_a_clear_answer(client, pair, url, status):
    suite_of(*pair[:2])
    response = client.get(url)
    assert response.status_code == status
    assert response.json()["detail"]


def test_the_api_reads_a_page_of_averages_in_a_bounded_number_of_queries(
    client, pair, django_assert_max_num_queries
):
    first, second, _ = pair
    suite_of(first, second)
    models_on_both("Many", 30, first, second)
    with django_assert_max_num_queries(14):
        body = client.get("/api/suites/core/averages?per_page=30&x=1").json()
    assert len(body["items"]) == 30


# The leaderboard's Average column: ?average=a,b,c, sortable, exported.
def board_rows(client, url):
    page = client.get(url).content.decode()
    body = page[page.index("<tbody") : page.index("</tbody>")]
    return re.findall(r'href="/models/([^/"]+)/"', body), page


def test_the_leaderboard_averages_the_readers_benchmarks_and_sorts_by_it(client, pair):
    first, second, (ann, bob, cid) = pair
    dan = make_model(name="Dan")
    make_result(model=dan, benchmark=first, value=10)
    make_result(model=dan, benchmark=second, value=12)
    url = f"/?average={first.slug},{second.slug}&show={first.slug}&show={second.slug}"
    best, page = board_rows(client, f"{url}&sort=average")
    assert "was ignored" not in page
    # Averaged models best first (Ann 70, Bob 65, Dan 11), then Cid, who has no average.
    assert best == [ann.slug, bob.slug, dan.slug, cid.slug]
    assert ">70.00<" in page and ">11.00<" in page
    worst, _ = board_rows(client, f"{url}&sort=-average")
    assert worst == [dan.slug, bob.slug, ann.slug, cid.slug]
    # A filter keeps its models in the average's order.
    AIModel.objects.filter(pk__in=[ann.pk, dan.pk]).update(open_weights=Openness.OPEN)
    kept, _ = board_rows(client, f"{url}&sort=average&open_weights=on")
    assert kept == [ann.slug, dan.slug]
    paged, _ = board_rows(client, f"{url}&sort=average&per_page=2&page=2")
    assert paged == [dan.slug, cid.slug]


def test_average_on_takes_the_shown_benchmarks(client, pair):
    first, second, (ann, _, _) = pair
    _, page = board_rows(client, f"/?average=on&show={first.slug}&show={second.slug}")
    assert "Average <small" in page and ">70.00<" in page


@pytest.mark.parametrize(
    "average, says",
    [
        ("nope", "Average of 'nope': no benchmark has that name."),
        ("loss-bench", "Average: Loss Bench: lower is better; an average needs higher"),
        ("FIRST,gamma-bench", "Average: A plain mean needs every benchmark on one scale"),
    ],
)
def test_an_average_the_leaderboard_cannot_take_is_ignored_with_a_reason(
    client, pair, average, says
):
    make_benchmark(name="Loss Bench", slug="loss-bench", higher_is_better=False)
    make_benchmark(name="Gamma Bench", slug="gamma-bench", scale_min=0, scale_max=1)
    response = client.get(f"/?average={average.replace('FIRST', pair[0].slug)}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "was ignored" in page and says.replace("'", "&#x27;") in page


def test_rows_rendered_for_one_average_are_not_shown_for_another(client, pair):
    first, second, (ann, _, _) = pair
    third = make_benchmark(name="Zeta Bench", result_kind=ResultKind.PERCENTAGE)
    make_result(model=ann, benchmark=third, value=10)
    shown = f"show={first.slug}"
    _, two = board_rows(client, f"/?{shown}&average={first.slug},{second.slug}")
    _, three = board_rows(client, f"/?{shown}&average={first.slug},{second.slug},{third.slug}")
    assert ">70.00<" in two and ">70.00<" not in three
    assert ">50.00<" in three  # (80 + 60 + 10) / 3


def test_the_exports_carry_the_average(client, pair):
    first, second, (ann, _, cid) = pair
    url = f"/?average={first.slug},{second.slug}&sort=average"
    csv_text = b"".join(client.get(f"{url}&_export=csv").streaming_content).decode()
    header, first_row = list(csv.reader(io.StringIO(csv_text)))[:2]
    column = "Average (plain mean of Alpha Bench, Beta Bench; computed by this site)"
    assert first_row[header.index(column)] == "70"
    data = json.loads(b"".join(client.get(f"{url}&_export=json").streaming_content))
    by_slug = {row["model"]["slug"]: row for row in data["rows"]}
    assert by_slug[ann.slug]["average"] == 70 and by_slug[cid.slug]["average"] is None


def test_the_average_column_costs_a_bounded_number_of_queries(
    client, pair, django_assert_max_num_queries
):
    first, second, _ = pair
    models_on_both("Row", 20, first, second, offsets=(0, 1))
    url = f"/?average={first.slug},{second.slug}&sort=average&cold="
    client.get(url + "0")
    with django_assert_max_num_queries(25):
        assert client.get(url + "1").status_code == 200


def test_a_benchmark_that_changes_after_joining_a_suite_stops_its_average(client, pair):
    first, second, _ = pair
    suite_of(first, second)
    second.higher_is_better = False
    writes.save(second)
    page = client.get("/suites/core/").content.decode()
    assert "cannot be computed as asked" in page
    assert "Beta Bench: lower is better; an average needs higher to be better." in page
    assert client.get("/api/suites/core/averages").json()["items"] == []


def test_benchmark_names_in_table_headers_are_isolated(client, pair):
    """A right-to-left name never reorders the header text around it."""
    first, second, _ = pair
    first.name = "מבחן אלפא"
    writes.save(first)
    suite_of(first, second)
    board = client.get(f"/?show={first.slug}").content.decode()
    suite = client.get("/suites/core/").content.decode()
    assert "<bdi>מבחן אלפא</bdi>" in board[board.index("<thead") : board.index("</thead>")]
    assert "<bdi>מבחן אלפא</bdi>" in suite[suite.index("<thead") : suite.index("</thead>")]


def test_the_column_chooser_offers_the_average(client, pair):
    first, second, _ = pair
    plain = client.get("/").content.decode()
    assert 'name="average" value="on">' in plain
    chosen = client.get(f"/?average=on&show={first.slug}&show={second.slug}").content.decode()
    assert 'name="average" value="on" checked>' in chosen


def test_the_input_a_suite_is_sorted_by_comes_right_after_the_model(client, pair):
    first, second, _ = pair
    suite_of(first, second)
    page = client.get(f"/suites/core/?sort=-input_{second.slug}").content.decode()
    head = page[page.index("<thead") : page.index("</thead>")]
    assert head.index("Model") < head.index("Beta Bench") < head.index("Average")
    assert head.index("Average") < head.index("Alpha Bench")
    plain = client.get("/suites/core/").content.decode()
    head = plain[plain.index("<thead") : plain.index("</thead>")]
    assert head.index("Average") < head.index("Alpha Bench") < head.index("Beta Bench")
