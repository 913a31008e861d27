"""What changed in the results, newest first: the history django-simple-history keeps
of every result (``Result.history``), read for the changes page and the Atom feed.

Each history row is one change: "+" added, "~" changed, "-" removed, with the
result's fields as they stood after it (for a removal, as they stood when removed).
A change shows its figure the way the site does (the value, or "#1" for a place
alone) and, for a change, the figure before it: the previous history rows of a
page's changed results are read in one more query (``with_previous``), whatever the
page's length. Results a fixture loaded have the "+" row ``loaddata`` records (see
``leaderboard.rules.writes.record_loaded_history``). Results stored before that, or saved
with no history row at all, were given one "+" row by migration 0017, dated when it
ran, its reason "Recorded when the history began: …". Results bulk-inserted by
``make_demo_data`` still have no history and do not appear: on a fresh database that
migration runs before there is any demo data.
"""

import re
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property

from django.db.models import F, Window
from django.db.models.functions import Lead
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from ..models import AIModel, Benchmark, Provenance, Result
from ..rules import run_settings
from ..rules.writes import DERIVED
from .passages import passage_url
from .presentation import CLAIM_WORDS, INDEPENDENT, UNNAMED_CLAIM, figure_text

HistoricalResult = Result.history.model

KINDS = {"+": "Added", "~": "Changed", "-": "Removed"}

# The filters the page and the feed take from the query string: the parameter, also
# what a row is called in messages, and its model.
FILTERS = {"benchmark": Benchmark, "model": AIModel}
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,200}\Z")
# Fields a history row tracks that are no part of what a change says: the row's id
# and the marks writes derive (re-marked by updates that write no history).
UNCOMPARED = {"id", *DERIVED}


class BadFilter(ValueError):
    """A query string value the changes page and feed cannot use."""


def read_filters(query):
    """The rows the query string filters on ({"benchmark": Benchmark, ...}) and a
    sentence for each value that cannot be used (not a slug, or no such row). One
    query per filter given."""
    chosen, problems = {}, []
    for parameter, model in FILTERS.items():
        # A form's empty field (``?model=``) chooses nothing.
        values = [value for value in query.getlist(parameter) if value.strip()]
        if not values:
            continue
        label = parameter
        if len(values) > 1:
            problems.append(f"{parameter.capitalize()}: give one {label}, not {len(values)}.")
            continue
        value = values[0]
        shown = shorten(value)
        if not SLUG.match(value):
            problems.append(f"{parameter.capitalize()} {shown}: not a {label}'s slug.")
            continue
        row = model.objects.filter(slug=value).only("pk", "slug", "name").first()
        if row is None:
            problems.append(f"{parameter.capitalize()} {shown}: no {label} has that slug.")
            continue
        chosen[parameter] = row
    return chosen, problems


