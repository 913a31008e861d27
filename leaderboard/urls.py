from django.contrib import admin
from django.urls import path

from . import views
from .caching import public_page

urlpatterns = [
    path("", public_page(views.LeaderboardView.as_view()), name="index"),
    path("benchmarks/", public_page(views.BenchmarkListView.as_view()), name="benchmarks"),
    path(
        "benchmarks/<slug:slug>/",
        public_page(views.BenchmarkDetailView.as_view()),
        name="benchmark",
    ),
    path("models/<slug:slug>/", public_page(views.ModelDetailView.as_view()), name="model"),
    path(
        "organizations/<slug:slug>/",
        public_page(views.OrganizationDetailView.as_view()),
        name="organization",
    ),
    path("sources/<slug:slug>/", public_page(views.SourceDetailView.as_view()), name="source"),
    path("admin/", admin.site.urls),
]
