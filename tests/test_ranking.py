"""Places on a benchmark, checked against the rule in ``leaderboard.rules.ranking``'s
docstring: every page, sort order, filter, page size and export shows the same
place for a model; ties share a place; rank-only results follow every value; the
two ways ``Ranking.places`` counts agree. And the bar chart's geometry."""

import csv
import io
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leaderboard.models import AIModel, Benchmark, BenchmarkVersion, Openness, Provenance
from leaderboard.reading.charts import BAR_LAYOUT
from leaderboard.rules import ranking, writes
from leaderboard.rules.ranking import Ranking

from .factories import make_benchmark, make_model, make_organization, make_result, make_source
from .support import Written

pytestmark = pytest.mark.django_db

ROW = re.compile(r"<tr>(.*?)</tr>", re.DOTALL)
RANK_CELL = re.compile(r'<td class="num rank">([^<]*)<')
MODEL_LINK = re.compile(r'<a href="/models/[^"]+">([^<]+)</a>')


# The rule, written out here independently of leaderboard.rules.ranking.


def strictly_better(other, score, higher_is_better):
    """Whether the ranked score ``other`` is strictly better than ``score`` (both
    (value, rank) pairs): values beat places alone; values compare by direction,
    places alone by the lower place; a result's stated place beside its value is
    ignored."""
    (other_value, other_rank), (value, rank) = other, score
    if value is not None:
        if other_value is None:
            return False
        return other_value > value if higher_is_better else other_value < value
    return other_value is not None or other_rank < rank


def rule_place(score, ranked, higher_is_better):
    """The place of ``score`` among the ``ranked`` scores: 1 + the number strictly
    better; without a direction, only the place the source states (or None)."""
    if higher_is_better is None:
        return score[1]
    return 1 + sum(strictly_better(other, score, higher_is_better) for other in ranked)


def rule_places(scores_by_name, higher_is_better):
    """{name: place as the page shows it ("" for none)} for one benchmark's ranked
    scores."""
    ranked = list(scores_by_name.values())
    places = {n: rule_place(s, ranked, higher_is_better) for n, s in scores_by_name.items()}
    return {name: "" if place is None else str(place) for name, place in places.items()}


def rule_order(scores_by_name, higher_is_better, best_first=True):
    """Names best first: values by direction (highest first without one), then places
    alone, lower first; ties by name. Worst first is the reverse, ties still by name
    (``Ranking.ordering``)."""
    sign = 1 if best_first else -1

    def key(name):
        value, rank = scores_by_name[name]
        if value is not None:
            return (0, sign * (-value if higher_is_better is not False else value), name)
        return (sign, sign * rank, name)

    return sorted(scores_by_name, key=key)


# Reading pages.


def shown_places(response):
    """{model name: the Rank cell's text}, in the order of the table's rows ("" where
    a row shows no place)."""
    assert response.status_code == 200
    page = response.content.decode()
    body = page[page.index("<tbody>") : page.index("</tbody>")]
    places = {}
    for row in ROW.findall(body):
        (name,) = MODEL_LINK.findall(row)
        (place,) = RANK_CELL.findall(row)
        assert name not in places
        places[name] = place
    return places


def every_page(client, url, params, per_page=1):
    """{model name: place} over every page of ``per_page`` rows, and how many pages."""
    places, number = {}, 0
    while True:
        number += 1
        response = client.get(url, {**params, "per_page": per_page, "page": number})
        if response.status_code == 404:
            return places, number - 1
        page = shown_places(response)
        assert 0 < len(page) <= per_page
        assert not page.keys() & places.keys()
        places.update(page)


def exported_places(client, params, export_format, benchmark):
    response = client.get(reverse("index"), {**params, "_export": export_format})
    assert response.status_code == 200
    body = response.getvalue().decode("utf-8")
    if export_format == "csv":
        rows = csv.DictReader(io.StringIO(body))
        return {row["Model"]: row[f"Rank ({benchmark.name})"] for row in rows}
    rows = json.loads(body)["rows"]
    assert json.loads(body)["ranked_on"]["slug"] == benchmark.slug
    return {row["model"]["name"]: "" if row["rank"] is None else str(row["rank"]) for row in rows}


