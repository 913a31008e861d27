"""What the API answers, as pydantic schemas: they validate every response and write
the OpenAPI document, so a client reads the same shapes the server checks.

Figures are JSON numbers (a whole decimal as an integer, see ``json_number``), a fact
no source states is null (never "not reported" as text), dates are ISO, and every row
carries the absolute URL of its page on the site, where its sources and quotes are."""

from datetime import date
from typing import Literal

from ninja import Field, Schema

# A stored decimal as JSON: an integer when whole, else a float (``json_number``).
Number = int | float
OpennessValue = Literal["open", "partial", "closed"] | None


class Link(Schema):
    """A row of the site named by its slug, with its page."""

    slug: str
    name: str
    url: str = Field(description="The row's page on the site.")


class SourceLink(Schema):
    slug: str
    title: str
    url: str = Field(
        description="The source's page on the site: its kept text, every quoted passage marked."
    )


class Citation(Schema):
    """Where a fact comes from: the source and its words, word for word."""

    source: SourceLink
    quote: str
    passage_url: str = Field(description="The source's page, at the quoted passage.")


class Settings(Schema):
    """How a result was measured, as its source states it; null for a setting it does
    not state (not reported)."""

    metric: str | None = Field(description="The metric: acc_norm, exact_match, pass@1.")
    metric_variant: str | None = Field(
        description="The metric's variant or the harness's filter: strict-match; none."
    )
    shots: int | None = Field(description="How many solved examples the prompt held.")
    harness: str | None = Field(description="The evaluation harness: lm-evaluation-harness.")
    harness_version: str | None = Field(description="Its version, or commit.")
    model_revision: str | None = Field(description="The model's revision run.")
    precision: str | None = Field(description="The precision the model ran in: bfloat16.")
    chat_template: bool | None = Field(description="Whether a chat template was applied.")
    subset: bool | None = Field(description="Whether it ran on a subset of the task.")


class Result(Schema):
    """A model's result on a benchmark as one source states it."""

    value: Number | None = Field(description="The value, in the benchmark's unit; null for none.")
    rank: int | None = Field(
        description="The place the source states (1 for first); null when it states none."
    )
    stderr: Number | None = Field(description="The value's standard error, where stated.")
    ci_low: Number | None = Field(description="The confidence interval's lower end.")
    ci_high: Number | None = Field(description="The confidence interval's upper end.")
    as_percentage: bool = Field(
        description="The source states a fraction (0.6561), stored times 100 (65.61)."
    )
    shots: int | None = Field(
        description="How many solved examples the prompt held (n-shot), as the source "
        "states it; null when it does not say."
    )
    settings: Settings = Field(
        description="How the figure was measured, each setting as the source states it."
    )
    is_comparable: bool = Field(
        description="Measured as its benchmark ranks (the benchmark's ranked setting, and "
        "not on a subset): only such results are given places."
    )
    not_ranked_because: list[str] = Field(
        description="What keeps it out of the benchmark's ranking (\"0-shot, not "
        '10-shot"); empty for a comparable result.'
    )
    provenance: Literal["independent", "vendor_claim"]
    claimed_by: Link | None = Field(description="Whose claim this is; null when independent.")
    source: SourceLink
    quote: str
    passage_url: str = Field(description="The source's page, at the quoted passage.")
    is_headline: bool = Field(
        description="The result the site shows for this model, benchmark and version, when "
        "several sources report one."
    )
    version: str | None = Field(description="The benchmark version; null when none is named.")


class ResultOfModel(Result):
    """A result, with the model and benchmark it is about."""

    model: Link
    benchmark: Link


class RankingRow(Schema):
    place: int | None = Field(
        description="1 + the number of ranked results strictly better, over the whole "
        "benchmark (sorting and paging never change it); where no source states the "
        "benchmark's direction, only a place the source states, else null."
    )
    best_place: int | None = Field(
        description="The best place the result's uncertainty allows: where its standard "
        "error or confidence interval overlaps better results', it is statistically "
        "tied with those from this place down (1 + the results whose intervals lie "
        "wholly better); equal to place otherwise, null without a place."
    )
    model: Link
    result: Result


class Organization(Link):
    website: str | None


class OrganizationDetail(Organization):
    model_count: int
    models_url: str = Field(description="This organization's models, in this API.")


class Model(Link):
    organization: Link
    aliases: list[str]
    release_date: date | None
    total_parameters: int | None
    active_parameters: int | None
    context_window_tokens: int | None
    open_weights: OpennessValue
    open_training_data: OpennessValue
    open_training_code: OpennessValue
    license: str | None


