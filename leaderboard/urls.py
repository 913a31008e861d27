from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import path
from django.views.decorators.http import require_safe

from . import views
from .api import api
from .web.caching import public_page
from .web.feeds import ChangesFeed, SubmissionsFeed
from .web.sitemaps import SITEMAPS, favicon, robots_txt

urlpatterns = [
    path("", public_page(views.LeaderboardView.as_view()), name="index"),
    path("benchmarks/", public_page(views.BenchmarkListView.as_view()), name="benchmarks"),
    path(
        "benchmarks/<slug:slug>/",
        public_page(views.BenchmarkDetailView.as_view()),
        name="benchmark",
    ),
    path("suites/", public_page(views.SuiteListView.as_view()), name="suites"),
    path("suites/<slug:slug>/", public_page(views.SuiteDetailView.as_view()), name="suite"),
    path("models/<slug:slug>/", public_page(views.ModelDetailView.as_view()), name="model"),
    path(
        "organizations/<slug:slug>/",
        public_page(views.OrganizationDetailView.as_view()),
        name="organization",
    ),
    path("compare/", public_page(views.CompareView.as_view()), name="compare"),
    path("sources/<slug:slug>/", public_page(views.SourceDetailView.as_view()), name="source"),
    path("changes/", public_page(views.ChangesView.as_view(), offers_as_of=False), name="changes"),
    path("data/", views.DataReleaseListView.as_view(), name="data_releases"),
    path("data/<int:number>/", views.DataReleaseDetailView.as_view(), name="data_release"),
    path(
        "data/<int:number>/results.csv",
        views.release_file,
        {"kind": "csv"},
        name="data_release_csv",
    ),
    path(
        "data/<int:number>/results.json",
        views.release_file,
        {"kind": "json"},
        name="data_release_json",
    ),
    path(
        "data/<int:number>/CITATION.cff",
        views.release_citation,
        {"kind": "cff"},
        name="data_release_cff",
    ),
    path(
        "data/<int:number>/citation.bib",
        views.release_citation,
        {"kind": "bib"},
        name="data_release_bib",
    ),
    path("submit/", views.SubmitView.as_view(), name="submit"),
    path("submissions/", require_safe(views.SubmissionListView.as_view()), name="submissions"),
    path("submissions/feed.atom", SubmissionsFeed(), name="submissions_feed"),
    path(
        "submissions/<int:pk>/",
        require_safe(views.SubmissionDetailView.as_view()),
        name="submission",
    ),
    path("feed.atom", public_page(ChangesFeed(), offers_as_of=False), name="feed"),
    path(
        "sitemap.xml",
        public_page(sitemap, offers_as_of=False),
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
    path("robots.txt", public_page(robots_txt, offers_as_of=False), name="robots"),
    path("favicon.ico", favicon, name="favicon"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
