"""Submissions in the admin: the queue of pending ones, oldest first, each with what
the rules say of it now and what the site holds beside it; an editor corrects one
(the correction kept in its history), then accepts it (its result written through
the one write path, ``rules.submissions.accept``) or rejects it with a reason."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html_join
from simple_history.admin import SimpleHistoryAdmin

from ..models import Result
from ..models.submissions import Submission
from ..reading.presentation import figure_text
from ..rules import submissions


class SubmissionAdminForm(forms.ModelForm):
    """The admin builds its fields (``SubmissionAdmin``); this adds the rejection's
    rule: a reason, which the submitter reads."""

    def clean(self):
        cleaned = super().clean()
        if "_reject" in self.data and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "Say why it is rejected: the submitter reads it.")
        return cleaned


class QueueFilter(admin.SimpleListFilter):
    """Pending submissions unless another status (or all) is chosen: the queue."""

    title = "status"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [*Submission.Status.choices, ("all", "all")]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": (self.value() or Submission.Status.PENDING) == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        chosen = self.value() or Submission.Status.PENDING
        return queryset if chosen == "all" else queryset.filter(status=chosen)


@admin.register(Submission)
class SubmissionAdmin(SimpleHistoryAdmin):
    form = SubmissionAdminForm
    list_display = ["__str__", "status", "submitted_at"]
    list_filter = [QueueFilter]
    ordering = ["submitted_at"]  # the queue: oldest first
    search_fields = ["new_model_name", "model__name", "source_url", "source_title"]
    autocomplete_fields = ["model", "benchmark", "new_model_organization", "claimed_by"]
    readonly_fields = ["status", "rules_now", "held_beside", "decided_by", "decided_at", "result"]
    exclude = ["client"]

    def has_add_permission(self, request):
        return False  # submissions come from /submit/

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != Submission.Status.PENDING:
            return [field.name for field in Submission._meta.fields] + ["rules_now", "held_beside"]
        return self.readonly_fields

    @admin.display(description="the rules, now")
    def rules_now(self, obj):
        if obj.status != Submission.Status.PENDING:
            # Its rows are written or refused for good: checking them again (a write
            # rolled back on every view) would only find the accepted result itself.
            return f"Not checked: it was {obj.get_status_display()}."
        errors = submissions.rule_errors(obj)
        if not errors:
            return "Every rule holds: accepting writes it."
        return format_html_join("", "<p>{}: {}</p>", ((f, " ".join(m)) for f, m in errors.items()))

    @admin.display(description="what the site holds beside it")
    def held_beside(self, obj):
        if obj.results_file:
            return "A results file: the rules above list what its import would refuse."
        if not obj.model_id:
            return "Nothing: the model is new."
        held = Result.objects.filter(model=obj.model, benchmark=obj.benchmark).select_related(
            "source"
        )
        if not held:
            return "No result of this model on this benchmark."
        return format_html_join(
            "",
            "<p>{} ({}, {})</p>",
            ((figure_text(r.value, r.rank), r.get_provenance_display(), r.source) for r in held),
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)  # an editor's corrections, kept
        try:
            if "_accept" in request.POST:
                submissions.accept(obj, request.user)
                messages.success(
                    request, f"Accepted: see what it became on {obj.get_absolute_url()}."
                )
            elif "_reject" in request.POST:
                submissions.reject(obj, request.user, obj.reason)
                messages.success(request, "Rejected; the reason is on its public page.")
        except ValidationError as error:
            messages.error(request, "Not accepted: " + " ".join(error.messages))
