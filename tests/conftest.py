from decimal import Decimal
from pathlib import Path
from uuid import uuid4

import pytest
from django.core.management import call_command
from django.test.utils import override_settings

from .factories import make_benchmark, make_model, make_organization, make_result
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


@pytest.fixture(autouse=True)
def own_downloads_dir(settings, tmp_path_factory):
    """Each test keeps the copies of its exports apart (``web.downloads``): one test's
    copy is never another's answer. The folder is made only when a copy is kept."""
    settings.DOWNLOADS_DIR = str(tmp_path_factory.getbasetemp() / "downloads" / uuid4().hex)


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


def build_crowd():
    """Three featured benchmarks, and 25 models with a result on each (n ± 0.5): what
    the export tests read."""
    organization = make_organization()
    benchmarks = [make_benchmark(featured=True) for _ in range(3)]
    for n in range(25):
        model = make_model(organization=organization)
        for benchmark in benchmarks:
            make_result(
                model=model,
                benchmark=benchmark,
                value=Decimal(n),
                stderr=Decimal("0.5"),
                quote=f"{model.name} scored {n} ± 0.5 on {benchmark.name}.",
            )
    return benchmarks


@pytest.fixture(scope="session")
def crowd_written(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return Written(build_crowd)


@pytest.fixture
def crowd(db, crowd_written):
    """``build_crowd``'s rows, built once a session and written back (``Written``)."""
    return crowd_written.write_back()
