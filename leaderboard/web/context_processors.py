"""What every public page's template may show."""

from ..reading import as_of


def data_changed(request):
    """``data_changed_at``: when the leaderboard's data last changed, for the pages
    ``caching.public_page`` serves (it reads the data version anyway); None elsewhere
    or before any data was written. On a page as it stood on a past day (``as_of``,
    a ``reading.as_of.Snapshot``), the last change before that day ended, and
    ``today_url``: the same page as it stands now."""
    offered = as_of_form(request)
    past = getattr(request, "as_of", None)
    if past is not None:
        return {
            "as_of": past,
            "data_changed_at": past.changed_at,
            "today_url": as_of.today_url(request),
            **offered,
        }
    data = getattr(request, "data_version", None)
    return {
        "data_changed_at": data.changed_at if data is not None and data.version else None,
        **offered,
    }


# Parameters the footer's form does not carry to another day: the day, and a page
# number that may not exist then.
NOT_CARRIED = {"as_of", "page"}


def as_of_form(request):
    """``as_of_form``: for a page that offers its past (``public_page``), the query
    parameters its form carries (this page's filters and sort); nothing elsewhere.
    No latest day is written into the page: a page is cached and revalidated by its
    data version across midnight, and the site refuses a day not yet ended anyway."""
    if not getattr(request, "offers_as_of", False) or request.method != "GET":
        return {}
    kept = [(k, v) for k, values in request.GET.lists() if k not in NOT_CARRIED for v in values]
    return {"as_of_form": {"kept": kept}}
