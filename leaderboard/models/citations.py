"""Where facts come from: sources, and citations that quote them word for word."""

from functools import cached_property
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from ..quotes import normalize_space, numbers_in
from .base import HttpsURLField, NaturalKeyModel
from .benchmarks import Benchmark
from .catalogue import AIModel


class Source(NaturalKeyModel):
    """Where facts come from: an article, a paper, a leaderboard page.

    When the source's text is kept in the project (``seed_file``, a path under
    ``seeds/``), every quote taken from it must stand in it word for word.
    """

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True)
    publisher = models.CharField(max_length=200, blank=True)
    published_on = models.DateField(
        null=True, blank=True, help_text="Leave empty when the source gives no date."
    )
    url = HttpsURLField(
        "URL", max_length=500, blank=True, help_text="Leave empty when none is known."
    )
    seed_file = models.CharField(
        max_length=300,
        blank=True,
        help_text="Path under seeds/ of the file that keeps the source's text.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("source", args=[self.slug])

    @property
    def seed_path(self):
        """The kept text's path, or None when it is unset or would leave seeds/."""
        if not self.seed_file:
            return None
        seeds = Path(settings.SEEDS_DIR).resolve()
        path = (seeds / self.seed_file).resolve()
        if seeds not in path.parents:
            return None
        return path

    @cached_property
    def text(self):
        """The source's kept text with whitespace collapsed, or "" when none is kept."""
        path = self.seed_path
        if path is None or not path.is_file():
            return ""
        return normalize_space(path.read_text(encoding="utf-8"))

    def states(self, quote):
        """Whether the kept text contains the quote word for word."""
        return normalize_space(quote) in self.text

    def clean(self):
        if self.seed_file:
            path = self.seed_path
            if path is None or not path.is_file():
                raise ValidationError(
                    {"seed_file": f"No file named {self.seed_file!r} in seeds/."}
                )


QUOTE_MISSING = "Quote the words of the source that state this."


class Citation(NaturalKeyModel):
    """A source and the verbatim words in it that state something. The rule every
    citation keeps: a quote, standing word for word in the source's kept text, that
    states the figures it backs (``figure_errors``)."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="%(class)ss")
    quote = models.TextField(help_text="The source's words, copied exactly.")

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=~Q(quote=""),
                name="%(class)s_has_quote",
                violation_error_message=QUOTE_MISSING,
            ),
        ]

    def clean(self):
        errors = {}
        if not self.quote.strip():
            errors["quote"] = QUOTE_MISSING
        elif self.source_id and not self.source.text and self.source.seed_file:
            errors["source"] = "The source's kept text cannot be read."
        elif self.source_id and self.source.text and not self.source.states(self.quote):
            errors["quote"] = (
                f"This quote is not in the text of {self.source}: copy it word for word."
            )
        errors.update(self.figure_errors())
        if errors:
            raise ValidationError(errors)

    def figure_errors(self):
        """Errors for figures that the quote does not state; none by default."""
        return {}


class ModelCitation(Citation):
    """Where one of a model's facts comes from."""

    NATURAL_KEY = ("model__slug", "attribute", "source__slug")

    class Attribute(models.TextChoices):
        NAME = "name", "Name"
        ORGANIZATION = "organization", "Organization"
        ALIASES = "aliases", "Aliases"
        RELEASE_DATE = "release_date", "Release date"
        TOTAL_PARAMETERS = "total_parameters", "Total parameters"
        ACTIVE_PARAMETERS = "active_parameters", "Active parameters"
        CONTEXT_WINDOW_TOKENS = "context_window_tokens", "Context window"
        OPEN_WEIGHTS = "open_weights", "Open weights"
        OPEN_TRAINING_DATA = "open_training_data", "Open training data"
        OPEN_TRAINING_CODE = "open_training_code", "Open training code or recipe"
        LICENSE = "license", "Licence"
        DESCRIPTION = "description", "Description"

    # Attributes holding a number that the quote must state.
    NUMERIC_ATTRIBUTES = {"total_parameters", "active_parameters", "context_window_tokens"}

    model = models.ForeignKey(AIModel, on_delete=models.CASCADE, related_name="citations")
    attribute = models.CharField(max_length=32, choices=Attribute)

    history = HistoricalRecords()

    class Meta(Citation.Meta):
        ordering = ["model", "attribute"]
        constraints = [
            *Citation.Meta.constraints,
            models.UniqueConstraint(
                fields=["model", "attribute", "source"],
                name="one_citation_per_model_attribute_source",
                violation_error_message="This source is already cited for that fact.",
            ),
        ]

    def __str__(self):
        return f"{self.model} · {self.get_attribute_display()} · {self.source}"

    def figure_errors(self):
        if self.attribute in self.NUMERIC_ATTRIBUTES and self.model_id:
            value = getattr(self.model, self.attribute)
            if value is not None and value not in numbers_in(self.quote):
                return {
                    "quote": f"The quote does not state {self.get_attribute_display().lower()} "
                    f"= {value}."
                }
        return {}


class BenchmarkCitation(Citation):
    """Where one of a benchmark's facts (or a caveat about it) comes from."""

    NATURAL_KEY = ("benchmark__slug", "attribute", "source__slug")

    class Attribute(models.TextChoices):
        NAME = "name", "Name"
        MEASURES = "measures", "What it measures"
        RESULT_KIND = "result_kind", "Kind of result"
        UNIT = "unit", "Unit"
        SCALE = "scale", "Scale"
        DIRECTION = "higher_is_better", "Direction"
        NOTES = "notes", "Notes"

    benchmark = models.ForeignKey(Benchmark, on_delete=models.CASCADE, related_name="citations")
    attribute = models.CharField(max_length=32, choices=Attribute)

    history = HistoricalRecords()

    class Meta(Citation.Meta):
        ordering = ["benchmark", "attribute"]
        constraints = [
            *Citation.Meta.constraints,
            models.UniqueConstraint(
                fields=["benchmark", "attribute", "source"],
                name="one_citation_per_benchmark_attribute_source",
                violation_error_message="This source is already cited for that fact.",
            ),
        ]

    def __str__(self):
        return f"{self.benchmark} · {self.get_attribute_display()} · {self.source}"
