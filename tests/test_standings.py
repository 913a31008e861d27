"""Suites' stored averages (``rules.standings``): after every kind of write they are
what the averages' rule computes from scratch, and the pages that read them show
the same rows, order and places as the computed averages do."""

import os
import re
import threading
import time
from decimal import Decimal

import pytest
from django.core.management import call_command

from leaderboard.apps import fill_standings
from leaderboard.models import (
    AIModel,
    Organization,
    Provenance,
    ResultKind,
    Standing,
    SuiteMember,
)
from leaderboard.rules import averages, standings, writes

from .factories import make_benchmark, make_model, make_result, set_value
from .test_averages import cite_baseline, computed, suite_of, with_error

pytestmark = pytest.mark.django_db

OPTIONS = [
    (normalisation, independent)
    for normalisation in averages.NORMALISATIONS
    for independent in (False, True)
]


def stored(suite):
    """{options: (averages as (model, value, stderr, claims), incomplete as (model,
    missing))} as stored."""
    found = {}
    for normalisation, independent in OPTIONS:
        rows = Standing.objects.filter(
            suite=suite, normalisation=normalisation, independent_only=independent
        )
        found[normalisation, independent] = (
            sorted(
                (s.model_id, s.name, s.value, s.stderr, s.claims)
                for s in rows.filter(value__isnull=False)
            ),
            sorted((s.model_id, s.missing) for s in rows.filter(value__isnull=True)),
        )
    return found


def from_scratch(suite):
    """The same, as the rule computes it now over every result."""
    benchmarks = averages.suite_benchmarks(suite)
    found = {}
    for normalisation, independent in OPTIONS:
        every = computed(benchmarks, normalisation=normalisation, independent_only=independent)
        found[normalisation, independent] = (
            sorted((a.model_id, a.name, a.value, a.stderr, a.claims) for a in every.averages),
            sorted((row.model_id, len(row.missing)) for row in every.incomplete),
        )
    return found


@pytest.fixture
def world():
    """Two percentage benchmarks in a suite, a third outside it, five models."""
    first = make_benchmark(name="Alpha Bench", result_kind=ResultKind.PERCENTAGE)
    second = make_benchmark(name="Beta Bench", result_kind=ResultKind.PERCENTAGE)
    third = make_benchmark(name="Gamma Bench", result_kind=ResultKind.PERCENTAGE)
    models = [make_model(name=name) for name in ("Ann", "Bob", "Cid", "Dee", "Eve")]
    vendor = Organization.objects.get(pk=models[0].organization_id)
    for i, model in enumerate(models):
        with_error(model, first, 50 + i * 7, Decimal("1.5"))
        if i != 2:
            make_result(model=model, benchmark=second, value=90 - i * 11)
    make_result(
        model=models[3],
        benchmark=second,
        value=95,
        provenance=Provenance.VENDOR_CLAIM,
        claimed_by=vendor,
    )
    suite = suite_of(first, second)
    return suite, (first, second, third), models


def test_every_write_keeps_the_stored_averages_what_the_rule_computes(world):
    suite, (first, second, third), (ann, bob, cid, dee, eve) = world
    assert stored(suite) == from_scratch(suite)
    assert stored(suite)[averages.PLAIN, False][0]  # something is averaged
    # A new result completes Cid; a correction moves Bob; a deletion makes Eve incomplete.
    result = make_result(model=cid, benchmark=second, value=70)
    assert stored(suite) == from_scratch(suite)
    set_value(result, 12)
    writes.delete(eve.results.get(benchmark=second, provenance=Provenance.INDEPENDENT))
    assert stored(suite) == from_scratch(suite)
    # A rename: the same averages, listed under the new name.
    ann.name = "Ann Two"
    writes.save(ann)
    assert stored(suite) == from_scratch(suite)
    # The suite's members: one joins, one leaves (bulk delete as the admin does).
    make_result(model=ann, benchmark=third, value=33)
    writes.save(SuiteMember(suite=suite, benchmark=third, position=2))
    assert stored(suite) == from_scratch(suite)
    writes.delete_all(suite.members.filter(benchmark=third))
    assert stored(suite) == from_scratch(suite)
    # A benchmark's fact: baselines cited make the normalised average computable.
    cite_baseline(first, 25)
    cite_baseline(second, 10)
    assert stored(suite)[averages.NORMALISED, False][0]
    assert stored(suite) == from_scratch(suite)
    # A direction no average can take: nothing is averaged, as the rule says.
    second.higher_is_better = False
    writes.save(second)
    assert stored(suite) == from_scratch(suite)
    assert stored(suite)[averages.PLAIN, False] == ([], [])


def test_a_deleted_model_and_a_deleted_suite_take_their_averages_with_them(world):
    suite, _, (ann, *_) = world
    writes.delete_all(ann.results.all())
    assert stored(suite) == from_scratch(suite)
    writes.delete(AIModel.objects.get(pk=ann.pk))
    assert not Standing.objects.filter(model_id=ann.pk).exists()
    writes.delete(suite)
    assert not Standing.objects.exists()


