"""The leaderboard's data: organizations, AI models, benchmarks, and results, each
figure tied to the source that states it and the verbatim quote that says so.

Every model has a natural key (slugs, never primary keys), so fixtures load the same
on any database and loading one twice changes nothing.
"""

from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MinValueValidator
from django.db import connection, models
from django.db.models import (
    Case,
    Exists,
    F,
    FilteredRelation,
    Func,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    When,
    Window,
)
from django.db.models.functions import Rank
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .quotes import format_number, normalize_space, numbers_in, ranks_in


class HttpsURLField(models.URLField):
    """A URL field whose form assumes https:// when an editor leaves the scheme out."""

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})


def related_slug(instance, field_name):
    """The slug of the row a foreign key points to, for natural keys.

    A fixture that names a row the database lacks leaves the key unset; say which
    key, instead of Django's bare "Result has no model."
    """
    try:
        return getattr(instance, field_name).slug
    except ObjectDoesNotExist:
        raise ValueError(
            f"this {instance._meta.verbose_name} names a {field_name} that is not in the "
            "database: check the slug, and that the fixture lists that row first"
        ) from None


class SlugQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Organization(models.Model):
    """Who makes models, or claims results about them."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    website = HttpsURLField(blank=True)

    objects = SlugQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("organization", args=[self.slug])

    def natural_key(self):
        return (self.slug,)


class Source(models.Model):
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

    objects = SlugQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("source", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

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


class Openness(models.TextChoices):
    OPEN = "open", "Open"
    PARTIAL = "partial", "Partly open"
    CLOSED = "closed", "Not open"
    NOT_REPORTED = "not_reported", "Not reported"


class AIModelQuerySet(SlugQuerySet):
    def with_organization(self):
        """Models with their organization fetched in the same query."""
        return self.select_related("organization")

    def with_headline_results(self, benchmarks):
        """Models with ``headline_results``: their headline results on ``benchmarks``
        (see ``ResultQuerySet.headline``), fetched in one query for the whole page."""
        return self.prefetch_related(
            Prefetch(
                "results",
                queryset=Result.objects.headline()
                .filter(benchmark__in=benchmarks)
                .select_related("version", "source", "claimed_by"),
                to_attr="headline_results",
            )
        )

    def with_score_on(self, benchmark, prefix="score"):
        """Annotate the headline value and rank on ``benchmark`` as
        ``<prefix>_value`` and ``<prefix>_rank`` (both None without a result), through
        one indexed LEFT JOIN. Annotations already made under ``prefix`` are kept."""
        if f"{prefix}_value" in self.query.annotations:
            return self
        joined = f"{prefix}_result"
        return self.annotate(
            **{
                joined: FilteredRelation(
                    "results",
                    condition=Q(results__benchmark=benchmark, results__is_headline=True)
                    & benchmark.ranked_version_q("results__"),
                )
            }
        ).annotate(
            **{
                f"{prefix}_value": F(f"{joined}__value"),
                f"{prefix}_rank": F(f"{joined}__rank"),
            }
        )

    @staticmethod
    def score_ordering(benchmark, best_first=True, prefix="score"):
        """ORDER BY terms for ``with_score_on``: best first (or worst first), by the
        benchmark's direction; a rank without a value next; no result last either way."""
        higher_first = best_first == (benchmark.higher_is_better is not False)
        value, rank = F(f"{prefix}_value"), F(f"{prefix}_rank")
        return [
            value.desc(nulls_last=True) if higher_first else value.asc(nulls_last=True),
            rank.asc(nulls_last=True) if best_first else rank.desc(nulls_last=True),
        ]

    def ranked_on(self, benchmark, best_first=True, prefix="score"):
        """Models ordered by their headline result on ``benchmark`` (see
        ``score_ordering``), then by name."""
        return self.with_score_on(benchmark, prefix).order_by(
            *self.score_ordering(benchmark, best_first, prefix), "name"
        )

    def with_place_on(self, benchmark):
        """Annotate ``place``: each model's standard competition rank (1, 2, 2, 4)
        among these models on ``benchmark``, best first, beside ``score_value`` and
        ``score_rank``. A place means something only where one of those is set."""
        return self.with_score_on(benchmark).annotate(
            place=Window(Rank(), order_by=self.score_ordering(benchmark))
        )

    def with_result_on(self, benchmark):
        """Only models with a result on ``benchmark``'s ranked version."""
        return self.filter(
            Exists(
                Result.objects.filter(
                    benchmark.ranked_version_q(), model=OuterRef("pk"), benchmark=benchmark
                )
            )
        )


