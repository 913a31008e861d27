"""Who makes models, and the models: their size, context window and what is open.
Facts no source states stay empty and show as "not reported"."""

from functools import cached_property

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .base import (
    Alias,
    CountField,
    HttpsURLField,
    LineField,
    NaturalKeyModel,
    NaturalKeyQuerySet,
    ProseField,
    refuse_conflicts,
    renamed_names,
)


class Organization(NaturalKeyModel):
    """Who makes models, or claims results about them."""

    name = LineField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    website = HttpsURLField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("organization", args=[self.slug])

    def clean(self):
        # Claims' quotes and sources must name the claimer.
        if self.dependents_at_stake("name"):
            refuse_conflicts(
                "name",
                self.claimed_results.conflicts_with(claimed_by=self),
                "Renaming the organization",
            )


class Openness(models.TextChoices):
    OPEN = "open", "Open"
    PARTIAL = "partial", "Partly open"
    CLOSED = "closed", "Not open"
    NOT_REPORTED = "not_reported", "Not reported"


class AIModelQuerySet(NaturalKeyQuerySet):
    def with_organization(self):
        """Models with their organization fetched in the same query."""
        return self.select_related("organization")


COUNT_FIELDS = ["total_parameters", "active_parameters", "context_window_tokens"]
# Where to read more about a model; each shown on its page with its citation.
LINK_FIELDS = ["model_card_url", "weights_url", "paper_url"]
# A repository a cited quote must name (``ModelCitation.figure_errors``).
REPOSITORY_FIELDS = ["hf_repository"]


def citation_marks(model_path="pk"):
    """Annotations ``cited_<count>`` for each count (total and active parameters,
    context window): whether a citation backs the model's figure, so a table can mark
    an uncited one. ``model_path`` leads from a row to its model's id (a result's is
    "model_id"); computed in the rows' own query."""
    from .citations import ModelCitation

    return {
        f"cited_{field}": Exists(
            ModelCitation.objects.filter(model=OuterRef(model_path), attribute=field)
        )
        for field in COUNT_FIELDS
    }


class AIModel(NaturalKeyModel):
    """An AI model. Facts no source states stay empty and show as "not reported"."""

    name = LineField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="models")
    release_date = models.DateField(null=True, blank=True)
    total_parameters = CountField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="All parameters, as the source states them: 128000000000 or 128B.",
    )
    active_parameters = CountField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Parameters used per token; fewer than the total for mixture-of-experts models.",
    )
    context_window_tokens = CountField(
        "context window (tokens)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    open_weights = models.CharField(max_length=16, choices=Openness, default=Openness.NOT_REPORTED)
    open_training_data = models.CharField(
        max_length=16, choices=Openness, default=Openness.NOT_REPORTED
    )
    open_training_code = models.CharField(
        "open training code or recipe",
        max_length=16,
        choices=Openness,
        default=Openness.NOT_REPORTED,
    )
    license = LineField(max_length=200, blank=True)
    hf_repository = LineField(
        "Hugging Face repository",
        max_length=200,
        blank=True,
        validators=[
            RegexValidator(
                r"^[\w.-]+/[\w.-]+\Z",
                "Write the repository as owner/name (as in huggingface.co/owner/name).",
            )
        ],
        help_text="owner/name, as in huggingface.co/owner/name: an evaluation harness's "
        "file that names it (pretrained=owner/name) finds the model by it.",
    )
    model_card_url = HttpsURLField("model card", max_length=500, blank=True)
    weights_url = HttpsURLField("weights", max_length=500, blank=True)
    paper_url = HttpsURLField("paper", max_length=500, blank=True)
    description = ProseField(blank=True)

    objects = AIModelQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "AI model"
        ordering = ["name"]
        # The leaderboard sorts and filters on these.
        indexes = [
            models.Index(fields=["total_parameters"], name="aimodel_total_params_idx"),
            models.Index(fields=["active_parameters"], name="aimodel_active_params_idx"),
            models.Index(fields=["context_window_tokens"], name="aimodel_context_idx"),
            # Dated models: whether a benchmark's timeline has anything to draw.
            models.Index(fields=["release_date"], name="aimodel_release_date_idx"),
            # The licences the filter offers, read from the index rather than a scan
            # of every model (12 ms of a cold page at 100,000 models on SQLite).
            models.Index(fields=["license"], name="aimodel_license_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["hf_repository"],
                condition=~Q(hf_repository=""),
                name="one_model_per_hf_repository",
                violation_error_message="Another model has this Hugging Face repository.",
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 1}),
                    name=f"aimodel_{field}_at_least_one",
                    violation_error_message="A count is at least 1; leave it empty when "
                    "no source states it.",
                )
                for field in COUNT_FIELDS
            ),
            models.CheckConstraint(
                condition=Q(active_parameters__isnull=True)
                | Q(total_parameters__isnull=True)
                | Q(active_parameters__lte=F("total_parameters")),
                name="active_parameters_within_total",
                violation_error_message="Active parameters cannot exceed total parameters.",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("model", args=[self.slug])

    @cached_property
    def names(self):
        """The model's name and its aliases: what a quote may call it."""
        return [self.name, *(alias.name for alias in self.aliases.all())]

    def clean(self):
        if (
            self.active_parameters is not None
            and self.total_parameters is not None
            and self.active_parameters > self.total_parameters
        ):
            raise ValidationError(
                {"active_parameters": "Active parameters cannot exceed total parameters."}
            )
        if self.dependents_at_stake("name"):
            renamed_names(self)
            refuse_conflicts("name", self.results.conflicts_with(model=self), "This change")
        # A cited count or link must still be what its quote states.
        for field in [*COUNT_FIELDS, *LINK_FIELDS, *REPOSITORY_FIELDS]:
            if self.dependents_at_stake(field):
                refuse_conflicts(
                    field,
                    self.citations.filter(attribute=field).conflicts_with(model=self),
                    "This change",
                )


class ModelAlias(Alias):
    """Another name a source uses for a model ("the largest version of OpenAI GPT-OSS")."""

    NATURAL_KEY = ("model__slug", "name")
    OWNER = "model"

    model = models.ForeignKey(AIModel, on_delete=models.CASCADE, related_name="aliases")

    history = HistoricalRecords()

    class Meta(Alias.Meta):
        verbose_name_plural = "model aliases"
        constraints = [
            models.UniqueConstraint(
                fields=["model", "name"],
                name="unique_alias_per_model",
                violation_error_message="This model already has that alias.",
            )
        ]
