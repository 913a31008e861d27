"""The read-only JSON API (/api/): shapes, filters, sorting, paging, errors, caching,
query counts, and its rankings against the benchmark pages'."""

import functools
import itertools
import json
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leaderboard.api.benchmarks import RANKING_SORTS
from leaderboard.models import Benchmark, BenchmarkVersion, ModelAlias, Provenance
from leaderboard.rules import writes
from leaderboard.tables import BenchmarkRankingTable

from .factories import make_benchmark, make_model, make_organization, make_result, make_source
from .support import Written
from .test_ranking import shown_places

pytestmark = pytest.mark.django_db

SOURCE = "gate-nvidia-enters-the-ai-large-model-race"


def get_json(client, url, params=None, status=200):
    response = client.get(url, params or {})
    assert response.status_code == status, (url, params, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def slugs(page):
    return [item["slug"] for item in page["items"]]


# What each endpoint answers.


def test_lists_answer_a_page_envelope(client, article):
    for url, count in [
        ("/api/organizations", 2),
        ("/api/models", 2),
        ("/api/benchmarks", 2),
        ("/api/results", 3),
        ("/api/benchmarks/ai-index/ranking", 2),
    ]:
        page = get_json(client, url)
        assert {"count", "page", "per_page", "next", "previous", "items"} <= page.keys()
        assert (page["count"], page["page"], page["per_page"]) == (count, 1, 50)
        assert page["next"] is page["previous"] is None
        assert len(page["items"]) == count


def test_a_model_gives_its_facts_with_their_citations(client, article):
    model = get_json(client, "/api/models/nemotron-3-super")
    assert model["name"] == "Nemotron 3 Super"
    assert model["url"] == "http://testserver/models/nemotron-3-super/"
    assert model["organization"] == {
        "slug": "nvidia",
        "name": "NVIDIA",
        "url": "http://testserver/organizations/nvidia/",
    }
    assert model["total_parameters"] == 128_000_000_000
    assert model["active_parameters"] == 12_000_000_000
    assert model["open_weights"] == "open"
    # Facts no source states are null, never "not reported".
    assert model["release_date"] is None and model["license"] is None
    (citation,) = model["citations"]["total_parameters"]
    assert "128 billion" in citation["quote"]
    assert citation["source"]["slug"] == SOURCE
    assert citation["source"]["url"] == f"http://testserver/sources/{SOURCE}/"
    assert citation["passage_url"].startswith(citation["source"]["url"] + "?passage=q-")
    assert model["results_url"] == "http://testserver/api/results?model=nemotron-3-super"
    other = get_json(client, "/api/models/gpt-oss-largest")
    assert other["open_weights"] is None and other["total_parameters"] is None
    assert other["aliases"] == ["GPT-OSS", "the largest version of OpenAI GPT-OSS"]


def test_a_benchmark_and_an_organization(client, article):
    benchmark = get_json(client, "/api/benchmarks/ai-index")
    assert benchmark["higher_is_better"] is True and benchmark["unit"] == "points"
    assert benchmark["ranked_version"] is None and benchmark["versions"] == []
    assert benchmark["ranking_url"] == "http://testserver/api/benchmarks/ai-index/ranking"
    assert benchmark["citations"]["higher_is_better"][0]["source"]["slug"] == SOURCE
    pinchbench = get_json(client, "/api/benchmarks/pinchbench")
    assert pinchbench["higher_is_better"] is None and pinchbench["result_kind"] is None
    nvidia = get_json(client, "/api/organizations/nvidia")
    assert nvidia["model_count"] == 1 and nvidia["website"] is None
    assert nvidia["models_url"] == "http://testserver/api/models?organization=nvidia"


def test_a_result_gives_its_figures_claim_source_and_quote(client, article):
    page = get_json(client, "/api/results", {"model": "nemotron-3-super", "benchmark": "ai-index"})
    (result,) = page["items"]
    assert result["value"] == 37 and isinstance(result["value"], int)
    assert result["rank"] is None and result["stderr"] is None and result["shots"] is None
    assert result["provenance"] == "vendor_claim"
    assert result["claimed_by"]["slug"] == "nvidia" and result["claimed_by"]["name"] == "NVIDIA"
    assert result["source"]["title"] == "NVIDIA enters the AI large model race"
    assert result["quote"].startswith("NVIDIA claims that in the AI Index composite score")
    assert result["passage_url"].startswith(f"http://testserver/sources/{SOURCE}/?passage=q-")
    assert result["is_headline"] is True and result["version"] is None
    assert result["model"]["slug"] == "nemotron-3-super"
    assert result["benchmark"]["slug"] == "ai-index"


def test_numbers_are_json_numbers_whole_ones_integers(client):
    benchmark = make_benchmark(slug="numbers")
    version = BenchmarkVersion(benchmark=benchmark, name="v2", is_ranked=True)
    writes.save(version)
    model = make_model(name="Numbered")
    make_result(
        model=model,
        benchmark=benchmark,
        version=version,
        quote=f"Numbered scored 65.61 ± 1.2 (95% CI 63 to 68.25) on {benchmark.name}.",
        value=Decimal("65.61"),
        stderr=Decimal("1.2"),
        ci_low=Decimal("63"),
        ci_high=Decimal("68.25"),
        provenance=Provenance.INDEPENDENT,
    )
    response = client.get("/api/results", {"benchmark": "numbers"})
    text = response.content.decode()
    assert '"value": 65.61' in text and '"stderr": 1.2' in text
    assert '"ci_low": 63,' in text and '"ci_high": 68.25' in text
    (result,) = json.loads(text)["items"]
    assert result["claimed_by"] is None and result["version"] == "v2"


# Filters.


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, ["gpt-oss-largest", "nemotron-3-super"]),
        ({"q": "nemotron"}, ["nemotron-3-super"]),
        ({"q": "largest version of OpenAI"}, ["gpt-oss-largest"]),  # an alias
        ({"q": "   "}, ["gpt-oss-largest", "nemotron-3-super"]),
        ({"organization": "nvidia"}, ["nemotron-3-super"]),
        ({"organization": ["nvidia", "openai"]}, ["gpt-oss-largest", "nemotron-3-super"]),
        ({"open_weights": "true"}, ["nemotron-3-super"]),
        ({"open_weights": "false"}, ["gpt-oss-largest"]),
        ({"total_min": "100"}, ["nemotron-3-super"]),
        ({"active_max": "10"}, []),
        ({"has_results": "pinchbench"}, ["nemotron-3-super"]),
        ({"has_results": ["pinchbench", "ai-index"]}, ["nemotron-3-super"]),
    ],
)
def test_models_filter_as_the_leaderboard_does(client, article, params, expected):
    assert slugs(get_json(client, "/api/models", params)) == expected


