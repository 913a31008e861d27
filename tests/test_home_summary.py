"""The summary above the leaderboard, the Rank column's labels and the header's date
of the last change."""

import re
from datetime import UTC

import pytest
from django.urls import reverse

from leaderboard.models import AIModel, Benchmark, BenchmarkVersion, DataVersion, Provenance
from leaderboard.rules.ranking import leaders
from tests.factories import make_benchmark, make_model, make_organization, make_result


def names(found, benchmark):
    return [result.model.name for result in found[benchmark].named]


def fresh(*benchmarks):
    """The benchmarks as a page reads them: with their versions."""
    return list(
        Benchmark.objects.filter(pk__in=[b.pk for b in benchmarks])
        .prefetch_related("versions")
        .order_by("pk")
    )


@pytest.mark.django_db
def test_leaders_follow_each_benchmarks_direction_and_ties():
    higher = make_benchmark(higher_is_better=True)
    lower = make_benchmark(higher_is_better=False)
    a, b, c = (make_model(name=n) for n in ["Able", "Baker", "Charlie"])
    for model, value in [(a, 70), (b, 90), (c, 90)]:
        make_result(model=model, benchmark=higher, value=value)
    for model, value in [(a, 3), (b, 5), (c, 9)]:
        make_result(model=model, benchmark=lower, value=value)
    higher, lower = fresh(higher, lower)
    found = leaders([higher, lower])
    assert names(found, higher) == ["Baker", "Charlie"]  # a tie for first: both
    assert names(found, lower) == ["Able"]


@pytest.mark.django_db
def test_a_place_alone_leads_only_where_no_value_is_ranked():
    benchmark = make_benchmark(higher_is_better=True)
    make_result(model=make_model(name="Third"), benchmark=benchmark, value=None, rank=3)
    make_result(model=make_model(name="Placed"), benchmark=benchmark, value=None, rank=2)
    (benchmark,) = fresh(benchmark)
    # The best place stated leads, among the models a filter keeps.
    assert names(leaders([benchmark]), benchmark) == ["Placed"]
    kept = AIModel.objects.exclude(name="Placed")
    assert names(leaders([benchmark], kept), benchmark) == ["Third"]
    make_result(model=make_model(name="Scored"), benchmark=benchmark, value=12)
    assert names(leaders([benchmark]), benchmark) == ["Scored"]


@pytest.mark.django_db
def test_without_a_direction_the_leader_is_whom_a_source_places_first():
    benchmark = make_benchmark(higher_is_better=None)
    make_result(model=make_model(name="Highest"), benchmark=benchmark, value=99)
    make_result(model=make_model(name="Second"), benchmark=benchmark, value=None, rank=2)
    (benchmark,) = fresh(benchmark)
    # The highest value is not "best" when no source says higher is better.
    assert names(leaders([benchmark]), benchmark) == []
    make_result(model=make_model(name="First"), benchmark=benchmark, value=None, rank=1)
    assert names(leaders([benchmark]), benchmark) == ["First"]


@pytest.mark.django_db
def test_leaders_read_only_the_ranked_version_and_cost_two_queries(
    django_assert_num_queries,
):
    benchmark = make_benchmark(higher_is_better=True)
    old = BenchmarkVersion.objects.create(benchmark=benchmark, name="v1")
    new = BenchmarkVersion.objects.create(benchmark=benchmark, name="v2", is_ranked=True)
    make_result(model=make_model(name="Old"), benchmark=benchmark, version=old, value=99)
    make_result(model=make_model(name="New"), benchmark=benchmark, version=new, value=50)
    others = [make_benchmark() for _ in range(5)]
    for other in others:
        make_result(benchmark=other, value=1)
    empty = make_benchmark()
    everything = fresh(benchmark, empty, *others)
    with django_assert_num_queries(2):
        found = leaders(everything)
    by_pk = {b.pk: b for b in everything}
    assert names(found, by_pk[benchmark.pk]) == ["New"]
    assert found[by_pk[empty.pk]].named == [] and found[by_pk[empty.pk]].count == 0
    assert all(found[by_pk[other.pk]].count == 1 for other in others)


