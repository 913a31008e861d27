"""Template tags and filters for how the site writes values into its pages: a
result's figure and whose it is come from ``leaderboard.reading.presentation``, as
they do in tables, charts, exports and the feed."""

from datetime import UTC

from django import template

from ..reading.presentation import figure_html, whose_html

register = template.Library()


@register.filter
def machine_time(moment):
    """A moment as a ``<time datetime>`` takes it: UTC to the second
    ("2026-12-05T23:30:06Z"). ``date:'c'`` writes microseconds, which HTML's valid
    date and time strings do not allow beyond three digits."""
    if not moment:
        return ""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@register.simple_tag
def figure(result, link=None):
    """A result's figure as pages round it, with its uncertainty ("82.09 ± 0.38"),
    linked to ``link`` (its passage) where given: ``{% figure result result.passage_url
    %}``."""
    return figure_html(result.display_value, result.display_uncertainty, link)


@register.simple_tag
def whose(result, short=False):
    """Whose a result is: "NVIDIA’s claim" marked as a claim, else "Independently
    measured" ("independent" with ``short=True``)."""
    return whose_html(result.is_vendor_claim, result.claimed_by, short)
