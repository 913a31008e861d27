"""The leaderboard as it stood: ``?as_of=YYYY-MM-DD`` renders pages and the API from
a copy of the data rebuilt from history (``leaderboard.reading.as_of``)."""

import io
import re
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from leaderboard.models import AIModel, AsOfSnapshot, Result
from leaderboard.reading import as_of
from leaderboard.rules import writes

from .factories import make_benchmark, make_model, make_result, set_value
from .support import moved_back, yesterday

TBODY = re.compile(r"<tbody>.*?</tbody>", re.S)


def tbody(response):
    assert response.status_code == 200, response.content[:500]
    return TBODY.search(response.content.decode()).group(0)


def more_results():
    """Results of our own beside the article's (whose quotes must stand in its kept
    text, so they are not edited here): three models on one featured benchmark."""
    benchmark = make_benchmark(name="Extra Bench", slug="extra-bench", featured=True)
    return [
        make_result(
            model=make_model(name=f"Extra {n}", slug=f"extra-{n}"),
            benchmark=benchmark,
            value=value,
        )
        for n, value in enumerate([70, 60, 50])
    ]


def edit_everything():
    """A series of edits after the day: a figure corrected, a model renamed, a result
    deleted, an article result deleted, a new model that takes first place."""
    extra = Result.objects.filter(benchmark__slug="extra-bench").order_by("-value")
    first, second, third = list(extra)
    set_value(second, 65)
    model = first.model
    model.name = "Extra Renamed"
    writes.save(model)
    writes.delete(third)
    writes.delete(Result.objects.exclude(benchmark__slug="extra-bench").order_by("pk").last())
    newcomer = make_model(name="Newcomer 9000", slug="newcomer-9000")
    make_result(model=newcomer, benchmark=first.benchmark, value=99)


@pytest.mark.parametrize(
    "url",
    ["/", "/?sort=-params_total", "/benchmarks/{benchmark}/", "/models/{model}/"],
)
def test_an_as_of_page_shows_the_table_rendered_before_the_edits_byte_for_byte(
    client, article, url
):
    extra = more_results()
    url = url.format(benchmark="extra-bench", model=extra[1].model.slug)
    before = tbody(client.get(url))
    moved_back()
    edit_everything()
    live = tbody(client.get(url))
    assert live != before  # the edits show today
    joiner = "&" if "?" in url else "?"
    past = client.get(f"{url}{joiner}as_of={yesterday()}")
    assert tbody(past) == before
    page = past.content.decode()
    assert "As it stood at the end of" in page
    assert f'href="{url}"' in page.replace("&amp;", "&")  # the way back to today


def test_a_past_copy_re_derives_headlines_that_history_left_stale(client, article):
    """The preferred result of a group is re-marked without history when another joins
    it: the copy derives the marks again instead of trusting history's."""
    model, benchmark = make_model(), make_benchmark()
    first = make_result(model=model, benchmark=benchmark, value=40)
    moved_back()
    second = make_result(model=model, benchmark=benchmark, value=60)  # newer: preferred
    assert Result.objects.get(pk=first.pk).is_headline is False
    assert Result.objects.get(pk=second.pk).is_headline is True
    day = timezone.localdate() - timedelta(days=1)
    past = as_of.snapshot(day)
    with as_of.reading(past):
        shown = list(Result.objects.filter(benchmark=benchmark).values_list("pk", "is_headline"))
    assert shown == [(first.pk, True)]
    # Back to today on the same connection.
    assert Result.objects.filter(benchmark=benchmark).count() == 2


def test_a_model_added_later_is_not_found_as_of_before(client, article):
    moved_back()
    newcomer = make_model(name="Later Model", slug="later-model")
    response = client.get(f"/models/{newcomer.slug}/?as_of={yesterday()}")
    assert response.status_code == 404
    assert "Nothing was at this address at the end of" in response.content.decode()
    assert client.get(f"/models/{newcomer.slug}/").status_code == 200