def test_models_filter_by_release_date(client):
    for day in (date(2024, 1, 5), date(2025, 6, 1), None):
        make_model(slug=f"released-{day}", release_date=day)
    found = get_json(client, "/api/models", {"released_from": "2025-01-01"})
    assert slugs(found) == ["released-2025-06-01"]
    found = get_json(client, "/api/models", {"released_to": "2025-01-01"})
    assert slugs(found) == ["released-2024-01-05"]
    both = {"released_from": "2024-01-01", "released_to": "2025-12-31"}
    assert len(get_json(client, "/api/models", both)["items"]) == 2


@pytest.mark.parametrize(
    "params, count",
    [
        ({"model": "nemotron-3-super"}, 2),
        ({"benchmark": "ai-index"}, 2),
        ({"source": SOURCE}, 3),
        ({"provenance": "vendor_claim"}, 3),
        ({"provenance": "independent"}, 0),
        ({"headline": "true"}, 3),
        ({"headline": "false"}, 0),
        ({"model": "no-such-model"}, 0),
    ],
)
def test_results_filter(client, article, params, count):
    assert get_json(client, "/api/results", params)["count"] == count


def test_results_list_every_source_and_mark_the_headline(client, article):
    """Two sources on one model and benchmark: both listed, the independent one first
    and marked as the one the site shows."""
    benchmark = Benchmark.objects.get(slug="ai-index")
    model = make_model(name="Twice", slug="twice")
    make_result(
        model=model,
        benchmark=benchmark,
        value=25,
        claimed_by=make_organization(name="Vendor", slug="vendor"),
        provenance=Provenance.VENDOR_CLAIM,
        source=make_source(slug="press-release"),
    )
    make_result(
        model=model,
        benchmark=benchmark,
        value=20,
        provenance=Provenance.INDEPENDENT,
        source=make_source(slug="lab-run"),
    )
    twice = get_json(client, "/api/results", {"model": "twice"})["items"]
    assert [(r["source"]["slug"], r["is_headline"], r["value"]) for r in twice] == [
        ("lab-run", True, 20),
        ("press-release", False, 25),
    ]
    assert twice[1]["claimed_by"]["slug"] == "vendor"
    ranked = get_json(client, "/api/benchmarks/ai-index/ranking")["items"]
    assert [item["result"]["value"] for item in ranked] == [37, 33, 20]


