"""/changes/: every result added, changed or removed, newest first
(``leaderboard.reading.changes``)."""

import re
from urllib.parse import urlencode

from django.urls import reverse
from django.views.generic import TemplateView

from ..reading import changes
from .paging import page_of

PAGE_NUMBER = re.compile(r"[0-9]{1,9}\Z")


class ChangesView(TemplateView):
    """A page of changes (``?page=``, 100 a page), optionally of one benchmark or model
    (``?benchmark=<slug>``, ``?model=<slug>``). A value the page cannot use is
    ignored and the page says so. A page costs the same few queries at any length:
    the filters' rows, the count, the page's rows (with their model, benchmark,
    version, source and claimer), and the rows its changes changed from."""

    template_name = "leaderboard/changes.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.request
        chosen, ignored = changes.read_filters(request.GET)
        page = page_of(request, changes.records(**chosen), "page")
        requested = request.GET.get("page")
        if requested and requested != str(page.number):
            reason = "not a page number" if not PAGE_NUMBER.match(requested) else "no such page"
            ignored.append(
                f"Page {changes.shorten(requested)}: {reason}; showing page {page.number} "
                f"of {page.paginator.num_pages}."
            )
        query = urlencode({name: row.slug for name, row in chosen.items()})
        context.update(
            changes=changes.with_previous(page.object_list),
            page=page,
            chosen=chosen,
            ignored=ignored,
            feed_url=reverse("feed") + (f"?{query}" if query else ""),
        )
        return context
