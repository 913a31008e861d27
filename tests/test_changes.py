"""Following changes: /changes/ and /feed.atom list every result added, changed or
removed, newest first, from the results' history; fixture loads record the history a
save would have written, and a restore brings back exactly the backup's history."""

import io
import re
from datetime import date
from xml.etree import ElementTree

import pytest
from django.core.management import call_command

from leaderboard.models import Provenance, Result
from leaderboard.rules import writes
from leaderboard.rules.quotes import quote_anchor

from .factories import (
    make_benchmark,
    make_organization,
    make_result,
    make_source,
    set_value,
    stating,
)

ATOM = "{http://www.w3.org/2005/Atom}"
HistoricalResult = Result.history.model


def feed(client, query=""):
    response = client.get(f"/feed.atom{query}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return root


def entries(root):
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "id": entry.findtext(f"{ATOM}id"),
            "updated": entry.findtext(f"{ATOM}updated"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "summary": entry.findtext(f"{ATOM}summary"),
        }
        for entry in root.findall(f"{ATOM}entry")
    ]


def rows_of(page):
    """The changes table's rows, as text with tags stripped (a name's ``<bdi>``
    without a space: it isolates a name within its words)."""
    body = page[page.index("<tbody>") : page.index("</tbody>")]
    return [
        " ".join(re.sub(r"<[^>]+>", " ", re.sub(r"</?bdi>", "", row)).split())
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


# The fixture-load history.


@pytest.mark.django_db
def test_a_fixture_load_records_each_result_as_added_naming_the_fixture(article):
    results = Result.objects.all()
    assert results.count() == 3
    for result in results:
        record = result.history.get()
        assert record.history_type == "+"
        assert record.history_change_reason == "Loaded from fixture article"
        assert record.history_user is None
        assert record.value == result.value and record.quote == result.quote
        # Written after the headlines were marked: the record holds the row as stored.
        assert record.is_headline == result.is_headline


@pytest.mark.django_db
def test_loading_a_fixture_twice_records_nothing_more(article):
    before = list(HistoricalResult.objects.order_by("history_id").values())
    call_command("loaddata", "article", verbosity=0)
    assert list(HistoricalResult.objects.order_by("history_id").values()) == before


@pytest.mark.django_db
def test_reloading_a_fixture_over_an_edit_records_the_change_it_makes(article):
    result = Result.objects.get(benchmark__slug="pinchbench")
    result.reported_on = date(2026, 3, 1)
    writes.save(result)
    assert list(result.history.values_list("history_type", flat=True)) == ["~", "+"]
    call_command("loaddata", "article", verbosity=0)
    result.refresh_from_db()
    assert result.reported_on is None  # the fixture's value, loaded over the edit
    latest = result.history.first()
    assert latest.history_type == "~" and latest.reported_on is None
    assert latest.history_change_reason == "Loaded from fixture article"
    assert result.history.count() == 3


@pytest.mark.django_db
def test_the_fixture_names_the_file_it_was_loaded_from(settings):
    path = settings.BASE_DIR / "fixtures" / "article.json"
    call_command("loaddata", str(path), verbosity=0)
    reasons = set(HistoricalResult.objects.values_list("history_change_reason", flat=True))
    assert reasons == {"Loaded from fixture article.json"}


@pytest.mark.django_db
def test_loading_without_history_records_none():
    call_command("loaddata", "article", verbosity=0, record_history=False)
    assert Result.objects.count() == 3
    assert not HistoricalResult.objects.exists()


@pytest.mark.django_db
def test_results_loaded_before_history_was_kept_are_listed_once_it_began(client):
    """Migration 0017 gives each result without history the "+" row it lacked."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "leaderboard.migrations.0017_history_for_results_without_any"
    )
    # As loaded before loaddata recorded history.
    call_command("loaddata", "article", verbosity=0, record_history=False)
    assert "No changes recorded yet." in client.get("/changes/").content.decode()
    migration.record_history_for_results_without_any(apps, None)
    rows = rows_of(client.get("/changes/").content.decode())
    assert len(rows) == 3
    assert all("Added Recorded when the history began: added before it" in row for row in rows)
    assert len(entries(feed(client))) == 3


def backup_and_restore(tmp_path):
    backup = tmp_path / "backup.json"
    call_command("backup", str(backup), stdout=io.StringIO())
    call_command("restore", str(backup), stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_restore_brings_back_the_history_exactly_and_writes_none(article, tmp_path):
    result = Result.objects.get(benchmark__slug="pinchbench")
    result.reported_on = date(2026, 3, 1)
    writes.save(result)
    writes.delete(Result.objects.get(model__slug="gpt-oss-largest"))
    before = list(HistoricalResult.objects.order_by("history_id").values())
    assert len(before) == 5  # three loaded, one changed, one removed
    backup_and_restore(tmp_path)
    assert list(HistoricalResult.objects.order_by("history_id").values()) == before


@pytest.mark.django_db(transaction=True)
def test_restoring_results_that_have_no_history_writes_none(article, tmp_path):
    """A backup of results with no history (bulk-inserted demo data, or a database
    whose fixtures were loaded before loads recorded history) restores without any:
    the backup is the record."""
    HistoricalResult.objects.all().delete()
    backup_and_restore(tmp_path)
    assert Result.objects.count() == 3
    assert not HistoricalResult.objects.exists()


# The changes page.


@pytest.mark.django_db
def test_the_article_as_loaded_is_three_additions_with_nvidias_claim(client, article):
    response = client.get("/changes/")
    assert response.status_code == 200
    page = response.content.decode()
    rows = rows_of(page)
    assert len(rows) == 3
    assert all("Added" in row and "NVIDIA’s claim" in row for row in rows)
    assert all("Loaded from fixture article" in row for row in rows)
    assert '<span class="claim"><bdi>NVIDIA</bdi>’s claim</span>' in page
    result = Result.objects.get(model__slug="nemotron-3-super", benchmark__slug="ai-index")
    assert '<a href="/models/nemotron-3-super/"><bdi>Nemotron 3 Super</bdi></a>' in page
    assert '<a href="/benchmarks/ai-index/"><bdi>AI Index composite score</bdi></a>' in page
    anchor = quote_anchor(result.quote)
    passage = f"/sources/{result.source.slug}/?passage={anchor}#{anchor}"
    assert f'<a href="{passage}">' in page
    assert "<strong>#1</strong>" in page  # PinchBench: a place alone
    assert "<strong>37</strong>" in page and "<strong>33</strong>" in page
    # A valid HTML date and time: UTC to the second, no microseconds.
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ">', page)


@pytest.mark.django_db
def test_an_edit_removal_and_addition_show_newest_first(client):
    org = make_organization(name="Acme")
    result = make_result(value=33, provenance=Provenance.VENDOR_CLAIM, claimed_by=org)
    set_value(result, 35)
    other = make_result(value=12)
    writes.delete(other)
    rows = rows_of(client.get("/changes/").content.decode())
    assert len(rows) == 4
    assert rows[0].startswith(rows[0].split()[0]) and "Removed" in rows[0]
    assert other.model.name in rows[0] and "12" in rows[0]
    assert "Added" in rows[1] and other.model.name in rows[1]
    assert "Changed" in rows[2] and "33 → 35" in rows[2] and "Acme’s claim" in rows[2]
    assert "also changed: quote" in rows[2]
    assert "Added" in rows[3] and "33" in rows[3] and "Acme’s claim" in rows[3]
    assert "Independently measured" in rows[0]


@pytest.mark.django_db
def test_a_change_that_leaves_the_figure_names_what_changed(client):
    result = make_result(value=40)
    result.reported_on = date(2026, 1, 2)
    writes.save(result)
    writes.save(result)  # saved again as it was
    rows = rows_of(client.get("/changes/").content.decode())
    assert "Changed" in rows[0] and "saved, nothing changed" in rows[0]
    assert "Changed" in rows[1] and "changed: reported on" in rows[1] and "→" not in rows[1]


@pytest.mark.django_db
def test_a_place_alone_changes_as_places(client):
    benchmark = make_benchmark(result_kind="rank", higher_is_better=None)
    result = make_result(benchmark=benchmark, rank=3)
    result.rank = 1
    result.quote = stating(result.model, benchmark, rank=1)
    writes.save(result)
    assert "#3 → #1" in rows_of(client.get("/changes/").content.decode())[0]


@pytest.mark.django_db
def test_filters_by_benchmark_and_model(client):
    first, second = make_result(value=10), make_result(value=20)
    page = client.get("/changes/", {"benchmark": first.benchmark.slug}).content.decode()
    assert [first.model.name in row for row in rows_of(page)] == [True]
    assert f'href="/feed.atom?benchmark={first.benchmark.slug}"' in page
    page = client.get("/changes/", {"model": second.model.slug}).content.decode()
    assert [second.model.name in row for row in rows_of(page)] == [True]
    both = {"model": first.model.slug, "benchmark": second.benchmark.slug}
    assert "No changes recorded" in client.get("/changes/", both).content.decode()


@pytest.mark.django_db
def test_a_deleted_model_and_source_still_read(client):
    result = make_result(value=10)
    writes.delete(result)
    writes.delete(result.model)
    writes.delete(result.source)
    page = client.get("/changes/").content.decode()
    rows = rows_of(page)
    assert len(rows) == 2 and "a model since deleted" in rows[0]
    assert "a source since deleted" in rows[0]
    assert entries(feed(client))[0]["title"].startswith("A model since deleted on ")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, notice",
    [
        ({"benchmark": "no-such-bench"}, "Benchmark &#x27;no-such-bench&#x27;: no benchmark"),
        ({"model": "a\x00b"}, "not a model"),
        ({"model": "x" * 5000}, "not a model"),
        ({"benchmark": ["a", "b"]}, "give one benchmark, not 2"),
        ({"page": "-1"}, "Page &#x27;-1&#x27;: not a page number; showing page 1 of 1"),
        ({"page": "abc"}, "not a page number; showing page 1"),
        ({"page": "9" * 400}, "not a page number; showing page 1"),
        ({"page": "99999"}, "Page &#x27;99999&#x27;: no such page; showing page 1 of 1"),
        ({"page": "\x00"}, "not a page number"),
    ],
)
def test_bad_query_strings_are_reported_never_a_server_error(client, query, notice):
    make_result(value=10)
    response = client.get("/changes/", query)
    assert response.status_code == 200
    page = response.content.decode()
    assert notice in page
    assert 'class="errors" role="alert"' in page
    assert len(rows_of(page)) == 1  # what could not be used is ignored


@pytest.mark.django_db
def test_empty_parameters_choose_nothing(client):
    make_result(value=10)
    page = client.get("/changes/?benchmark=&model=+&page=").content.decode()
    assert "errors" not in page and len(rows_of(page)) == 1
    assert len(entries(feed(client, "?benchmark=&model="))) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, message",
    [
        ("?benchmark=no-such-bench", "no benchmark has that slug"),
        ("?model=%00", "not a model's slug"),
        ("?model=" + "9" * 500, "not a model's slug"),
        ("?model=a&model=b", "give one model, not 2"),
    ],
)
def test_the_feed_answers_a_bad_filter_with_400_and_says_why(client, query, message):
    response = client.get(f"/feed.atom{query}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert message in response.content.decode()


@pytest.mark.django_db
def test_the_feed_ignores_what_it_takes_no_use_of(client):
    make_result(value=10)
    for query in ["?page=-1", "?page=abc", "?x=%00", "?" + "9" * 2000]:
        assert len(entries(feed(client, query))) == 1


# The feed.


@pytest.mark.django_db
def test_the_feed_after_an_edit_has_old_and_new(client, article):
    result = Result.objects.get(model__slug="nemotron-3-super", benchmark__slug="ai-index")
    source = make_source(publisher="NVIDIA")
    edited = make_result(
        model=result.model,
        benchmark=result.benchmark,
        source=source,
        value=33,
        provenance=Provenance.VENDOR_CLAIM,
        claimed_by=result.claimed_by,
    )
    set_value(edited, 35)
    root = feed(client)
    assert root.findtext(f"{ATOM}title") == "Open-model leaderboard: changes to results"
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == "http://testserver/feed.atom"
    assert root.find(f"{ATOM}link[@rel='alternate']").get("href") == "http://testserver/changes/"
    found = entries(root)
    assert len(found) == 5
    assert found[0]["title"] == (
        "Nemotron 3 Super on AI Index composite score changed 33 → 35 (NVIDIA’s claim)"
    )
    assert found[1]["title"] == (
        "Nemotron 3 Super on AI Index composite score: 33 (NVIDIA’s claim)"
    )
    titles = [entry["title"] for entry in found[2:]]
    assert "Nemotron 3 Super on AI Index composite score: 37 (NVIDIA’s claim)" in titles
    assert "Nemotron 3 Super on PinchBench: #1 (NVIDIA’s claim)" in titles
    assert all(
        entry["link"] == "http://testserver/models/nemotron-3-super/" for entry in found[:2]
    )
    history = edited.history.first()
    assert found[0]["id"] == (
        f"tag:testserver,{history.history_date:%Y-%m-%d}:result-change-{history.history_id}"
    )
    assert len({entry["id"] for entry in found}) == 5
    assert found[0]["updated"].startswith(f"{history.history_date:%Y-%m-%dT%H:%M:%S}")
    assert root.findtext(f"{ATOM}updated") == found[0]["updated"]
    summary = found[0]["summary"]
    assert f"“{edited.quote}”" in summary and "<bdi>NVIDIA</bdi>’s claim" in summary
    assert f'href="http://testserver{edited.passage_url}"' in summary
    assert f"><bdi>{source.title}</bdi></a>" in summary


@pytest.mark.django_db
def test_the_feed_holds_the_latest_fifty_newest_first(client):
    benchmark = make_benchmark()
    results = [make_result(benchmark=benchmark, value=n) for n in range(1, 56)]
    found = entries(feed(client))
    assert len(found) == 50
    assert found[0]["title"].endswith(": 55") and found[-1]["title"].endswith(": 6")
    writes.delete(results[0])
    assert entries(feed(client))[0]["title"] == (
        f"{results[0].model.name} on {benchmark.name} removed: 1"
    )


@pytest.mark.django_db
def test_the_feed_filters_like_the_page(client):
    first, second = make_result(value=10), make_result(value=20)
    root = feed(client, f"?model={first.model.slug}")
    assert [entry["title"] for entry in entries(root)] == [
        f"{first.model.name} on {first.benchmark.name}: 10"
    ]
    assert root.findtext(f"{ATOM}title").endswith(f": {first.model.name}")
    assert (
        root.find(f"{ATOM}link[@rel='alternate']")
        .get("href")
        .endswith(f"/changes/?model={first.model.slug}")
    )
    assert len(entries(feed(client, f"?benchmark={second.benchmark.slug}"))) == 1


@pytest.mark.django_db
def test_an_empty_feed_is_still_a_feed(client):
    assert entries(feed(client)) == []


# Links, caching, methods.


@pytest.mark.django_db
def test_every_page_links_the_changes_and_the_feed(client, article):
    page = client.get("/").content.decode()
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Changes to results (Atom)" '
        'href="/feed.atom">' in page
    )
    nav = page[page.index('<nav aria-label="Site">') :]
    assert '<a href="/changes/">Changes</a>' in nav[: nav.index("</nav>")]
    footer = page[page.index('<footer class="site-footer">') :]
    assert 'href="/changes/"' in footer and 'href="/feed.atom"' in footer
    changes = client.get("/changes/").content.decode()
    assert 'href="/feed.atom" type="application/atom+xml"' in changes
    assert "/changes/" in client.get("/sitemap.xml").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/changes/", "/feed.atom"])
def test_both_are_public_pages_validated_by_the_data_version(client, url):
    make_result(value=10)
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.post(url).status_code == 405
    set_value(Result.objects.get(), 11)
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    text = " ".join(re.sub(r"<[^>]+>", " ", again.content.decode()).split())
    assert "10 → 11" in text


# Query counts.


def make_changes(count):
    """``count`` results, each added and then changed: 2 × count history rows."""
    benchmark = make_benchmark()
    org = make_organization(name=f"Vendor {count}")
    source = make_source(publisher=org.name)
    for n in range(count):
        result = make_result(
            benchmark=benchmark,
            source=source,
            value=n + 1,
            provenance=Provenance.VENDOR_CLAIM if n % 2 else Provenance.INDEPENDENT,
            claimed_by=org if n % 2 else None,
        )
        set_value(result, n + 2)
    return benchmark


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, pytest.param(120, marks=pytest.mark.slow)])
def test_query_counts_stay_constant(client, django_assert_max_num_queries, count):
    """The data version, the filter's row, the count, the page's rows with what they
    name, and the rows its changes changed from: the same at any length."""
    benchmark = make_changes(count)
    with django_assert_max_num_queries(4):
        response = client.get("/changes/")
    assert len(rows_of(response.content.decode())) == min(2 * count, 100)
    with django_assert_max_num_queries(5):
        client.get("/changes/", {"benchmark": benchmark.slug, "page": "2"})
    with django_assert_max_num_queries(3):
        found = entries(feed(client))
    assert len(found) == min(2 * count, 50)
    assert f"changed {count} → {count + 1}" in found[0]["title"]


@pytest.mark.django_db
@pytest.mark.slow
def test_the_page_pages_by_a_hundred(client):
    make_changes(60)  # 120 rows
    page = client.get("/changes/").content.decode()
    assert "1–100 of 120" in page and 'href="?page=2" rel="next"' in page
    second = client.get("/changes/", {"page": "2"}).content.decode()
    assert len(rows_of(second)) == 20 and "Page " not in second.split("<table")[0]
