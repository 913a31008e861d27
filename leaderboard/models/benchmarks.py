"""Benchmarks: what they measure, their scale and direction, and their versions."""

from functools import cached_property

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from ..rules import run_settings
from ..rules.quotes import MAX_SHOTS
from .base import (
    Alias,
    LineField,
    NaturalKeyModel,
    NaturalKeyQuerySet,
    ProseField,
    refuse_conflicts,
    renamed_names,
)


class ResultKind(models.TextChoices):
    SCORE = "score", "Score on a scale"
    PERCENTAGE = "percentage", "Percentage"
    RANK = "rank", "Rank only"
    NOT_REPORTED = "not_reported", "Not reported"


class BenchmarkQuerySet(NaturalKeyQuerySet):
    def with_versions(self):
        """Benchmarks with their versions, read in one more query and kept as a list
        (``version_list``, what ``ranked_version`` reads). ``prefetch_related
        ("versions")`` made each benchmark a queryset to hold them: half of reading
        fifty benchmarks for a cold home page."""
        return self.prefetch_related(models.Prefetch("versions", to_attr="version_list"))


class Benchmark(NaturalKeyModel):
    """A test models are measured on: what it measures, its scale and direction."""

    name = LineField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    measures = ProseField(
        "what it measures", blank=True, rule_label="description of what it measures"
    )
    result_kind = models.CharField(
        max_length=16, choices=ResultKind, default=ResultKind.NOT_REPORTED
    )
    unit = LineField(max_length=50, blank=True, help_text='For example "points".')
    scale_min = models.DecimalField(max_digits=15, decimal_places=6, null=True, blank=True)
    scale_max = models.DecimalField(max_digits=15, decimal_places=6, null=True, blank=True)
    random_baseline = models.DecimalField(
        max_digits=15,
        decimal_places=6,
        null=True,
        blank=True,
        help_text="The score of guessing at random, on the benchmark's scale (25 for "
        "four-way multiple choice in percent). A suite's normalised average counts "
        "from it; cite the source that states it.",
    )
    higher_is_better = models.BooleanField(
        null=True, blank=True, help_text="Leave unknown when no source says."
    )
    harness_metric = LineField(
        "metric in evaluation-harness files",
        max_length=100,
        blank=True,
        help_text="The metric lm-evaluation-harness reports for this benchmark when it "
        'gives neither acc_norm nor acc, e.g. "exact_match".',
    )
    # The setting the benchmark ranks (leaderboard.rules.run_settings), as it ranks one
    # version: an editor's choice; empty ranks results however they were measured.
    ranked_metric = LineField(
        max_length=100,
        blank=True,
        help_text="Rank only results of this metric (acc_norm, exact_match), as their "
        "sources name it. Others are shown apart, measured differently.",
    )
    ranked_metric_variant = LineField(
        "ranked metric variant or filter",
        max_length=100,
        blank=True,
        help_text="Rank only results of this variant or filter (strict-match).",
    )
    ranked_shots = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_SHOTS)],
        help_text="Rank only results with this number of shots (0 for zero-shot).",
    )
    notes = ProseField(
        blank=True, help_text="Caveats a source makes about the benchmark's results."
    )
    featured = models.BooleanField(
        default=False,
        help_text="Shown as a column on the leaderboard unless a reader picks other columns.",
    )

    history = HistoricalRecords()

    objects = BenchmarkQuerySet.as_manager()

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
            models.CheckConstraint(
                condition=Q(random_baseline__isnull=True)
                | (
                    (Q(scale_min__isnull=True) | Q(random_baseline__gte=F("scale_min")))
                    & (Q(scale_max__isnull=True) | Q(random_baseline__lt=F("scale_max")))
                ),
                name="benchmark_random_baseline_on_scale",
                violation_error_message="The random baseline lies on the scale, below its "
                "maximum.",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("benchmark", args=[self.slug])

    @cached_property
    def names(self):
        """The benchmark's name and its aliases: what a quote may call it."""
        return [self.name, *(alias.name for alias in self.aliases.all())]

    @cached_property
    def ranked_version(self):
        """The version the leaderboard ranks, or None: then the results that name no
        version. Read from the versions a page fetched with the benchmark
        (``with_versions``, or prefetched ``versions``) where it did."""
        versions = getattr(self, "version_list", None)
        if versions is None:
            versions = self.versions.all()
        return next((v for v in versions if v.is_ranked), None)

    @property
    def ranked_version_id(self):
        return self.ranked_version.pk if self.ranked_version else None

    def ranked_version_q(self, prefix=""):
        """A filter for results on the version the leaderboard ranks."""
        if self.ranked_version is None:
            return Q(**{f"{prefix}version__isnull": True})
        return Q(**{f"{prefix}version": self.ranked_version.pk})

    def ranked_q(self, prefix=""):
        """A filter for the results the leaderboard ranks: on the ranked version and
        measured as the benchmark ranks (``Result.is_comparable``)."""
        return self.ranked_version_q(prefix) & Q(**{f"{prefix}is_comparable": True})

    @property
    def ranked_setting(self):
        """The setting the benchmark ranks, as a page names it ("acc_norm, 10-shot"),
        or "" when it declares none."""
        return run_settings.setting_label(run_settings.declared(self))

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
        baseline = self.random_baseline
        if baseline is not None and (
            (self.scale_min is not None and baseline < self.scale_min)
            or (self.scale_max is not None and baseline >= self.scale_max)
        ):
            raise ValidationError(
                {"random_baseline": "The random baseline lies on the scale, below its maximum."}
            )
        if self.dependents_at_stake("name", "result_kind", "scale_min", "scale_max"):
            # A new scale, kind of result or name is checked against the results held.
            renamed_names(self)
            refuse_conflicts("__all__", self.results.conflicts_with(benchmark=self), "This change")


class BenchmarkVersion(NaturalKeyModel):
    """A version of a benchmark; scores on different versions are not comparable."""

    NATURAL_KEY = ("benchmark__slug", "name")

    benchmark = models.ForeignKey(Benchmark, on_delete=models.CASCADE, related_name="versions")
    name = LineField(max_length=50, help_text='For example "v2".')
    released_on = models.DateField(null=True, blank=True)
    is_ranked = models.BooleanField(
        "ranked on the leaderboard",
        default=False,
        help_text="The version the leaderboard ranks: scores on different versions are not "
        "comparable. When no version is ranked, the results that name no version are.",
    )

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


class BenchmarkAlias(Alias):
    """Another name for a benchmark: what a source calls it ("the AI Index") or an
    evaluation harness's task name."""

    NATURAL_KEY = ("benchmark__slug", "name")
    OWNER = "benchmark"

    benchmark = models.ForeignKey(Benchmark, on_delete=models.CASCADE, related_name="aliases")

    history = HistoricalRecords()

    class Meta(Alias.Meta):
        verbose_name_plural = "benchmark aliases"
        constraints = [
            models.UniqueConstraint(
                fields=["benchmark", "name"],
                name="unique_alias_per_benchmark",
                violation_error_message="This benchmark already has that alias.",
            )
        ]
