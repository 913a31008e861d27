"""Who makes models, and the models: their size, context window and what is open.
Facts no source states stay empty and show as "not reported"."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .base import HttpsURLField, NaturalKeyModel, NaturalKeyQuerySet


class Organization(NaturalKeyModel):
    """Who makes models, or claims results about them."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    website = HttpsURLField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("organization", args=[self.slug])


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


class AIModel(NaturalKeyModel):
    """An AI model. Facts no source states stay empty and show as "not reported"."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="models")
    release_date = models.DateField(null=True, blank=True)
    total_parameters = models.PositiveBigIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="All parameters, as a plain number: 128000000000 for 128 billion.",
    )
    active_parameters = models.PositiveBigIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Parameters used per token; fewer than the total for mixture-of-experts models.",
    )
    context_window_tokens = models.PositiveBigIntegerField(
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
    license = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)

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
        ]
        constraints = [
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

    def clean(self):
        if (
            self.active_parameters is not None
            and self.total_parameters is not None
            and self.active_parameters > self.total_parameters
        ):
            raise ValidationError(
                {"active_parameters": "Active parameters cannot exceed total parameters."}
            )


class ModelAlias(NaturalKeyModel):
    """Another name a source uses for a model ("the largest version of OpenAI GPT-OSS")."""

    NATURAL_KEY = ("model__slug", "name")

    model = models.ForeignKey(AIModel, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=300)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "model aliases"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "name"],
                name="unique_alias_per_model",
                violation_error_message="This model already has that alias.",
            )
        ]

    def __str__(self):
        return self.name
