"""The leaderboard's filters. Every field lives in the query string; a value that
does not parse is reported beside its field and ignored, never a server error."""

from decimal import Decimal

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, prefetch_related_objects

from ..models import AIModel, Benchmark, ModelAlias, Openness, Organization
from ..rules.ranking import Ranking
from .caching import per_data_version

BILLION = Decimal(10) ** 9


class BillionsFilter(django_filters.NumberFilter):
    """A parameter-count bound typed in billions ("12" or "0.5")."""

    field_class = forms.DecimalField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 3)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        return super().filter(qs, value * BILLION)


# The licence filter's choice for models whose licence no source states.
LICENCE_NOT_REPORTED = "not-reported"


def licence_choices(request=None):
    """Each licence some model has, as written, then "not reported": read once per
    data version, from the licence's index (a scan of every model was the slowest
    query of a cold leaderboard page at 100,000 models)."""

    def read():
        # "Not empty" as a range of the licence's index (every other text sorts after
        # ""), so models with no licence stated are skipped rather than read.
        licences = (
            AIModel.objects.filter(license__gt="")
            .order_by("license")
            .values_list("license", flat=True)
            .distinct()
        )
        return [(licence, licence) for licence in licences]

    licences = per_data_version(request, "licences", "", read)
    return [*licences, (LICENCE_NOT_REPORTED, "not reported")]


class ModelFilter(django_filters.FilterSet):
    # Bounded: a name is short, and a query of 50,000 characters cost SQLite its
    # expression depth.
    q = django_filters.CharFilter(method="search", label="Name or alias", max_length=200)
    organization = django_filters.ModelMultipleChoiceFilter(
        field_name="organization__slug",
        queryset=Organization.objects.all(),
        distinct=False,  # a model has one organization: no duplicate rows to remove
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
    )
    open_weights = django_filters.BooleanFilter(
        method="only_open_weights",
        label="Open weights only",
        widget=forms.CheckboxInput,
    )
    total_min = BillionsFilter(
        field_name="total_parameters", lookup_expr="gte", label="Total parameters from (B)"
    )
    total_max = BillionsFilter(
        field_name="total_parameters", lookup_expr="lte", label="Total parameters to (B)"
    )
    active_min = BillionsFilter(
        field_name="active_parameters", lookup_expr="gte", label="Active parameters from (B)"
    )
    active_max = BillionsFilter(
        field_name="active_parameters", lookup_expr="lte", label="Active parameters to (B)"
    )
    released_from = django_filters.DateFilter(
        field_name="release_date",
        lookup_expr="gte",
        label="Released from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    released_to = django_filters.DateFilter(
        field_name="release_date",
        lookup_expr="lte",
        label="Released to",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    license = django_filters.MultipleChoiceFilter(
        choices=licence_choices,
        method="with_licence",
        label="Licence",
        widget=forms.CheckboxSelectMultiple,
    )
    has_results = django_filters.ModelMultipleChoiceFilter(
        queryset=Benchmark.objects.all(),
        to_field_name="slug",
        method="with_results_on",
        label="Only models with results on all of",
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = AIModel
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The licences are read through this request, so a failing cache is skipped
        # for the rest of it as for every other part (``caching.per_data_version``).
        self.filters["license"].extra["choices"] = licence_choices(self.request)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        aliases = ModelAlias.objects.filter(model=OuterRef("pk"), name__icontains=value)
        return queryset.filter(Q(name__icontains=value) | Exists(aliases))

    def only_open_weights(self, queryset, name, value):
        return queryset.filter(open_weights=Openness.OPEN) if value else queryset

    def with_licence(self, queryset, name, licences):
        if not licences:
            return queryset
        chosen = Q(
            license__in=[licence for licence in licences if licence != LICENCE_NOT_REPORTED]
        )
        if LICENCE_NOT_REPORTED in licences:
            chosen |= Q(license="")
        return queryset.filter(chosen)

    def with_results_on(self, queryset, name, benchmarks):
        # Each benchmark filters on the version it ranks: fetch all their versions at once.
        prefetch_related_objects(benchmarks, "versions")
        for benchmark in benchmarks:
            queryset = Ranking(benchmark).having_result(queryset)
        return queryset
