"""/api/models: the models, filtered as on the leaderboard (its own ``ModelFilter``,
so a filter means the same in both places), and each model's facts with the sources
and quotes that state them."""

from datetime import date
from decimal import Decimal

from django.db.models import Prefetch
from django.http import QueryDict
from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError

from ..models import AIModel, ModelCitation, Openness
from ..web.filters import ModelFilter
from .paging import Links, PageParameters, SlugInPath, get_or_404, page_of
from .schemas import ERRORS, ModelDetail, ModelPage

router = Router(tags=["models"])


def openness(value):
    return None if value == Openness.NOT_REPORTED else value


def model_fields(model, links):
    """A ``Model``: its facts, null where no source states one (organization and
    aliases fetched)."""
    return {
        **links.named("model", model),
        "organization": links.named("organization", model.organization),
        "aliases": [alias.name for alias in model.aliases.all()],
        "release_date": model.release_date,
        "total_parameters": model.total_parameters,
        "active_parameters": model.active_parameters,
        "context_window_tokens": model.context_window_tokens,
        "open_weights": openness(model.open_weights),
        "open_training_data": openness(model.open_training_data),
        "open_training_code": openness(model.open_training_code),
        "license": model.license or None,
    }


class ModelFilters(Schema):
    """The leaderboard's filters (``ModelFilter``), under the same names."""

    q: str | None = Field(None, max_length=200, description="Part of a name or an alias.")
    organization: list[str] = Field(
        [], description="An organization's slug; repeat for any of several."
    )
    open_weights: bool | None = Field(
        None, description="true: only models whose weights are open; false: only the others."
    )
    released_from: date | None = Field(None, description="Released on or after (ISO date).")
    released_to: date | None = Field(None, description="Released on or before (ISO date).")
    total_min: Decimal | None = Field(None, ge=0, description="Total parameters from (B).")
    total_max: Decimal | None = Field(None, ge=0, description="Total parameters to (B).")
    active_min: Decimal | None = Field(None, ge=0, description="Active parameters from (B).")
    active_max: Decimal | None = Field(None, ge=0, description="Active parameters to (B).")
    has_results: list[str] = Field(
        [], description="A benchmark's slug: only models ranked on it; repeat for all of several."
    )


def filtered_models(filters, models):
    """``models`` narrowed by the leaderboard's ``ModelFilter``; a value it refuses (an
    unknown organization, a bound with too many digits) is a 422, as for a parameter
    that does not parse."""
    data = QueryDict(mutable=True)
    for name, value in filters.dict(exclude={"open_weights"}).items():
        values = value if isinstance(value, list) else [value]
        data.setlist(name, [str(v) for v in values if v is not None])
    if filters.open_weights:
        data["open_weights"] = "on"
    filterset = ModelFilter(data, queryset=models)
    if not filterset.is_valid():
        raise ValidationError(
            [
                {"type": "invalid", "loc": ["query", field], "msg": " ".join(messages)}
                for field, messages in filterset.errors.items()
            ]
        )
    models = filterset.qs
    if filters.open_weights is False:
        models = models.exclude(open_weights=Openness.OPEN)
    return models


@router.get("/models", response={200: ModelPage, **ERRORS})
def list_models(request, filters: Query[ModelFilters], paging: Query[PageParameters]):
    """The models, by name."""
    models = filtered_models(filters, AIModel.objects.all())
    ordered = models.with_organization().prefetch_related("aliases").order_by("name", "pk")
    rows, page = page_of(request, ordered, paging, count_rows=models.count)
    links = Links(request)
    return {**page, "items": [model_fields(model, links) for model in rows]}


@router.get("/models/{slug}", response={200: ModelDetail, **ERRORS})
def get_model(request, slug: SlugInPath):
    """A model's facts, each with the citations that state it."""
    model = get_or_404(
        AIModel.objects.with_organization().prefetch_related(
            "aliases",
            Prefetch("citations", queryset=ModelCitation.objects.select_related("source")),
        ),
        slug,
        "model",
    )
    links = Links(request)
    return {
        **model_fields(model, links),
        "description": model.description or None,
        "hf_repository": model.hf_repository or None,
        "model_card_url": model.model_card_url or None,
        "weights_url": model.weights_url or None,
        "paper_url": model.paper_url or None,
        "citations": links.citations_by_fact(model.citations.all()),
        "results_url": request.build_absolute_uri(
            f"{reverse('api:list_results')}?model={model.slug}"
        ),
    }
