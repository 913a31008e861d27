"""Template filters for how the site writes values into its pages."""

from datetime import UTC

from django import template

register = template.Library()


@register.filter
def machine_time(moment):
    """A moment as a ``<time datetime>`` takes it: UTC to the second
    ("2026-12-05T23:30:06Z"). ``date:'c'`` writes microseconds, which HTML's valid
    date and time strings do not allow beyond three digits."""
    if not moment:
        return ""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
