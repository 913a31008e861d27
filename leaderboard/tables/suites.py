"""A suite's averages as a table: place, model, average and each input, sortable by
every column (the rows are computed in memory, ``rules.averages``, so each sort is a
sort of a list)."""

from decimal import ROUND_HALF_EVEN, Decimal

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from ..reading.presentation import (
    NO_RESULT,
    claim_badge,
    format_number,
    json_number,
    shown_figures,
)
from ..rules.averages import NORMALISED, AveragedModels
from .pager import PagerLinks

# An average without an uncertainty is shown to two decimals (its six on hover).
SHOWN_PLACES = Decimal("0.01")


def average_html(value, stderr):
    """An average as the page writes it: to its uncertainty's precision where it has
    one (``shown_figures``), else to two decimals; the figure kept on hover."""
    if stderr is not None:
        shown, uncertainty = shown_figures(value, stderr, None, None)
        text = f"{shown} {uncertainty}"
    else:
        text = f"{value.quantize(SHOWN_PLACES, rounding=ROUND_HALF_EVEN):f}"
    return format_html('<span title="{}">{}</span>', format_number(value), text)


class InputColumn(tables.Column):
    """One benchmark's input: the figure as its source states it, linked to the passage
    stating it, a claim marked; normalised, what it counts for beside it."""

    def __init__(self, benchmark, index, normalised, **kwargs):
        self.benchmark, self.index, self.normalised = benchmark, index, normalised
        super().__init__(
            verbose_name=format_html("<bdi>{}</bdi>", benchmark.name),
            accessor=f"counted__{index}",
            attrs={"td": {"class": "num"}, "th": {"class": "benchmark"}},
            **kwargs,
        )

    def render(self, record, table):
        result = table.inputs.get(record.result_ids[self.index])
        value = record.values[self.index]
        if result is None:  # written since the averages were made: shown as counted
            return format_number(value)
        badge = claim_badge(
            result.is_vendor_claim,
            result.claimed_by.name if result.claimed_by else "",
            result.source.title,
        )
        figure = format_html(
            '<a href="{}" title="Where {} states it">{}</a>{}',
            result.passage_url,
            result.source.title,
            format_number(value),
            badge,
        )
        if self.normalised:
            counted = record.counted[self.index].quantize(SHOWN_PLACES)
            return format_html('{} <span class="meta">→ {}</span>', figure, f"{counted:f}")
        return figure


class SuiteTable(PagerLinks, tables.Table):
    place = tables.Column(verbose_name="Place", attrs={"td": {"class": "num"}})
    name = tables.Column(verbose_name="Model", order_by=("name",))
    value = tables.Column(verbose_name="Average", attrs={"td": {"class": "num"}})
    claims = tables.Column(verbose_name="Claims", attrs={"td": {"class": "num"}})

    class Meta:
        template_name = "leaderboard/suite_table.html"
        attrs = {"class": "leaderboard"}
        orderable = True

    def __init__(self, data, benchmarks, normalised, **kwargs):
        extra = [
            (f"input_{b.slug}", InputColumn(b, i, normalised)) for i, b in enumerate(benchmarks)
        ]
        super().__init__(data, extra_columns=extra, **kwargs)
        self.inputs = {}

    @property
    def marks_ties(self):
        """Whether a shown row's place is marked as statistically tied."""
        return any(
            row.record.best_place is not None and row.record.best_place < row.record.place
            for row in (self.page.object_list if getattr(self, "page", None) else [])
        )

    def render_place(self, record):
        if record.best_place is not None and record.best_place < record.place:
            return format_html(
                '{} <span class="meta" title="Its interval overlaps a higher average\'s: '
                'statistically tied from place {}">≈ #{}</span>',
                record.place,
                record.best_place,
                record.best_place,
            )
        return record.place

    def render_name(self, record):
        return format_html(
            '<a href="{}"><bdi>{}</bdi></a>', reverse("model", args=[record.slug]), record.name
        )

    def render_value(self, record):
        return average_html(record.value, record.stderr)

    def render_claims(self, record):
        return f"{record.claims} of {len(record.values)}"


class AverageColumn(tables.Column):
    """The leaderboard's Average column: each model's average over ``benchmarks``
    (``rules.averages``, computed once per data version), sortable best first;
    a model without a result on every one of them shows none."""

    def __init__(self, computed, benchmarks, **kwargs):
        self.computed, self.benchmarks = computed, list(benchmarks)
        self.by_model = {average.model_id: average for average in computed.averages}
        names = ", ".join(b.name for b in self.benchmarks)
        how = averages_label(computed)
        super().__init__(
            verbose_name=format_html(
                'Average <small class="ranked-on">of {}</small>', len(self.benchmarks)
            ),
            accessor="pk",
            empty_values=(),
            attrs={
                "th": {
                    "scope": "col",
                    "class": "benchmark",
                    "title": f"{how} of {names}, computed by this site from the figures "
                    "shown; only models with a result on every one are averaged. Click to "
                    "sort highest first.",
                },
                "td": {"class": "num"},
            },
            **kwargs,
        )
        self.direction_note = "computed here"
        self.export_header = f"Average ({how.lower()} of {names}; computed by this site)"
        # What the rendered row depends on besides the row: kept apart in the row cache.
        self.row_key = (
            f"{[b.pk for b in self.benchmarks]}|{computed.normalisation}|"
            f"{computed.independent_only}"
        )

    def cell(self, record):
        average = self.by_model.get(record.pk)
        if average is None:
            return NO_RESULT
        claims = ""
        if average.claims:
            claims = format_html(
                ' <small class="claim" title="{} of its {} inputs are vendors’ claims">{} '
                "claim{}</small>",
                average.claims,
                len(average.values),
                average.claims,
                "s" if average.claims > 1 else "",
            )
        return format_html("{}{}", average_html(average.value, average.stderr), claims)

    def value(self, record):
        average = self.by_model.get(record.pk)
        return "" if average is None else format_number(average.value)

    json_key = "average"

    def typed(self, record, base_url):
        average = self.by_model.get(record.pk)
        return None if average is None else json_number(average.value)

    def order(self, queryset, is_descending):
        ordered = [average.model_id for average in self.computed.averages]
        return AveragedModels(queryset, ordered, best_first=not is_descending), True


def averages_label(computed):
    """ "Plain mean" or "Normalised mean", as a header names the average."""
    return "Normalised mean" if computed.normalisation == NORMALISED else "Plain mean"