@pytest.mark.django_db
def test_a_tile_reads_its_leaders_without_a_query_more(django_assert_num_queries):
    """The leaders are read with only what a tile shows (``LEADER_FIELDS``): showing
    them (figure, uncertainty, whose claim, the model's name and page) asks nothing
    more of the database."""
    benchmark = make_benchmark(higher_is_better=True)
    make_result(
        model=make_model(name="Claimed"),
        benchmark=benchmark,
        value=37,
        claimed_by=make_organization(name="NVIDIA"),
        provenance=Provenance.VENDOR_CLAIM,
    )
    found = leaders(fresh(benchmark))
    (leading,) = found.values()
    (result,) = leading.named
    with django_assert_num_queries(0):
        shown = (
            result.display_value,
            result.display_uncertainty,
            result.is_vendor_claim,
            str(result.claimed_by),
            result.model.name,
            result.model.get_absolute_url(),
        )
    assert shown[:4] == ("37", "", True, "NVIDIA")
    assert shown[4] == "Claimed"


@pytest.mark.django_db
def test_summary_counts_and_names_each_featured_leader_with_its_claim(client):
    nvidia = make_organization(name="NVIDIA")
    featured = make_benchmark(name="Featured Bench", featured=True, unit="points")
    make_benchmark(name="Quiet Bench")
    claimed = make_model(name="Claimed Model")
    make_result(
        model=claimed,
        benchmark=featured,
        value=37,
        claimed_by=nvidia,
        provenance=Provenance.VENDOR_CLAIM,
    )
    make_result(model=make_model(name="Measured Model"), benchmark=featured, value=30)
    page = client.get(reverse("index")).content.decode()
    glance = page[page.index('class="glance"') : page.index("</section>")]
    assert "2 models, 2 benchmarks, 2 results" in glance
    tiles = re.findall(r'<li class="leader">(.*?)</li>', glance, re.S)
    assert len(tiles) == 1  # only the featured benchmark has a tile
    assert "Featured Bench" in tiles[0] and "37 <small>points</small>" in tiles[0]
    assert "Claimed Model" in tiles[0] and "<bdi>NVIDIA</bdi>’s claim" in tiles[0]
    assert "Measured Model" not in tiles[0]


@pytest.mark.django_db
def test_data_changed_date_shows_in_the_header_and_summary(client):
    assert "Data changed" not in client.get(reverse("index")).content.decode()
    make_model()
    changed = DataVersion.current().changed_at
    page = client.get(reverse("index")).content.decode()
    # A valid HTML date and time: UTC to the second, no microseconds.
    assert f'<time datetime="{changed.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}">' in page
    assert "." not in re.search(r'<time datetime="([^"]+)"', page).group(1)
    assert "Data changed" in page and "data last changed" in page


def test_rank_column_names_its_benchmark_and_marks_claimed_places(client, article):
    page = client.get(reverse("index")).content.decode()
    header = re.search(r"<th [^>]*>\s*<a [^>]*>Rank (.*?)</a>", page).group(1)
    assert "on AI Index composite score" in header
    ranks = re.findall(r'<td class="num rank">(.*?)</td>', page)
    assert len(ranks) == 2
    assert all("claimed" in cell and "NVIDIA’s claim" in cell for cell in ranks)


def test_benchmark_columns_link_to_their_notes(client, article):
    page = client.get(reverse("index")).content.decode()
    about = re.findall(r'<a class="about" href="([^"]+)" title="([^"]+)"', page)
    by_url = dict(about)
    # The article's caveat ("some Chinese models are higher") is one click away.
    assert "some Chinese models are higher" in by_url["/benchmarks/ai-index/#notes-heading"]
    assert "/benchmarks/pinchbench/" in by_url
    benchmark_page = client.get("/benchmarks/ai-index/").content.decode()
    assert 'id="notes-heading"' in benchmark_page


def test_an_independent_place_is_not_marked_claimed(client, db):
    benchmark = make_benchmark(featured=True)
    make_result(model=make_model(name="Measured"), benchmark=benchmark, value=5)
    page = client.get(reverse("index")).content.decode()
    (cell,) = re.findall(r'<td class="num rank">(.*?)</td>', page)
    assert cell == "1"


