"""What every endpoint shares: pages of a list, absolute links to the site's pages,
and 404s for what does not exist. Pages are the site's own (``BoundedPaginator``),
so the API and the pages agree on sizes; unlike the pages, the API refuses a value it
cannot use (422) instead of showing a default, since a program cannot read a notice."""

from contextlib import contextmanager
from functools import cache
from typing import Annotated

from django.core.paginator import EmptyPage
from django.urls import reverse
from ninja import Field, Path, Schema
from ninja.errors import HttpError

from ..reading import result_json
from ..views.paging import BoundedPaginator


class PageParameters(Schema):
    page: int = Field(1, ge=1, description="Which page, from 1; past the last answers 404.")
    per_page: int = Field(
        BoundedPaginator.DEFAULT_PER_PAGE,
        ge=1,
        le=BoundedPaginator.MAX_PER_PAGE,
        description=f"Rows a page, 1 to {BoundedPaginator.MAX_PER_PAGE}.",
    )


@contextmanager
def past_the_end_is_not_found(paginator, number):
    """A page number past the last page answers 404, as on the site. ``paginator``:
    a function giving the paginator (a table makes its own when it pages)."""
    try:
        yield
    except EmptyPage as error:
        last = paginator().num_pages
        raise HttpError(404, f"No page {number}: the last page is {last}.") from error


def page_of(request, rows, parameters, count_rows=None):
    """(the rows of the page asked for, its envelope without ``items``). ``rows`` must
    be ordered; ``count_rows`` counts them without the joins that only order them."""
    paginator = BoundedPaginator(rows, parameters.per_page, count_rows=count_rows)
    with past_the_end_is_not_found(lambda: paginator, parameters.page):
        page = paginator.page(parameters.page)
    return list(page.object_list), envelope(request, page)


def envelope(request, page):
    """A page's count, number, size and links to its neighbours (same parameters)."""

    def link(number):
        query = request.GET.copy()
        query["page"] = number
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return {
        "count": page.paginator.count,
        "page": page.number,
        "per_page": page.paginator.per_page,
        "next": link(page.next_page_number()) if page.has_next() else None,
        "previous": link(page.previous_page_number()) if page.has_previous() else None,
    }


# A slug in a path: what a SlugField holds (a string that cannot be one is a 422,
# answered without asking the database).
SlugInPath = Annotated[
    str, Path(pattern=r"^[-a-zA-Z0-9_]+$", max_length=200, description="The row's slug.")
]


def get_or_404(queryset, slug, noun):
    """The row of ``queryset`` with this slug, or a 404 naming it."""
    row = queryset.filter(slug=slug).first()
    if row is None:
        raise HttpError(404, f"No {noun} {slug!r}.")
    return row


@cache
def _url_pattern(url_name):
    # reverse() once a kind of page, not once a row.
    return reverse(url_name, kwargs={"slug": "__slug__"})


class Links:
    """Absolute URLs of the site's pages and the API's endpoints for rows, by slug."""

    def __init__(self, request):
        self.base = request.build_absolute_uri("/").rstrip("/")

    def url(self, url_name, slug):
        return self.base + _url_pattern(url_name).replace("__slug__", slug)

    def named(self, url_name, row):
        """A ``Link``: the row's slug, name and page."""
        return result_json.link(row.slug, row.name, self.url(url_name, row.slug))

    def source(self, source):
        return result_json.source_link(source.slug, source.title, self.url("source", source.slug))

    def citation(self, citation):
        """A ``Citation``: its source, quote and the passage on the source's page."""
        source = self.source(citation.source)
        return {"source": source, **result_json.citation(source["url"], citation.quote)}

    def citations_by_fact(self, citations):
        """{fact: [Citation, ...]} for citations with an ``attribute``."""
        grouped = {}
        for citation in citations:
            grouped.setdefault(citation.attribute, []).append(self.citation(citation))
        return grouped
