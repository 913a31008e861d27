"""Submissions: what one would write, checked by the very rules every write keeps, and
what an editor's decision does.

A submission never writes by itself. Sent, it is checked by writing what it would
write through ``writes.save`` (every model's ``full_clean``: the quote rule, the
scale, the settings, uniqueness) in a transaction that is then rolled back, so the
submitter hears at once what an editor's save would refuse. Accepted, the same rows
are written for real, in one transaction, their history naming the editor (the admin
request) and the submission.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from ..imports.directory import import_text
from ..imports.run import ImportRefused
from ..models import AIModel, Provenance, Result, Source
from ..models.citations import text_digest
from ..models.submissions import Submission
from . import writes
from .run_settings import SETTINGS

# Which form field each written row's fields are entered in.
FORM_FIELDS = {
    Source: {"title": "source_title", "slug": "source_title", "url": "source_url"},
    AIModel: {
        "name": "new_model_name",
        "slug": "new_model_name",
        "organization": "new_model_organization",
    },
    Result: {"source": "source_url", "model": "model"},
}
SUBMITTED_FIELDS = {field.name for field in Submission._meta.fields}


def rows(submission):
    """The rows accepting ``submission`` writes, unsaved where new: the source the site
    holds at its address (else a new one, with the text sent), the model (the one
    chosen, else a new one), and the result."""
    source = Source.objects.filter(url=submission.source_url).first() or Source(
        title=submission.source_title,
        slug=free_slug(Source, submission.source_title),
        url=submission.source_url,
        kept_text=submission.source_text,
    )
    model = submission.model or AIModel(
        name=submission.new_model_name,
        slug=free_slug(AIModel, submission.new_model_name),
        organization=submission.new_model_organization,
    )
    result = Result(
        model=model,
        benchmark=submission.benchmark,
        version=submission.version,
        value=submission.value,
        stderr=submission.stderr,
        rank=submission.rank,
        **{setting.field: getattr(submission, setting.field) for setting in SETTINGS},
        reported_on=submission.reported_on,
        provenance=submission.provenance,
        claimed_by=submission.claimed_by,
        source=source,
        quote=submission.quote,
    )
    return source, model, result


def free_slug(model, name):
    """A slug for a new row named ``name`` that no row of ``model`` has."""
    base = slugify(name)[:180] or "submitted"
    slug, number = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def write(submission, reason=None):
    """Write the submission's rows through the one write path, in the caller's
    transaction; returns the result. A ``ValidationError`` names form fields."""
    source, model, result = rows(submission)
    for row in (source, model, result):
        if row.pk is not None:
            continue  # held already: a submission never changes it
        if reason:
            row._change_reason = reason
        # Again after each save: a foreign key takes its row's key when assigned.
        result.source, result.model = source, model
        try:
            writes.save(row)
        except ValidationError as error:
            raise as_form_errors(type(row), error) from None
    return result


def as_form_errors(model, error):
    """A row's ``ValidationError`` with each message under the form field it came in."""
    fields = FORM_FIELDS.get(model, {})
    errors = {}
    for name, messages in error.update_error_dict({}).items():
        field = fields.get(name, name if model is Result else NON_FIELD_ERRORS)
        if field not in SUBMITTED_FIELDS:
            field = NON_FIELD_ERRORS
        errors.setdefault(field, []).extend(messages)
    return ValidationError(errors)


def rule_errors(submission):
    """Every rule an editor's save would apply, run on what the submission would
    write and rolled back: {form field: [messages]}, empty when it would be written."""
    try:
        with transaction.atomic():
            if submission.results_file:
                import_file(submission, dry_run=True)
            else:
                write(submission)
            transaction.set_rollback(True)
    except ValidationError as error:
        return error.message_dict
    return {}


# How a results file is named in what the rules say of it.
FILE_NAME = "The results file"