class AIModel(models.Model):
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
                for field in ["total_parameters", "active_parameters", "context_window_tokens"]
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

    def natural_key(self):
        return (self.slug,)

    def clean(self):
        if (
            self.active_parameters is not None
            and self.total_parameters is not None
            and self.active_parameters > self.total_parameters
        ):
            raise ValidationError(
                {"active_parameters": "Active parameters cannot exceed total parameters."}
            )


class ModelAliasQuerySet(models.QuerySet):
    def get_by_natural_key(self, model_slug, name):
        return self.get(model__slug=model_slug, name=name)


class ModelAlias(models.Model):
    """Another name a source uses for a model ("the largest version of OpenAI GPT-OSS")."""

    model = models.ForeignKey(AIModel, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=300)

    objects = ModelAliasQuerySet.as_manager()
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

    def natural_key(self):
        return (related_slug(self, "model"), self.name)

    natural_key.dependencies = ["leaderboard.aimodel"]


class Citation(models.Model):
    """A source and the verbatim words in it that state something."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="%(class)ss")
    quote = models.TextField(help_text="The source's words, copied exactly.")

    class Meta:
        abstract = True

    def clean(self):
        errors = {}
        if not self.quote.strip():
            errors["quote"] = "Quote the words of the source that state this."
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


class ModelCitationQuerySet(models.QuerySet):
    def get_by_natural_key(self, model_slug, attribute, source_slug):
        return self.get(model__slug=model_slug, attribute=attribute, source__slug=source_slug)


class ModelCitation(Citation):
    """Where one of a model's facts comes from."""

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

    objects = ModelCitationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["model", "attribute"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "attribute", "source"],
                name="one_citation_per_model_attribute_source",
                violation_error_message="This source is already cited for that fact.",
            ),
            models.CheckConstraint(
                condition=~Q(quote=""),
                name="model_citation_has_quote",
                violation_error_message="Quote the words of the source that state this.",
            ),
        ]

    def __str__(self):
        return f"{self.model} · {self.get_attribute_display()} · {self.source}"

    def natural_key(self):
        return (related_slug(self, "model"), self.attribute, related_slug(self, "source"))

    natural_key.dependencies = ["leaderboard.aimodel", "leaderboard.source"]

    def figure_errors(self):
        if self.attribute in self.NUMERIC_ATTRIBUTES and self.model_id:
            value = getattr(self.model, self.attribute)
            if value is not None and value not in numbers_in(self.quote):
                return {
                    "quote": f"The quote does not state {self.get_attribute_display().lower()} "
                    f"= {value}."
                }
        return {}


class ResultKind(models.TextChoices):
    SCORE = "score", "Score on a scale"
    PERCENTAGE = "percentage", "Percentage"
    RANK = "rank", "Rank only"
    NOT_REPORTED = "not_reported", "Not reported"


