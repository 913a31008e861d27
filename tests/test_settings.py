"""The settings module reads the environment and refuses to start unsafely."""

import os
import subprocess
import sys

from django.conf import settings

SHOW_SETTINGS = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.DEBUG, settings.ALLOWED_HOSTS, settings.DATABASES['default']['ENGINE']); "
    "print(settings.STORAGES['staticfiles']['BACKEND'])"
)


def run_with(env_overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL"))
    }
    env.update(DJANGO_SETTINGS_MODULE="leaderboard.settings", **env_overrides)
    return subprocess.run(
        [sys.executable, "-c", SHOW_SETTINGS],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_refuses_to_start_without_a_secret_key_when_debug_is_off():
    for debug in [None, "0", "false"]:
        overrides = {} if debug is None else {"DJANGO_DEBUG": debug}
        completed = run_with(overrides)
        assert completed.returncode != 0
        # One line, no traceback.
        assert completed.stderr.strip() == (
            "Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for local development)."
        )


def test_starts_with_a_secret_key_and_reads_the_environment():
    completed = run_with(
        {
            "DJANGO_SECRET_KEY": "a-real-secret",
            "DJANGO_ALLOWED_HOSTS": "example.org, www.example.org",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test",
        }
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines() == [
        "False ['example.org', 'www.example.org'] django.db.backends.postgresql",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
    ]


def test_debug_runs_without_a_secret_key_on_sqlite_by_default():
    completed = run_with({"DJANGO_DEBUG": "1"})
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith(
        "True ['localhost', '127.0.0.1', '[::1]'] django.db.backends.sqlite3"
    )


def test_whitenoise_comes_right_after_the_security_middleware():
    assert settings.MIDDLEWARE[:2] == [
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
    ]
