"""Every query of the served site has a time limit: past it, the statement is stopped
and the page answers 503 saying why, instead of holding a worker."""

import pytest
from django.db import OperationalError, connection
from django.test import RequestFactory

from leaderboard.web.query_limits import QueryTimeoutMiddleware, limit_sqlite

pytestmark = pytest.mark.django_db

# A statement that counts for a long time: far more than any page needs.
SLOW = (
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000000) "
    "SELECT count(*) FROM n"
)


@pytest.fixture
def limited(settings):
    """The connection under a 200 ms limit, set as the site sets it: on SQLite by the
    handler a new connection gets, on PostgreSQL by ``statement_timeout`` (here for the
    test's transaction)."""
    settings.QUERY_TIMEOUT_MS = 200
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        limit_sqlite(sender=None, connection=connection)
        yield
        connection.connection.set_progress_handler(None, 0)
    else:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 200")
        yield


def test_a_query_past_the_limit_is_stopped_and_answered_503(limited):
    with pytest.raises(OperationalError) as stopped, connection.cursor() as cursor:
        cursor.execute(SLOW)
    response = QueryTimeoutMiddleware(lambda r: None).process_exception(
        RequestFactory().get("/"), stopped.value
    )
    assert response.status_code == 503
    assert "took longer than the site allows (0.2 s)" in response.content.decode()
    if connection.vendor == "sqlite":  # PostgreSQL's transaction is aborted here
        # The connection goes on serving quick queries.
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)


def test_other_database_errors_are_not_dressed_as_timeouts():
    locked = OperationalError("database is locked")
    assert (
        QueryTimeoutMiddleware(lambda r: None).process_exception(RequestFactory().get("/"), locked)
        is None
    )


def test_no_limit_by_default(settings):
    assert settings.QUERY_TIMEOUT_MS == 0