class Benchmark(models.Model):
    """A test models are measured on: what it measures, its scale and direction."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    measures = models.TextField("what it measures", blank=True)
    result_kind = models.CharField(
        max_length=16, choices=ResultKind, default=ResultKind.NOT_REPORTED
    )
    unit = models.CharField(max_length=50, blank=True, help_text='For example "points".')
    scale_min = models.DecimalField(max_digits=15, decimal_places=6, null=True, blank=True)
    scale_max = models.DecimalField(max_digits=15, decimal_places=6, null=True, blank=True)
    higher_is_better = models.BooleanField(
        null=True, blank=True, help_text="Leave unknown when no source says."
    )
    notes = models.TextField(
        blank=True, help_text="Caveats a source makes about the benchmark's results."
    )
    featured = models.BooleanField(
        default=False,
        help_text="Shown as a column on the leaderboard unless a reader picks other columns.",
    )

    objects = SlugQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scale_min__isnull=True)
                | Q(scale_max__isnull=True)
                | Q(scale_min__lt=F("scale_max")),
                name="benchmark_scale_min_below_max",
                violation_error_message="The scale's minimum must be below its maximum.",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("benchmark", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    @cached_property
    def ranked_version(self):
        """The version the leaderboard ranks, or None: then the results that name no
        version. Read from prefetched ``versions`` where a page fetched them."""
        return next((v for v in self.versions.all() if v.is_ranked), None)

    @property
    def ranked_version_id(self):
        return self.ranked_version.pk if self.ranked_version else None

    def ranked_version_q(self, prefix=""):
        """A filter for results on the version the leaderboard ranks."""
        if self.ranked_version is None:
            return Q(**{f"{prefix}version__isnull": True})
        return Q(**{f"{prefix}version": self.ranked_version.pk})

    @property
    def direction_label(self):
        return {True: "higher is better", False: "lower is better"}.get(
            self.higher_is_better, "direction not reported"
        )

    def clean(self):
        if (
            self.scale_min is not None
            and self.scale_max is not None
            and self.scale_min >= self.scale_max
        ):
            raise ValidationError({"scale_max": "The scale's minimum must be below its maximum."})


class BenchmarkVersionQuerySet(models.QuerySet):
    def get_by_natural_key(self, benchmark_slug, name):
        return self.get(benchmark__slug=benchmark_slug, name=name)


class BenchmarkVersion(models.Model):
    """A version of a benchmark; scores on different versions are not comparable."""

    benchmark = models.ForeignKey(Benchmark, on_delete=models.CASCADE, related_name="versions")
    name = models.CharField(max_length=50, help_text='For example "v2".')
    released_on = models.DateField(null=True, blank=True)
    is_ranked = models.BooleanField(
        "ranked on the leaderboard",
        default=False,
        help_text="The version the leaderboard ranks: scores on different versions are not "
        "comparable. When no version is ranked, the results that name no version are.",
    )

    objects = BenchmarkVersionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["benchmark", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["benchmark", "name"],
                name="unique_version_per_benchmark",
                violation_error_message="This benchmark already has that version.",
            ),
            models.UniqueConstraint(
                fields=["benchmark"],
                condition=Q(is_ranked=True),
                name="one_ranked_version_per_benchmark",
                violation_error_message="Another version of this benchmark is already ranked.",
            ),
        ]

    def __str__(self):
        return f"{self.benchmark} {self.name}"

    def natural_key(self):
        return (related_slug(self, "benchmark"), self.name)

    natural_key.dependencies = ["leaderboard.benchmark"]


class BenchmarkCitationQuerySet(models.QuerySet):
    def get_by_natural_key(self, benchmark_slug, attribute, source_slug):
        return self.get(
            benchmark__slug=benchmark_slug, attribute=attribute, source__slug=source_slug
        )


class BenchmarkCitation(Citation):
    """Where one of a benchmark's facts (or a caveat about it) comes from."""

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

    objects = BenchmarkCitationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["benchmark", "attribute"]
        constraints = [
            models.UniqueConstraint(
                fields=["benchmark", "attribute", "source"],
                name="one_citation_per_benchmark_attribute_source",
                violation_error_message="This source is already cited for that fact.",
            ),
            models.CheckConstraint(
                condition=~Q(quote=""),
                name="benchmark_citation_has_quote",
                violation_error_message="Quote the words of the source that state this.",
            ),
        ]

    def __str__(self):
        return f"{self.benchmark} · {self.get_attribute_display()} · {self.source}"

    def natural_key(self):
        return (related_slug(self, "benchmark"), self.attribute, related_slug(self, "source"))

    natural_key.dependencies = ["leaderboard.benchmark", "leaderboard.source"]


class Provenance(models.TextChoices):
    INDEPENDENT = "independent", "Independently measured"
    VENDOR_CLAIM = "vendor_claim", "Vendor's claim"


