from django.contrib import admin
from django.urls import path

from . import views

urlpatterns = [
    path("", views.LeaderboardView.as_view(), name="index"),
    path("benchmarks/", views.BenchmarkListView.as_view(), name="benchmarks"),
    path("benchmarks/<slug:slug>/", views.BenchmarkDetailView.as_view(), name="benchmark"),
    path("models/<slug:slug>/", views.ModelDetailView.as_view(), name="model"),
    path(
        "organizations/<slug:slug>/",
        views.OrganizationDetailView.as_view(),
        name="organization",
    ),
    path("sources/<slug:slug>/", views.SourceDetailView.as_view(), name="source"),
    path("admin/", admin.site.urls),
]