# ``Ranking.places`` counts in SQL up to COUNTED_IN_SQL distinct scores, else bisects
# in Python: these thresholds send every call one way or the other.
PATHS = {"counted in SQL": 10**6, "placed in Python": 0}


@pytest.fixture(params=list(PATHS))
def places_path(request, monkeypatch):
    """Run a test through each of the two ways ``Ranking.places`` places scores."""
    monkeypatch.setattr(ranking, "COUNTED_IN_SQL", PATHS[request.param])
    return request.param


def test_placing_in_python_reads_the_ranking_once_however_often_asked(
    monkeypatch, django_assert_num_queries
):
    """An export places its rows a chunk at a time on one Ranking: the ranked results
    are read for the first chunk, not again for each."""
    monkeypatch.setattr(ranking, "COUNTED_IN_SQL", 0)
    benchmark = make_benchmark()
    for value in (90, 80, 80, 70):
        make_result(benchmark=benchmark, value=value)
    placed = Ranking(benchmark)
    with django_assert_num_queries(2):  # the benchmark's ranked version, its results
        assert placed.places([(Decimal(90), None), (Decimal(80), None)]) == {
            (Decimal(90), None): 1,
            (Decimal(80), None): 2,
        }
    with django_assert_num_queries(0):
        assert placed.places([(Decimal(70), None)]) == {(Decimal(70), None): 4}


# 1. The reported bug: equal values share the place, whatever places sources state.


def build_reported():
    """A = 90 (its source says #2), Z = 90 (its source says #1), C = 80. Models differ
    in every sortable column, so each sort order shows them in another order."""
    benchmark = make_benchmark(name="Reported Bench", slug="reported")
    a = make_model(
        name="Model A",
        organization=make_organization(name="Zulu Labs", slug="zulu"),
        total_parameters=70 * 10**9,
        active_parameters=7 * 10**9,
        context_window_tokens=8192,
        open_weights=Openness.OPEN,
        open_training_data=Openness.CLOSED,
        open_training_code=Openness.PARTIAL,
    )
    z = make_model(
        name="Model Z",
        organization=make_organization(name="Alpha Labs", slug="alpha-labs"),
        open_weights=Openness.CLOSED,
        open_training_data=Openness.OPEN,
    )
    c = make_model(
        name="Model C",
        organization=make_organization(name="Mid Labs", slug="mid"),
        total_parameters=8 * 10**9,
        active_parameters=8 * 10**9,
        context_window_tokens=131072,
        open_weights=Openness.PARTIAL,
        open_training_code=Openness.OPEN,
    )
    make_result(model=a, benchmark=benchmark, value=90, rank=2)
    make_result(model=z, benchmark=benchmark, value=90, rank=1)
    make_result(model=c, benchmark=benchmark, value=80)
    return benchmark