def import_file(submission, dry_run):
    """Import the submission's results file as ``import_results`` imports one (its
    source, about the model, and a result a task), in the caller's transaction. A
    ``ValidationError`` under ``results_file`` says what the file or the rules refuse;
    nothing is written then."""
    model = submission.model.slug if submission.model_id else None
    try:
        # Tasks the site has no benchmark for are left out, as ``--skip-unknown-tasks``.
        report, _ = import_text(
            submission.results_file, FILE_NAME, dry_run=dry_run, model=model, skip_unknown=True
        )
    except ImportRefused as refused:
        raise ValidationError({"results_file": [str(refused)]}) from None
    if report.refused:
        raise ValidationError({"results_file": report.refused[:10]})


def file_source(submission):
    """The source a results file became once imported: the file kept as its text."""
    digest = text_digest(submission.results_file)
    return Source.objects.filter(kept_text_sha256=digest).order_by("pk").first()


def duplicate_of(submission):
    """What the site holds already that this submission would repeat: the result of
    the same model, benchmark and version from the source at the same address, or a
    pending submission of it. None when it is new. A results file repeats the source
    it became, or a pending submission of the same file."""
    if submission.results_file:
        held = file_source(submission)
        if held is not None:
            return held
        return (
            Submission.objects.filter(
                status=Submission.Status.PENDING, results_file=submission.results_file
            )
            .exclude(pk=submission.pk)
            .first()
        )
    same = {"benchmark": submission.benchmark, "version": submission.version}
    if submission.model_id:
        held = Result.objects.filter(
            model=submission.model, source__url=submission.source_url, **same
        ).first()
        if held is not None:
            return held
        pending = Submission.objects.filter(model=submission.model)
    else:
        pending = Submission.objects.filter(new_model_name__iexact=submission.new_model_name)
    return (
        pending.filter(status=Submission.Status.PENDING, source_url=submission.source_url, **same)
        .exclude(pk=submission.pk)
        .first()
    )


def accept(submission, editor):
    """Write a pending submission's result (as the editor may have corrected it) and
    mark it accepted by ``editor``, in one transaction; a ``ValidationError`` when it
    is no longer pending or a rule refuses it (nothing is written then)."""
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if locked.status != Submission.Status.PENDING:
            raise ValidationError(f"Submission #{locked.pk} was {locked.get_status_display()}.")
        reason = f"From submission #{submission.pk}"
        if submission.results_file:
            history = Result.history.model.objects
            last_before = history.order_by("-history_id").values_list("history_id", flat=True)
            last_before = last_before.first() or 0
            import_file(submission, dry_run=False)
            submission.source = file_source(submission)
            # The rows the import wrote name the submission, as a single result's do.
            history.filter(
                history_id__gt=last_before, id__in=submission.source.results.values("pk")
            ).update(history_change_reason=reason)
        else:
            submission.result = write(submission, reason=reason)
        decide(submission, editor, Submission.Status.ACCEPTED)
    return submission.result


def reject(submission, editor, reason):
    """Mark a pending submission rejected by ``editor`` for ``reason`` (shown publicly)."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why it is rejected: the submitter reads it."})
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if locked.status != Submission.Status.PENDING:
            raise ValidationError(f"Submission #{locked.pk} was {locked.get_status_display()}.")
        submission.reason = reason
        decide(submission, editor, Submission.Status.REJECTED)


def decide(submission, editor, status):
    submission.status = status
    submission.decided_by = editor
    submission.decided_at = timezone.now()
    submission.full_clean()
    submission.save()


def what_it_adds(submission):
    """What accepting the submission would add, in words: a new model, a second
    source for a result the site holds, a vendor's claim beside a measurement, or a
    new result."""
    if submission.results_file:
        return "the results of an lm-evaluation-harness run, a result a task it names"
    if not submission.model_id:
        return f"a new model, {submission.new_model_name}, with its first result"
    held = Result.objects.filter(
        model=submission.model, benchmark=submission.benchmark, version=submission.version
    )
    if (
        submission.provenance == Provenance.VENDOR_CLAIM
        and held.filter(provenance=Provenance.INDEPENDENT).exists()
    ):
        return "a vendor's claim beside an independent measurement the site holds"
    if held.exists():
        return "another source for a result the site holds"
    return "a new result"
