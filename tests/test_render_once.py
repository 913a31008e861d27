"""Rendered once per data version: a model's row, the summary's leaders and the
chart are made once for every URL that shows them (``caching.rows_per_data_version``,
``caching.per_data_version``), so a page for a URL nobody asked for before is assembled
from parts already made; an edit shows on the next request, and a cache that fails
only slows the page."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leaderboard.models import Benchmark
from leaderboard.web.caching import filters_key
from leaderboard.web.filters import ModelFilter

from .factories import make_benchmark, make_model, make_result
from .support import free_port

pytestmark = pytest.mark.django_db

# The query that reads the shown rows' results (``headline_rows.headline_queries``).
ROW_RESULTS = re.compile(r'FROM "leaderboard_result".*"model_id" IN \(', re.S)


@pytest.fixture
def every_request_rendered(settings):
    """As ``make bench`` measures: no whole page is cached."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture
def board(db):
    bench = make_benchmark(name="Row Bench", featured=True, higher_is_better=True)
    other = make_benchmark(name="Other Bench", featured=True, higher_is_better=True)
    models = [make_model(name=f"Row Model {i}") for i in range(6)]
    results = [make_result(model=m, benchmark=bench, value=50 + i) for i, m in enumerate(models)]
    make_result(model=models[0], benchmark=other, value=7)
    return bench, results


def body(response):
    page = response.content.decode()
    return page[page.index("<tbody") : page.index("</tbody>")]


def rows(response):
    return re.findall(r"<tr>.*?</tr>", body(response), re.S)


def queries_of(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response, [q["sql"] for q in captured.captured_queries]


def test_a_new_url_is_assembled_from_rows_already_rendered(client, board, every_request_rendered):
    bench, _ = board
    first, first_sql = queries_of(client, f"/?sort=benchmark-{bench.slug}&cold=1")
    again, again_sql = queries_of(client, f"/?sort=benchmark-{bench.slug}&cold=2")
    assert any(ROW_RESULTS.search(sql) for sql in first_sql)
    assert not any(ROW_RESULTS.search(sql) for sql in again_sql)
    assert len(again_sql) < len(first_sql)
    assert body(again) == body(first)
    # Sorted the other way, the same rows in the other order, none rendered again.
    worst, worst_sql = queries_of(client, f"/?sort=-benchmark-{bench.slug}")
    assert not any(ROW_RESULTS.search(sql) for sql in worst_sql)
    assert rows(worst) == list(reversed(rows(first)))


# The query that reads a ranking page's rows, or a ranked leaderboard's, by their
# keys (``ranking.RankedRows.fetch``): it joins what a row shows.
ROWS_BY_KEY = re.compile(r'FROM "leaderboard_(result|aimodel)" .*JOIN.*"\."id" IN \(', re.S)


@pytest.mark.parametrize("page", ["ranking", "leaderboard"])
def test_rows_already_rendered_are_not_read_again(client, board, every_request_rendered, page):
    """A page in a ranking's order knows its rows' keys before it reads them: where
    every row is rendered already, it reads none of them; where some are, only the
    others."""
    bench, results = board
    url = f"/benchmarks/{bench.slug}/" if page == "ranking" else f"/?sort=benchmark-{bench.slug}"
    first, first_sql = queries_of(client, f"{url}{'&' if '?' in url else '?'}per_page=3")
    assert any(ROWS_BY_KEY.search(sql) for sql in first_sql)
    again, again_sql = queries_of(client, f"{url}{'&' if '?' in url else '?'}per_page=3&cold=1")
    assert not any(ROWS_BY_KEY.search(sql) for sql in again_sql)
    assert body(again) == body(first)
    # Six rows, three rendered: the page of six reads the other three only.
    whole, whole_sql = queries_of(client, f"{url}{'&' if '?' in url else '?'}per_page=6")
    (read,) = [sql for sql in whole_sql if ROWS_BY_KEY.search(sql)]
    keys = re.search(r'"\."id" IN \(([^)]*)\)', read).group(1)
    assert len(keys.split(",")) == 3
    assert rows(whole)[:3] == rows(first)


def test_a_row_deleted_between_its_key_and_its_read_is_left_out(
    client, board, every_request_rendered, monkeypatch
):
    """An editor deletes a result after a ranking page read its rows' keys and before
    it read the rows: the page leaves that row out instead of failing."""
    from leaderboard.models import Result
    from leaderboard.rules.ranking import RankedRows

    bench, results = board
    read = RankedRows.fetch

    def deleted_first(self, ids):
        Result.objects.filter(pk=ids[0]).delete()
        return read(self, ids)

    monkeypatch.setattr(RankedRows, "fetch", deleted_first)
    response = client.get(f"/benchmarks/{bench.slug}/")
    assert response.status_code == 200
    shown = rows(response)
    assert len(shown) == len(results) - 1
    assert results[-1].model.name not in body(response)  # the best, read first


def test_an_edit_shows_on_the_next_request(client, board, every_request_rendered):
    from leaderboard.rules import writes

    _, results = board
    client.get("/")
    top = results[-1]
    top.value = 99
    top.quote = f"{top.model.name} scored 99 on Row Bench."
    writes.save(top)
    page = client.get("/?cold=3").content.decode()
    assert ">99</a>" in page and ">55</a>" not in page


def test_without_the_part_cache_every_row_is_rendered(
    client, board, every_request_rendered, settings
):
    settings.PART_CACHE_SECONDS = 0
    first, first_sql = queries_of(client, "/?cold=1")
    again, again_sql = queries_of(client, "/?cold=2")
    assert any(ROW_RESULTS.search(sql) for sql in again_sql)
    assert len(again_sql) == len(first_sql) and body(again) == body(first)


def test_a_cache_that_fails_only_slows_the_page(client, board, every_request_rendered, settings):
    settings.CACHES = {
        **settings.CACHES,
        "parts": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        },
    }
    for n in range(2):
        response = client.get(f"/?cold={n}")
        assert response.status_code == 200
        assert len(rows(response)) == 6 and "Row Model 5" in body(response)