class ResultQuerySet(models.QuerySet):
    # The documented rule for which result a page shows when several sources report
    # one for the same model and benchmark: independent measurements before vendors'
    # claims, then the newest report, then the most recently entered.
    PREFERENCE = (
        F("provenance").asc(),  # "independent" sorts before "vendor_claim"
        F("reported_on").desc(nulls_last=True),
        F("pk").desc(),
    )

    def get_by_natural_key(self, model_slug, benchmark_slug, version_name, source_slug):
        return self.get(
            model__slug=model_slug,
            benchmark__slug=benchmark_slug,
            version__name=version_name or None,
            source__slug=source_slug,
        )

    def preferred_first(self):
        """Results ordered by the preference rule (see ``PREFERENCE``)."""
        return self.order_by(*self.PREFERENCE)

    def headline(self):
        """One result per model, benchmark and version: the one the rule prefers (kept
        in ``is_headline`` by ``refresh_headline`` on every save and delete)."""
        return self.filter(is_headline=True)

    def refresh_headline(self, model_id, benchmark_id, version_id):
        """Mark the preferred result of one model on one benchmark version (or on no
        named version) as the headline, and only it. Updates, not saves: no signals,
        no history rows."""
        group = self.model.objects.filter(
            model_id=model_id, benchmark_id=benchmark_id, version_id=version_id
        )
        best = group.preferred_first().values_list("pk", flat=True).first()
        group.filter(is_headline=True).exclude(pk=best).update(is_headline=False)
        if best is not None:
            group.filter(pk=best, is_headline=False).update(is_headline=True)

    def best_on(self, benchmark):
        """Headline results on ``benchmark``'s ranked version, best first (as
        ``AIModelQuerySet.score_ordering``: values by direction, then places), as the
        dicts the charts draw. Driven by the (benchmark, value) index, so the top few
        cost little however many models there are."""
        higher_first = benchmark.higher_is_better is not False
        value = (
            F("value").desc(nulls_last=True) if higher_first else F("value").asc(nulls_last=True)
        )
        return (
            self.headline()
            .filter(benchmark.ranked_version_q(), benchmark=benchmark)
            .order_by(value, F("rank").asc(nulls_last=True), "model__name")
            .values(
                "provenance",
                name=F("model__name"),
                slug=F("model__slug"),
                active_parameters=F("model__active_parameters"),
                score_value=F("value"),
                score_rank=F("rank"),
                claimer=F("claimed_by__name"),
            )
        )

    def places_on(self, benchmark, model_ids):
        """{model id: place} on ``benchmark``'s ranked version for the given models:
        standard competition places (1, 2, 2, 4), 1 + how many headline results are
        strictly better (a value by the benchmark's direction; any value beats a
        place alone; a lower place beats a higher one). One query, whose cost grows
        with the number of models asked about, not with the data."""
        ranked = self.headline().filter(benchmark.ranked_version_q(), benchmark=benchmark)
        higher = benchmark.higher_is_better is not False
        better_value = Q(value__gt=OuterRef("value")) if higher else Q(value__lt=OuterRef("value"))

        def count(condition):
            return Subquery(
                ranked.filter(condition)
                .order_by()
                .annotate(n=Func(F("pk"), function="COUNT"))
                .values("n")[:1]
            )

        return dict(
            ranked.filter(model_id__in=model_ids)
            .order_by()
            .annotate(
                place=Case(
                    When(value__isnull=False, then=count(Q(value__isnull=False) & better_value)),
                    default=count(
                        Q(value__isnull=False) | Q(value__isnull=True, rank__lt=OuterRef("rank"))
                    ),
                )
                + 1
            )
            .values_list("model_id", "place")
        )