@pytest.mark.django_db(transaction=True)  # a restore empties the tables: none may be pending
def test_a_restore_recomputes_the_averages(world, tmp_path):
    suite, _, _ = world
    backup = tmp_path / "backup.json"
    call_command("backup", str(backup))
    assert '"leaderboard.standing"' not in backup.read_text()  # derived, not backed up
    expected = from_scratch(suite)
    call_command("restore", str(backup), "--yes")
    assert stored(suite) == expected


def test_migrate_fills_averages_where_none_are_stored(world):
    suite, _, _ = world
    expected = stored(suite)
    Standing.objects.all().delete()
    fill_standings(using="default")
    assert stored(suite) == expected


def page_rows(client, url):
    """(place, model name, average) of each row of a suite page's table."""
    page = client.get(url).content.decode()
    body = page.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        rows.append(tuple(cells[:3]))
    return rows


@pytest.mark.parametrize(
    "sort",
    [
        "",
        "place",
        "-place",
        "name",
        "-name",
        "value",
        "claims",
        "-claims",
        "input_alpha-bench",
        "-input_beta-bench",
    ],
)
def test_the_stored_page_shows_the_rows_the_computed_one_does(client, world, sort):
    """Every sort, every page: read from the stored averages, and as of today's end
    (computed from the copy of the data), the same rows in the same order."""
    suite, (first, second, _), models = world
    for i in range(8):  # ties and uncertain values across pages
        extra = make_model(name=f"Extra {i}")
        with_error(extra, first, 60 + i % 3, Decimal(i + 1))
        make_result(model=extra, benchmark=second, value=60 - i % 3)
    query = f"?per_page=3&sort={sort}" if sort else "?per_page=3"
    computed_rows, stored_rows = [], []
    for number in (1, 2, 3, 4):
        url = f"/suites/{suite.slug}/{query}&page={number}"
        stored_rows += page_rows(client, url)
        computed_rows += page_rows(client, url + "&as_of=" + tomorrow_today())
    assert stored_rows == computed_rows
    assert len(stored_rows) == 12


def tomorrow_today():
    """A day whose end is past and whose copy holds today's data: the tests' history
    is moved back two days, so yesterday's copy is today's data."""
    from .support import moved_back, yesterday

    moved_back()
    return yesterday()


def test_the_leaderboards_average_of_a_suites_benchmarks_reads_the_stored_order(client, world):
    suite, (first, second, _), _ = world
    url = f"/?average={first.slug},{second.slug}&sort=average"
    stored_page = client.get(url).content.decode()
    assert Standing.objects.filter(suite=suite).exists()
    order = re.findall(r'href="/models/([^/]+)/"', stored_page.split("<tbody", 1)[1])
    every = computed([first, second]).averages
    assert order[: len(every)] == [AIModel.objects.get(pk=a.model_id).slug for a in every]


def test_standings_are_placed_as_the_rule_places_them(world):
    suite, (first, second, _), _ = world
    benchmarks = averages.suite_benchmarks(suite)
    reader = standings.StoredAverages(suite, benchmarks, averages.PLAIN, False, [])
    expected = computed(benchmarks).averages
    assert list(reader.averages) == expected
    assert reader.averages[1:3] == expected[1:3]


def backend_waiting_on_a_lock():
    """Whether a connection to this test's database waits for a lock another holds
    (``pg_stat_activity`` keeps one view a transaction unless it is cleared)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_locks JOIN pg_stat_activity USING (pid) "
            "WHERE NOT granted AND datname = current_database()"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="SQLite runs one write at a time",
)
@pytest.mark.django_db(transaction=True)
def test_two_writes_to_one_models_averages_at_once_wait_for_each_other(world):
    """Two editors correct one model's results on two benchmarks of a suite at the
    same moment: the second write waits for the first, then computes the model's
    averages from both corrections. Before, it deleted the stored rows it could see,
    inserted its own beside the first's uncommitted ones, and failed on the unique
    constraint when the first committed (or, had it not collided, kept an average
    computed without the first correction)."""
    from django.db import connection, transaction

    suite, (first, second, _), (ann, *_) = world
    ours, theirs = (
        ann.results.get(benchmark=benchmark, provenance=Provenance.INDEPENDENT)
        for benchmark in (first, second)
    )
    outcome = {}

    def correct_theirs():
        try:
            with transaction.atomic():
                set_value(theirs, 11)
            outcome["theirs"] = "saved"
        except Exception as error:  # the failure this test turns back
            outcome["theirs"] = repr(error)
        finally:
            connection.close()

    other = threading.Thread(target=correct_theirs)
    with transaction.atomic():
        ours.stderr = None
        set_value(ours, 22)
        other.start()
        deadline = time.monotonic() + 20
        while not backend_waiting_on_a_lock():
            assert other.is_alive() and time.monotonic() < deadline, outcome
            time.sleep(0.05)
    other.join(timeout=30)
    assert outcome == {"theirs": "saved"}
    assert stored(suite) == from_scratch(suite)
