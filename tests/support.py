"""Helpers the test modules share (fixtures live in conftest.py, rows in factories.py)."""

import socket

from django.apps import apps

from leaderboard.models import DataVersion


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Every kind of public page of the article's data, and an export.
PUBLIC_URLS = [
    "/",
    "/benchmarks/",
    "/benchmarks/ai-index/",
    "/models/nemotron-3-super/",
    "/organizations/nvidia/",
    "/sources/gate-nvidia-enters-the-ai-large-model-race/",
    "/?_export=csv",
]


def data_models():
    """The leaderboard's tables (history included), less the write counter every write
    bumps."""
    return [m for m in apps.get_app_config("leaderboard").get_models() if m is not DataVersion]


def snapshot():
    """Every row of every leaderboard table but the data version, as plain values in
    primary-key order: what a test compares before and after a write that should
    change nothing (``differences`` says what did)."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values()) for model in data_models()
    }


def differences(before, after):
    """What differs between two snapshots: (table, row, {field: (before, after)})."""
    found = []
    for label in sorted(before.keys() | after.keys()):
        rows, now = before.get(label, []), after.get(label, [])
        if len(rows) != len(now):
            found.append((label, f"{len(rows)} rows before, {len(now)} after"))
            continue
        for row, other in zip(rows, now, strict=True):
            changed = {k: (v, other.get(k)) for k, v in row.items() if other.get(k) != v}
            if changed:
                found.append((label, row, changed))
    return found


# The inline formsets of an AI model's admin page.
AIMODEL_INLINES = ("aliases", "citations", "results")


def without_inlines(data, prefixes=AIMODEL_INLINES):
    """Admin form data posting no inline rows (each formset's management form empty)."""
    for prefix in prefixes:
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


def change_form_data(admin_client, url, prefixes=AIMODEL_INLINES):
    """What the admin's change form at ``url`` posts as it stands, without its inline
    rows: a test changes a field of it and posts it back."""
    form = admin_client.get(url).context["adminform"].form
    return without_inlines({name: form[name].value() or "" for name in form.fields}, prefixes)