def test_a_day_before_any_history_shows_an_empty_leaderboard(client, article):
    response = client.get("/?as_of=2001-01-01")
    assert response.status_code == 200
    page = response.content.decode()
    assert "nothing had been recorded by then" in page
    for model in AIModel.objects.all():
        assert model.name not in page


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("as_of=yesterday", "not a day"),
        ("as_of=2026-02-30", "no such day"),
        ("as_of=9999-12-31", "has not ended yet"),
        ("as_of=2020-01-01&as_of=2020-01-02", "give one day, not 2"),
        ("as_of=2020-1-1", "not a day"),
        ("as_of=2020-01-01T00:00", "not a day"),
    ],
)
def test_an_as_of_the_site_cannot_show_is_refused_with_what_is_wrong(client, article, query, said):
    response = client.get(f"/?{query}")
    assert response.status_code == 400
    assert said in response.content.decode()
    assert not AsOfSnapshot.objects.exists()
    api = client.get(f"/api/models?{query}")
    assert api.status_code == 400
    assert said in api.json()["detail"]


def test_today_is_refused_and_points_at_the_live_page(client, article):
    today = timezone.localdate().isoformat()
    response = client.get(f"/?sort=name&as_of={today}")
    assert response.status_code == 400
    assert 'href="/?sort=name"' in response.content.decode()


@pytest.mark.parametrize("url", ["/changes/", "/feed.atom", "/sitemap.xml", "/api/openapi.json"])
def test_pages_that_show_no_past_refuse_as_of(client, article, url):
    response = client.get(f"{url}?as_of=2020-01-01")
    assert response.status_code == 400
    assert b"no past versions" in response.content


def test_the_api_answers_as_of_from_the_same_copy(client, article):
    more_results()
    url = "/api/benchmarks/extra-bench/ranking"
    before = client.get(url).json()
    moved_back()
    edit_everything()
    assert client.get(url).json() != before
    assert client.get(f"{url}?as_of={yesterday()}").json() == before


def test_an_export_streams_the_past(client, article):
    more_results()
    before = b"".join(client.get("/?_export=csv").streaming_content)
    moved_back()
    edit_everything()
    past = client.get(f"/?_export=csv&as_of={yesterday()}")
    assert b"".join(past.streaming_content) == before
    # The connection reads today's data again afterwards.
    assert b"Newcomer 9000" in b"".join(client.get("/?_export=csv").streaming_content)
    # Asked again, the past is its kept copy (``web.downloads``), and today is today.
    again = client.get(f"/?_export=csv&as_of={yesterday()}")
    assert again.has_header("Content-Length") and b"".join(again.streaming_content) == before
    assert b"Newcomer 9000" in b"".join(client.get("/?_export=csv").streaming_content)


def test_a_copy_is_built_once_and_read_by_later_requests(
    client, article, django_assert_max_num_queries
):
    moved_back()
    client.get(f"/?as_of={yesterday()}")
    assert AsOfSnapshot.objects.count() == 1
    with django_assert_max_num_queries(40):
        response = client.get(f"/benchmarks/?as_of={yesterday()}")
    assert response.status_code == 200
    assert AsOfSnapshot.objects.count() == 1


def test_an_edit_today_leaves_the_copy_of_an_earlier_day_valid(client, article):
    more_results()
    moved_back()
    client.get(f"/?as_of={yesterday()}")
    edit_everything()
    client.get(f"/?as_of={yesterday()}&sort=name")
    assert AsOfSnapshot.objects.count() == 1


def test_copies_beyond_the_kept_number_are_dropped_with_their_tables(client, article, settings):
    settings.AS_OF_SNAPSHOTS_KEPT = 1
    moved_back(days=2)
    more_results()  # an edit between the two days: each has a copy of its own
    moved_back(days=1)
    two_days_ago = (timezone.localdate() - timedelta(days=2)).isoformat()
    client.get(f"/?as_of={two_days_ago}")
    (first,) = AsOfSnapshot.objects.all()
    client.get(f"/?as_of={yesterday()}")
    (second,) = AsOfSnapshot.objects.kept()
    assert second.key != first.key
    first.refresh_from_db()
    assert first.dropped_at is not None  # kept, to count the builds of the hour
    tables = connection.introspection.table_names()
    if connection.vendor == "sqlite":
        assert not [name for name in tables if name.startswith(f"asof_{first.key}")]
        assert [name for name in tables if name.startswith(f"asof_{second.key}")]
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'asof%%' ORDER BY 1"
            )
            assert [row[0] for row in cursor.fetchall()] == [f"asof_{second.key}"]


def test_an_error_while_reading_the_past_leaves_the_connection_on_today(article):
    more_results()
    moved_back()
    past = as_of.snapshot(timezone.localdate() - timedelta(days=1))
    edit_everything()
    with pytest.raises(RuntimeError), as_of.reading(past):
        assert not AIModel.objects.filter(slug="newcomer-9000").exists()
        raise RuntimeError("a page failed")
    assert AIModel.objects.filter(slug="newcomer-9000").exists()


