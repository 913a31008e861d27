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
    tie_mark,
)
from ..rules.averages import NORMALISED, options_key, results_of
from . import FastRowsTable
from .columns import header_attrs

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
    stating it, a claim marked; normalised, what it counts for beside it. Reads the
    inputs' Results from ``inputs`` (filled by ``SuiteTable.prepare_records``)."""

    def __init__(self, benchmark, index, normalised, inputs, **kwargs):
        self.benchmark, self.index, self.normalised = benchmark, index, normalised
        self.inputs = inputs
        super().__init__(
            verbose_name=format_html("<bdi>{}</bdi>", benchmark.name),
            accessor=f"counted__{index}",
            attrs={"td": {"class": "num"}, "th": header_attrs(**{"class": "benchmark"})},
            **kwargs,
        )

    def cell(self, record):
        result = self.inputs.get(record.result_ids[self.index])
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


class PlaceColumn(tables.Column):
    def cell(self, record):
        if record.best_place is not None and record.best_place < record.place:
            return format_html("{}{}", record.place, tie_mark(record.best_place, "averages"))
        return record.place


class ModelNameColumn(tables.Column):
    def cell(self, record):
        return format_html(
            '<a href="{}"><bdi>{}</bdi></a>', reverse("model", args=[record.slug]), record.name
        )


class AverageValueColumn(tables.Column):
    def cell(self, record):
        return average_html(record.value, record.stderr)


class ClaimsColumn(tables.Column):
    def cell(self, record):
        return f"{record.claims} of {len(record.values)}"


class SuiteTable(FastRowsTable):
    """A suite's averages (``rules.averages.Average`` rows, computed in memory), each
    row rendered once per data version, suite and options like the leaderboard's."""

    place = PlaceColumn(verbose_name="Place", attrs={"td": {"class": "num"}})
    name = ModelNameColumn(verbose_name="Model", order_by=("name",))
    value = AverageValueColumn(verbose_name="Average", attrs={"td": {"class": "num"}})
    claims = ClaimsColumn(verbose_name="Claims", attrs={"td": {"class": "num"}})

    class Meta:
        template_name = "leaderboard/table.html"
        attrs = {"class": "leaderboard", "th": header_attrs()}
        orderable = True
        empty_text = "No model has a result on every benchmark of the suite."

    def __init__(self, data, benchmarks, normalisation, independent=False, sorted_by="", **kwargs):
        """``sorted_by``: the column ``?sort=`` names; an input it names comes right
        after the model's name, so it is in view at any width (as on the
        leaderboard)."""
        self.inputs = {}
        extra = [
            (f"input_{b.slug}", InputColumn(b, i, normalisation == NORMALISED, self.inputs))
            for i, b in enumerate(benchmarks)
        ]
        if sorted_by in dict(extra):
            kwargs.setdefault("sequence", ["place", "name", sorted_by, "value", "claims", "..."])
        super().__init__(data, extra_columns=extra, **kwargs)
        # What a row shows besides the model: kept apart for other suites and options.
        self.columns["value"].column.row_key = options_key(benchmarks, normalisation, independent)
        self.caption = "Models averaged over every benchmark of the suite"

    def prepare_records(self, records):
        """The inputs' Results of the rows about to be rendered (the others' rows are
        kept rendered)."""
        self.inputs.update(results_of(records))

    @property
    def marks_ties(self):
        """Whether a shown row's place is marked as statistically tied."""
        return any(
            row.record.best_place is not None and row.record.best_place < row.record.place
            for row in (self.page.object_list if getattr(self, "page", None) else [])
        )


class AverageColumn(tables.Column):
    """The leaderboard's Average column: each model's average over ``benchmarks``
    (``rules.averages``, computed once per data version), sortable best first;
    a model without a result on every one of them shows none."""

    def __init__(self, computed, benchmarks, **kwargs):
        self.computed, self.benchmarks = computed, list(benchmarks)
        self.by_model = {}  # the averages of the rows about to be shown (``prepare``)
        names = ", ".join(b.name for b in self.benchmarks)
        how = averages_label(computed)
        super().__init__(
            verbose_name=format_html(
                'Average <small class="ranked-on">of {}</small>', len(self.benchmarks)
            ),
            accessor="pk",
            empty_values=(),
            attrs={
                "th": header_attrs(
                    title=f"{how} of {names}, computed by this site from the figures "
                    "shown; only models with a result on every one are averaged. Click to "
                    "sort highest first.",
                    **{"class": "benchmark"},
                ),
                "td": {"class": "num"},
            },
            **kwargs,
        )
        self.direction_note = "computed here"
        self.export_header = f"Average ({how.lower()} of {names}; computed by this site)"
        # What the rendered row depends on besides the row: kept apart in the row cache.
        self.row_key = options_key(
            self.benchmarks, computed.normalisation, computed.independent_only
        )

    def prepare(self, records):
        self.by_model.update(self.computed.of_models(record.pk for record in records))

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
        return self.computed.models_in_order(queryset, best_first=not is_descending), True


def averages_label(computed):
    """ "Plain mean" or "Normalised mean", as a header names the average."""
    return "Normalised mean" if computed.normalisation == NORMALISED else "Plain mean"
