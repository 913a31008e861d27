"""The editors' admin. Constraint violations come back as form errors (the models'
``clean()`` mirrors every database check), and each change is kept in a history
that shows who changed what, from what to what, and can be reverted."""

from django.contrib import admin
from django.template.defaultfilters import truncatechars
from simple_history.admin import SimpleHistoryAdmin

from . import writes
from .models import (
    AIModel,
    Benchmark,
    BenchmarkCitation,
    BenchmarkVersion,
    ModelAlias,
    ModelCitation,
    Organization,
    Result,
    Source,
)

admin.site.site_header = "Open-model leaderboard: editors"
admin.site.site_title = "Leaderboard admin"


class LeaderboardAdmin(SimpleHistoryAdmin):
    """Every save and delete an editor makes (forms, inlines, list edits, reverts,
    "delete selected") goes through ``leaderboard.writes``."""

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user  # as SimpleHistoryAdmin.save_model does
        writes.save(obj)

    def delete_model(self, request, obj):
        writes.delete(obj)

    def delete_queryset(self, request, queryset):
        writes.delete_all(queryset)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            writes.delete(obj)
        for obj in instances:
            writes.save(obj)
        formset.save_m2m()


class QuoteExcerptMixin:
    @admin.display(description="quote")
    def short_quote(self, obj):
        return truncatechars(obj.quote, 90)


@admin.register(Organization)
class OrganizationAdmin(LeaderboardAdmin):
    list_display = ["name", "slug", "website"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Source)
class SourceAdmin(LeaderboardAdmin):
    list_display = ["title", "publisher", "published_on", "url", "seed_file"]
    list_filter = ["publisher"]
    search_fields = ["title", "slug", "publisher", "url"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_on"


class ModelAliasInline(admin.TabularInline):
    model = ModelAlias
    extra = 0


class ModelCitationInline(admin.TabularInline):
    model = ModelCitation
    extra = 0
    autocomplete_fields = ["source"]
    fields = ["attribute", "source", "quote"]


class ResultInline(admin.StackedInline):
    """A model's results on its own page, each with its source and quote beside it."""

    model = Result
    extra = 0
    autocomplete_fields = ["benchmark", "version", "source", "claimed_by"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("benchmark", "version"),
                    ("value", "rank", "reported_on"),
                    ("provenance", "claimed_by"),
                    ("source", "quote"),
                ]
            },
        )
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("benchmark", "version", "source", "claimed_by")
        )


@admin.register(AIModel)
class AIModelAdmin(LeaderboardAdmin):
    list_display = [
        "name",
        "organization",
        "total_parameters",
        "active_parameters",
        "context_window_tokens",
        "open_weights",
        "open_training_data",
        "open_training_code",
    ]
    list_filter = ["organization", "open_weights", "open_training_data", "open_training_code"]
    list_select_related = ["organization"]
    search_fields = ["name", "slug", "aliases__name", "organization__name"]
    autocomplete_fields = ["organization"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ModelAliasInline, ModelCitationInline, ResultInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "organization", "release_date", "description"]}),
        ("Size", {"fields": ["total_parameters", "active_parameters", "context_window_tokens"]}),
        (
            "What is open",
            {"fields": ["open_weights", "open_training_data", "open_training_code", "license"]},
        ),
    ]


class BenchmarkVersionInline(admin.TabularInline):
    model = BenchmarkVersion
    extra = 0


class BenchmarkCitationInline(admin.TabularInline):
    model = BenchmarkCitation
    extra = 0
    autocomplete_fields = ["source"]
    fields = ["attribute", "source", "quote"]


@admin.register(Benchmark)
class BenchmarkAdmin(LeaderboardAdmin):
    list_display = [
        "name",
        "featured",
        "result_kind",
        "unit",
        "scale_min",
        "scale_max",
        "higher_is_better",
    ]
    list_editable = ["featured"]
    list_filter = ["featured", "result_kind", "higher_is_better"]
    search_fields = ["name", "slug", "measures"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [BenchmarkVersionInline, BenchmarkCitationInline]


@admin.register(ModelAlias)
class ModelAliasAdmin(LeaderboardAdmin):
    list_display = ["name", "model"]
    list_filter = ["model__organization"]
    list_select_related = ["model"]
    search_fields = ["name", "model__name"]
    autocomplete_fields = ["model"]


@admin.register(BenchmarkVersion)
class BenchmarkVersionAdmin(LeaderboardAdmin):
    list_display = ["benchmark", "name", "released_on", "is_ranked"]
    list_select_related = ["benchmark"]
    search_fields = ["name", "benchmark__name"]
    autocomplete_fields = ["benchmark"]


@admin.register(ModelCitation)
class ModelCitationAdmin(QuoteExcerptMixin, LeaderboardAdmin):
    list_display = ["model", "attribute", "source", "short_quote"]
    list_filter = ["attribute", "source"]
    list_select_related = ["model", "source"]
    search_fields = ["model__name", "quote"]
    autocomplete_fields = ["model", "source"]


@admin.register(BenchmarkCitation)
class BenchmarkCitationAdmin(QuoteExcerptMixin, LeaderboardAdmin):
    list_display = ["benchmark", "attribute", "source", "short_quote"]
    list_filter = ["attribute", "source"]
    list_select_related = ["benchmark", "source"]
    search_fields = ["benchmark__name", "quote"]
    autocomplete_fields = ["benchmark", "source"]


@admin.register(Result)
class ResultAdmin(QuoteExcerptMixin, LeaderboardAdmin):
    list_display = [
        "model",
        "benchmark",
        "version",
        "display_value",
        "provenance",
        "claimed_by",
        "source",
        "short_quote",
    ]
    list_filter = ["benchmark", "provenance", "claimed_by", "source"]
    list_select_related = ["model", "benchmark", "version", "claimed_by", "source"]
    search_fields = ["model__name", "model__aliases__name", "benchmark__name", "quote"]
    autocomplete_fields = ["model", "benchmark", "version", "source", "claimed_by"]
    history_list_display = ["value", "rank"]
    fieldsets = [
        (None, {"fields": [("model", "benchmark", "version")]}),
        ("The figure", {"fields": [("value", "rank"), "reported_on"]}),
        ("Where it comes from", {"fields": ["source", "quote", "provenance", "claimed_by"]}),
    ]

    @admin.display(description="value or rank")
    def display_value(self, obj):
        return obj.display_value