@pytest.fixture(scope="session")
def reported_written(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return Written(build_reported)


@pytest.fixture
def reported(db, reported_written):
    """``build_reported``'s rows, built once a session and written back (``Written``)."""
    return reported_written.write_back()


REPORTED_SCORES = {"Model A": (90, 2), "Model Z": (90, 1), "Model C": (80, None)}
REPORTED_PLACES = {"Model A": "1", "Model Z": "1", "Model C": "3"}
assert rule_places(REPORTED_SCORES, higher_is_better=True) == REPORTED_PLACES


BENCHMARK_PAGE_SORTS = [
    None,
    "rank",
    "-rank",
    "result",
    "-result",
    "name",
    "-name",
    "organization",
    "-organization",
    "active_parameters",
    "-active_parameters",
]


@pytest.mark.parametrize("sort", BENCHMARK_PAGE_SORTS)
def test_benchmark_page_ties_equal_values_in_every_sort_and_page(
    client, reported, places_path, sort
):
    url = reported.get_absolute_url()
    params = {} if sort is None else {"sort": sort}
    assert shown_places(client.get(url, params)) == REPORTED_PLACES
    places, pages = every_page(client, url, params)
    assert pages == 3
    assert places == REPORTED_PLACES


def test_benchmark_page_sorts_really_reorder(client, reported):
    """The sort orders above are not all one order: the test sees several."""
    orders = {
        tuple(shown_places(client.get(reported.get_absolute_url(), {"sort": s})))
        for s in BENCHMARK_PAGE_SORTS[1:]
    }
    assert len(orders) >= 4


HOME_SORTS = [
    None,
    "rank",
    "-rank",
    "benchmark-reported",
    "-benchmark-reported",
    "name",
    "-name",
    "organization",
    "-organization",
    "total_parameters",
    "-total_parameters",
    "active_parameters",
    "-active_parameters",
    "context_window_tokens",
    "-context_window_tokens",
    "open_weights",
    "-open_weights",
    "open_training_data",
    "-open_training_data",
    "open_training_code",
    "-open_training_code",
]


@pytest.mark.parametrize("sort", HOME_SORTS)
def test_home_ties_equal_values_in_every_sort_and_page(client, reported, places_path, sort):
    params = {"show": reported.slug}
    if sort is not None:
        params["sort"] = sort
    assert shown_places(client.get(reverse("index"), params)) == REPORTED_PLACES
    places, pages = every_page(client, reverse("index"), params)
    assert pages == 3
    assert places == REPORTED_PLACES


@pytest.mark.parametrize(
    "filters, kept",
    [
        ({"organization": "mid"}, {"Model C"}),
        ({"organization": "zulu"}, {"Model A"}),
        ({"organization": ["zulu", "mid"]}, {"Model A", "Model C"}),
        ({"q": "Model Z"}, {"Model Z"}),
        ({"q": "model c"}, {"Model C"}),
        ({"open_weights": "on"}, {"Model A"}),
        ({"total_min": "10"}, {"Model A"}),
        ({"active_max": "7.5"}, {"Model A"}),
        (
            {"has_results": "reported", "organization": ["alpha-labs", "mid"]},
            {"Model Z", "Model C"},
        ),
    ],
)
def test_home_filters_never_change_a_place(client, reported, places_path, filters, kept):
    expected = {name: place for name, place in REPORTED_PLACES.items() if name in kept}
    for sort in [None, "rank", "-rank", "name", "-benchmark-reported"]:
        params = {"show": reported.slug, **filters}
        if sort is not None:
            params["sort"] = sort
        assert shown_places(client.get(reverse("index"), params)) == expected, sort


@pytest.mark.parametrize("export_format", ["csv", "json"])
@pytest.mark.parametrize(
    "params, kept",
    [
        ({}, set(REPORTED_PLACES)),
        ({"sort": "-rank"}, set(REPORTED_PLACES)),
        ({"sort": "name"}, set(REPORTED_PLACES)),
        # An export holds every row, whatever page the reader is on.
        ({"sort": "-benchmark-reported", "per_page": 1, "page": 2}, set(REPORTED_PLACES)),
        ({"organization": "mid"}, {"Model C"}),
        ({"q": "Model A"}, {"Model A"}),
    ],
)
def test_exports_tie_equal_values(client, reported, places_path, export_format, params, kept):
    exported = exported_places(client, {"show": reported.slug, **params}, export_format, reported)
    assert exported == {name: place for name, place in REPORTED_PLACES.items() if name in kept}


# 2. Ties, rank-only results, the three directions.


def make_ranking(higher_is_better, scores, **benchmark_fields):
    """A benchmark with one result per (name: (value, rank)) of ``scores``."""
    benchmark = make_benchmark(higher_is_better=higher_is_better, **benchmark_fields)
    for name, (value, rank) in scores.items():
        make_result(model=make_model(name=name), benchmark=benchmark, value=value, rank=rank)
    return benchmark


HIGHER = {
    "Hi 70 b": (70, None),
    "Hi 70 a": (70, 5),  # its stated place is ignored beside a value
    "Hi 50": (50, 1),
    "Hi only 3": (None, 3),
    "Hi only 1 b": (None, 1),
    "Hi only 1 a": (None, 1),
    "Hi only 2": (None, 2),
}
HIGHER_PLACES = {
    "Hi 70 a": "1",
    "Hi 70 b": "1",
    "Hi 50": "3",
    "Hi only 1 a": "4",
    "Hi only 1 b": "4",
    "Hi only 2": "6",
    "Hi only 3": "7",
}
LOWER = {
    "Lo 20 a": (Decimal("20.5"), None),
    "Lo 20 b": (Decimal("20.5"), 1),
    "Lo 5": (5, None),
    "Lo 10": (10, None),
    "Lo -1": (-1, 9),
    "Lo only 2": (None, 2),
    "Lo only 1": (None, 1),
}
LOWER_PLACES = {
    "Lo -1": "1",
    "Lo 5": "2",
    "Lo 10": "3",
    "Lo 20 a": "4",
    "Lo 20 b": "4",
    "Lo only 1": "6",
    "Lo only 2": "7",
}
# No direction: only the places sources state.
UNKNOWN = {
    "Un 90": (90, None),
    "Un 80 ranked": (80, 3),
    "Un 80": (80, None),
    "Un only 2": (None, 2),
    "Un only 2 too": (None, 2),
}
UNKNOWN_PLACES = {
    "Un 90": "",
    "Un 80 ranked": "3",
    "Un 80": "",
    "Un only 2": "2",
    "Un only 2 too": "2",
}


def rank_only_places(scores):
    """Places alone, as the brief puts it: 1 + the number of results with a value +
    the number of places alone that are lower."""
    values = sum(value is not None for value, _ in scores.values())
    return {
        name: str(1 + values + sum(v is None and r < rank for v, r in scores.values()))
        for name, (value, rank) in scores.items()
        if value is None
    }


@pytest.mark.parametrize(
    "higher_is_better, scores, places",
    [(True, HIGHER, HIGHER_PLACES), (False, LOWER, LOWER_PLACES), (None, UNKNOWN, UNKNOWN_PLACES)],
    ids=["higher is better", "lower is better", "direction unknown"],
)
@pytest.mark.parametrize("page", ["benchmark", "home", "export"])
def test_ties_and_rank_only_results(client, places_path, higher_is_better, scores, places, page):
    # The places written out above are the rule's (and, with a direction, the brief's
    # form of it for places alone).
    assert places == rule_places(scores, higher_is_better)
    if higher_is_better is not None:
        alone = rank_only_places(scores)
        assert alone == {name: places[name] for name in alone}
    benchmark = make_ranking(higher_is_better, scores, name="Ties", slug="ties")
    if page == "export":
        assert exported_places(client, {"show": "ties"}, "json", benchmark) == places
        return
    url, params = benchmark.get_absolute_url(), {}
    if page == "home":
        url, params = reverse("index"), {"show": "ties"}
    shown = shown_places(client.get(url, params))
    assert shown == places
    assert list(shown) == rule_order(scores, higher_is_better)
    # Worst first is the ranking reversed: with a direction, the Rank cells read in
    # descending order.
    worst_first = shown_places(client.get(url, {**params, "sort": "-rank"}))
    assert worst_first == places
    assert list(worst_first) == rule_order(scores, higher_is_better, best_first=False)
    if higher_is_better is not None:
        cells = [int(place) for place in worst_first.values()]
        assert cells == sorted(cells, reverse=True)


# 3. Counting in SQL and bisecting in Python give the rule's places.

# Few distinct values, so many ties; some a millionth apart, at the field's precision.
VALUES = st.sampled_from(
    ["-2.5", "0", "1", "1.25", "3", "3", "10", "99.999999", "100", "-999999999.999999"]
).map(Decimal)
RANKS = st.integers(min_value=1, max_value=6)
SCORES = st.one_of(
    st.tuples(VALUES, st.none()),
    st.tuples(VALUES, RANKS),
    st.tuples(st.none(), RANKS),
)
# Per model: no result, or its headline score and maybe a result that is not ranked
# (a vendor's claim beside the independent result, or one on a version not ranked).
ENTRIES = st.one_of(
    st.none(),
    st.tuples(SCORES, st.sampled_from([None, "vendor claim", "other version"]), SCORES),
)


@pytest.fixture
def crowd(db):
    """Models and sources the random rankings share; each example has its own
    benchmark."""
    return {
        "models": [make_model(name=f"Crowd {i:02d}") for i in range(24)],
        "independent": make_source(),
        "claims": make_source(),
        "vendor": make_organization(),
    }


def crowd_on_a_benchmark(crowd, higher_is_better, versioned, entries):
    """A new benchmark on which the crowd's models have ``entries`` (see ENTRIES):
    (the benchmark as a page reads it, {model: its ranked score})."""
    benchmark = make_benchmark(higher_is_better=higher_is_better)
    # Results on a version that is not ranked never count: v1 always, and results
    # that name no version once v2 is ranked.
    other_version = BenchmarkVersion.objects.create(benchmark=benchmark, name="v1")
    ranked_version = None
    if versioned:
        ranked_version = BenchmarkVersion.objects.create(
            benchmark=benchmark, name="v2", is_ranked=True
        )
    ranked = {}
    for model, entry in zip(crowd["models"], entries, strict=False):
        if entry is None:
            continue
        score, aside, other = entry
        ranked[model] = score
        make_result(
            model=model,
            benchmark=benchmark,
            version=ranked_version,
            source=crowd["independent"],
            value=score[0],
            rank=score[1],
        )
        if aside == "vendor claim":
            make_result(
                model=model,
                benchmark=benchmark,
                version=ranked_version,
                source=crowd["claims"],
                provenance=Provenance.VENDOR_CLAIM,
                claimed_by=crowd["vendor"],
                value=other[0],
                rank=other[1],
            )
        elif aside == "other version":
            make_result(
                model=model,
                benchmark=benchmark,
                version=None if versioned else other_version,
                source=crowd["claims"],
                value=other[0],
                rank=other[1],
            )
    return Benchmark.objects.prefetch_related("versions").get(pk=benchmark.pk), ranked


@pytest.mark.slow
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    higher_is_better=st.sampled_from([True, False, None]),
    versioned=st.booleans(),
    entries=st.lists(ENTRIES, min_size=1, max_size=24),
    probes=st.lists(SCORES, max_size=4),
)
def test_sql_and_python_places_agree_with_the_rule(
    crowd, monkeypatch, higher_is_better, versioned, entries, probes
):
    benchmark, ranked = crowd_on_a_benchmark(crowd, higher_is_better, versioned, entries)
    ranked = list(ranked.values())
    asked = [*ranked, *probes]
    expected = {score: rule_place(score, ranked, higher_is_better) for score in asked}
    asked.append((None, None))  # no result: skipped
    for path, threshold in PATHS.items():
        monkeypatch.setattr(ranking, "COUNTED_IN_SQL", threshold)
        assert Ranking(benchmark).places(asked) == expected, path