def test_forms_keep_the_day_and_links_in_the_table_open_today(client, article):
    moved_back()
    page = client.get(f"/?as_of={yesterday()}").content.decode()
    assert f'<input type="hidden" name="as_of" value="{yesterday()}">' in page
    sort_links = re.findall(r'<th [^>]*><a href="([^"]+)"', page)
    assert sort_links and all(f"as_of={yesterday()}" in link for link in sort_links)


def test_a_fixture_load_gives_every_row_it_adds_a_history_row(article):
    for model in as_of.TRACKED:
        without = model.objects.exclude(pk__in=model.history.values("id"))
        assert not without.exists(), model.__name__


def test_days_with_no_edit_between_them_share_one_copy(client, article):
    moved_back(days=5)
    for days in (2, 3, 4):
        day = (timezone.localdate() - timedelta(days=days)).isoformat()
        assert client.get(f"/?as_of={day}").status_code == 200
    assert AsOfSnapshot.objects.count() == 1


def test_each_change_links_to_its_benchmark_as_it_stood_the_day_before(client, article):
    extra = more_results()
    before = tbody(client.get("/benchmarks/extra-bench/"))
    moved_back(days=1)  # the results were added yesterday; the correction comes today
    set_value(extra[1], 65)
    page = client.get("/changes/?benchmark=extra-bench").content.decode()
    links = re.findall(r'href="([^"]+)">ranking the day before<', page)
    day_before_yesterday = (timezone.localdate() - timedelta(days=2)).isoformat()
    assert links[0] == f"/benchmarks/extra-bench/?as_of={yesterday()}"  # today's correction
    assert set(links[1:]) == {f"/benchmarks/extra-bench/?as_of={day_before_yesterday}"}
    assert tbody(client.get(links[0])) == before  # the ranking the correction changed
    assert ">60<" in before and ">65<" not in before
    empty = client.get(links[1])  # before the benchmark was added
    assert empty.status_code == 404


def test_past_the_hours_builds_a_day_not_yet_copied_answers_503_saying_when(
    client, article, settings
):
    settings.AS_OF_BUILDS_PER_HOUR = 1
    moved_back(days=2)
    more_results()
    moved_back(days=1)
    two_days_ago = (timezone.localdate() - timedelta(days=2)).isoformat()
    assert client.get(f"/?as_of={two_days_ago}").status_code == 200
    busy = client.get(f"/?as_of={yesterday()}")
    assert busy.status_code == 503
    assert 0 < int(busy["Retry-After"]) <= 3600
    assert "Try this day again in" in busy.content.decode()
    api = client.get(f"/api/models?as_of={yesterday()}")
    assert api.status_code == 503 and "Try this day again" in api.json()["detail"]
    # A copy already built is still read.
    assert client.get(f"/benchmarks/?as_of={two_days_ago}").status_code == 200
    # An operator builds one outside requests, whatever the hour's count.
    out = io.StringIO()
    call_command("build_as_of", yesterday(), stdout=out)
    assert "is ready" in out.getvalue()
    assert client.get(f"/?as_of={yesterday()}").status_code == 200


def test_the_build_command_refuses_a_day_that_has_not_ended(db):
    with pytest.raises(CommandError, match="has not ended"):
        call_command("build_as_of", timezone.localdate().isoformat())


def test_the_footer_offers_the_page_as_of_a_day_keeping_its_filters(client, article):
    page = client.get("/?sort=name&open_weights=on&page=1").content.decode()
    form = page[page.index('<form class="as-of-form"') :]
    form = form[: form.index("</form>")]
    assert 'action="/"' in form
    assert '<input type="hidden" name="sort" value="name">' in form
    assert '<input type="hidden" name="open_weights" value="on">' in form
    assert 'name="page"' not in form  # a page number that may not exist then
    assert 'type="date"' in form and "max=" not in form  # cached pages outlive a day
    # Pages that show no past offer none.
    assert 'class="as-of-form"' not in client.get("/changes/").content.decode()
    assert 'class="as-of-form"' not in client.get("/submit/").content.decode()
    # Followed, it shows the day, and the form holds it.
    moved_back()
    past = client.get(f"/?sort=name&open_weights=on&as_of={yesterday()}").content.decode()
    assert "As it stood at the end of" in past
    assert f'value="{yesterday()}"' in past[past.index('class="as-of-form"') :]
