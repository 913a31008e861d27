"""Results anyone may submit at /submit/: kept as pending until an editor accepts one
(written then through the one write path) or rejects it with a public reason."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .base import HttpsURLField, LineField, ProseField
from .benchmarks import Benchmark, BenchmarkVersion
from .catalogue import AIModel, Organization
from .results import Provenance, Result

# Bounds on what a submitter may send: a source's text as an editor may keep it.
QUOTE_MAX = 2000
NOTE_MAX = 2000
SOURCE_TEXT_MAX = 200_000
# A results file of lm-evaluation-harness, as ``import_results`` takes one.
RESULTS_FILE_MAX_BYTES = 5 * 1024 * 1024


class Submission(models.Model):
    """One result as a source states it, sent by anyone, and what became of it."""

    class Status(models.TextChoices):
        PENDING = "pending", "pending review"
        ACCEPTED = "accepted", "accepted"
        REJECTED = "rejected", "rejected"

    submitted_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)

    # The model: one the site holds, or a new one named by the source.
    model = models.ForeignKey(
        AIModel, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    new_model_name = LineField(
        "new model's name",
        max_length=200,
        blank=True,
        help_text="Only for a model the site does not list yet, as the source names it.",
    )
    new_model_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="new model's organization",
    )
    benchmark = models.ForeignKey(
        Benchmark, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.ForeignKey(
        BenchmarkVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    value = models.DecimalField(max_digits=15, decimal_places=6, null=True, blank=True)
    stderr = models.DecimalField(
        "standard error", max_digits=15, decimal_places=6, null=True, blank=True
    )
    rank = models.PositiveIntegerField(null=True, blank=True)
    shots = models.PositiveSmallIntegerField("shots (n-shot)", null=True, blank=True)
    # How it was measured, as the source states it (``run_settings.SETTINGS``).
    metric = LineField(max_length=100, blank=True)
    metric_variant = LineField("metric variant or filter", max_length=100, blank=True)
    harness = LineField("evaluation harness", max_length=100, blank=True)
    harness_version = LineField("harness version or commit", max_length=100, blank=True)
    model_revision = LineField(max_length=100, blank=True)
    precision = LineField(max_length=50, blank=True)
    chat_template = models.BooleanField("chat template applied", null=True, blank=True)
    subset = models.BooleanField("ran on a subset", null=True, blank=True)
    reported_on = models.DateField(null=True, blank=True)
    provenance = models.CharField(
        max_length=20, choices=Provenance.choices, default=Provenance.INDEPENDENT
    )
    claimed_by = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # The source: found by its address when the site holds it, else a new one.
    source_url = HttpsURLField("source's address", max_length=500, blank=True)
    source_title = LineField("source's title", max_length=300, blank=True)
    quote = ProseField(
        max_length=QUOTE_MAX, blank=True, help_text="The source's words, copied exactly."
    )
    source_text = ProseField(
        "source's text",
        max_length=SOURCE_TEXT_MAX,
        blank=True,
        help_text="Optional: the source's full text, so the quote is checked against it.",
    )
    # Instead of the result's fields: a results file, which states them all.
    results_file = models.TextField(
        "lm-evaluation-harness results file", blank=True, editable=False
    )
    note = ProseField(max_length=NOTE_MAX, blank=True)
    # Never shown publicly.
    contact = LineField(max_length=200, blank=True)
    client = models.CharField(max_length=64, editable=False, db_index=True)

    # The editor's decision.
    reason = ProseField(
        blank=True, help_text="Why it was rejected, or what was corrected: shown publicly."
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    result = models.ForeignKey(
        Result,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="submissions",
        help_text="The result it became.",
    )
    source = models.ForeignKey(
        "Source",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="submissions",
        help_text="The source a results file became, with its results.",
    )

    # The results file is kept once, on the submission: never edited, so never in history.
    history = HistoricalRecords(excluded_fields=["client", "contact", "results_file"])

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["status", "submitted_at"], name="submission_queue_idx")]

    def __str__(self):
        return f"Submission #{self.pk}: {self.summary}"

    def get_absolute_url(self):
        return reverse("submission", args=[self.pk])

    @property
    def summary(self):
        """What it is, in a few words: "Model on Benchmark", or a results file."""
        if self.results_file:
            return f"an lm-evaluation-harness results file of {self.model_name or 'a model'}"
        return f"{self.model_name} on {self.benchmark}"

    @property
    def model_name(self):
        return self.model.name if self.model_id else self.new_model_name