class Result(Citation):
    """A model's result on a benchmark as one source states it: a value, a rank, or both."""

    model = models.ForeignKey(AIModel, on_delete=models.PROTECT, related_name="results")
    benchmark = models.ForeignKey(Benchmark, on_delete=models.PROTECT, related_name="results")
    version = models.ForeignKey(
        BenchmarkVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="results",
        help_text="Leave empty when the source names no version.",
    )
    value = models.DecimalField(max_digits=15, decimal_places=6, null=True, blank=True)
    rank = models.PositiveIntegerField(
        null=True, blank=True, help_text="The place the source gives, 1 for first."
    )
    reported_on = models.DateField(null=True, blank=True)
    claimed_by = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claimed_results",
        help_text="Who states the result (the article says “NVIDIA claims”).",
    )
    provenance = models.CharField(
        max_length=16, choices=Provenance, default=Provenance.VENDOR_CLAIM
    )
    is_headline = models.BooleanField(
        default=False,
        editable=False,
        help_text="The result pages show for this model and benchmark (kept up to date "
        "on every save; see ResultQuerySet.PREFERENCE).",
    )

    objects = ResultQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["benchmark", "model"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__isnull=False) | Q(rank__isnull=False),
                name="result_has_value_or_rank",
                violation_error_message="Give a value, a rank, or both.",
            ),
            models.CheckConstraint(
                condition=Q(rank__isnull=True) | Q(rank__gte=1),
                name="result_rank_at_least_one",
                violation_error_message="A rank starts at 1 (first place).",
            ),
            models.CheckConstraint(
                condition=~Q(quote=""),
                name="result_has_quote",
                violation_error_message="Quote the words of the source that state this result.",
            ),
            # Two partial constraints rather than one: NULL versions never collide
            # in a plain unique index, on SQLite or PostgreSQL.
            models.UniqueConstraint(
                fields=["model", "benchmark", "version", "source"],
                condition=Q(version__isnull=False),
                name="one_result_per_model_benchmark_version_source",
                violation_error_message="This source already has a result for this model, "
                "benchmark and version.",
            ),
            models.UniqueConstraint(
                fields=["model", "benchmark", "version"],
                condition=Q(is_headline=True, version__isnull=False),
                name="one_headline_result_per_model_benchmark_version",
            ),
            models.UniqueConstraint(
                fields=["model", "benchmark"],
                condition=Q(is_headline=True, version__isnull=True),
                name="one_headline_unversioned_result_per_model_benchmark",
            ),
            models.UniqueConstraint(
                fields=["model", "benchmark", "source"],
                condition=Q(version__isnull=True),
                name="one_unversioned_result_per_model_benchmark_source",
                violation_error_message="This source already has a result for this model "
                "and benchmark.",
            ),
        ]
        indexes = [
            models.Index(fields=["benchmark", "value"], name="result_benchmark_value_idx"),
            # The partial unique indexes above cannot serve lookups that ignore version.
            models.Index(fields=["model", "benchmark"], name="result_model_benchmark_idx"),
            # Headline results by value: rankings, charts, places (ResultQuerySet.places_on).
            models.Index(
                fields=["benchmark", "version", "value"],
                condition=Q(is_headline=True),
                name="headline_benchmark_value_idx",
            ),
        ]

    def __str__(self):
        return f"{self.model} · {self.benchmark}: {self.display_value}"

    def natural_key(self):
        version = self.version.name if self.version_id else ""
        return (
            related_slug(self, "model"),
            related_slug(self, "benchmark"),
            version,
            related_slug(self, "source"),
        )

    natural_key.dependencies = [
        "leaderboard.aimodel",
        "leaderboard.benchmark",
        "leaderboard.benchmarkversion",
        "leaderboard.source",
    ]

    @property
    def display_value(self):
        """The value as the source writes it, else the place ("#1")."""
        if self.value is not None:
            return format_number(self.value)
        return f"#{self.rank}"

    @property
    def is_vendor_claim(self):
        return self.provenance == Provenance.VENDOR_CLAIM

    def clean(self):
        errors = {}
        try:
            super().clean()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if self.value is None and self.rank is None:
            errors.setdefault("value", []).append("Give a value, a rank, or both.")
        if self.rank is not None and self.rank < 1:
            errors.setdefault("rank", []).append("A rank starts at 1 (first place).")
        if self.benchmark_id:
            benchmark = self.benchmark
            if self.version_id and self.version.benchmark_id != benchmark.pk:
                errors.setdefault("version", []).append(
                    f"{self.version} is not a version of {benchmark}."
                )
            if self.value is not None:
                if benchmark.result_kind == ResultKind.RANK:
                    errors.setdefault("value", []).append(
                        f"{benchmark} gives ranks only: leave the value empty."
                    )
                if benchmark.scale_min is not None and self.value < benchmark.scale_min:
                    errors.setdefault("value", []).append(
                        f"Below {benchmark}'s scale, which starts at "
                        f"{format_number(benchmark.scale_min)}."
                    )
                if benchmark.scale_max is not None and self.value > benchmark.scale_max:
                    errors.setdefault("value", []).append(
                        f"Above {benchmark}'s scale, which ends at "
                        f"{format_number(benchmark.scale_max)}."
                    )
        if self.provenance == Provenance.VENDOR_CLAIM and not self.claimed_by_id:
            errors.setdefault("claimed_by", []).append("Name the vendor whose claim this is.")
        if errors:
            raise ValidationError(errors)

    def figure_errors(self):
        errors = {}
        if self.value is not None and self.value not in numbers_in(self.quote):
            errors["value"] = f"The quote does not state {format_number(self.value)}."
        if self.rank is not None and self.rank not in ranks_in(self.quote) | numbers_in(
            self.quote
        ):
            errors["rank"] = f"The quote does not state place {self.rank}."
        return errors


class DataVersion(models.Model):
    """One row that counts writes to the leaderboard's data.

    Every save or delete of a leaderboard row (admin, fixtures, imports) bumps it in
    the same transaction, so public pages can be cached, and answered with 304 Not
    Modified, under the version they were built from, and never serve stale data.
    """

    version = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"data version {self.version} ({self.changed_at:%Y-%m-%d %H:%M:%S})"

    @classmethod
    def current(cls):
        """The current version, or an unsaved version 0 before any write. Raw SQL:
        every public request asks, and the ORM's query building cost more than the
        query itself."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT version, changed_at FROM {cls._meta.db_table} WHERE id = 1")
            row = cursor.fetchone()
        if row is None:
            return cls(pk=1, version=0, changed_at=datetime(2000, 1, 1, tzinfo=UTC))
        version, changed_at = row
        if isinstance(changed_at, str):  # SQLite keeps datetimes as text
            changed_at = datetime.fromisoformat(changed_at)
        if timezone.is_naive(changed_at):
            changed_at = changed_at.replace(tzinfo=UTC)
        return cls(pk=1, version=version, changed_at=changed_at)

    @classmethod
    def bump(cls):
        now = timezone.now()
        if not cls.objects.filter(pk=1).update(version=F("version") + 1, changed_at=now):
            cls.objects.get_or_create(pk=1, defaults={"version": 1, "changed_at": now})