@pytest.mark.slow
@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    higher_is_better=st.sampled_from([True, False, None]),
    versioned=st.booleans(),
    entries=st.lists(ENTRIES, min_size=1, max_size=24),
    kept=st.none() | st.sets(st.integers(min_value=0, max_value=23)),
)
def test_leaders_are_the_models_the_rule_places_first(
    crowd, higher_is_better, versioned, entries, kept
):
    """``leaders`` (read from the top of each ranked index) names and counts exactly
    the models the rule places first, among all models or those a filter keeps."""
    benchmark, ranked = crowd_on_a_benchmark(crowd, higher_is_better, versioned, entries)
    models = None
    if kept is not None:
        kept_models = [crowd["models"][i] for i in kept]
        ranked = {model: score for model, score in ranked.items() if model in kept_models}
        models = AIModel.objects.filter(pk__in=[m.pk for m in kept_models])
    scores = list(ranked.values())
    if higher_is_better is None:
        first = [m for m, score in ranked.items() if score[1] == 1]
    else:
        first = [m for m, s in ranked.items() if rule_place(s, scores, higher_is_better) == 1]
    found = ranking.leaders([benchmark], models)[benchmark]
    names = sorted(m.name for m in first)
    assert found.count == len(first)
    assert [result.model.name for result in found.named] == names[: ranking.MAX_NAMED_LEADERS]


