"""Suites: sets of benchmarks an editor groups so the site can average a model's
results on them (``leaderboard.rules.averages``). A suite states no figure of its
own: its average is computed by this site from the results shown, never stored."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .base import LineField, NaturalKeyModel, ProseField
from .benchmarks import Benchmark, ResultKind

# Kinds of result a mean can be taken of: figures, not places alone.
AVERAGED_KINDS = (ResultKind.SCORE, ResultKind.PERCENTAGE)


class Suite(NaturalKeyModel):
    """A set of benchmarks averaged together, each counted in the setting it ranks
    (``Benchmark.ranked_setting``: what "like with like" compares)."""

    name = LineField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    description = ProseField(
        blank=True,
        help_text="What the suite is for, and whose set it follows (for example the "
        "Open LLM Leaderboard v1's six benchmarks).",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("suite", args=[self.slug])


def averaging_errors(benchmark):
    """Why ``benchmark``'s results cannot enter an average, as sentences ([] when
    they can): a mean of figures needs figures, where higher is better."""
    errors = []
    if benchmark.result_kind not in AVERAGED_KINDS:
        errors.append(
            f"{benchmark} gives {benchmark.get_result_kind_display().lower()}: an average "
            "needs scores or percentages."
        )
    if benchmark.higher_is_better is not True:
        direction = (
            "lower is better"
            if benchmark.higher_is_better is False
            else "no source states its direction"
        )
        errors.append(f"{benchmark}: {direction}; an average needs higher to be better.")
    return errors


class SuiteMember(NaturalKeyModel):
    """One benchmark of a suite, at its place in the suite's order."""

    NATURAL_KEY = ("suite__slug", "benchmark__slug")

    suite = models.ForeignKey(Suite, on_delete=models.CASCADE, related_name="members")
    benchmark = models.ForeignKey(
        Benchmark, on_delete=models.PROTECT, related_name="suite_memberships"
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Order on the suite's page.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["suite", "position", "benchmark__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["suite", "benchmark"],
                name="one_membership_per_suite_benchmark",
                violation_error_message="This benchmark is already in the suite.",
            ),
        ]

    def __str__(self):
        return f"{self.suite} · {self.benchmark}"

    def clean(self):
        if self.benchmark_id:
            errors = averaging_errors(self.benchmark)
            if errors:
                raise ValidationError({"benchmark": errors})
