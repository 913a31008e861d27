"""Browsing a catalog built here (27 models, 5 benchmarks, missing and rank-only
results): every column sorts both ways with missing values last, filters, export
equal to the view, 404s, and no server error for malformed query strings."""

import csv
import io
import json
import random
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from leaderboard.models import (
    AIModel,
    Benchmark,
    Openness,
    Organization,
    Provenance,
    Result,
    Source,
)
from leaderboard.rules import writes
from leaderboard.tables import LeaderboardTable

from .factories import make_benchmark, make_model, make_organization, make_result, stating
from .support import Written

pytestmark = pytest.mark.django_db

OPENNESS_ASCENDING = [Openness.CLOSED, Openness.PARTIAL, Openness.OPEN]


def build_catalog():
    rng = random.Random(20261128)
    organizations = [make_organization(name=n, slug=n.lower()) for n in ["Zeta", "Acme", "Moon"]]
    models = []
    for i in range(27):
        total = rng.choice([None, *range(1, 400)]) if i % 5 else None
        active = None if total is None or i % 3 == 0 else rng.randint(1, total)
        models.append(
            make_model(
                name=f"Model {chr(65 + i % 26)}{i:02d}",
                slug=f"model-{i:02d}",
                organization=organizations[i % 3],
                total_parameters=total and total * 10**9,
                active_parameters=active and active * 10**9,
                context_window_tokens=rng.choice([None, 8192, 32768, 131072, 1000000]),
                open_weights=rng.choice(list(Openness)),
                open_training_data=rng.choice(list(Openness)),
                open_training_code=rng.choice(list(Openness)),
            )
        )
    benchmarks = [
        make_benchmark(name="Alpha Score", slug="alpha", higher_is_better=True),
        make_benchmark(name="Beta Errors", slug="beta", higher_is_better=False),
        make_benchmark(name="Gamma Arena", slug="gamma", higher_is_better=True),
        make_benchmark(name="Delta Sparse", slug="delta", higher_is_better=True),
        make_benchmark(name="Epsilon Unknown", slug="epsilon", higher_is_better=None),
    ]
    vendor = organizations[0]
    for benchmark in benchmarks:
        share = 0.3 if benchmark.slug == "delta" else 0.7
        for i, model in enumerate(models):
            if rng.random() > share:
                continue
            if benchmark.slug == "gamma" and i % 4 == 0:
                make_result(model=model, benchmark=benchmark, value=None, rank=i // 4 + 1)
            else:
                value = Decimal(rng.randint(0, 9000)) / 100
                make_result(model=model, benchmark=benchmark, value=value)
    # A vendor's claim beside an independent measurement: the page shows the latter.
    claimed = models[1]
    writes.delete_all(Result.objects.filter(model=claimed, benchmark=benchmarks[0]))
    make_result(model=claimed, benchmark=benchmarks[0], value=12)
    make_result(
        model=claimed,
        benchmark=benchmarks[0],
        value=99,
        provenance=Provenance.VENDOR_CLAIM,
        claimed_by=vendor,
    )
    return {"models": models, "benchmarks": benchmarks}


@pytest.fixture(scope="session")
def catalog_written(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return Written(build_catalog)


@pytest.fixture
def catalog(db, catalog_written):
    """The catalog, built through the write path once a session; each test gets its
    rows written back (``Written``) and its models and benchmarks read afresh."""
    return catalog_written.write_back()


ALL_COLUMNS = {"show": ["alpha", "beta", "gamma", "delta", "epsilon"]}


def row_names(response):
    """Model names in the order the leaderboard shows them."""
    return re.findall(
        r'<td class="model">(?:<input [^>]*> )?<a href="[^"]+">([^<]+)</a>',
        response.content.decode(),
    )


def headline(model, benchmark):
    results = list(Result.objects.filter(model=model, benchmark=benchmark))
    results.sort(key=lambda r: (r.provenance != "independent", -r.pk))
    return results[0] if results else None


def expected_by_benchmark(benchmark, best_first):
    higher_first = best_first == (benchmark.higher_is_better is not False)

    def key(model):
        result = headline(model, benchmark)
        if result is None:
            return (2, 0, 0, model.name)
        # Worst first is the ranking reversed: places alone (the worst) lead.
        alone = 1 if best_first else -1
        if result.value is None:
            return (alone, 0, result.rank if best_first else -result.rank, model.name)
        return (0, -result.value if higher_first else result.value, 0, model.name)

    return [m.name for m in sorted(AIModel.objects.all(), key=key)]


def expected_by_field(field, descending):
    """Values in order (ties by name, ascending either way), then missing values."""

    def value(model):
        return model.organization.name if field == "organization" else getattr(model, field)

    models = sorted(AIModel.objects.all(), key=lambda m: m.name)
    present = [m for m in models if value(m) is not None]
    present.sort(key=value, reverse=descending)  # stable: ties keep name order
    return [m.name for m in present] + [m.name for m in models if value(m) is None]


def expected_by_openness(field, descending):
    def key(model):
        value = getattr(model, field)
        if value == Openness.NOT_REPORTED:
            return (1, 0, model.name)
        position = OPENNESS_ASCENDING.index(value)
        return (0, -position if descending else position, model.name)

    return [m.name for m in sorted(AIModel.objects.all(), key=key)]


@pytest.mark.parametrize("slug", ["alpha", "beta", "gamma", "delta", "epsilon"])
@pytest.mark.parametrize("descending", [False, True])
def test_benchmark_columns_sort_best_or_worst_first_missing_last(
    client, catalog, slug, descending
):
    benchmark = Benchmark.objects.get(slug=slug)
    sort = ("-" if descending else "") + f"benchmark-{slug}"
    response = client.get(reverse("index"), {**ALL_COLUMNS, "sort": sort})
    assert response.status_code == 200
    assert row_names(response) == expected_by_benchmark(benchmark, best_first=not descending)


@pytest.mark.parametrize(
    "field", ["total_parameters", "active_parameters", "context_window_tokens", "organization"]
)
@pytest.mark.parametrize("descending", [False, True])
def test_fixed_columns_sort_both_ways_missing_last(client, catalog, field, descending):
    sort = ("-" if descending else "") + field
    response = client.get(reverse("index"), {"sort": sort})
    assert row_names(response) == expected_by_field(field, descending)


@pytest.mark.parametrize("field", ["open_weights", "open_training_data", "open_training_code"])
@pytest.mark.parametrize("descending", [False, True])
def test_openness_columns_sort_both_ways_not_reported_last(client, catalog, field, descending):
    sort = ("-" if descending else "") + field
    response = client.get(reverse("index"), {"sort": sort})
    assert row_names(response) == expected_by_openness(field, descending)


@pytest.mark.parametrize("descending", [False, True])
def test_name_and_rank_columns_sort_both_ways(client, catalog, descending):
    names = sorted(m.name for m in catalog["models"])
    response = client.get(reverse("index"), {"sort": "-name" if descending else "name"})
    assert row_names(response) == (names[::-1] if descending else names)
    # Rank places models on the first shown benchmark; sorting it sorts by it.
    alpha = Benchmark.objects.get(slug="alpha")
    response = client.get(reverse("index"), {"sort": "-rank" if descending else "rank"})
    assert row_names(response) == expected_by_benchmark(alpha, best_first=not descending)


def test_default_order_is_best_first_on_the_first_featured_benchmark(client, catalog):
    Benchmark.objects.filter(slug="beta").update(featured=True)
    response = client.get(reverse("index"))
    beta = Benchmark.objects.get(slug="beta")
    assert row_names(response) == expected_by_benchmark(beta, best_first=True)
    page = response.content.decode()
    assert (
        "Beta Errors" in page and "Alpha Score" not in page.split("<tbody")[0].split("<thead")[1]
    )


def test_rank_shares_places_and_skips_models_without_result(client, catalog):
    alpha = Benchmark.objects.get(slug="alpha")
    response = client.get(reverse("index"), {"sort": "benchmark-alpha"})
    ranks = re.findall(r'<td class="num rank">([^<]*)<', response.content.decode())
    expected_names = expected_by_benchmark(alpha, best_first=True)
    with_result = [n for n in expected_names if headline(AIModel.objects.get(name=n), alpha)]
    assert ranks[: len(with_result)] == [str(i) for i in range(1, len(with_result) + 1)]
    # The rest show a dash, not a place.
    assert ranks[len(with_result) :] == [""] * (len(ranks) - len(with_result))
    assert len(ranks) == 27


def test_vendor_claim_gives_way_to_independent_result(client, catalog):
    claimed = catalog["models"][1]
    response = client.get(reverse("index"), {"q": claimed.name, "show": "alpha"})
    page = response.content.decode()
    page = page[page.index("<tbody") :]
    row = page[page.index(claimed.name) :]
    row = row[: row.index("</tr>")]
    assert ">12<" in row.replace(" ", "") or "12</td>" in row
    # Not the claimed figure (the row's links hold ids and digests, which may hold "99").
    assert not re.search(r">\s*99(\.\d+)?\s*<", row)
    model_page = client.get(claimed.get_absolute_url()).content.decode()
    assert f"Zeta claims {claimed.name} scored 99 on" in model_page
    assert f"{claimed.name} scored 12 on" in model_page
    assert "<bdi>Zeta</bdi>’s claim" in model_page


def test_header_carries_aria_sort_on_the_sorted_column_only(client, catalog):
    page = client.get(reverse("index"), {"sort": "benchmark-beta", **ALL_COLUMNS}).content
    headers = re.findall(r"<th ([^>]*)>", page.decode())
    sorted_headers = [h for h in headers if "aria-sort" in h]
    assert len(sorted_headers) == 1
    # Lower is better on Beta, so best first is ascending values.
    assert 'aria-sort="ascending"' in sorted_headers[0]
    page = client.get(reverse("index"), {"sort": "benchmark-alpha"}).content.decode()
    assert 'aria-sort="descending"' in page


def test_benchmark_sort_keys_never_collide_with_fixed_columns(client, catalog):
    clash = make_benchmark(name="Clash", slug="name", higher_is_better=True)
    first, second = catalog["models"][3], catalog["models"][20]
    make_result(model=first, benchmark=clash, value=1)
    make_result(model=second, benchmark=clash, value=2)
    by_benchmark = row_names(client.get(reverse("index"), {"sort": "benchmark-name"}))
    assert by_benchmark[:2] == [second.name, first.name]
    # Sorting by the name column neither adds the "name" benchmark nor ranks on it.
    response = client.get(reverse("index"), {"sort": "name", "show": "alpha"})
    assert row_names(response) == sorted(row_names(response))
    page = response.content.decode()
    assert "ranked on Alpha Score" in page
    assert "benchmark-name" not in page.split("</thead>")[0]


def test_benchmark_header_shows_direction_and_versions(client, catalog):
    alpha = Benchmark.objects.get(slug="alpha")
    alpha.versions.create(name="v2")
    alpha.versions.create(name="v3", is_ranked=True)
    page = client.get(reverse("index"), {"show": ["alpha", "beta"]}).content.decode()
    thead = page[page.index("<thead") : page.index("</thead>")]
    # The direction in words under the name, apart from the sort mark: an arrow
    # there read as the column's order.
    assert '<small class="direction">higher is better</small>' in thead
    assert "↑" not in thead and "↓" not in thead
    # The header names the version the column ranks.
    assert '<small class="version">v3</small>' in thead
    assert "Beta Errors: lower is better." in thead


def test_choose_columns(client, catalog):
    page = client.get(reverse("index"), {"show": ["gamma", "nonexistent"]}).content.decode()
    thead = page[page.index("<thead") : page.index("</thead>")]
    assert "Gamma Arena" in thead
    assert "Alpha Score" not in thead
    # Sorting by a benchmark that is not chosen adds its column.
    page = client.get(reverse("index"), {"show": "gamma", "sort": "-benchmark-beta"}).content
    thead = page.decode()[: page.decode().index("</thead>")]
    assert "Gamma Arena" in thead and "Beta Errors" in thead


def names_for(client, **params):
    response = client.get(reverse("index"), params)
    assert response.status_code == 200
    return set(row_names(response))


def test_filters(client, catalog):
    models = AIModel.objects.all()
    every = {m.name for m in models}
    assert names_for(client) == every

    target = catalog["models"][5]
    target.aliases.create(name="The Secret Codename")
    assert names_for(client, q="secret codename") == {target.name}
    assert names_for(client, q=target.name.lower()) == {target.name}

    assert names_for(client, organization=["acme", "moon"]) == {
        m.name for m in models if m.organization.slug in {"acme", "moon"}
    }
    assert names_for(client, open_weights="on") == {
        m.name for m in models if m.open_weights == Openness.OPEN
    }
    assert names_for(client, total_min="100", total_max="250.5") == {
        m.name
        for m in models
        if m.total_parameters and 100 * 10**9 <= m.total_parameters <= 250.5 * 10**9
    }
    assert names_for(client, active_max="50") == {
        m.name for m in models if m.active_parameters and m.active_parameters <= 50 * 10**9
    }
    with_both = {
        m.name
        for m in models
        if m.results.filter(benchmark__slug="alpha").exists()
        and m.results.filter(benchmark__slug="delta").exists()
    }
    assert names_for(client, has_results=["alpha", "delta"]) == with_both
    assert 0 < len(with_both) < len(every)


def test_bad_filter_values_are_reported_and_ignored(client, catalog):
    response = client.get(
        reverse("index"), {"total_min": "lots", "organization": "nobody", "q": "Model A"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Some filters were ignored" in page
    assert "Enter a number." in page
    assert "Select a valid choice. nobody is not one of the available choices." in page
    # The valid filter still applies.
    assert set(row_names(response)) == {
        m.name for m in AIModel.objects.filter(name__icontains="Model A")
    }


def read_export(client, params, export_format):
    """The exported rows: CSV's as dicts of text, JSON's typed rows."""
    response = client.get(reverse("index"), {**params, "_export": export_format})
    assert response.status_code == 200 and response.streaming
    body = response.getvalue().decode("utf-8")
    if export_format == "csv":
        return list(csv.DictReader(io.StringIO(body)))
    return json.loads(body)["rows"]


def all_pages_of(client, params):
    shown, page = [], 1
    while True:
        response = client.get(reverse("index"), {**params, "page": page})
        if response.status_code == 404:
            break
        shown += row_names(response)
        page += 1
    assert page > 3  # the view really spans several pages
    return shown


EXPORT_VIEW = {"sort": "-benchmark-gamma", "organization": ["acme", "zeta"], "per_page": "5"}


def test_csv_export_holds_all_rows_of_the_filtered_sorted_view(client, catalog):
    shown = all_pages_of(client, EXPORT_VIEW)
    rows = read_export(client, EXPORT_VIEW, "csv")
    assert [row["Model"] for row in rows] == shown
    gamma = Benchmark.objects.get(slug="gamma")
    for row in rows:
        result = headline(AIModel.objects.get(name=row["Model"]), gamma)
        expected = "" if result is None else result.display_value
        assert row["Gamma Arena"] == expected
        if result is not None:
            assert row["Gamma Arena: source"] == f"independent; {result.source}"


def test_json_export_holds_all_rows_typed(client, catalog):
    shown = all_pages_of(client, EXPORT_VIEW)
    rows = read_export(client, EXPORT_VIEW, "json")
    assert [row["model"]["name"] for row in rows] == shown
    gamma = Benchmark.objects.get(slug="gamma")
    for row in rows:
        model = AIModel.objects.get(slug=row["model"]["slug"])
        assert row["model"]["url"] == f"http://testserver/models/{model.slug}/"
        assert row["total_parameters"] == model.total_parameters  # a number or null
        result = headline(model, gamma)
        exported = row["results"]["gamma"]
        if result is None:
            assert exported is None
            continue
        # Numbers as numbers, to the last digit of what is stored.
        assert exported["value"] is None or Decimal(str(exported["value"])) == result.value
        assert exported["stated_rank"] == result.rank
        assert exported["provenance"] == "independent" and exported["claimed_by"] is None
        assert exported["source"]["slug"] == result.source.slug
        assert exported["quote"] == result.quote


def test_article_export_labels_vendor_claims(client, article):
    rows = read_export(client, {}, "csv")
    nemotron = next(r for r in rows if r["Model"] == "Nemotron 3 Super")
    assert nemotron["AI Index composite score (points)"] == "37"
    assert nemotron["PinchBench"] == "#1"
    assert nemotron["PinchBench: source"] == (
        "NVIDIA’s claim; NVIDIA enters the AI large model race"
    )
    assert nemotron["Total params"] == "128000000000"
    # The quote and the passage stating it, as the JSON export gives them.
    pinch = Result.objects.get(model__slug="nemotron-3-super", benchmark__slug="pinchbench")
    assert nemotron["PinchBench: quote"] == pinch.quote
    assert nemotron["PinchBench: passage"] == f"http://testserver{pinch.passage_url}"
    # What no source states is an empty cell, whatever the column.
    gpt = next(r for r in rows if r["Model"] == "GPT-OSS (largest version)")
    assert gpt["Total params"] == "" and gpt["Weights"] == "" and gpt["Released"] == ""
    assert gpt["PinchBench: quote"] == "" and gpt["PinchBench: passage"] == ""
    assert "Not reported" not in {cell for row in rows for cell in row.values()}


def test_article_json_export_is_typed(client, article):
    response = client.get(reverse("index"), {"_export": "json"})
    assert response["Content-Disposition"] == 'attachment; filename="leaderboard.json"'
    data = json.loads(response.getvalue())
    assert data["ranked_on"]["slug"] == "ai-index" and data["count"] == 2
    assert [b["higher_is_better"] for b in data["benchmarks"]] == [True, None]
    nemotron, gpt_oss = data["rows"]
    assert nemotron["rank"] == 1 and gpt_oss["rank"] == 2
    ai_index = nemotron["results"]["ai-index"]
    assert ai_index["value"] == 37 and isinstance(ai_index["value"], int)
    assert ai_index["unit"] == "points" and ai_index["stated_rank"] is None
    assert ai_index["shots"] is None  # the article does not say
    assert ai_index["provenance"] == "vendor_claim"
    # Whose claim, as the API names it (result_json.link): with the claimer's page.
    assert ai_index["claimed_by"] == {
        "slug": "nvidia",
        "name": "NVIDIA",
        "url": "http://testserver/organizations/nvidia/",
    }
    assert ai_index["quote"].startswith("NVIDIA claims that in the AI Index composite score")
    assert ai_index["passage_url"].startswith(
        "http://testserver/sources/gate-nvidia-enters-the-ai-large-model-race/?passage=q-"
    )
    pinch = nemotron["results"]["pinchbench"]
    assert pinch["value"] is None and pinch["stated_rank"] == 1
    assert gpt_oss["results"]["pinchbench"] is None
    assert nemotron["total_parameters"] == 128_000_000_000
    assert nemotron["open_weights"] == "open"
    # What no source states is null, not "" or "Not reported".
    assert gpt_oss["total_parameters"] is None and gpt_oss["open_weights"] is None
    assert gpt_oss["release_date"] is None
    assert nemotron["organization"]["url"] == "http://testserver/organizations/nvidia/"


def test_json_numbers_keep_every_stored_digit(client, db):
    benchmark = make_benchmark(featured=True)
    make_result(benchmark=benchmark, value=Decimal("123456789.123456"))
    make_result(benchmark=benchmark, value=Decimal("0.000001"))
    data = json.loads(client.get(reverse("index"), {"_export": "json"}).getvalue())
    values = [row["results"][benchmark.slug]["value"] for row in data["rows"]]
    assert values == [123456789.123456, 0.000001]


@pytest.mark.parametrize(
    "url",
    [
        "/models/no-such-model/",
        "/benchmarks/no-such-benchmark/",
        "/organizations/no-such-org/",
        "/sources/no-such-source/",
        "/?page=99",
        "/?page=0",
        "/?page=-1",
        "/benchmarks/alpha/?page=5",
        "/no/such/page/",
    ],
)
def test_unknown_things_answer_a_helpful_404(client, catalog, url):
    response = client.get(url)
    assert response.status_code == 404
    page = response.content.decode()
    assert "Not found" in page and 'href="/"' in page


MALFORMED = [
    "sort=",
    "sort=-",
    "sort=--name",
    "sort=benchmark-",
    "sort=benchmark-nope",
    "sort=%00",
    "sort=name&sort=-rank&sort=bogus",
    "page=abc",
    "page=1e3",
    "page=99999999999999999999999",
    "per_page=0",
    "per_page=-3",
    "per_page=abc",
    "per_page=100000000",
    "show=",
    "show=%ff%fe",
    "total_min=1e999",
    "total_min=-5",
    "total_max=NaN",
    "active_min=99999999999999999999",
    "organization=%00",
    "has_results=nope&has_results=alpha",
    "open_weights=maybe",
    "q=%00%ff",
    "q=" + "x" * 5000,
    "_export=xml",
    "_export=csv&page=99",
    "%zz=1&&&==",
]


@pytest.mark.parametrize("query", MALFORMED)
@pytest.mark.parametrize("path", ["/", "/benchmarks/alpha/", "/benchmarks/"])
def test_malformed_query_strings_never_cause_a_server_error(client, catalog, path, query):
    response = client.get(f"{path}?{query}")
    if response.status_code == 302:  # empty parameters dropped: the permalink
        response = client.get(response["Location"])
    assert response.status_code in (200, 400, 404), (path, query, response.status_code)


@pytest.mark.parametrize("export_format", ["xlsx", "xls", "ods", "yaml", "tsv", "latex", "x "])
def test_only_the_offered_exports_are_served(client, article, export_format):
    """CSV and JSON are offered (and defused); every other format tablib knows, or
    none, is refused with a message naming the ones there are, never a 500 or an
    export that skips the defusing. (An empty ``_export=`` is dropped from the
    address like any empty parameter.)"""
    response = client.get(reverse("index"), {"_export": export_format})
    assert response.status_code == 400
    assert "csv or json" in response.content.decode()
    assert "Content-Disposition" not in response


def test_a_huge_search_is_reported_not_run(client, article):
    response = client.get(reverse("index"), {"q": "x" * 50_000})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Some filters were ignored" in page and "at most 200 characters" in page
    assert "Nemotron 3 Super" in page  # the search was ignored, not applied


def test_home_shows_the_articles_facts_and_whose_claims_they_are(client, article):
    response = client.get(reverse("index"), {"facts": list(LeaderboardTable.FACTS)})
    assert response.status_code == 200
    page = response.content.decode()
    for text in [
        "AI Index composite score",
        "PinchBench",
        'title="128,000,000,000">128B',
        'title="12,000,000,000">12B',
        'title="1,000,000">1M',
        "#1",
        "NVIDIA’s claim",
        "not reported",
    ]:
        assert text in page, text
    assert row_names(response) == ["Nemotron 3 Super", "GPT-OSS (largest version)"]


def test_model_page_lists_facts_results_and_not_reported(client, article):
    page = client.get("/models/gpt-oss-largest/").content.decode()
    assert page.count("not reported") >= 6
    assert "the largest version of OpenAI GPT-OSS" in page
    assert "33" in page and "<bdi>NVIDIA</bdi>’s claim" in page
    page = client.get("/models/nemotron-3-super/").content.decode()
    assert "128,000,000,000" in page
    assert "The model has a total parameter count of 128 billion" in page
    assert "ranked first in this test." in page


def test_benchmark_page_ranks_best_first_with_notes_and_chart(client, article):
    response = client.get("/benchmarks/ai-index/")
    page = response.content.decode()
    assert "Chinese models" in page
    assert row_names(response) == ["Nemotron 3 Super", "GPT-OSS (largest version)"]
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert "Nemotron 3 Super: 37 points (NVIDIA’s claim)" in svg
    pinch = client.get("/benchmarks/pinchbench/").content.decode()
    assert "Nemotron 3 Super: ranked #1, no score given (NVIDIA’s claim)." in pinch
    # One wording for an unknown direction, and never a label repeating its heading.
    assert '<dt>Direction</dt><dd><span class="not-reported">not reported</span></dd>' in pinch
    assert "Direction not reported" not in pinch
    assert "no places are computed" not in pinch
    assert "a model&#x27;s place is only one its source states" in pinch


def test_lower_is_better_benchmark_page_ranks_lowest_first(client, catalog):
    beta = Benchmark.objects.get(slug="beta")
    response = client.get(beta.get_absolute_url(), {"per_page": 500})
    expected = [
        n
        for n in expected_by_benchmark(beta, best_first=True)
        if headline(AIModel.objects.get(name=n), beta)
    ]
    assert row_names(response) == expected


def test_home_scatter_plots_score_against_active_parameters(client, catalog):
    page = client.get(reverse("index"), {"sort": "benchmark-alpha"}).content.decode()
    svg = page[page.index('<svg class="chart"') : page.index("</svg>")]
    alpha = Benchmark.objects.get(slug="alpha")
    plotted = [
        m
        for m in AIModel.objects.filter(active_parameters__isnull=False)
        if headline(m, alpha) is not None and headline(m, alpha).value is not None
    ]
    assert svg.count("<circle") == len(plotted) > 3
    assert "Active parameters (log scale)" in svg
    # Points are labelled with model names (the best ones) and link to their pages.
    best = next(n for n in expected_by_benchmark(alpha, True) if n in {m.name for m in plotted})
    assert 'class="chart-point-label"' in svg and f">{best}</text>" in svg


def test_source_and_organization_pages(client, article):
    page = client.get("/sources/gate-nvidia-enters-the-ai-large-model-race/").content.decode()
    assert "seeds/000_d5309a177220f829.txt" in page
    assert page.count("<blockquote") == 20
    page = client.get("/organizations/nvidia/").content.decode()
    assert "Nemotron 3 Super" in page and "Results <bdi>NVIDIA</bdi> claims" in page


@pytest.mark.parametrize("size", [(6, 2), pytest.param((40, 9), marks=pytest.mark.slow)])
def test_query_counts_stay_constant(client, django_assert_max_num_queries, size):
    models, benchmarks = size
    organization = make_organization()
    created = [make_benchmark() for _ in range(benchmarks)]
    for _ in range(models):
        model = make_model(organization=organization, active_parameters=10**9)
        for benchmark in created:
            make_result(model=model, benchmark=benchmark, value=42)
    show = {"show": [b.slug for b in created]}
    # The data version; benchmarks and their versions; organizations and benchmarks
    # for the filter form; count; the page's model ids from each part of the ranking
    # it reads (worst first: places alone, then values); the models; headline
    # results; the page's places; scatter points; checking an organization filter's
    # slugs; the licences the filter offers; whether any ranked result gives an
    # uncertainty (statistical ties); and for the summary above the table, the models
    # and results counted and the leaders (the best scores, then their results),
    # however many benchmarks.
    with django_assert_max_num_queries(17):
        client.get(reverse("index"), {**show, "sort": f"-benchmark-{created[-1].slug}"})
    with django_assert_max_num_queries(17):
        client.get(reverse("index"), {**show, "organization": organization.slug, "q": "M"})
    # Filtering on results on every benchmark: two more (the chosen benchmarks and their
    # versions), however many are chosen.
    with django_assert_max_num_queries(19):
        client.get(reverse("index"), {**show, "has_results": show["show"]})
    # The data version; the benchmark and its versions; its citations; count; the
    # page's result ids from each part of the ranking it reaches (values, then places
    # alone) and those results; the page's places; whether any ranked result gives an
    # uncertainty (statistical ties); the chart's top results, part by part; the
    # claims beside measurements; and the results measured differently, by setting.
    with django_assert_max_num_queries(14):
        client.get(created[0].get_absolute_url())
    # The data version; the model with its organization, aliases and citations; its
    # results; the claims beside measurements; the models to compare it with.
    with django_assert_max_num_queries(8):
        client.get(AIModel.objects.first().get_absolute_url())


def test_aria_sort_follows_the_cells_on_rank_and_rank_only_columns(client, article):
    page = client.get(reverse("index"), {"sort": "rank"}).content.decode()
    assert re.search(r'<th [^>]*aria-sort="ascending"[^>]*>\s*<a [^>]*>Rank', page)
    # PinchBench gives places only (#1, ...): best first is ascending places.
    page = client.get(reverse("index"), {"sort": "benchmark-pinchbench"}).content.decode()
    header = re.search(r'<th ([^>]*)>\s*<a href="\?sort=-benchmark-pinchbench', page)
    assert 'aria-sort="ascending"' in header.group(1)


def test_no_places_are_computed_without_a_direction(client, catalog):
    # Epsilon's direction is not reported: sorting by it works, but no place is made up.
    response = client.get(reverse("index"), {"sort": "benchmark-epsilon"})
    ranks = re.findall(r'<td class="num rank">([^<]*)<', response.content.decode())
    assert set(ranks) == {""}
    # A Rank cell says why it is empty: a result whose source states no place is not
    # "No result reported".
    rows = [
        row
        for row in re.findall(r"<tr>.*?</tr>", response.content.decode(), re.S)
        if '<td class="num rank">' in row
    ]
    epsilon = Benchmark.objects.get(slug="epsilon")
    with_result = set(
        Result.objects.headline().filter(benchmark=epsilon).values_list("model__name", flat=True)
    )
    for row in rows:
        rank_cell = row.split("</td>")[0]
        name = re.search(r'aria-label="Compare ([^"]*)"', row).group(1)
        expected = "No place: no source states whether" if name in with_result else "No result"
        assert expected in rank_cell, (name, rank_cell)
    page = client.get("/benchmarks/epsilon/").content.decode()
    rank_cells = re.findall(r'<td class="num rank">(.*?)</td>', page, re.S)
    assert rank_cells and all("No place: no source states" in cell for cell in rank_cells)
    assert "highest first; the direction is not reported" in page
    assert "highest first (direction not reported)" in page  # the chart's title
    assert "best first" not in page


def test_charts_mark_vendor_claims(client, article):
    ai_index = Benchmark.objects.get(slug="ai-index")
    for name, active, value in (("Lab One", 7 * 10**9, 30), ("Lab Two", 70 * 10**9, 35)):
        make_result(
            model=make_model(name=name, active_parameters=active), benchmark=ai_index, value=value
        )
    page = client.get(reverse("index")).content.decode()
    svg = page[page.index('<svg class="chart"') : page.index("</svg>")]
    assert "Nemotron 3 Super: 37 points, 12B active parameters (NVIDIA’s claim)" in svg
    assert svg.count('class="chart-point vendor"') == 1
    assert svg.count('class="chart-point"') == 2  # the independent measurements


def test_model_page_cites_the_description_and_name(client, article):
    page = client.get("/models/nemotron-3-super/").content.decode()
    facts = page[page.index("<h2>Facts</h2>") :]
    description = facts[facts.index(">Description<") :]
    assert "designed for enterprise-grade multi-agent systems" in description
    assert "designed specifically for enterprise-grade multi-agent systems.”" in description
    gpt = client.get("/models/gpt-oss-largest/").content.decode()
    assert "With 128 billion parameters, the scale is broadly comparable" in gpt


def test_results_on_different_versions_are_never_ranked_together(client, db):
    benchmark = make_benchmark(name="Versioned", slug="versioned")
    v2 = benchmark.versions.create(name="v2")
    v3 = benchmark.versions.create(name="v3")
    old, new, unnamed = make_model(name="Old"), make_model(name="New"), make_model(name="Plain")
    make_result(model=old, benchmark=benchmark, version=v2, value=80)
    make_result(model=new, benchmark=benchmark, version=v3, value=60)
    make_result(model=new, benchmark=benchmark, version=v2, value=50)
    make_result(model=unnamed, benchmark=benchmark, value=99)
    # One headline per model, benchmark and version.
    assert Result.objects.headline().count() == 4

    def ranking():
        response = client.get("/benchmarks/versioned/")
        return list(
            zip(
                row_names(response),
                re.findall(r'<td class="num rank">([^<]*)<', response.content.decode()),
                strict=True,
            )
        )

    # No ranked version: only results that name none are ranked.
    assert ranking() == [("Plain", "1")]
    v2.is_ranked = True
    writes.save(v2)
    assert ranking() == [("Old", "1"), ("New", "2")]
    page = client.get(reverse("index"), {"show": "versioned", "sort": "benchmark-versioned"})
    assert row_names(page)[:2] == ["Old", "New"]
    assert re.search(r'<td class="num"><a class="figure" [^>]*>80</a></td>', page.content.decode())
    v2.is_ranked = False
    writes.save(v2)
    v3.is_ranked = True
    writes.save(v3)
    assert ranking() == [("New", "1")]


def test_home_scatter_follows_the_filters(client, catalog):
    alpha = Benchmark.objects.get(slug="alpha")
    page = client.get(reverse("index"), {"sort": "benchmark-alpha", "organization": "acme"})
    svg = page.content.decode().split('<svg class="chart"')[1].split("</svg>")[0]
    plotted = [
        m
        for m in AIModel.objects.filter(organization__slug="acme", active_parameters__gt=0)
        if headline(m, alpha) is not None and headline(m, alpha).value is not None
    ]
    assert svg.count("<circle") == len(plotted) > 0


@pytest.mark.parametrize("slug", ["alpha", "beta", "gamma"])
def test_benchmark_page_places_match_the_leaderboards_ranking(client, catalog, slug):
    # Ties too: give two models the same value as the best one.
    benchmark = Benchmark.objects.get(slug=slug)
    best = Result.objects.headline().filter(benchmark=benchmark, value__isnull=False)
    best = best.order_by("-value" if benchmark.higher_is_better else "value").first()
    tied = [m for m in catalog["models"] if not m.results.filter(benchmark=benchmark).exists()]
    for model in tied[:2]:
        make_result(model=model, benchmark=benchmark, value=best.value)

    def places(response):
        page = response.content.decode()
        return dict(
            zip(
                row_names(response),
                re.findall(r'<td class="num rank">([^<]*)<', page),
                strict=True,
            )
        )

    ranking = places(client.get(benchmark.get_absolute_url(), {"per_page": 500}))
    leaderboard = places(client.get(reverse("index"), {"sort": f"benchmark-{slug}"}))
    assert ranking == {name: place for name, place in leaderboard.items() if place}
    assert list(ranking.values()).count("1") >= 3  # the best value, shared


@pytest.mark.parametrize("slug", ["alpha", "beta", "gamma"])
def test_benchmark_page_places_hold_across_pages_and_sort_orders(client, catalog, slug):
    benchmark = Benchmark.objects.get(slug=slug)
    results = Result.objects.headline().filter(benchmark=benchmark, value__isnull=False)
    # A tie across the boundary of the first two pages of 5 rows.
    ordered = list(results.order_by("-value" if benchmark.higher_is_better else "value"))
    ordered[5].value = ordered[4].value
    ordered[5].quote = stating(
        ordered[5].model, benchmark, ordered[4].value, claimed_by=ordered[5].claimed_by
    )
    writes.save(ordered[5])

    def places(response):
        page = response.content.decode()
        cells = re.findall(r'<td class="num rank">([^<]*)<', page)
        return dict(zip(row_names(response), cells, strict=True))

    expected = places(client.get(benchmark.get_absolute_url(), {"per_page": 500}))
    paged, number = {}, 1
    while (
        response := client.get(benchmark.get_absolute_url(), {"per_page": 5, "page": number})
    ).status_code == 200:
        paged.update(places(response))
        number += 1
    assert paged == expected
    for sort in ["name", "-rank", "-result", "organization"]:
        assert (
            places(client.get(benchmark.get_absolute_url(), {"sort": sort, "per_page": 500}))
            == expected
        )


def test_an_empty_database_shows_empty_pages(client, db):
    """No models and no benchmarks yet (a fresh install before its fixtures): the
    leaderboard says so instead of failing on its Rank column."""
    response = client.get(reverse("index"))
    assert response.status_code == 200
    assert "No models match these filters." in response.content.decode()
    assert client.get(reverse("benchmarks")).status_code == 200
    assert client.get(reverse("index"), {"_export": "csv"}).status_code == 200


def test_a_filter_never_changes_the_articles_places(client, article):
    """The issue's case: filtered to OpenAI, GPT-OSS is still second on the AI Index
    (NVIDIA's claims put Nemotron 3 Super first), not first among the rows shown."""
    for params in [{"organization": "openai"}, {"q": "GPT"}]:
        page = client.get(reverse("index"), params).content.decode()
        assert re.findall(r'<td class="num rank">(\d+)\b', page) == ["2"]
        assert row_names(client.get(reverse("index"), params)) == ["GPT-OSS (largest version)"]


@pytest.mark.parametrize(
    "path, params, notice",
    [
        ("/", {"per_page": "0"}, "Rows per page &#x27;0&#x27;: a whole number from 1 to 500"),
        ("/", {"per_page": "9999"}, "Rows per page &#x27;9999&#x27;"),
        ("/", {"per_page": "lots"}, "Rows per page &#x27;lots&#x27;"),
        ("/", {"sort": "bogus"}, "Sort &#x27;bogus&#x27;: no column sorts by that name."),
        ("/", {"show": "nope"}, "Column &#x27;nope&#x27;: no benchmark has that name."),
        ("/", {"page": "abc"}, "Page &#x27;abc&#x27;: not a page number"),
        ("/benchmarks/ai-index/", {"sort": "-bogus"}, "Sort &#x27;-bogus&#x27;"),
        ("/benchmarks/ai-index/", {"per_page": "0"}, "Rows per page &#x27;0&#x27;"),
    ],
)
def test_ignored_parameters_are_reported(client, article, path, params, notice):
    """A parameter the page cannot use is ignored, like a bad filter value, and the
    page says so; the page still shows its rows (the defaults)."""
    response = client.get(path, params)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Some of this page’s address was ignored" in page and notice in page
    assert "Nemotron 3 Super" in page
    clean = client.get(path).content.decode()
    assert "address was ignored" not in clean


def test_a_submitted_form_lands_on_a_permalink_without_empty_parameters(client, article):
    response = client.get("/", {"q": "nemo", "total_min": "", "total_max": " ", "show": ""})
    assert response.status_code == 302
    assert response["Location"] == "/?q=nemo"
    response = client.get("/", {"q": ""})
    assert response.status_code == 302 and response["Location"] == "/"
    kept = client.get("/", {"show": ["ai-index", ""]})
    assert kept["Location"] == "/?show=ai-index"
    assert client.get("/?q=nemo").status_code == 200


def test_every_page_has_the_search_box(client, article):
    for url in ["/", "/benchmarks/", "/benchmarks/ai-index/", "/models/nemotron-3-super/"]:
        page = client.get(url).content.decode()
        assert '<form class="site-search" action="/" method="get" role="search">' in page


def test_sitemap_lists_every_public_page_and_robots_points_to_it(client, article):
    sitemap = client.get("/sitemap.xml")
    assert sitemap.status_code == 200 and sitemap["Content-Type"].startswith("application/xml")
    locations = set(re.findall(r"<loc>http://testserver([^<]*)</loc>", sitemap.content.decode()))
    expected = {"/", "/benchmarks/", "/changes/"}
    for model in [AIModel, Benchmark, Organization, Source]:
        expected |= {row.get_absolute_url() for row in model.objects.all()}
    assert locations == expected
    for url in locations:
        assert client.get(url).status_code == 200, url
    robots = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in robots
    assert "Sitemap: http://testserver/sitemap.xml" in robots


def test_the_favicon_is_linked_and_ships_with_the_project(client, article):
    from django.contrib.staticfiles import finders

    page = client.get("/").content.decode()
    href = re.search(r'<link rel="icon" href="/static/([^"]+)"', page).group(1)
    assert finders.find(href)  # served by whitenoise once collected (the browser test)


def test_a_scatter_of_fewer_than_three_points_is_said_in_words(client, article):
    page = client.get("/").content.decode()
    section = page[page.index('id="scatter-heading"') :]
    section = section[: section.index("</section>")]
    assert "<svg" not in section
    assert (
        "Only 1 model shown has both a score on AI Index composite score and a reported "
        "active parameter count, too few for a chart to show a trend: Nemotron 3 Super: "
        "37 points, 12B active parameters." in section
    )