# 4. Other benchmark columns never change a place.


def build_columns():
    """Three benchmarks. The Rank column places on "Aa Score" (first by name, so the
    ranking benchmark when no benchmark column is sorted): ties and places alone. The
    others cover other models, so showing them changes the rows' results, never the
    places on "Aa Score"."""
    aa = make_benchmark(name="Aa Score", slug="aa", higher_is_better=True)
    bb = make_benchmark(name="Bb Errors", slug="bb", higher_is_better=False)
    cc = make_benchmark(name="Cc Unknown", slug="cc", higher_is_better=None)
    models = {name: make_model(name=name) for name in ["M1", "M2", "M3", "M4", "M5", "M6", "M7"]}
    aa_scores = {
        "M1": (60, 4),
        "M2": (75, None),
        "M3": (60, 1),
        "M4": (None, 2),
        "M5": (None, 1),
    }
    for name, (value, rank) in aa_scores.items():
        make_result(model=models[name], benchmark=aa, value=value, rank=rank)
    for name, value in {"M1": 9, "M6": 1, "M7": 3, "M4": 2}.items():
        make_result(model=models[name], benchmark=bb, value=value)
    for name, rank in {"M2": 1, "M6": 2, "M3": 3}.items():
        make_result(model=models[name], benchmark=cc, value=100 - rank, rank=rank)
    expected = rule_places(aa_scores, higher_is_better=True)
    expected.update({name: "" for name in models if name not in aa_scores})
    return {"benchmark": aa, "expected": expected}


