"""The pages of one thing: a benchmark, a model, an organization, a source."""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch
from django.db.models.functions import Abs
from django.utils.html import format_html
from django.views.generic import DetailView, ListView
from django_tables2 import SingleTableMixin

from ..models import (
    AIModel,
    Benchmark,
    ModelCitation,
    Organization,
    Result,
    ResultQuerySet,
    Source,
)
from ..models.catalogue import citation_marks
from ..models.results import with_measurements
from ..reading import charts
from ..reading.passages import MarkedText
from ..reading.presentation import humanize_count
from ..rules.ranking import Ranking, with_claim_names
from ..tables import BenchmarkRankingTable
from ..web.caching import per_data_version
from .paging import NotFoundPastTheEndMixin, page_of

# How many claims a benchmark's page lists beside their measurements.
LARGEST_GAPS = 10


class BenchmarkListView(ListView):
    template_name = "leaderboard/benchmark_list.html"
    context_object_name = "benchmarks"

    def get_queryset(self):
        return Benchmark.objects.annotate(
            model_count=Count("results__model", distinct=True)
        ).prefetch_related("versions")


class BenchmarkDetailView(NotFoundPastTheEndMixin, SingleTableMixin, DetailView):
    """A benchmark, what it measures and how to read it, its ranking and a chart."""

    queryset = Benchmark.objects.prefetch_related("versions")
    template_name = "leaderboard/benchmark_detail.html"
    table_class = BenchmarkRankingTable

    def get_object(self, queryset=None):
        if not hasattr(self, "object"):
            self.object = super().get_object(queryset)
        return self.object

    def get_table_data(self):
        # The table orders the rows: best first unless a reader sorts.
        return with_claim_names(
            Ranking(self.object)
            .results()
            .select_related("model__organization")
            .annotate(**citation_marks("model_id"))
        )

    def get_table_kwargs(self):
        return {"benchmark": self.get_object()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        benchmark = self.object
        context.update(
            citations=benchmark.citations.select_related("source"),
            versions=benchmark.versions.all(),
            chart=self.shared_part(
                "bars", lambda: charts.bars(Ranking(benchmark).top(charts.MAX_BARS), benchmark)
            ),
            timeline=self.shared_part("timeline", self.timeline),
            gaps=self.shared_part("gaps", lambda: list(self.largest_gaps())),
            **self.measured_differently(),
        )
        return context

    def shared_part(self, name, compute):
        """A part of the page that depends only on the benchmark and the data, not on
        the sort or page: made once per data version (``caching.per_data_version``)."""
        return per_data_version(self.request, f"benchmark-{name}", str(self.object.pk), compute)

    def measured_differently(self):
        """The results the benchmark does not rank for how they were measured: their
        groups by setting, and a page of them, each with what differs."""
        ranking = Ranking(self.object)
        groups = self.shared_part("differently", ranking.differently_groups)
        if not groups:
            return {"differently_groups": []}
        rows = page_of(
            self.request,
            ranking.measured_differently()
            .select_related("model", "source", "claimed_by")
            .order_by("metric", "shots", "model__name", "pk"),
            "differently",
        )
        for result in rows:
            result.benchmark = self.object  # what differs is read against its setting
        return {"differently_groups": groups, "differently": rows}

    def largest_gaps(self):
        """The claims on the ranked version furthest from their measurements."""
        claims = (
            self.object.results.filter(self.object.ranked_version_q())
            .beside_measurements()
            .select_related("model", "claimed_by", "source")
            .order_by(Abs("gap").desc(), "model__name")[:LARGEST_GAPS]
        )
        return with_measurements(claims)

    def timeline(self):
        """The benchmark's scores against the models' release dates, where known, or
        None."""
        ranking = Ranking(self.object)
        valued = ranking.results().filter(value__isnull=False)
        # Asked from the dated models' side first (``aimodel_release_date_idx``): the
        # best dated scores are read from the top of the ranked index, which, where no
        # ranked model has a date, meant reading all of it to find nothing.
        dated_models = AIModel.objects.filter(release_date__isnull=False)
        if not dated_models.filter(Exists(valued.filter(model=OuterRef("pk")))).exists():
            return None
        dated = valued.filter(model__release_date__isnull=False)
        points = ranking.top_values(dated, charts.MAX_POINTS)
        # No dated score at all: nothing to show or say (most benchmarks, until
        # sources state release dates).
        return charts.scatter(points, self.object, charts.RELEASE_DATE) if points else None


class ModelDetailView(DetailView):
    """Every fact about a model with its source and quote, and every result."""

    model = AIModel
    template_name = "leaderboard/model_detail.html"
    queryset = AIModel.objects.with_organization().prefetch_related(
        "aliases",
        Prefetch("citations", queryset=ModelCitation.objects.select_related("source")),
    )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        model = self.object
        citations = {}
        for citation in model.citations.all():
            citations.setdefault(citation.attribute, []).append(citation)
        results = (
            model.results.select_related("benchmark", "version", "source", "claimed_by")
            .with_submission()
            .order_by("benchmark__name", *ResultQuerySet.PREFERENCE)
        )
        claims = (
            model.results.beside_measurements()
            .select_related("benchmark", "version", "claimed_by", "source")
            .order_by("benchmark__name", "pk")
        )
        context.update(
            # The name heads the page; a row for it, where no source is cited for
            # it, would only be marked uncited.
            facts=[fact for fact in model_facts(model, citations) if fact[0] != "Name" or fact[2]],
            results=results,
            gaps=with_measurements(claims),
            compare_with=models_to_compare_with(model),
        )
        return context


# How many other models a model's page offers to compare it with.
COMPARE_SUGGESTIONS = 3


def models_to_compare_with(model):
    """A few other models with a ranked result on a benchmark this one has one on,
    by name: the page's quick links to the compare page."""
    benchmarks = Result.objects.headline().filter(model=model).values("benchmark_id")
    # Asked of each model in name order until three answer (an index lookup each),
    # rather than listing every model with such a result: that read every result of
    # those benchmarks, 3 s at 100,000 models.
    shares = Result.objects.headline().filter(model=OuterRef("pk"), benchmark_id__in=benchmarks)
    return list(
        AIModel.objects.filter(Exists(shares))
        .exclude(pk=model.pk)
        .order_by("name")
        .only("name", "slug")[:COMPARE_SUGGESTIONS]
    )


def model_facts(model, citations):
    """(label, value, citations) for each fact the model page lists; a value of None
    is shown as "not reported"."""

    def count(value, unit=""):
        # As the leaderboard writes it ("128B"), the exact figure on hover.
        return None if value is None else format_html("{}{}", humanize_count(value), unit)

    def link(url):
        # Off-site links tell the browser not to pass this page on (noopener), and
        # search engines not to count them (nofollow): editors, not we, chose them.
        return (
            format_html('<a href="{}" rel="nofollow noopener">{}</a>', url, url) if url else None
        )

    rows = [
        ("Name", model.name, "name"),
        ("Description", model.description or None, "description"),
        ("Organization", model.organization, "organization"),
        ("Aliases", ", ".join(a.name for a in model.aliases.all()) or None, "aliases"),
        ("Release date", model.release_date, "release_date"),
        ("Total parameters", count(model.total_parameters), "total_parameters"),
        ("Active parameters", count(model.active_parameters), "active_parameters"),
        ("Context window", count(model.context_window_tokens, " tokens"), "context_window_tokens"),
        ("Open weights", model.get_open_weights_display(), "open_weights"),
        ("Open training data", model.get_open_training_data_display(), "open_training_data"),
        (
            "Open training code or recipe",
            model.get_open_training_code_display(),
            "open_training_code",
        ),
        ("Licence", model.license or None, "license"),
        (
            "Hugging Face repository",
            link(f"https://huggingface.co/{model.hf_repository}") if model.hf_repository else None,
            "hf_repository",
        ),
        ("Model card", link(model.model_card_url), "model_card_url"),
        ("Weights", link(model.weights_url), "weights_url"),
        ("Paper", link(model.paper_url), "paper_url"),
    ]
    return [
        (label, None if value == "Not reported" else value, citations.get(attribute, []))
        for label, value, attribute in rows
    ]


class OrganizationDetailView(DetailView):
    model = Organization
    template_name = "leaderboard/organization_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organization = self.object
        context.update(
            models=page_of(self.request, organization.models.order_by("name", "pk"), "models"),
            claimed_results=page_of(
                self.request,
                organization.claimed_results.select_related(
                    "model", "benchmark", "source"
                ).order_by("model__name", "benchmark__name", "pk"),
                "claims",
            ),
        )
        return context


class SourceDetailView(DetailView):
    """A source, what was taken from it, and its kept text with every quoted passage
    marked. A long text is shown a page at a time (``?text=N``): the page holding a
    quote is known (``?passage=ANCHOR`` shows it), and every "in the text" link on the
    page goes to the page holding its passage."""

    model = Source
    template_name = "leaderboard/source_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        source, request = self.object, self.request
        results = source.results.select_related("model", "benchmark", "version", "claimed_by")
        model_citations = source.modelcitations.select_related("model")
        benchmark_citations = source.benchmarkcitations.select_related("benchmark")
        lists = {
            "results": page_of(
                request, results.order_by("model__name", "benchmark__name", "pk"), "results"
            ),
            "model_citations": page_of(
                request, model_citations.order_by("model__name", "attribute", "pk"), "facts"
            ),
            "benchmark_citations": page_of(
                request,
                benchmark_citations.order_by("benchmark__name", "attribute", "pk"),
                "benchmark_facts",
            ),
        }
        context.update(lists, paragraphs=[], unfound=[])
        if source.is_verifiable:
            # Each distinct quote once, whatever page of the lists is shown.
            quotes = [
                *results.values_list("quote", flat=True).distinct(),
                *model_citations.values_list("quote", flat=True).distinct(),
                *benchmark_citations.values_list("quote", flat=True).distinct(),
            ]
            text = MarkedText(source.raw_text, quotes)
            context.update(text_context(request, text))
            for page in lists.values():
                for row in page:
                    row.text_url = passage_link(request, text, row.anchor)
        return context


@dataclass
class TextPage:
    """Which page of a long text is shown, and the addresses of the others."""

    number: int
    count: int
    summary: str
    first_url: str
    previous_url: str | None
    next_url: str | None
    last_url: str


def text_context(request, text):
    """What the template needs of the text: the page shown, marked up; the quotes it
    does not hold; for a text of several pages, a pager and, on the first page (where
    a link naming only a passage's anchor lands), where each later passage is."""
    number = shown_page(request, text)
    context = {"paragraphs": text.paragraphs(number), "unfound": text.missing}
    if text.page_count > 1:
        context["text_page"] = text_page(request, text, number)
    if text.page_count > 1 and number == 1:
        context["elsewhere"] = [
            (passage, text_link(request, passage.page, passage.anchor))
            for passage in text.passages
            if passage.page != 1
        ]
    return context


def shown_page(request, text):
    """``?text=N`` read as the page's lists read their page numbers (one that is not a
    number shows the first page, one out of range the last: ``Paginator.get_page``);
    without it, the page holding ``?passage=``'s quote, else the first."""
    number = request.GET.get("text")
    if number is None:
        number = text.pages.get(request.GET.get("passage"), 1)
    return Paginator(range(text.page_count), 1).get_page(number).number


def text_page(request, text, number):
    first, last = text.lines_of(number)
    return TextPage(
        number=number,
        count=text.page_count,
        summary=f"Lines {first + 1:,}–{last:,} of {text.line_count:,}, "
        f"page {number} of {text.page_count}",
        first_url=text_link(request, 1),
        previous_url=text_link(request, number - 1) if number > 1 else None,
        next_url=text_link(request, number + 1) if number < text.page_count else None,
        last_url=text_link(request, text.page_count),
    )


def text_link(request, number, anchor="text"):
    """The address of page ``number`` of the text at ``anchor``, keeping the page's
    other parameters (not ``passage``: the page number says where to go)."""
    query = request.GET.copy()
    query.pop("passage", None)
    query["text"] = number
    return f"?{query.urlencode()}#{anchor}"


def passage_link(request, text, anchor):
    """Where an "in the text" link goes: the passage on the page holding it (a text of
    one page, or a quote it does not hold: the anchor alone, as always)."""
    page = text.pages.get(anchor)
    if text.page_count == 1 or page is None:
        return f"#{anchor}"
    return text_link(request, page, anchor)