def shorten(value, limit=40):
    """A value from the query string, quoted, cut short if long."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


def records(benchmark=None, model=None):
    """Every history row of every result, newest first, with what a change shows."""
    rows = HistoricalResult.objects.select_related(
        "model", "benchmark", "version", "source", "claimed_by"
    ).order_by("-history_date", "-history_id")
    if benchmark is not None:
        rows = rows.filter(benchmark_id=benchmark.pk)
    if model is not None:
        rows = rows.filter(model_id=model.pk)
    return rows


def with_previous(rows):
    """``Change``s for these history rows (one page), each change ("~") with the
    history row before it: one query for the whole page, none when it has no
    change."""
    rows = list(rows)
    changed = [row.history_id for row in rows if row.history_type == "~"]
    previous = {}
    if changed:
        # Each row of those results' history with the id of the row after it; the
        # rows followed by one of the page's changes are what they changed from.
        before = (
            HistoricalResult.objects.filter(
                id__in={row.id for row in rows if row.history_type == "~"}
            )
            .annotate(
                next_history_id=Window(
                    Lead("history_id"),
                    partition_by=[F("id")],
                    order_by=[F("history_date").asc(), F("history_id").asc()],
                )
            )
            .filter(next_history_id__in=changed)
        )
        previous = {row.next_history_id: row for row in before}
    return [Change(row, previous.get(row.history_id)) for row in rows]


def compared_fields():
    return [field for field in HistoricalResult.tracked_fields if field.name not in UNCOMPARED]


@dataclass
class Change:
    """One history row of a result, and the row before it for a change."""

    record: object
    previous: object = None

    @property
    def history_id(self):
        return self.record.history_id

    @property
    def when(self):
        return self.record.history_date

    @property
    def kind(self):
        return KINDS.get(self.record.history_type, self.record.history_type)

    @property
    def reason(self):
        return self.record.history_change_reason or ""

    @property
    def model(self):
        """The model, or None when it was deleted since."""
        return self.record.model

    @property
    def benchmark(self):
        return self.record.benchmark

    @property
    def version(self):
        return self.record.version

    @property
    def ranking_before_url(self):
        """The benchmark's page as it stood at the end of the day before the change
        (``?as_of=``), or None when the benchmark was deleted since."""
        if self.benchmark is None:
            return None
        day_before = timezone.localtime(self.when).date() - timedelta(days=1)
        return f"{self.benchmark.get_absolute_url()}?as_of={day_before.isoformat()}"

    @property
    def source(self):
        return self.record.source

    @property
    def quote(self):
        return self.record.quote

    @property
    def figure(self):
        return figure_text(self.record.value, self.record.rank)

    @property
    def measured_as(self):
        """How the figure was measured, as its source states it ("acc_norm, 10-shot"),
        or "" where it records no setting (``run_settings.description``)."""
        return run_settings.description(self.record)

    @cached_property
    def old_figure(self):
        """The figure before a change, when the change changed it; else None."""
        if self.previous is None:
            return None
        old = figure_text(self.previous.value, self.previous.rank)
        return old if old != self.figure else None

    @cached_property
    def other_changes(self):
        """The names of the fields a change changed besides the figure it shows."""
        if self.previous is None:
            return []
        shown = set()
        if self.old_figure is not None:
            shown = {
                "value" if row.value is not None else "rank"
                for row in (self.record, self.previous)
            }
        return [
            str(field.verbose_name)
            for field in compared_fields()
            if field.name not in shown
            and getattr(self.record, field.attname) != getattr(self.previous, field.attname)
        ]

    @property
    def changed_nothing(self):
        """A change ("~") after which every field reads as before (a form saved as it
        was)."""
        return self.previous is not None and self.old_figure is None and not self.other_changes

    @property
    def is_vendor_claim(self):
        return self.record.provenance == Provenance.VENDOR_CLAIM

    @property
    def claimer(self):
        return self.record.claimed_by

    @property
    def whose(self):
        """Whose claim this is, as the site says it."""
        return self.whose_shown(plain_name, str.format)

    def whose_shown(self, show_name, fill):
        """``whose``, its claimer's name shown by ``show_name`` (see ``titled``)."""
        if self.is_vendor_claim:
            return fill(CLAIM_WORDS, show_name(self.claimer)) if self.claimer else UNNAMED_CLAIM
        return INDEPENDENT if self.record.provenance else ""

    @property
    def passage_url(self):
        """The source page at the quote's passage, or None when the source is gone."""
        if self.source is None:
            return None
        return passage_url(self.source.get_absolute_url(), self.quote)

    @property
    def model_name(self):
        return self.model.name if self.model else "A model since deleted"

    @property
    def benchmark_name(self):
        return self.benchmark.name if self.benchmark else "a benchmark since deleted"

    @property
    def title(self):
        """One line: "Nemotron 3 Super on AI Index composite score: 37 (NVIDIA’s
        claim)", "… changed 33 → 35 (…)", "… removed: 37"."""
        return self.titled(plain_name, str.format)

    @property
    def title_html(self):
        """``title`` as HTML, each name isolated in ``<bdi>``: a name holding a
        right-to-left override (stored before names refused them) cannot reverse the
        words after it."""
        return self.titled(isolated_name, format_html)

    def titled(self, show_name, fill):
        """The title, each name (model, benchmark, version, claimer) shown by
        ``show_name`` and the words around them put in by ``fill`` (``str.format`` for
        text, ``format_html`` for HTML)."""
        subject = fill("{} on {}", show_name(self.model_name), show_name(self.benchmark_name))
        if self.version is not None:
            subject = fill("{} ({})", subject, show_name(self.version.name))
        if self.record.history_type == "~":
            if self.old_figure is not None:
                what = fill("{} changed {} → {}", subject, self.old_figure, self.figure)
            elif self.other_changes:
                what = fill(
                    "{} changed ({}): {}", subject, ", ".join(self.other_changes), self.figure
                )
            else:
                what = fill("{} saved: {}", subject, self.figure)
        elif self.record.history_type == "-":
            what = fill("{} removed: {}", subject, self.figure)
        else:
            what = fill("{}: {}", subject, self.figure)
        if self.is_vendor_claim:
            return fill("{} ({})", what, self.whose_shown(show_name, fill))
        return what

    @property
    def link(self):
        """Where the change is about: the model's page, else the source's passage,
        else the changes page."""
        if self.model is not None:
            return self.model.get_absolute_url()
        return self.passage_url or reverse("changes")


def plain_name(name):
    """A name in a line of text, as it is."""
    return str(name)


def isolated_name(name):
    """A name in a line of HTML, isolated (``<bdi>``) so that its direction, whatever
    it holds, does not reach the words around it."""
    return format_html("<bdi>{}</bdi>", name)