@pytest.fixture(scope="session")
def columns_written(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return Written(build_columns)


@pytest.fixture
def columns(db, columns_written):
    """``build_columns``'s rows, built once a session and written back (``Written``)."""
    return columns_written.write_back()


SHOWN = [["aa"], ["aa", "bb"], ["aa", "cc"], ["cc", "aa", "bb"]]


@pytest.mark.parametrize("show", SHOWN, ids="+".join)
@pytest.mark.parametrize("sort", [None, "-rank", "name", "-benchmark-aa"])
def test_other_columns_never_change_a_place(client, columns, show, sort):
    params = {"show": show}
    if sort is not None:
        params["sort"] = sort
    expected = columns["expected"]
    assert shown_places(client.get(reverse("index"), params)) == expected
    assert every_page(client, reverse("index"), params, per_page=3) == (expected, 3)
    assert exported_places(client, params, "csv", columns["benchmark"]) == expected


@pytest.mark.parametrize("show", [["bb"], ["cc"], ["bb", "cc"]], ids="+".join)
def test_sorting_by_a_column_not_shown_places_on_it_alone(client, columns, show):
    """Sorting by "Aa Score" adds its column and places on it, whatever else shows."""
    params = {"show": show, "sort": "benchmark-aa"}
    assert shown_places(client.get(reverse("index"), params)) == columns["expected"]


@pytest.mark.parametrize("show", SHOWN, ids="+".join)
def test_filtering_on_other_benchmarks_never_changes_a_place(client, columns, show):
    expected = columns["expected"]
    for has_results, kept in [("bb", {"M1", "M4", "M6", "M7"}), ("cc", {"M2", "M3", "M6"})]:
        params = {"show": show, "sort": "rank", "has_results": has_results}
        shown = shown_places(client.get(reverse("index"), params))
        assert shown == {name: expected[name] for name in kept}


# 5. The bar chart: bars start at 0 on an axis that takes in the scale's bounds.

LABEL_WIDTH, BAR_WIDTH, _, _ = BAR_LAYOUT
BAR = re.compile(
    r'<g class="chart-row"><title>([^:<]+):[^<]*</title>.*?'
    r'<rect class="chart-bar[^"]*" x="([-\d.]+)" y="[^"]*" width="([\d.]+)"'
)


def expected_bar(value, low, high):
    """(x, width) of the bar for ``value`` on an axis from ``low`` to ``high``: from 0
    to the value, drawn left to right."""

    def x(v):
        return LABEL_WIDTH + (v - low) / (high - low) * BAR_WIDTH

    start, end = sorted([x(0), x(value)])
    return f"{start:.1f}", f"{end - start:.1f}"


@pytest.mark.parametrize(
    "scale_min, scale_max, higher_is_better, values, axis",
    [
        # The scale is the axis: bars in proportion to value / (100 - 0).
        (0, 100, True, [40, 60], (0, 100)),
        # The axis always takes in 0, so a scale from 20 draws from 0 as well.
        (20, 100, True, [40, 60], (0, 100)),
        # A scale that ends at 0: the axis ends at 0, not at the best value (-40).
        (-100, 0, False, [-40, -60], (-100, 0)),
        (None, 0, False, [-40, -60], (-60, 0)),
        # Without bounds, the values and 0 make the axis.
        (None, None, True, [40, 60], (0, 60)),
    ],
)
def test_bars_are_drawn_from_zero_on_the_scale(
    client, scale_min, scale_max, higher_is_better, values, axis
):
    benchmark = make_ranking(
        higher_is_better,
        {f"Bar {value}": (value, None) for value in values},
        name="Bars",
        slug="bars",
        scale_min=scale_min,
        scale_max=scale_max,
    )
    page = client.get(benchmark.get_absolute_url()).content.decode()
    svg = page[page.index('<svg class="chart"') : page.index("</svg>")]
    drawn = {name: (x, width) for name, x, width in BAR.findall(svg)}
    best_first = sorted(values, reverse=higher_is_better)
    assert list(drawn) == [f"Bar {value}" for value in best_first]
    assert drawn == {f"Bar {value}": expected_bar(value, *axis) for value in values}
    # Every bar stays on the plot, between the labels and the values.
    for x, width in drawn.values():
        assert float(x) >= LABEL_WIDTH
        assert float(x) + float(width) <= LABEL_WIDTH + BAR_WIDTH


@pytest.mark.parametrize("batch", [1000, 2])
@pytest.mark.parametrize("best_first", [True, False])
@pytest.mark.parametrize("filtered", [False, True])
def test_ranked_models_pages_agree_with_the_whole_order(
    best_first, filtered, batch, db, monkeypatch
):
    """``RankedModels`` pages from the headline index, then the models without a
    result: every slice, across the boundary between the two, is the same part of the
    whole order, and the whole order is the rule's."""
    # Rows are fetched by primary key in batches (an export reads every row).
    monkeypatch.setattr(ranking, "FETCH_BATCH", batch)
    from leaderboard.models import AIModel
    from leaderboard.rules.ranking import Ranking

    benchmark = make_benchmark(name="Paged", slug="paged", higher_is_better=True)
    organization, other = make_organization(), make_organization()
    scores = [(90, None), (90, 3), (None, 2), (70, None), (None, 1), None, None, (50, None)]
    for i, score in enumerate(scores):
        model = make_model(name=f"P{i}", organization=organization if i % 3 else other)
        if score is not None:
            value, rank = score
            make_result(model=model, benchmark=benchmark, value=value, rank=rank)
    models = AIModel.objects.order_by("name")
    if filtered:
        models = models.filter(organization=organization)
    ordered = Ranking(benchmark).in_order(models, best_first)
    whole = [m.name for m in ordered]
    assert sorted(whole) == sorted(m.name for m in models)
    expected = rule_order(
        {m.name: score_pair(m, benchmark) for m in models if score_pair(m, benchmark)},
        True,
        best_first,
    )
    assert whole[: len(expected)] == expected
    unranked = sorted(m.name for m in models if not score_pair(m, benchmark))
    assert whole[len(expected) :] == unranked
    for start in range(len(whole) + 1):
        for stop in range(start, len(whole) + 2):
            assert [m.name for m in ordered[start:stop]] == whole[start:stop]
    assert ordered.count() == len(whole)


def score_pair(model, benchmark):
    result = model.results.filter(benchmark=benchmark, is_headline=True).first()
    return None if result is None else (result.value, result.rank)


# 6. How the rule's parts are computed (their results are checked above).


@pytest.mark.slow
def test_places_are_counted_in_sql_up_to_a_hundred_scores_then_in_python():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    benchmark = make_benchmark(higher_is_better=True)
    for value in range(101):
        make_result(benchmark=benchmark, value=value)
    rule = Ranking(benchmark)
    assert benchmark.ranked_version is None  # read once, before counting queries
    scores = [(Decimal(v), None) for v in range(101)]
    for asked, counted_in_sql in ((scores[:100], True), (scores, False)):
        with CaptureQueriesContext(connection) as queries:
            places = rule.places(asked)
        assert len(queries) == 1
        assert ("COUNT(*)" in queries[0]["sql"]) is counted_in_sql
        assert places[(Decimal(99), None)] == 2
        assert places[(Decimal(0), None)] == 101


def test_top_stops_reading_once_the_values_fill_it(django_assert_num_queries):
    benchmark = make_benchmark(higher_is_better=True)
    for value in (10, 20, 30):
        make_result(benchmark=benchmark, value=value)
    for rank in (1, 2):
        make_result(benchmark=benchmark, value=None, rank=rank)
    rule = Ranking(benchmark)
    assert benchmark.ranked_version is None  # read once, before counting queries
    with django_assert_num_queries(1):
        assert [p["score_value"] for p in rule.top(2)] == [30, 20]
    with django_assert_num_queries(2):
        assert [p["score_rank"] for p in rule.top(4)] == [None, None, None, 1]
    # The scatter takes values only, never a place alone.
    assert [p["score_value"] for p in rule.top_values(rule.results(), 10)] == [30, 20, 10]


def test_ranked_rows_index_like_a_list(django_assert_num_queries):
    benchmark = make_benchmark(higher_is_better=True)
    for name, value in (("A", 1), ("B", 3), ("C", 2)):
        make_result(model=make_model(name=name), benchmark=benchmark, value=value)
    rows = Ranking(benchmark).in_order(Ranking(benchmark).results(), best_first=True)
    assert [rows[i].model.name for i in range(3)] == ["B", "C", "A"]
    with pytest.raises(IndexError):
        rows[3]
    with pytest.raises(ValueError, match="no step"):
        rows[::2]


def test_rows_are_fetched_a_thousand_at_a_time(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from leaderboard.models import AIModel

    organization = make_organization()
    AIModel.objects.bulk_create(
        AIModel(name=f"Bulk {i:04d}", slug=f"bulk-{i:04d}", organization=organization)
        for i in range(1000)
    )
    benchmark = make_benchmark(higher_is_better=True)
    make_result(benchmark=benchmark, value=1)  # and its model: a thousand and one

    def row_fetches():
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/", {"show": benchmark.slug, "_export": "csv"})
            response.getvalue()  # a streamed export reads its rows as it is sent
        assert response.status_code == 200
        return sum(
            q["sql"].startswith('SELECT "leaderboard_aimodel"."id", "leaderboard_aimodel"."name"')
            and " IN (" in q["sql"]
            for q in queries
        )

    over = row_fetches()
    writes.delete_all(AIModel.objects.filter(slug="bulk-0000"))
    assert row_fetches() == over - 1  # a thousand rows: one fetch fewer


def test_a_page_that_spans_two_parts_asks_no_count(client, settings):
    """Page 2 starts inside the values and ends among the places alone: the values
    part's size is known from what was read, so the page costs one query more than
    page 1 (the second part), not two (a count as well). (Every part of both pages is
    made afresh, so only the table's queries differ.)"""
    settings.PART_CACHE_SECONDS = 0
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    benchmark = make_benchmark(higher_is_better=True)
    for value in (10, 20, 30):
        make_result(benchmark=benchmark, value=value)
    for rank in (1, 2, 3):
        make_result(benchmark=benchmark, value=None, rank=rank)

    def queries_for(page):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(benchmark.get_absolute_url(), {"per_page": 2, "page": page})
        assert response.status_code == 200
        return len(queries)

    assert queries_for(2) == queries_for(1) + 1