class ModelDetail(Model):
    description: str | None
    hf_repository: str | None = Field(
        description="The model's Hugging Face repository, owner/name."
    )
    model_card_url: str | None
    weights_url: str | None
    paper_url: str | None
    citations: dict[str, list[Citation]] = Field(
        description="Each fact's citations, under the fact's field name (total_parameters, "
        "open_weights, ...)."
    )
    results_url: str = Field(description="Every result of this model, in this API.")


class Version(Schema):
    name: str
    released_on: date | None
    is_ranked: bool = Field(description="The version the leaderboard ranks.")


class Benchmark(Link):
    measures: str | None
    result_kind: Literal["score", "percentage", "rank"] | None
    unit: str | None
    scale_min: Number | None
    scale_max: Number | None
    higher_is_better: bool | None = Field(description="Null when no source states it.")
    notes: str | None
    featured: bool
    versions: list[Version]
    ranked_version: str | None = Field(
        description="The version ranked; null: the results that name no version."
    )
    ranking_url: str = Field(description="This benchmark's ranking, in this API.")


class BenchmarkDetail(Benchmark):
    aliases: list[str]
    citations: dict[str, list[Citation]] = Field(
        description="Each fact's citations, under the fact's name (measures, "
        "higher_is_better, scale, notes, ...)."
    )


class Page(Schema):
    """One page of a list."""

    count: int = Field(description="Rows on every page together.")
    page: int
    per_page: int
    next: str | None = Field(description="The next page's URL; null on the last.")
    previous: str | None = Field(description="The previous page's URL; null on the first.")


class OrganizationPage(Page):
    items: list[Organization]


class ModelPage(Page):
    items: list[Model]


class BenchmarkPage(Page):
    items: list[Benchmark]


class ResultPage(Page):
    items: list[ResultOfModel]


class RankingPage(Page):
    benchmark: Link
    items: list[RankingRow]


class Suite(Link):
    """A set of benchmarks this site averages (editors define them)."""

    description: str | None
    benchmarks: list[Link] = Field(description="In the suite's order.")
    averages_url: str = Field(description="The suite's averages, in this API.")


class SuitePage(Page):
    items: list[Suite]


class AverageInput(Schema):
    benchmark: Link
    counted: Number = Field(
        description="What the input counts for: its value, or normalised (to six places)."
    )
    result: Result


class AverageRow(Schema):
    place: int = Field(description="1 + the averages strictly higher; equal ones share it.")
    best_place: int = Field(
        description="The best place the average's uncertainty allows (± 1.96 standard "
        "errors, as a benchmark's ranking); equal to place where none overlaps."
    )
    model: Link
    average: Number = Field(description="Computed by this site, to six places.")
    stderr: Number | None = Field(
        description="√(Σ seᵢ²) / n where every input has a standard error; else null."
    )
    claims: int = Field(description="How many of the inputs are vendors' claims.")
    inputs: list[AverageInput]


class SuiteAveragesPage(Page):
    suite: Suite
    computed_by: Literal["this site"] = Field(
        description="No source states these averages: this site computes them."
    )
    formula: str
    normalisation: str
    independent_only: bool
    unavailable: list[str] = Field(
        description="Why the average cannot be computed as asked; empty when it can."
    )
    incomplete_count: int = Field(
        description="Models with results on some of the benchmarks, not all: not averaged."
    )
    items: list[AverageRow]


class ListLinks(Schema):
    """The API's lists, each a page at a time (``page``, ``per_page``)."""

    organizations: str
    models: str
    benchmarks: str
    results: str
    suites: str


class APIIndex(Schema):
    """What this API is, and where to start."""

    title: str
    version: str
    description: str
    site_url: str = Field(description="The leaderboard's home page.")
    openapi_url: str = Field(description="This API's OpenAPI document: every operation.")
    lists: ListLinks
    benchmark_ranking_url: str = Field(
        description="A URL template: a benchmark's ranking, {slug} replaced by the "
        "benchmark's slug (as /api/benchmarks lists it)."
    )


class Message(Schema):
    """Why there is no answer (an unknown slug, a page past the end, a NUL byte)."""

    detail: str


class ParameterError(Schema):
    type: str
    loc: list[str | int] = Field(description='Where: ["query", "per_page"].')
    msg: str


class InvalidParameters(Schema):
    """Parameters that do not parse or are out of range."""

    detail: list[ParameterError]


# What every operation may answer besides its 200.
ERRORS = {400: Message, 404: Message, 422: InvalidParameters}