# Paging.


def test_pages_link_to_their_neighbours(client, article):
    first = get_json(client, "/api/results", {"per_page": 2})
    assert first["count"] == 3 and len(first["items"]) == 2 and first["previous"] is None
    second = get_json(client, first["next"])
    assert second["page"] == 2 and second["per_page"] == 2 and second["next"] is None
    assert len(second["items"]) == 1
    assert get_json(client, second["previous"]) == first


def test_a_page_past_the_end_is_not_found(client, article):
    for url in ["/api/results", "/api/models", "/api/benchmarks/ai-index/ranking"]:
        body = get_json(client, url, {"page": 9}, status=404)
        assert body == {"detail": "No page 9: the last page is 1."}


def test_an_empty_list_has_a_first_page(client):
    assert get_json(client, "/api/results")["items"] == []


# Errors.


@pytest.mark.parametrize(
    "url, detail",
    [
        ("/api/models/x", "No model 'x'."),
        ("/api/benchmarks/x", "No benchmark 'x'."),
        ("/api/benchmarks/x/ranking", "No benchmark 'x'."),
        ("/api/organizations/x", "No organization 'x'."),
    ],
)
def test_unknown_slugs_are_not_found(client, article, url, detail):
    assert get_json(client, url, status=404) == {"detail": detail}


@pytest.mark.parametrize(
    "url, params, parameter",
    [
        ("/api/models", {"per_page": 0}, "per_page"),
        ("/api/models", {"per_page": 501}, "per_page"),
        ("/api/results", {"page": 0}, "page"),
        ("/api/results", {"page": "two"}, "page"),
        ("/api/models", {"open_weights": "maybe"}, "open_weights"),
        ("/api/models", {"released_from": "June"}, "released_from"),
        ("/api/models", {"q": "x" * 201}, "q"),
        ("/api/models", {"total_min": "-1"}, "total_min"),
        ("/api/models", {"total_min": "1" * 20}, "total_min"),
        ("/api/models", {"organization": "no-such-organization"}, "organization"),
        ("/api/results", {"provenance": "hearsay"}, "provenance"),
        ("/api/benchmarks/ai-index/ranking", {"sort": "value"}, "sort"),
        ("/api/models/not%20a%20slug", {}, "slug"),
        ("/api/benchmarks/ai.index/ranking", {}, "slug"),
    ],
)
def test_bad_parameters_are_refused_naming_the_parameter(client, article, url, params, parameter):
    body = get_json(client, url, params, status=422)
    where = "path" if parameter == "slug" else "query"
    assert [error["loc"] for error in body["detail"]] == [[where, parameter]]
    assert all(error["msg"] for error in body["detail"])


@pytest.mark.parametrize(
    "url",
    [
        "/api/models?q=%00",
        "/api/models?organization=nv%00idia",
        "/api/results?model=a%00b",
        "/api/results?%00=1",
        "/api/benchmarks/ai-index/ranking?sort=rank%00",
        "/api/models/%00",
        "/api/benchmarks/ai%00index/ranking",
    ],
)
def test_nul_bytes_never_reach_the_database(client, article, url):
    with CaptureQueriesContext(connection) as queries:
        body = get_json(client, url, status=400)
    assert "NUL" in body["detail"]
    assert len(queries) == 0


# Rankings: the benchmark page's order and places, whatever the sort or page.


DIRECTIONS = [True, False, None]


