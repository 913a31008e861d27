"""Where facts come from: sources, and citations that quote them word for word."""

import hashlib
from functools import cached_property
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from ..reading.passages import passage_url
from ..rules.quotes import mentions, normalize_space, numbers_in, quote_anchor
from .base import HttpsURLField, LineField, NaturalKeyModel, ProseField, refuse_conflicts
from .benchmarks import Benchmark
from .catalogue import AIModel


class Source(NaturalKeyModel):
    """Where facts come from: an article, a paper, a leaderboard page, a results file.

    Its text is kept in the database (``kept_text``, pasted or uploaded by an editor,
    with its SHA-256) or, for the seed article, in a file under ``seeds/``
    (``seed_file``). Where the text is kept, every quote taken from the source must
    stand in it word for word; a source without kept text is shown as unverified.
    """

    title = LineField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True)
    publisher = LineField(max_length=200, blank=True)
    published_on = models.DateField(
        null=True, blank=True, help_text="Leave empty when the source gives no date."
    )
    url = HttpsURLField(
        "URL", max_length=500, blank=True, help_text="Leave empty when none is known."
    )
    kept_text = ProseField(
        "text",
        blank=True,
        help_text="The source's full text, pasted or uploaded, so that every quote from "
        "it is checked word for word and readers can read it here.",
    )
    kept_text_sha256 = models.CharField(
        "SHA-256 of the text", max_length=64, blank=True, editable=False
    )
    seed_file = LineField(
        max_length=300,
        blank=True,
        help_text="Path under seeds/ of a file that keeps the source's text (the seed "
        "article); leave empty when the text is pasted above.",
    )
    about_model = models.ForeignKey(
        AIModel,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Set when the whole source is about one model and names it (an "
        "evaluation harness's results file): its quotes need not repeat the name.",
    )
    about_benchmark = models.ForeignKey(
        Benchmark,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Set when the whole source is about one benchmark and names it.",
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
        """The kept file's path, or None when it is unset or would leave seeds/."""
        if not self.seed_file:
            return None
        seeds = Path(settings.SEEDS_DIR).resolve()
        path = (seeds / self.seed_file).resolve()
        if seeds not in path.parents:
            return None
        return path

    @cached_property
    def raw_text(self):
        """The source's kept text as kept, or "" when none is kept or it is unreadable."""
        if self.kept_text:
            return self.kept_text
        path = self.seed_path
        if path is None or not path.is_file():
            return ""
        return path.read_text(encoding="utf-8")

    @cached_property
    def text(self):
        """The source's kept text with whitespace collapsed, or "" when none is kept."""
        return normalize_space(self.raw_text)

    @property
    def is_verifiable(self):
        """Whether quotes from this source are checked against a kept text (without
        reading it: ``clean()`` refuses a seed file that is not there)."""
        return bool(self.kept_text or self.seed_file)

    @property
    def text_sha256(self):
        """The SHA-256 of the kept text (pasted or in its seed file), or ""."""
        return text_digest(self.raw_text)

    def states(self, quote):
        """Whether the kept text contains the quote word for word."""
        return normalize_space(quote) in self.text

    def clean(self):
        errors = {}
        self.kept_text_sha256 = text_digest(self.kept_text)
        if self.seed_file:
            path = self.seed_path
            if path is None or not path.is_file():
                errors["seed_file"] = f"No file named {self.seed_file!r} in seeds/."
        for field, subject in (
            ("about_model", self.about_model if self.about_model_id else None),
            ("about_benchmark", self.about_benchmark if self.about_benchmark_id else None),
        ):
            if subject is not None and field not in errors:
                if not self.text:
                    errors[field] = (
                        f"Keep the source's text first: it must name {subject} for its "
                        "quotes to be read as about it."
                    )
                elif not mentions(self.text, subject.names):
                    errors[field] = f"The source's text does not name {subject}."
        if errors:
            raise ValidationError(errors)
        if self.dependents_at_stake(
            "kept_text", "seed_file", "publisher", "about_model_id", "about_benchmark_id"
        ):
            # A new text, subject or publisher (which may name a claimer) is checked
            # against every quote taken from the source.
            self.__dict__.pop("raw_text", None)
            self.__dict__.pop("text", None)
            refuse_conflicts(
                "kept_text",
                [
                    *self.results.conflicts_with(source=self),
                    *self.modelcitations.conflicts_with(source=self),
                    *self.benchmarkcitations.conflicts_with(source=self),
                ],
                "This change",
            )

    def loaded_errors(self):
        """For a row read from a file (fixture, backup): a text that no longer matches
        the SHA-256 recorded beside it was changed outside the site."""
        if (
            self.kept_text
            and self.kept_text_sha256
            and text_digest(self.kept_text) != self.kept_text_sha256
        ):
            return {
                "kept_text": "The text does not match its recorded SHA-256: it was "
                "changed outside the site."
            }
        return {}

    def save(self, *args, **kwargs):
        self.kept_text_sha256 = text_digest(self.kept_text)
        super().save(*args, **kwargs)


def text_digest(text):
    """The SHA-256 of a text, or "" for no text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest() if text else ""


QUOTE_MISSING = "Quote the words of the source that state this."


class Citation(NaturalKeyModel):
    """A source and the verbatim words in it that state something. The rule every
    citation keeps: a quote, standing word for word in the source's kept text, that
    states the figures it backs (``figure_errors``)."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="%(class)ss")
    quote = ProseField(help_text="The source's words, copied exactly.")

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=~Q(quote=""),
                name="%(class)s_has_quote",
                violation_error_message=QUOTE_MISSING,
            ),
        ]

    @property
    def anchor(self):
        """The fragment of the source page where this quote is marked."""
        return quote_anchor(self.quote)

    @property
    def passage_url(self):
        """The source page, at this quote's passage."""
        return passage_url(self.source.get_absolute_url(), self.quote)

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
        HF_REPOSITORY = "hf_repository", "Hugging Face repository"
        MODEL_CARD_URL = "model_card_url", "Model card"
        WEIGHTS_URL = "weights_url", "Weights"
        PAPER_URL = "paper_url", "Paper"
        DESCRIPTION = "description", "Description"

    # Attributes holding a number that the quote must state.
    NUMERIC_ATTRIBUTES = {"total_parameters", "active_parameters", "context_window_tokens"}
    # Attributes holding a link that the quote, or the source's own address, must give.
    LINK_ATTRIBUTES = {"model_card_url", "weights_url", "paper_url"}

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
        if self.attribute == "hf_repository" and self.model_id:
            repository = self.model.hf_repository
            if repository and not (
                (self.source_id and same_link(f"huggingface.co/{repository}", self.source.url))
                or repository.lower() in self.quote.lower()
            ):
                return {
                    "quote": f"Neither the quote nor the source's address names the Hugging "
                    f"Face repository {repository}."
                }
        if self.attribute in self.LINK_ATTRIBUTES and self.model_id:
            link = getattr(self.model, self.attribute)
            if link and not (
                (self.source_id and same_link(link, self.source.url))
                or bare_link(link) in bare_link(self.quote)
            ):
                return {
                    "quote": f"Neither the quote nor the source's address gives the "
                    f"{self.get_attribute_display().lower()} link {link}."
                }
        return {}


def bare_link(text):
    """Text with links compared as people copy them: no scheme, no "www.", no
    trailing slash, any case."""
    text = text.strip().lower()
    for prefix in ("https://", "http://"):
        text = text.replace(prefix, "")
    return text.replace("www.", "").rstrip("/")


def same_link(a, b):
    return bool(a and b) and bare_link(a) == bare_link(b)


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
        RANDOM_BASELINE = "random_baseline", "Random baseline"
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

    def figure_errors(self):
        if self.attribute == self.Attribute.RANDOM_BASELINE and self.benchmark_id:
            baseline = self.benchmark.random_baseline
            if baseline is not None and baseline not in numbers_in(self.quote):
                return {"quote": f"The quote does not state the random baseline {baseline}."}
        return {}
