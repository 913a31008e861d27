"""What every public page's template may show."""

from ..reading import as_of


def data_changed(request):
    """``data_changed_at``: when the leaderboard's data last changed, for the pages
    ``caching.public_page`` serves (it reads the data version anyway); None elsewhere
    or before any data was written. On a page as it stood on a past day (``as_of``,
    a ``reading.as_of.Snapshot``), the last change before that day ended, and
    ``today_url``: the same page as it stands now."""
    past = getattr(request, "as_of", None)
    if past is not None:
        return {
            "as_of": past,
            "data_changed_at": past.changed_at,
            "today_url": as_of.today_url(request),
        }
    data = getattr(request, "data_version", None)
    return {"data_changed_at": data.changed_at if data is not None and data.version else None}
