"""What a table's pager under its scroll box reads (``_table_pager.html``)."""

from django_tables2.templatetags.django_tables2 import table_page_range


class PagerLinks:
    """A django-tables2 table's page links, and its URL with parameters changed."""

    def url_with(self, **changes):
        """This page's URL with query parameters changed (None removes one)."""
        query = self.request.GET.copy()
        for name, value in changes.items():
            query.pop(name, None)
            if value is not None:
                query[name] = value
        return "?" + query.urlencode()

    def page_links(self):
        """(label, link or None, whether current) for the pagination bar, or [] when
        everything fits on one page."""
        page = getattr(self, "page", None)
        if page is None or self.paginator.num_pages < 2:
            return []
        links = []
        if page.has_previous():
            links.append(
                (
                    "previous",
                    self.url_with(**{self.page_field: page.previous_page_number()}),
                    False,
                )
            )
        for number in table_page_range(page, self.paginator):
            if number == "...":
                links.append(("…", None, False))
            else:
                links.append(
                    (number, self.url_with(**{self.page_field: number}), number == page.number)
                )
        if page.has_next():
            links.append(
                ("next", self.url_with(**{self.page_field: page.next_page_number()}), False)
            )
        return links