def test_rows_with_other_columns_are_rendered_apart(client, board, every_request_rendered):
    default = client.get("/")
    with_facts = client.get("/?facts=total_parameters")
    assert "Total params" in with_facts.content.decode()
    assert rows(with_facts) != rows(default)
    assert len(re.findall(r"<td", rows(with_facts)[0])) != len(
        re.findall(r"<td", rows(default)[0])
    )


def test_the_filters_key_reads_what_the_filters_keep_not_how_the_url_spells_it(board):
    def key(query):
        form = ModelFilter(query).form
        assert form.is_valid(), form.errors
        return filters_key(form.cleaned_data)

    assert key({"total_min": "5", "open_weights": "on"}) == key(
        {"open_weights": "on", "total_min": "5.0", "cold": "1"}
    )
    assert key({}) == key({"q": ""}) == ""
    assert key({"total_min": "5"}) != key({"total_min": "6"})
    assert key({"total_min": "0"}) != ""  # a bound of 0 keeps fewer models than none
    bench, other = (b.slug for b in Benchmark.objects.order_by("pk"))
    assert key({"has_results": [bench, other]}) == key({"has_results": [other, bench]})
    assert key({"has_results": [bench]}) != key({"has_results": [other]})


def test_a_benchmark_pages_charts_and_gaps_are_made_once_per_data_version(
    client, board, every_request_rendered
):
    from leaderboard.rules import writes

    bench, results = board
    url = bench.get_absolute_url()
    first, first_sql = queries_of(client, f"{url}?cold=1")
    again, again_sql = queries_of(client, f"{url}?sort=-value&cold=2")
    assert len(again_sql) < len(first_sql)
    chart = first.content.decode()
    chart = chart[chart.index("<svg") : chart.index("</svg>")]
    assert chart in again.content.decode()
    top = results[-1]
    top.value = 99
    top.quote = f"{top.model.name} scored 99 on Row Bench."
    writes.save(top)
    edited = client.get(f"{url}?cold=3").content.decode()
    assert ">99<" in edited[edited.index("<svg") : edited.index("</svg>")]


def test_a_part_that_is_nothing_is_made_once_too(db, rf):
    """A chart with nothing to draw is None: kept as such, not made on every request."""
    from leaderboard.web.caching import per_data_version

    made = []

    def compute():
        made.append(1)
        return None

    for _ in range(3):
        assert per_data_version(rf.get("/"), "nothing", "", compute) is None
    assert len(made) == 1


# The count of the models a filter keeps (``LeaderboardView.row_counter``).
# The count of the models a filter keeps (the summary's counts are the data version's).
MODEL_COUNT = re.compile(r'^SELECT COUNT\(\*\) FROM \(SELECT "leaderboard_aimodel"\."id"')


def test_the_filtered_models_are_counted_once_for_every_sort_and_page(
    client, board, every_request_rendered
):
    bench, _ = board
    filtered = f"has_results={bench.slug}&per_page=2"
    _, first_sql = queries_of(client, f"/?{filtered}")
    assert any(MODEL_COUNT.search(sql) for sql in first_sql)
    for other in (f"/?{filtered}&sort=-benchmark-{bench.slug}", f"/?{filtered}&page=2"):
        response, sql = queries_of(client, other)
        assert not [q for q in sql if MODEL_COUNT.search(q)]
        assert "Page" in response.content.decode() and "6 rows" in response.content.decode()
    # Another filter is counted for itself.
    _, other_sql = queries_of(client, "/?total_min=1&per_page=2")
    assert any(MODEL_COUNT.search(sql) for sql in other_sql)


@pytest.fixture
def small_bound(monkeypatch):
    from leaderboard.views import leaderboard

    monkeypatch.setattr(leaderboard, "FILTERED_COUNT_BOUND", 3)


def test_a_filtered_count_stops_at_its_bound_and_pages_go_on(
    client, board, every_request_rendered, small_bound
):
    bench, results = board  # six models with a result on the bench
    filtered = f"has_results={bench.slug}&per_page=2&sort=benchmark-{bench.slug}"
    first, sql = queries_of(client, f"/?{filtered}")
    page = first.content.decode()
    assert "more than 3 rows" in page and "Page 1 ·" in page
    # The filtered count reads at most the bound and one more (the summary's count of
    # every model has no filter to pass).
    counts = [q for q in sql if "COUNT(*)" in q and "leaderboard_aimodel" in q and "WHERE" in q]
    assert counts and all("LIMIT 4" in q for q in counts), counts
    # Past the bound, pages still come, in order, with a next page while rows remain.
    seen = []
    for number, follows in ((1, True), (2, True), (3, False)):
        response = client.get(f"/?{filtered}&page={number}")
        assert response.status_code == 200
        seen += rows(response)
        assert (">next</a>" in response.content.decode()) == follows, number
    assert len(seen) == 6 and len(set(seen)) == 6
    assert client.get(f"/?{filtered}&page=4").status_code == 404


def test_a_count_within_its_bound_is_exact(client, board, every_request_rendered, small_bound):
    bench, _ = board
    narrow = client.get(f"/?has_results={bench.slug}&q=Row+Model+1&per_page=1")
    assert narrow.status_code == 200
    assert "more than" not in narrow.content.decode()
