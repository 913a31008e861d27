"""Paging and the query string: what every public page shares. Everything a view
shows is in its URL (sort, filters, columns, page), so any view is a permalink; bad
values fall back to defaults and are reported, never a 500."""

from django.core.paginator import EmptyPage, Paginator
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe

from ..reading.presentation import escape_text


class BoundedPaginator(Paginator):
    """Shows a reader's ``?per_page=`` when it lies between 1 and MAX_PER_PAGE rows,
    else the default (and the page says the value was ignored)."""

    DEFAULT_PER_PAGE = 50
    MAX_PER_PAGE = 500

    def __init__(self, object_list, per_page, *args, count_rows=None, **kwargs):
        if not 1 <= int(per_page) <= self.MAX_PER_PAGE:
            per_page = self.DEFAULT_PER_PAGE
        super().__init__(object_list, per_page, *args, **kwargs)
        self.count_rows = count_rows

    @cached_property
    def count(self):
        """``count_rows()`` where a view gives it: the rows counted without the joins
        that only order them; a ``CountedUpTo`` where it counted only so far."""
        return self.count_rows() if self.count_rows else super().count

    @property
    def count_is_exact(self):
        return not isinstance(self.count, CountedUpTo)

    @cached_property
    def num_pages(self):
        """The pages known to hold rows: where the count stopped short, those it
        counted, or up to the page shown and the next (``page``)."""
        pages = super().num_pages
        return max(pages, getattr(self, "pages_seen", 0))

    def page(self, number):
        """As Django's, where the count is exact. Where it stopped short, any page
        number is taken: the page reads one row past its end to know whether another
        page follows, and an empty page past the first is not found."""
        if self.count_is_exact:
            return super().page(number)
        number = self.validate_number_loosely(number)
        bottom = (number - 1) * self.per_page
        # Not read into a list: rows that know their keys are read only if shown
        # (``ranking.FetchedWhenRead``); a queryset is read by ``len``.
        rows = self.object_list[bottom : bottom + self.per_page + 1]
        if not rows and number > 1:
            raise EmptyPage("That page contains no results")
        self.pages_seen = number + (1 if len(rows) > self.per_page else 0)
        self.__dict__.pop("num_pages", None)
        return self._get_page(rows[: self.per_page], number, self)

    def validate_number_loosely(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError):
            number = 1
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        return number


class CountedUpTo(int):
    """A count that stopped at its bound: at least this many rows, maybe more. Pages
    write it "more than 1,000"."""


def count_up_to(queryset, bound):
    """How many rows ``queryset`` has, counting no further than ``bound``: the exact
    number, or ``CountedUpTo(bound)`` when there are more (a count under a filter reads
    every model it passes over; this reads at most ``bound`` + 1 of them)."""
    counted = queryset.order_by().values("pk")[: bound + 1].count()
    return CountedUpTo(bound) if counted > bound else counted


PAGINATION = {
    "per_page": BoundedPaginator.DEFAULT_PER_PAGE,
    "silent": False,
    "paginator_class": BoundedPaginator,
}


def without_empty_parameters(request):
    """The page's address without the parameters a submitted form left empty
    (``?q=&total_min=&…``), so what a reader copies is the permalink of what they see;
    None when there are none."""
    query = request.GET.copy()
    changed = False
    for key, values in list(query.lists()):
        kept = [value for value in values if value.strip()]
        if len(kept) != len(values):
            changed = True
            if kept:
                query.setlist(key, kept)
            else:
                del query[key]
    if not changed:
        return None
    encoded = query.urlencode()
    return request.path + (f"?{encoded}" if encoded else "")


class NotFoundPastTheEndMixin:
    """A page number past the end (or below 1) answers 404; one that is not a
    number shows the first page (django-tables2 ignores it)."""

    table_pagination = PAGINATION

    def row_counter(self):
        """A function counting the table's rows without sorting them, or None to
        count the table's data as django-tables2 does."""
        return None

    def get_table_pagination(self, table):
        pagination = super().get_table_pagination(table)
        counter = self.row_counter()
        if pagination and counter is not None:
            pagination = {**pagination, "count_rows": counter}
        return pagination

    def get_table(self, **kwargs):
        try:
            table = super().get_table(**kwargs)
        except EmptyPage as error:
            raise Http404(f"No such page: {error}") from error
        self.ignored = self.ignored_parameters(table)
        return table

    def ignored_parameters(self, table):
        """What the page ignored of its query string, each as a sentence, so a reader
        is told, as for a filter value that does not parse."""
        ignored = []
        per_page = self.request.GET.get(table.prefixed_per_page_field)
        if per_page is not None and not (
            per_page.isdigit() and 1 <= int(per_page) <= BoundedPaginator.MAX_PER_PAGE
        ):
            ignored.append(
                f"Rows per page {per_page!r}: a whole number from 1 to "
                f"{BoundedPaginator.MAX_PER_PAGE}; showing {table.paginator.per_page}."
            )
        page = self.request.GET.get(table.prefixed_page_field)
        if page is not None and not page.lstrip("-").isdigit():
            ignored.append(f"Page {page!r}: not a page number; showing the first page.")
        for sort in self.request.GET.getlist(table.prefixed_order_by_field):
            name = sort.removeprefix("-")
            if name not in table.columns.names() or not table.columns[name].orderable:
                ignored.append(f"Sort {sort!r}: no column sorts by that name.")
        return ignored

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["ignored"] = [*getattr(self, "ignored", []), *self.ignored_elsewhere()]
        return context

    def ignored_elsewhere(self):
        """Ignored parameters a view checks itself (the leaderboard's ``show``)."""
        return []


def checkboxes(field, rows, chosen_slugs):
    """A labelled checkbox for each row (with a slug and a name), as HTML."""
    chosen = set(chosen_slugs)
    return mark_safe(
        "".join(
            f'<label><input type="checkbox" name="{field}" value="{escape_text(row.slug)}"'
            f"{' checked' if row.slug in chosen else ''}> {escape_text(row.name)}</label> "
            for row in rows
        )
    )


# Rows a list on an organization's or a source's page shows at a time.
LIST_PAGE_SIZE = 100


def page_of(request, rows, parameter):
    """One page of a list on a detail page (``?parameter=N``): a number that is not a
    page shows the first, one past the end the last (``Paginator.get_page``). The page
    carries links to its neighbours that keep the other parameters."""
    page = Paginator(rows, LIST_PAGE_SIZE).get_page(request.GET.get(parameter))

    def link(number):
        query = request.GET.copy()
        query[parameter] = number
        return f"?{query.urlencode()}"

    page.parameter = parameter
    page.previous_url = link(page.previous_page_number()) if page.has_previous() else None
    page.next_url = link(page.next_page_number()) if page.has_next() else None
    return page
