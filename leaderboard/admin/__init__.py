"""The editors' admin. Constraint violations come back as form errors (the models'
``clean()`` mirrors every database check), and each change is kept in a history
that shows who changed what, from what to what, and can be reverted."""

import hashlib

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.template.defaultfilters import truncatechars
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, JSON, XLSX
from simple_history.admin import SimpleHistoryAdmin

from ..imports.resources import ResultResource
from ..models import (
    AIModel,
    Benchmark,
    BenchmarkAlias,
    BenchmarkCitation,
    BenchmarkVersion,
    ModelAlias,
    ModelCitation,
    Organization,
    Result,
    Source,
)
from ..reading.presentation import figure_text
from ..rules import writes
from .imports import ResultImportMixin

admin.site.site_header = "Open-model leaderboard: editors"
admin.site.site_title = "Leaderboard admin"


def row_token(instance):
    """A digest of a stored row's values: what the editor's form was opened on."""
    # Editable fields only: derived ones (a result's headline mark) change with others'
    # edits to other rows.
    fields = [f.attname for f in instance._meta.concrete_fields if f.editable]
    stored = type(instance).objects.filter(pk=instance.pk).values(*fields).first()
    return hashlib.sha256(repr(sorted((stored or {}).items())).encode()).hexdigest()


class StaleGuardForm(forms.ModelForm):
    """Refuses to save over a change someone else saved since this form was opened:
    the form carries a digest of the row as it was opened, checked on submit."""

    opened_as = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["opened_as"].initial = row_token(self.instance)

    def clean(self):
        cleaned = super().clean()
        opened_as = cleaned.get("opened_as")
        if self.instance.pk and opened_as and opened_as != row_token(self.instance):
            raise forms.ValidationError(
                "Someone else saved a change to this since you opened it, so nothing was "
                "saved: open it again to see their change, then make yours.",
                code="stale",
            )
        return cleaned


class LeaderboardAdmin(SimpleHistoryAdmin):
    """Every save and delete an editor makes (forms, inlines, list edits, reverts,
    "delete selected") goes through ``leaderboard.rules.writes``; a form opened before
    someone else's save is refused (``StaleGuardForm``)."""

    form = StaleGuardForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or "opened_as" in flatten_fieldsets(fieldsets):
            return fieldsets
        return [*fieldsets, (None, {"fields": ["opened_as"], "classes": ["hidden"]})]

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user  # as SimpleHistoryAdmin.save_model does
        writes.save(obj, validated=True)  # the form ran full_clean

    def delete_model(self, request, obj):
        writes.delete(obj)

    def get_deleted_objects(self, objs, request):
        """Lists what a quote relies on (an alias) as protected, so the delete page
        refuses it the way it refuses a model that has results."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, perms_needed, [*protected, *writes.deletion_conflicts(objs)]

    def delete_queryset(self, request, queryset):
        writes.delete_all(queryset)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            writes.delete(obj)
        for obj in instances:
            writes.save(obj, validated=True)  # each inline form ran full_clean
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


class SourceForm(StaleGuardForm):
    """A source's text, pasted or uploaded (UTF-8 text: an article saved as text, an
    evaluation harness's JSON)."""

    upload = forms.FileField(
        required=False,
        help_text="Or upload the text as a UTF-8 file; it replaces what is pasted above.",
    )

    MAX_BYTES = 5 * 1024 * 1024

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload is None:
            return None
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("The file is over 5 MB: keep the part that is quoted.")
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                "The file is not UTF-8 text: save it as text first."
            ) from None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("upload"):
            cleaned["kept_text"] = cleaned["upload"]
        return cleaned


