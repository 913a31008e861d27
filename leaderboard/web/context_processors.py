"""What every public page's template may show."""


def data_changed(request):
    """``data_changed_at``: when the leaderboard's data last changed, for the pages
    ``caching.public_page`` serves (it reads the data version anyway); None elsewhere
    or before any data was written."""
    data = getattr(request, "data_version", None)
    return {"data_changed_at": data.changed_at if data is not None and data.version else None}
