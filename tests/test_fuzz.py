"""Property-based: whatever query string or path segment arrives, no public URL
answers with a server error."""

from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .support import PUBLIC_URLS

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# The public pages (less the export, which a query string turns on anyway) and the
# changes with their feed.
PAGES = [*(url for url in PUBLIC_URLS if "_export" not in url), "/changes/", "/feed.atom"]
KNOWN_KEYS = [
    "benchmark",
    "model",
    "sort",
    "page",
    "per_page",
    "show",
    "q",
    "organization",
    "open_weights",
    "total_min",
    "total_max",
    "active_min",
    "active_max",
    "has_results",
    "_export",
]
VALUES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ["benchmark-ai-index", "-benchmark-pinchbench", "rank", "-name", "csv", "json", "nvidia"]
    ),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
PAIRS = st.lists(st.tuples(st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=12)), VALUES))
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(page=st.sampled_from(PAGES), pairs=PAIRS)
def test_arbitrary_query_strings(client, article, page, pairs):
    response = client.get(f"{page}?{urlencode(pairs)}")
    assert response.status_code < 500, (page, pairs)


@FUZZ
@given(page=st.sampled_from(PAGES), raw=st.text(max_size=80))
def test_raw_query_strings(client, article, page, raw):
    response = client.get(f"{page}?{quote(raw, safe='=&%+;,/?')}")
    assert response.status_code < 500, (page, raw)


@FUZZ
@given(
    prefix=st.sampled_from(["models", "benchmarks", "organizations", "sources", "", "static"]),
    segment=st.text(min_size=1, max_size=60),
)
def test_arbitrary_path_segments(client, article, prefix, segment):
    path = f"/{prefix}/{quote(segment, safe='')}/" if prefix else f"/{quote(segment, safe='')}"
    response = client.get(path)
    assert response.status_code < 500, path
