"""Schemathesis reads /api/openapi.json from the site's own WSGI application, with
the article loaded, and throws generated requests at every operation: parameters
the schema allows (positive) and parameters it forbids (negative). No answer may be
a server error, and every answer must be one the schema describes, in status and
body.

(Each operation is driven through ``APIOperation.as_strategy`` under a plain
``@given``: schemathesis's own pytest plugin, ``schemathesis.pytest.from_fixture``,
reads a private attribute that pytest 9 no longer has.)"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from leaderboard.api import api
from leaderboard.wsgi import application

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Every operation the API documents (all are GET), with the parameters the schema allows
# and, where it has parameters to break, with ones it forbids (an operation without
# parameters, the index, has no negative case: hypothesis would find it unsatisfiable).
OPERATIONS = {path: item["get"] for path, item in api.get_openapi_schema()["paths"].items()}
CASES = [
    (path, mode)
    for path in sorted(OPERATIONS)
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode == GenerationMode.POSITIVE or OPERATIONS[path].get("parameters")
]
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture
def api_schema(article):
    """The schema, read from the application as a client reads it. Requests go
    through Django's WSGI handler inside the test's transaction: like Django's test
    client, keep the handler from closing the connection as each request starts and
    ends."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_every_operation_is_driven():
    """All eleven operations, positively; all but the index negatively too."""
    assert len(OPERATIONS) == 11
    assert [path for path, _ in CASES].count("/api/") == 1
    assert len(CASES) == 2 * len(OPERATIONS) - 1


@pytest.mark.parametrize("path, mode", CASES)
def test_every_answer_matches_the_schema(api_schema, path, mode):
    operation = api_schema[path]["GET"]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=25,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    def answers_as_described(case):
        case.call_and_validate(checks=CHECKS)

    answers_as_described()
