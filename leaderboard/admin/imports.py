"""The admin's import of rows of results: upload, preview, confirm.

The preview runs every row through the rules and writes nothing; a file whose
rows all pass is kept until the editor confirms it, and confirming imports the file
again through the same rules: written whole, or, if anything changed since the
preview and a row no longer passes, not at all, with the rows and reasons shown
(``imports.run.import_rows``). Both steps need the permissions to add and change
results; the file is read within ``imports.reading``'s bounds; a preview not
confirmed within ``PREVIEW_HOURS`` is deleted.
"""

import re
import secrets
import tempfile
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from ..imports.reading import LIMITS, ROW_FORMATS, check_size, read_rows
from ..imports.resources import ResultResource
from ..imports.run import ImportRefused, import_rows

# A preview not confirmed within this many hours is deleted.
PREVIEW_HOURS = 6
# Rows of a preview listed on the page (every refusal is listed).
ROWS_SHOWN = 500
FORMAT_CHOICES = [(fmt, fmt.upper()) for fmt in ROW_FORMATS]
TOKEN = re.compile(r"^[0-9a-f]{32}$")


class ImportForm(forms.Form):
    import_file = forms.FileField(label="File of results")
    format = forms.ChoiceField(choices=FORMAT_CHOICES)

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:  # before the upload is read into memory
            check_size(upload.size, upload.name)
        except ImportRefused as refused:
            raise forms.ValidationError(str(refused)) from None
        return upload


class ConfirmForm(forms.Form):
    """What the preview page hands back: which kept file, in which format."""

    token = forms.RegexField(TOKEN, widget=forms.HiddenInput)
    format = forms.ChoiceField(choices=FORMAT_CHOICES, widget=forms.HiddenInput)
    file_name = forms.CharField(max_length=255, widget=forms.HiddenInput)


def preview_dir():
    folder = Path(getattr(settings, "IMPORT_PREVIEW_DIR", "") or tempfile.gettempdir())
    folder = folder / "leaderboard-import-previews"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def preview_path(user, token, fmt):
    """Where a preview's file is kept: named by its editor, so nobody else can
    confirm it, and by a token nobody can guess."""
    return preview_dir() / f"{user.pk}-{token}.{fmt}"


def keep_preview(user, data, fmt):
    prune_previews()
    token = secrets.token_hex(16)
    preview_path(user, token, fmt).write_bytes(data)
    return token


def prune_previews(now=None):
    """Delete the files of previews nobody confirmed in time."""
    oldest = (now or time.time()) - PREVIEW_HOURS * 3600
    for kept in preview_dir().iterdir():
        try:
            if kept.stat().st_mtime < oldest:
                kept.unlink()
        except FileNotFoundError:
            pass  # another worker pruned it first


class ResultImportMixin:
    """Import views for ``ResultAdmin``, under the names django-import-export's
    change list links to."""

    import_template = "admin/leaderboard/result/import.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="{}_{}_import".format(*info),
            ),
            path(
                "import/confirm/",
                self.admin_site.admin_view(self.confirm_import_view),
                name="{}_{}_process_import".format(*info),
            ),
            *super().get_urls(),
        ]

    def has_import_permission(self, request):
        """An import adds results and changes them."""
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "has_import_permission": self.has_import_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        """GET: the upload form. POST: the preview of every row, and a confirm button
        when none is refused."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        context = {"form": form}
        if request.method == "POST" and form.is_valid():
            upload, fmt = form.cleaned_data["import_file"], form.cleaned_data["format"]
            data = b"".join(upload.chunks())
            report = self.run_import(data, upload.name, fmt, dry_run=True, context=context)
            if report is not None and not report.refused:
                token = keep_preview(request.user, data, fmt)
                context["confirm_form"] = ConfirmForm(
                    initial={"token": token, "format": fmt, "file_name": upload.name}
                )
        return self.import_page(request, context)

    @staticmethod
    def run_import(data, name, fmt, dry_run, context):
        """Read and import (or preview) a file; the report, or None when the file
        could not be read as rows (its reason is in ``context``)."""
        try:
            dataset = read_rows(data, name, fmt)
        except ImportRefused as refused:
            context["refusal"] = str(refused)
            return None
        report = import_rows(dataset, dry_run=dry_run)
        context.update(
            report=report,
            summary=report.summary(dry_run),
            rows_shown=report.rows[:ROWS_SHOWN],
            rows_hidden=max(0, len(report.rows) - ROWS_SHOWN),
        )
        return report

    @method_decorator(require_POST)
    def confirm_import_view(self, request):
        """Import the previewed file, through the rules again, all or nothing."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = ConfirmForm(request.POST)
        context = {"form": ImportForm()}
        if not form.is_valid():
            context["refusal"] = (
                "The confirmation was not one this site made (its hidden fields were "
                "changed): upload the file again."
            )
            return self.import_page(request, context, status=400)
        token, fmt, name = (form.cleaned_data[key] for key in ("token", "format", "file_name"))
        kept = preview_path(request.user, token, fmt)
        try:
            data = kept.read_bytes()
        except FileNotFoundError:
            context["refusal"] = (
                "This preview was already imported, or it expired "
                f"(previews are kept {PREVIEW_HOURS} hours): upload the file again."
            )
            return self.import_page(request, context, status=409)
        report = self.run_import(data, name, fmt, dry_run=False, context=context)
        if report is None or not report.written:
            context["confirm_failed"] = True
            return self.import_page(request, context, status=409)
        kept.unlink(missing_ok=True)
        messages.success(request, f"Import of {name} finished: {report.summary(False)}")
        return redirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))

    def import_page(self, request, context, status=200):
        context = {
            **self.admin_site.each_context(request),
            "title": "Import results",
            "opts": self.opts,
            "limits": LIMITS,
            "columns": [f.column_name for f in ResultResource().get_import_fields()],
            **context,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.import_template, context, status=status)
