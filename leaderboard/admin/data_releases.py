"""Data releases in the admin: "Add" publishes the current data (``rules.releases``);
a release is never changed or deleted afterwards, so what was cited stays as cited."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from ..models import DataRelease, DataVersion
from ..rules import releases


class PublishForm(forms.ModelForm):
    class Meta:
        model = DataRelease
        fields = ["notes"]

    def clean(self):
        cleaned = super().clean()
        releases.refuse_unchanged_data(DataVersion.current().version)
        return cleaned

    def _post_clean(self):
        # The release is made by ``releases.publish``; the form only takes its notes.
        pass


@admin.register(DataRelease)
class DataReleaseAdmin(admin.ModelAdmin):
    form = PublishForm
    list_display = ["number", "published_at", "data_version", "result_count", "json_sha256"]
    readonly_fields = [
        "number",
        "data_version",
        "published_at",
        "result_count",
        "csv_sha256",
        "json_sha256",
        "csv_bytes",
        "json_bytes",
    ]

    def get_fields(self, request, obj=None):
        return ["notes"] if obj is None else [*self.readonly_fields, "notes"]

    def has_change_permission(self, request, obj=None):
        # Viewing is allowed to those who may view; nothing of a release changes.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            published = releases.publish(notes=form.cleaned_data.get("notes", ""))
        except ValidationError as error:
            # Another editor released this data between the form's check and now:
            # point at that release rather than fail.
            published = DataRelease.objects.order_by("-number").first()
            self.message_user(request, " ".join(error.messages), messages.WARNING)
        for field in DataRelease._meta.concrete_fields:
            setattr(obj, field.attname, getattr(published, field.attname))