@admin.register(Source)
class SourceAdmin(LeaderboardAdmin):
    form = SourceForm
    readonly_fields = ["kept_text_sha256"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "publisher", "published_on", "url"]}),
        (
            "Its text",
            {
                "fields": ["kept_text", "upload", "kept_text_sha256", "seed_file"],
                "description": "Keep the source's text so every quote from it is checked "
                "word for word and readers can read it; a source without text is shown "
                "as unverified.",
            },
        ),
        ("What the whole source is about", {"fields": ["about_model", "about_benchmark"]}),
    ]
    autocomplete_fields = ["about_model", "about_benchmark"]
    list_display = ["title", "publisher", "published_on", "url", "seed_file"]
    list_filter = ["publisher"]
    search_fields = ["title", "slug", "publisher", "url"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_on"


class AliasFormSet(BaseInlineFormSet):
    """Refuses, as a form error, deleting an alias a result's quote relies on."""

    def clean(self):
        super().clean()
        for form in self.deleted_forms:
            if form.instance.pk:
                conflicts = writes.deletion_conflicts([form.instance])
                if conflicts:
                    raise ValidationError(
                        f"Deleting “{form.instance}” would break: {'; '.join(conflicts)}"
                    )


class ModelAliasInline(admin.TabularInline):
    model = ModelAlias
    formset = AliasFormSet
    extra = 0


class BenchmarkAliasInline(admin.TabularInline):
    model = BenchmarkAlias
    formset = AliasFormSet
    extra = 0


class ModelCitationInline(admin.TabularInline):
    model = ModelCitation
    extra = 0
    autocomplete_fields = ["source"]
    fields = ["attribute", "source", "quote"]


class ResultFormSet(BaseInlineFormSet):
    """Two rows for the same benchmark, version and source in one submit are a form
    error (the database's partial unique indexes would otherwise refuse the second
    with an error page)."""

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("benchmark"):
                continue
            key = (data["benchmark"].pk, getattr(data.get("version"), "pk", None))
            key += (getattr(data.get("source"), "pk", None),)
            if key in seen:
                raise ValidationError(
                    f"Two rows give a result on {data['benchmark']} from the same source "
                    "(and version): keep one."
                )
            seen.add(key)


class ResultInline(admin.StackedInline):
    """A model's results on its own page, each with its source and quote beside it."""

    model = Result
    formset = ResultFormSet
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
    search_fields = ["name", "slug", "aliases__name", "hf_repository", "organization__name"]
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
        ("Links", {"fields": ["hf_repository", "model_card_url", "weights_url", "paper_url"]}),
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
        "random_baseline",
        "higher_is_better",
    ]
    list_editable = ["featured"]
    list_filter = ["featured", "result_kind", "higher_is_better"]
    search_fields = ["name", "slug", "measures"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [BenchmarkAliasInline, BenchmarkVersionInline, BenchmarkCitationInline]


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
class ResultAdmin(ResultImportMixin, ExportMixin, QuoteExcerptMixin, LeaderboardAdmin):
    """Results, one at a time or in bulk: import (CSV, XLSX, JSON) shows a preview of
    every row it would create, change or refuse, and why, before anything is
    written; a file with a refused row cannot be confirmed, and a confirmed file is
    written whole or not at all (``leaderboard.admin.imports``). Export needs the
    permission to view results, import those to add and change them."""

    resource_classes = [ResultResource]
    formats = [CSV, XLSX, JSON]
    import_export_change_list_template = "admin/import_export/change_list_import_export.html"

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
    list_filter = ["benchmark", "provenance", "is_comparable", "claimed_by", "source"]
    list_select_related = ["model", "benchmark", "version", "claimed_by", "source"]
    search_fields = ["model__name", "model__aliases__name", "benchmark__name", "quote"]
    autocomplete_fields = ["model", "benchmark", "version", "source", "claimed_by"]
    history_list_display = ["value", "rank"]
    fieldsets = [
        (None, {"fields": [("model", "benchmark", "version")]}),
        (
            "The figure",
            {
                "fields": [
                    ("value", "rank"),
                    ("stderr", "ci_low", "ci_high"),
                    "as_percentage",
                    "reported_on",
                ]
            },
        ),
        (
            "How it was measured",
            {
                "description": "Each as the source states it (its quote, or the evaluation "
                "harness's results file kept as its text); leave empty what it does not "
                "state.",
                "fields": [
                    ("metric", "metric_variant", "shots"),
                    ("harness", "harness_version"),
                    ("model_revision", "precision"),
                    ("chat_template", "subset"),
                ],
            },
        ),
        ("Where it comes from", {"fields": ["source", "quote", "provenance", "claimed_by"]}),
    ]

    @admin.display(description="value or rank")
    def display_value(self, obj):
        # Editors correct the stored figures, so the admin shows them unrounded.
        return figure_text(obj.value, obj.rank)


# Registered after LeaderboardAdmin exists, which they extend.
from . import data_releases, submissions, suites  # noqa: E402, F401
