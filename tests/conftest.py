from pathlib import Path

import pytest
from django.core.management import call_command
from django.test.utils import override_settings

from .support import Written

# The example results file of lm-evaluation-harness the import tests read.
EXAMPLE = Path(__file__).parent / "data" / "lm_eval_example.json"


@pytest.fixture(autouse=True, scope="session")
def quick_password_hashing():
    """Tests hash passwords with MD5, not the site's PBKDF2 (a million rounds, about
    0.3 s for each user a test makes, ``admin_client``'s included): what a test checks
    of a password (right, wrong, locked out) holds with any hasher."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """Tests render templates without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def load_article():
    call_command("loaddata", "article", verbosity=0)


@pytest.fixture(scope="session")
def article_written(django_db_setup, django_db_blocker):
    # Session-scoped, so set up before any test's own fixtures write a row.
    with django_db_blocker.unblock():
        return Written(load_article)


@pytest.fixture
def article(db, article_written):
    """The article's facts, loaded the way `make run` loads them (``loaddata
    article``, through every rule), once a session: each test gets the rows that
    load wrote, history and data version included (``Written``).
    ``test_fixtures`` checks they match a fresh ``loaddata``."""
    article_written.write_back()


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with empty caches, pages and parts alike (its database
    starts afresh too)."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()


@pytest.fixture
def harness_world(db):
    """A model the example file names by an alias, and the benchmarks of two of its
    three tasks (one by its slug, one by an alias)."""
    from leaderboard.models import BenchmarkAlias, ModelAlias, ResultKind

    from .factories import make_benchmark, make_model

    model = make_model(name="Tiny Test Model", slug="tiny-test-model")
    ModelAlias.objects.create(model=model, name="example-org/tiny-test-model")
    arc = make_benchmark(
        name="ARC-Easy", slug="arc-easy", result_kind=ResultKind.PERCENTAGE, unit="%"
    )
    BenchmarkAlias.objects.create(benchmark=arc, name="arc_easy")
    hellaswag = make_benchmark(
        name="HellaSwag", slug="hellaswag", result_kind=ResultKind.PERCENTAGE, unit="%"
    )
    return model, arc, hellaswag
