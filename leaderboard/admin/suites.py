"""Suites in the admin: a suite and its benchmarks on one page, saved through the
one write path like every other row (``LeaderboardAdmin``)."""

from django.contrib import admin

from ..models import Suite, SuiteMember
from . import LeaderboardAdmin


class SuiteMemberInline(admin.TabularInline):
    model = SuiteMember
    extra = 0
    autocomplete_fields = ["benchmark"]
    fields = ["benchmark", "position"]


@admin.register(Suite)
class SuiteAdmin(LeaderboardAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SuiteMemberInline]
