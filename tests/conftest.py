import pytest
from django.core.management import call_command


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """Tests render templates without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def article(db):
    """The article's facts, loaded the way `make run` loads them."""
    call_command("loaddata", "article", verbosity=0)


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with empty caches, pages and parts alike (its database
    starts afresh too)."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
