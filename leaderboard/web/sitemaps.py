"""sitemap.xml: every public page, so search engines find each model, benchmark,
organization and source; robots.txt, which points to it and keeps crawlers out of
the editors' admin; and /favicon.ico, which browsers ask for whatever a page links."""

from django.contrib.sitemaps import Sitemap
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import reverse

from ..models import AIModel, Benchmark, Organization, Source


class PagesSitemap(Sitemap):
    """The lists: the leaderboard, the benchmarks and the changes."""

    priority = 1.0

    def items(self):
        return ["index", "benchmarks", "changes"]

    def location(self, item):
        return reverse(item)


class RowsSitemap(Sitemap):
    """One page a row, found by slug (``get_absolute_url``)."""

    model = None

    def items(self):
        return self.model.objects.only("slug").order_by("slug")


def rows(model, priority):
    return type(f"{model.__name__}Sitemap", (RowsSitemap,), {"model": model, "priority": priority})


SITEMAPS = {
    "pages": PagesSitemap,
    "benchmarks": rows(Benchmark, 0.8),
    "models": rows(AIModel, 0.6),
    "organizations": rows(Organization, 0.4),
    "sources": rows(Source, 0.4),
}


def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    return HttpResponse(
        f"User-agent: *\nDisallow: /admin/\nSitemap: {sitemap}\n",
        content_type="text/plain; charset=utf-8",
    )


def favicon(request):
    """The site's icon where browsers look for it first: the SVG every page links."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
