from django.contrib import admin
from django.urls import path

from .views import LeaderboardView

urlpatterns = [
    path("", LeaderboardView.as_view(), name="index"),
    path("admin/", admin.site.urls),
]
