"""Each model's average over each suite, kept by the write path
(``leaderboard.rules.standings``) so a suite's page reads its rows in order from an
index instead of averaging every model's results on each visit."""

from django.db import models
from django.db.models import Q

from .catalogue import AIModel
from .suites import Suite

# The averages' figures: the rule keeps six places; an interval's bounds (the value
# ± 1.96 standard errors) need two more, kept whole so a tie is judged as computed.
AVERAGE_FIGURE = {"max_digits": 30, "decimal_places": 6}
BOUND_FIGURE = {"max_digits": 34, "decimal_places": 10}
GROUP = ("suite", "normalisation", "independent_only")


class Standing(models.Model):
    """One model's average over one suite, under one normalisation and with or
    without vendors' claims, exactly as ``rules.averages.suite_averages`` computes it;
    or, with no ``value``, a model with inputs on only some of the suite's benchmarks
    (``missing`` how many it lacks). Derived, never edited: every write that could
    change an average recomputes the rows it touches in the same transaction. Not
    data: backups leave it out, and a restore or a load computes it again."""

    suite = models.ForeignKey(Suite, on_delete=models.CASCADE, related_name="standings")
    normalisation = models.CharField(max_length=16)
    independent_only = models.BooleanField()
    model = models.ForeignKey(AIModel, on_delete=models.CASCADE, related_name="+")
    # The model's name: equal averages are listed by it, read in order from the index.
    name = models.CharField(max_length=200)
    value = models.DecimalField(null=True, blank=True, **AVERAGE_FIGURE)
    stderr = models.DecimalField(null=True, blank=True, **AVERAGE_FIGURE)
    # The interval a tie is judged by (the value alone where there is no stderr).
    low = models.DecimalField(null=True, blank=True, **BOUND_FIGURE)
    high = models.DecimalField(null=True, blank=True, **BOUND_FIGURE)
    claims = models.PositiveSmallIntegerField(default=0)
    missing = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=[*GROUP, "model"], name="one_standing_per_options"),
            models.CheckConstraint(
                condition=Q(value__isnull=True, missing__gt=0)
                | Q(value__isnull=False, missing=0, low__isnull=False, high__isnull=False),
                name="standing_averaged_or_missing",
            ),
        ]
        indexes = [
            # A page of averages, best first (ties by name), and the places above it.
            models.Index(
                *GROUP,
                models.F("value").desc(),
                "name",
                name="standing_order_idx",
                condition=Q(value__isnull=False),
            ),
            # Best places allowing ties: how many intervals lie wholly above one.
            models.Index(*GROUP, "low", name="standing_low_idx", condition=Q(value__isnull=False)),
            models.Index(*GROUP, name="standing_uncertain_idx", condition=Q(stderr__isnull=False)),
            # Models listed apart, fewest missing first.
            models.Index(
                *GROUP,
                "missing",
                "model",
                name="standing_incomplete_idx",
                condition=Q(value__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.name} on {self.suite_id} ({self.normalisation})"