def build_tied(higher_is_better):
    """A benchmark with tied values and places alone (and a model with no ranked
    result), in a direction."""
    benchmark = make_benchmark(slug="tied", higher_is_better=higher_is_better)
    scores = {"Ada": 90, "Bo": 80, "Cy": 80, "Di": 70, "Ed": None, "Flo": None}
    ranks = {"Ed": 2, "Flo": 5, "Bo": 1}
    organizations = [make_organization(name=f"Lab {n}", slug=f"lab-{n}") for n in "ZYX"]
    for i, (name, value) in enumerate(scores.items()):
        model = make_model(
            name=name,
            slug=name.lower(),
            organization=organizations[i % 3],
            active_parameters=None if i == 2 else (i + 1) * 10**9,
        )
        make_result(model=model, benchmark=benchmark, value=value, rank=ranks.get(name))
    make_model(name="Gus", slug="gus")
    return benchmark


@pytest.fixture(scope="session")
def tied_written(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return {
            direction: Written(functools.partial(build_tied, direction))
            for direction in DIRECTIONS
        }


@pytest.fixture(params=DIRECTIONS, ids=["higher", "lower", "no-direction"])
def tied(request, db, tied_written):
    """``build_tied`` in each direction, built once a session and written back
    (``Written``)."""
    return tied_written[request.param].write_back()


def api_places(page):
    """{model name: place as the page shows it}, in the API's order."""
    return {
        item["model"]["name"]: "" if item["place"] is None else str(item["place"])
        for item in page["items"]
    }


@pytest.mark.parametrize("sort", [None, *RANKING_SORTS])
def test_ranking_matches_the_benchmark_page_in_every_sort(client, tied, sort):
    params = {} if sort is None else {"sort": sort}
    on_page = shown_places(client.get("/benchmarks/tied/", params))
    ranking = get_json(client, "/api/benchmarks/tied/ranking", params)
    assert list(api_places(ranking).items()) == list(on_page.items())
    assert ranking["benchmark"]["slug"] == "tied"
    # Paging never changes a place or the order.
    walked, url = {}, "/api/benchmarks/tied/ranking"
    query = {**params, "per_page": 4}
    while url:
        page = get_json(client, url, query)
        walked.update(api_places(page))
        url, query = page["next"], None
    assert list(walked.items()) == list(on_page.items())


def test_ranking_places_follow_the_rule(client, tied):
    places = api_places(get_json(client, "/api/benchmarks/tied/ranking"))
    if tied.higher_is_better is None:
        # No direction: only the places sources state.
        assert places == {"Ada": "", "Bo": "1", "Cy": "", "Di": "", "Ed": "2", "Flo": "5"}
    elif tied.higher_is_better:
        assert places == {"Ada": "1", "Bo": "2", "Cy": "2", "Di": "4", "Ed": "5", "Flo": "6"}
    else:
        assert places == {"Di": "1", "Bo": "2", "Cy": "2", "Ada": "4", "Ed": "5", "Flo": "6"}


def test_ranking_sorts_are_the_benchmark_pages(tied):
    """Every column the benchmark page sorts by, both ways, and nothing else."""
    table = BenchmarkRankingTable([], benchmark=tied)
    orderable = {column.name for column in table.columns if column.orderable}
    assert set(RANKING_SORTS) == orderable | {f"-{name}" for name in orderable}


def test_ranking_reads_only_the_ranked_version(client, article):
    benchmark = Benchmark.objects.get(slug="ai-index")
    version = BenchmarkVersion(benchmark=benchmark, name="v2", is_ranked=True)
    writes.save(version)
    make_result(benchmark=benchmark, version=version, value=12)
    ranking = get_json(client, "/api/benchmarks/ai-index/ranking")
    assert [item["result"]["value"] for item in ranking["items"]] == [12]
    assert ranking["items"][0]["result"]["version"] == "v2"


# Caching: the pages' ETags and page cache.


@pytest.mark.parametrize(
    "url", ["/api/benchmarks/ai-index/ranking", "/api/models?q=nemo", "/api/openapi.json"]
)
def test_a_repeated_request_is_not_modified_until_an_edit(client, article, url):
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    make_result(
        model=make_model(name="Nemo Newcomer", slug="nemo-newcomer"),
        benchmark=Benchmark.objects.get(slug="ai-index"),
        value=40,
    )
    after = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200 and after["ETag"] != first["ETag"]
    if "openapi" not in url:
        assert "nemo-newcomer" in after.content.decode()


def test_an_edit_shows_on_the_next_request_despite_the_page_cache(client, article):
    url = "/api/benchmarks/pinchbench/ranking"
    assert get_json(client, url)["count"] == 1
    make_result(
        model=make_model(slug="later"), benchmark=Benchmark.objects.get(slug="pinchbench"), rank=2
    )
    assert get_json(client, url)["count"] == 2


def test_the_schema_names_every_endpoint(client, article):
    schema = get_json(client, "/api/openapi.json")
    assert set(schema["paths"]) == {
        "/api/",
        "/api/organizations",
        "/api/organizations/{slug}",
        "/api/models",
        "/api/models/{slug}",
        "/api/benchmarks",
        "/api/benchmarks/{slug}",
        "/api/benchmarks/{slug}/ranking",
        "/api/results",
        "/api/suites",
        "/api/suites/{slug}/averages",
    }
    # HEAD is answered (below) but never documented: one operation, one id, a path.
    assert all(list(path) == ["get"] for path in schema["paths"].values())
    ids = [path["get"]["operationId"] for path in schema["paths"].values()]
    assert len(ids) == len(set(ids)) == 11


# The index at /api/.


def test_the_index_says_what_the_api_is(client, article):
    index = get_json(client, "/api/")
    assert index["title"] == "Open-model leaderboard" and index["version"] == "1"
    assert "Read-only" in index["description"]
    assert index["site_url"] == "http://testserver/"
    assert index["openapi_url"] == "http://testserver/api/openapi.json"
    assert index["lists"] == {
        name: f"http://testserver/api/{name}"
        for name in ("organizations", "models", "benchmarks", "results", "suites")
    }
    assert index["benchmark_ranking_url"] == "http://testserver/api/benchmarks/{slug}/ranking"


def test_every_link_of_the_index_answers(client, article):
    from leaderboard.models import Suite, SuiteMember
    from leaderboard.rules import writes

    suite = Suite(name="Article suite", slug="article-suite")
    writes.save(suite)
    writes.save(SuiteMember(suite=suite, benchmark=Benchmark.objects.get(slug="ai-index")))
    index = get_json(client, "/api/")
    links = [index["site_url"], index["openapi_url"], *index["lists"].values()]
    for url in links:
        assert url.startswith("http://testserver/"), url
        response = client.get(url.removeprefix("http://testserver"))
        assert response.status_code == 200, url
    for name, url in index["lists"].items():
        assert get_json(client, url.removeprefix("http://testserver"))["count"] > 0, name
    assert "paths" in get_json(client, index["openapi_url"].removeprefix("http://testserver"))
    # The template, filled with each benchmark's slug, is that benchmark's ranking.
    benchmarks = get_json(client, "/api/benchmarks")["items"]
    assert benchmarks
    for benchmark in benchmarks:
        url = index["benchmark_ranking_url"].replace("{slug}", benchmark["slug"])
        assert url == benchmark["ranking_url"]
        ranking = get_json(client, url.removeprefix("http://testserver"))
        assert ranking["benchmark"]["slug"] == benchmark["slug"]


def test_the_index_is_documented(client, article):
    schema = get_json(client, "/api/openapi.json")
    operation = schema["paths"]["/api/"]["get"]
    assert operation["operationId"] == "api_index"
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer == {"$ref": "#/components/schemas/APIIndex"}
    fields = schema["components"]["schemas"]["APIIndex"]["properties"]
    assert {"openapi_url", "lists", "benchmark_ranking_url"} <= fields.keys()


def test_the_index_is_cached_and_refuses_nul_bytes(client, article):
    first = client.get("/api/")
    assert first.status_code == 200 and first["ETag"]
    assert client.get("/api/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert get_json(client, "/api/?q=%00", status=400)["detail"].startswith("A NUL byte")


# HEAD: answered as GET, without the body; other methods are not allowed.

HEAD_URLS = [
    "/api/",
    "/api/openapi.json",
    "/api/organizations",
    "/api/models?q=nemo",
    "/api/models/nemotron-3-super",
    "/api/benchmarks/ai-index/ranking",
]


@pytest.mark.parametrize("url", HEAD_URLS)
def test_head_answers_as_get_without_a_body(client, article, url):
    get = client.get(url)
    head = client.head(url)
    assert get.status_code == head.status_code == 200
    assert get.content and head.content == b""
    for header in ("ETag", "Content-Type", "Last-Modified", "Cache-Control"):
        assert head[header] == get[header], header
    assert head["Content-Type"].startswith("application/json")
    again = client.head(url, HTTP_IF_NONE_MATCH=get["ETag"])
    assert again.status_code == 304 and again["ETag"] == get["ETag"]


@pytest.mark.parametrize(
    "url, status",
    [
        ("/api/models/x", 404),
        ("/api/results?page=0", 422),
        ("/api/models?q=%00", 400),
        ("/api/benchmarks/ai-index/ranking?page=9", 404),
    ],
)
def test_head_answers_an_error_as_get_does(client, article, url, status):
    get, head = client.get(url), client.head(url)
    assert get.status_code == head.status_code == status
    assert head["Content-Type"] == get["Content-Type"] and head.content == b""


@pytest.mark.parametrize("cache_seconds", [600, 0])
def test_a_head_first_leaves_the_get_whole(client, article, settings, cache_seconds):
    """A HEAD fills the page cache as a GET would; the GET after it has its body."""
    settings.PAGE_CACHE_SECONDS = cache_seconds
    url = "/api/benchmarks/ai-index/ranking"
    assert client.head(url).status_code == 200
    assert get_json(client, url)["count"] == 2


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("url", ["/api/", "/api/openapi.json", "/api/models", "/api/models/x"])
def test_other_methods_are_not_allowed(client, article, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 405
    assert {m.strip() for m in response["Allow"].split(",")} == {"GET", "HEAD"}


# Query counts: constant however many rows a page shows.

# Each list, filtered and sorted several ways. Its queries (the data version, the
# count, the page, what the page prefetches; a filter on organizations or benchmarks
# adds its own look-ups) are counted with a few rows, then must not grow with ten
# times as many.
LISTS = [
    "/api/organizations",
    "/api/models",
    "/api/models?organization=org-grow&has_results=grow&q=grow&open_weights=true",
    "/api/benchmarks",
    "/api/results",
    "/api/results?benchmark=grow&provenance=vendor_claim",
    "/api/benchmarks/grow/ranking",
    "/api/benchmarks/grow/ranking?sort=organization",
    "/api/benchmarks/grow/ranking?sort=-rank",
]
# However few rows: no list asks more.
MOST_QUERIES = 12


def grow(rows, benchmark, organization, source):
    """``rows`` more of everything a list page shows: a model with an alias and a
    vendor's claimed result, with a standard error, on the benchmark's ranked version
    (its claimer a new organization), and another benchmark with a version."""
    for _ in range(rows):
        n = next(grown)
        claimer = make_organization(name=f"Claimer {n}", slug=f"claimer-{n}")
        model = make_model(name=f"Grow {n}", organization=organization, open_weights="open")
        writes.save(ModelAlias(model=model, name=f"grow alias {n}"))
        make_result(
            model=model,
            benchmark=benchmark,
            version=benchmark.ranked_version,
            value=n,
            stderr=Decimal("0.5"),
            claimed_by=claimer,
            provenance=Provenance.VENDOR_CLAIM,
            source=source,
            quote=f"Claimer {n} claims Grow {n} scored {n} ± 0.5 on Grow bench.",
        )
        other = make_benchmark()
        writes.save(BenchmarkVersion(benchmark=other, name="v1", is_ranked=True))


grown = itertools.count(1)


def test_list_query_counts_stay_constant_as_rows_grow(
    client, settings, django_assert_max_num_queries
):
    settings.PAGE_CACHE_SECONDS = 0  # every request renders
    benchmark = make_benchmark(slug="grow", name="Grow bench")
    writes.save(BenchmarkVersion(benchmark=benchmark, name="v1", is_ranked=True))
    benchmark = Benchmark.objects.prefetch_related("versions").get(pk=benchmark.pk)
    organization = make_organization(slug="org-grow")
    source = make_source()
    grow(2, benchmark, organization, source)
    counts = {}
    for url in LISTS:
        with CaptureQueriesContext(connection) as queries:
            assert len(get_json(client, url)["items"]) >= 2, url
        counts[url] = len(queries)
    assert max(counts.values()) <= MOST_QUERIES, counts
    grow(20, benchmark, organization, source)
    for url in LISTS:
        with django_assert_max_num_queries(counts[url]):
            assert len(get_json(client, url)["items"]) >= 22, url
