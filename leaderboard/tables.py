"""The leaderboard's tables. Every column sorts in the database, with missing
values last in both directions."""

import django_tables2 as tables
from django.db.models import Case, F, OuterRef, Subquery, Value, When
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .models import AIModel, Openness, Result
from .quotes import format_number

NOT_REPORTED = mark_safe('<span class="not-reported">not reported</span>')
NO_RESULT = mark_safe('<span class="no-result" title="No result reported">—</span>')


def humanize_count(number):
    """128000000000 as "128B", 1000000 as "1M"; the exact number stays in the title."""
    for size, suffix in ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "K")):
        if number >= size:
            short = format_number(round(number / size, 1)).removesuffix(".0")
            return format_html('<span title="{}">{}{}</span>', f"{number:,}", short, suffix)
    return f"{number:,}"


class NullsLastColumn(tables.Column):
    """A column over a nullable field whose empty cells sort last both ways."""

    def order(self, queryset, is_descending):
        field = F(self.order_by[0].bare if self.order_by else self.accessor.replace(".", "__"))
        ordering = field.desc(nulls_last=True) if is_descending else field.asc(nulls_last=True)
        return queryset.order_by(ordering, "name"), True


class CountColumn(NullsLastColumn):
    """A count of parameters or tokens, shortened for reading."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", NOT_REPORTED)
        kwargs.setdefault("attrs", {"td": {"class": "num"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return humanize_count(value)


class OpennessColumn(tables.Column):
    """What is open; sorts most open first when descending, "not reported" last."""

    RANKING = [Openness.OPEN, Openness.PARTIAL, Openness.CLOSED]

    def order(self, queryset, is_descending):
        field = self.accessor
        openness = Case(
            *(When(**{field: value}, then=Value(i)) for i, value in enumerate(self.RANKING)),
            default=None,
        )
        key = F("sort_openness")
        return (
            queryset.annotate(sort_openness=openness).order_by(
                key.asc(nulls_last=True) if is_descending else key.desc(nulls_last=True),
                "name",
            ),
            True,
        )

    def render(self, record, value):
        return format_html(
            '<span class="openness openness-{}">{}</span>',
            getattr(record, self.accessor),
            value,
        )


class BenchmarkColumn(tables.Column):
    """One benchmark's headline results (see ``ResultQuerySet.headline``).

    Cells read the page's prefetched ``headline_results``; sorting annotates the
    sorted benchmark's preferred value and rank only.
    """

    def __init__(self, benchmark, **kwargs):
        self.benchmark = benchmark
        direction = {True: "higher is better", False: "lower is better"}.get(
            benchmark.higher_is_better, "direction not reported"
        )
        super().__init__(
            verbose_name=benchmark.name,
            accessor="pk",
            empty_values=(),
            attrs={
                "th": {"title": f"{benchmark.name}: {direction}"},
                "td": {"class": "num"},
            },
            **kwargs,
        )

    def render(self, record):
        result = next(
            (r for r in record.headline_results if r.benchmark_id == self.benchmark.pk),
            None,
        )
        if result is None:
            return NO_RESULT
        claim = ""
        if result.is_vendor_claim:
            claim = format_html(
                ' <small class="claim" title="{}">{}</small>',
                f"{result.claimed_by}'s claim — source: {result.source}",
                f"{result.claimed_by}'s claim",
            )
        version = f" ({result.version.name})" if result.version_id else ""
        return format_html("{}{}{}", result.display_value, version, claim)

    def order(self, queryset, is_descending):
        """Ascending means best first (higher values first unless the benchmark says
        lower is better), as a leaderboard reader expects from the first click."""
        preferred = Result.objects.filter(
            model=OuterRef("pk"), benchmark=self.benchmark
        ).preferred_first()
        queryset = queryset.annotate(
            sort_value=Subquery(preferred.values("value")[:1]),
            sort_rank=Subquery(preferred.values("rank")[:1]),
        )
        best_first = not is_descending
        higher_first = best_first == (self.benchmark.higher_is_better is not False)
        value, rank = F("sort_value"), F("sort_rank")
        return (
            queryset.order_by(
                value.desc(nulls_last=True) if higher_first else value.asc(nulls_last=True),
                # A place without a value (rank only) still sorts ahead of no result.
                rank.asc(nulls_last=True) if best_first else rank.desc(nulls_last=True),
                "name",
            ),
            True,
        )


class LeaderboardTable(tables.Table):
    name = tables.Column("Model", attrs={"th": {"scope": "col"}})
    organization = tables.Column(order_by=("organization__name",))
    total_parameters = CountColumn("Total parameters")
    active_parameters = CountColumn("Active parameters")
    context_window_tokens = CountColumn("Context window (tokens)")
    open_weights = OpennessColumn("Open weights")
    open_training_data = OpennessColumn("Open data")
    open_training_code = OpennessColumn("Open recipe")

    class Meta:
        model = AIModel
        fields = ()
        sequence = (
            "name",
            "organization",
            "total_parameters",
            "active_parameters",
            "context_window_tokens",
            "open_weights",
            "open_training_data",
            "open_training_code",
            "...",
        )
        order_by = ("name",)
        attrs = {"class": "leaderboard"}
        empty_text = "No models yet."

    @staticmethod
    def benchmark_columns(benchmarks):
        """(name, column) pairs for ``extra_columns``. The "benchmark-" prefix keeps a
        benchmark's sort key apart from every fixed column's."""
        return [(f"benchmark-{b.slug}", BenchmarkColumn(b)) for b in benchmarks]