def header_names(page):
    return re.findall(r"<th [^>]*>\s*(?:<a [^>]*>)?([^<]+)", page)


def test_default_view_shows_a_few_facts_and_exports_all(client, article):
    page = client.get(reverse("index")).content.decode()
    headers = header_names(page)
    assert "Active params" in headers and "Weights" in headers
    assert "Total params" not in headers and "Recipe" not in headers
    csv = client.get(reverse("index"), {"_export": "csv"}).getvalue().decode()
    assert "Total params" in csv.splitlines()[0] and "Recipe" in csv.splitlines()[0]


def test_readers_choose_facts_and_a_sorted_fact_stays_in_view(client, article):
    page = client.get(reverse("index"), {"facts": ["total_parameters", "nonsense"]})
    page = page.content.decode()
    headers = header_names(page)
    assert "Total params" in headers and "Active params" not in headers
    assert "Fact &#x27;nonsense&#x27;: no model fact has that name." in page
    assert 'name="facts" value="total_parameters" checked' in page
    page = client.get(reverse("index"), {"sort": "-context_window_tokens"}).content.decode()
    assert "Context" in header_names(page)


def glance_tiles(client, query=None):
    page = client.get(reverse("index"), query or {}).content.decode()
    glance = page[page.index('class="glance"') : page.index("</section>")]
    return glance, re.findall(r'<li class="leader">(.*?)</li>', glance, re.S)


@pytest.mark.django_db
def test_a_tie_for_first_names_a_few_and_counts_the_rest(client, django_assert_num_queries):
    featured = make_benchmark(name="Tied Bench", featured=True)
    for i in range(40):
        make_result(model=make_model(name=f"Tied {i:02d}"), benchmark=featured, value=100)
    make_result(model=make_model(name="Behind"), benchmark=featured, value=99)
    (featured,) = fresh(featured)
    with django_assert_num_queries(2):
        found = leaders([featured])
    assert names(found, featured) == ["Tied 00", "Tied 01", "Tied 02"]
    assert (found[featured].count, found[featured].more) == (40, 37)
    _, (tile,) = glance_tiles(client)
    assert "40 models tie for first" in tile and "and 37 more<" in tile
    assert "and 39 more tied<" in tile  # what a phone shows, naming one
    assert tile.count('class="leader-model"') == 3 and "Tied 03" not in tile


@pytest.mark.django_db
def test_the_tiles_follow_the_filters(client):
    featured = make_benchmark(name="Filtered Bench", featured=True)
    closed = make_model(name="Closed Leader", open_weights="closed")
    make_result(model=closed, benchmark=featured, value=90)
    make_result(
        model=make_model(name="Open Second", open_weights="open"), benchmark=featured, value=80
    )
    glance, (tile,) = glance_tiles(client)
    assert "Closed Leader" in tile and "your filters keep" not in glance
    glance, (tile,) = glance_tiles(client, {"open_weights": "on"})
    assert "Open Second" in tile and "Closed Leader" not in tile
    assert "First places among the models your filters keep." in glance
    _, (tile,) = glance_tiles(client, {"q": "nobody by this name"})
    assert "no result among these models" in tile


@pytest.mark.django_db
def test_the_summary_counts_are_kept_with_the_data_version(client):
    """Counted when a write moves the version on, not by the page: counting every
    result took a cold page at 100,000 models 60 ms on PostgreSQL."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from leaderboard.rules import writes

    benchmark = make_benchmark(featured=True)
    result = make_result(benchmark=benchmark)
    assert (DataVersion.current().result_count, DataVersion.current().model_count) == (1, 1)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("index")).content.decode()
    assert "1 model, 1 benchmark, 1 result" in page
    unfiltered = [
        q["sql"]
        for q in queries.captured_queries
        if re.match(r'SELECT COUNT\(\*\) AS "__count" FROM "leaderboard_result"$', q["sql"])
    ]
    assert not unfiltered
    writes.delete(result)
    assert DataVersion.current().result_count == 0
    assert "0 results" in client.get(reverse("index")).content.decode()
