"""Release dates (column, filter, chart), a model's links as cited facts, and the
licence filter."""

import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from leaderboard.models import AIModel, ModelCitation
from leaderboard.reading.charts import date_ticks
from leaderboard.rules import writes
from tests.factories import make_benchmark, make_model, make_result, make_source


def row_names(response):
    return re.findall(
        r'<td class="model">.*?<a href="[^"]+">([^<]+)</a>', response.content.decode()
    )


@pytest.fixture
def dated(db):
    benchmark = make_benchmark(name="Dated Bench", featured=True, unit="points")
    models = {}
    for name, released, value in [
        ("Early", date(2023, 3, 1), 40),
        ("Middle", date(2024, 7, 15), 55),
        ("Late", date(2025, 1, 20), 61),
        ("Undated", None, 70),
    ]:
        models[name] = make_model(name=name, release_date=released)
        make_result(model=models[name], benchmark=benchmark, value=value)
    return benchmark, models


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("release_date", ["Early", "Middle", "Late", "Undated"]),
        ("-release_date", ["Late", "Middle", "Early", "Undated"]),  # missing last both ways
    ],
)
def test_release_date_column_sorts_with_missing_last(client, dated, sort, expected):
    assert row_names(client.get(reverse("index"), {"sort": sort})) == expected


def test_release_date_cells_and_export(client, dated):
    page = client.get(reverse("index")).content.decode()
    assert '<time datetime="2024-07-15">15 Jul 2024</time>' in page
    csv = client.get(reverse("index"), {"_export": "csv", "sort": "release_date"})
    lines = csv.getvalue().decode().splitlines()
    released = lines[0].split(",").index("Released")
    assert [line.split(",")[released] for line in lines[1:]] == [
        "2023-03-01",
        "2024-07-15",
        "2025-01-20",
        "",
    ]


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"released_from": "2024-01-01"}, ["Late", "Middle"]),
        ({"released_to": "2024-07-15"}, ["Early", "Middle"]),
        ({"released_from": "2024-01-01", "released_to": "2024-12-31"}, ["Middle"]),
    ],
)
def test_release_date_range_filter(client, dated, query, expected):
    assert sorted(row_names(client.get(reverse("index"), query))) == sorted(expected)


def test_an_unreadable_date_is_reported_and_ignored(client, dated):
    response = client.get(reverse("index"), {"released_from": "last tuesday"})
    assert response.status_code == 200
    assert "Released from: Enter a valid date." in response.content.decode()
    assert len(row_names(response)) == 4


def test_benchmark_page_charts_scores_against_release_dates(client, dated):
    benchmark, _ = dated
    page = client.get(benchmark.get_absolute_url()).content.decode()
    section = page[page.index('id="timeline-heading"') :]
    section = section[: section.index("</section>")]
    svg = section[section.index("<svg") : section.index("</svg>")]
    assert svg.count("<circle") == 3  # the undated model is not plotted
    assert "Late: 61 points, released 20 Jan 2025" in svg
    assert ">2024</text>" in svg and "Undated" not in svg


def test_too_few_dated_results_are_said_in_words(client, db):
    benchmark = make_benchmark(name="Sparse Bench")
    make_result(model=make_model(name="Only", release_date=date(2025, 5, 2)), benchmark=benchmark)
    page = client.get(benchmark.get_absolute_url()).content.decode()
    section = page[page.index('id="timeline-heading"') :]
    section = section[: section.index("</section>")]
    assert "<svg" not in section
    assert "Only: 50, released 2 May 2025." in section


def test_date_ticks_mark_years_or_months():
    years = date_ticks(date(2020, 1, 1).toordinal(), date(2026, 1, 1).toordinal())
    assert [label for _, label in years] == [str(y) for y in range(2020, 2027)]
    months = date_ticks(date(2024, 1, 1).toordinal(), date(2025, 1, 1).toordinal())
    assert [label for _, label in months] == ["2024", "Mar", "May", "Jul", "Sep", "Nov", "2025"]


# A model's links, cited like its other facts.


@pytest.fixture
def linked(db):
    model = make_model(name="Linked", model_card_url="https://example.org/linked/card")
    source = make_source(
        kept_text="The card lives at https://example.org/linked/card for all to read."
    )
    return model, source


def cite(model, source, attribute, quote):
    citation = ModelCitation(model=model, source=source, attribute=attribute, quote=quote)
    writes.save(citation)
    return citation


def test_a_link_is_cited_only_by_a_quote_that_gives_it(linked):
    model, source = linked
    with pytest.raises(ValidationError, match="nor the source's address gives the model card"):
        cite(model, source, "model_card_url", "The card lives at")
    cite(model, source, "model_card_url", "https://example.org/linked/card")


def test_the_source_being_the_page_itself_cites_the_link(db):
    model = make_model(weights_url="https://example.org/weights")
    source = make_source(url="https://www.example.org/weights/", kept_text="Download the weights.")
    cite(model, source, "weights_url", "Download the weights.")
    # The quote does not give the address; the source's own address does.
    assert model.citations.get(attribute="weights_url").source == source


def test_changing_a_cited_link_or_count_is_refused(linked):
    model, source = linked
    cite(model, source, "model_card_url", "https://example.org/linked/card")
    model.model_card_url = "https://example.org/another"
    with pytest.raises(ValidationError, match="would break 1 row"):
        writes.save(model)
    counted = make_model(total_parameters=128 * 10**9)
    sized = make_source(kept_text="It has 128 billion parameters.")
    cite(counted, sized, "total_parameters", "It has 128 billion parameters.")
    counted.total_parameters = 129 * 10**9
    with pytest.raises(ValidationError, match="total_parameters|would break"):
        writes.save(counted)
    assert AIModel.objects.get(pk=counted.pk).total_parameters == 128 * 10**9


def test_model_page_shows_links_as_cited_facts(client, linked):
    model, source = linked
    cite(model, source, "model_card_url", "https://example.org/linked/card")
    page = client.get(model.get_absolute_url()).content.decode()
    row = page[page.index('<th scope="row">Model card</th>') :]
    row = row[: row.index("</tr>")]
    assert '<a href="https://example.org/linked/card" rel="nofollow noopener">' in row
    assert "blockquote" in row  # with its quote
    weights = page[page.index('<th scope="row">Weights</th>') :]
    assert "not reported" in weights[: weights.index("</tr>")]


def test_a_link_that_is_not_https_or_a_url_is_refused(db):
    model = make_model()
    model.paper_url = "javascript:alert(1)"
    with pytest.raises(ValidationError, match="paper_url|valid URL"):
        writes.save(model)


# The licence filter.


@pytest.fixture
def licensed(db):
    make_model(name="Apache One", license="Apache-2.0")
    make_model(name="Apache Two", license="Apache-2.0")
    make_model(name="Custom", license="NVIDIA Open Model License")
    make_model(name="Unknown")


@pytest.mark.parametrize(
    "licences, expected",
    [
        (["Apache-2.0"], ["Apache One", "Apache Two"]),
        (["NVIDIA Open Model License", "not-reported"], ["Custom", "Unknown"]),
        (["not-reported"], ["Unknown"]),
    ],
)
def test_licence_filter(client, licensed, licences, expected):
    response = client.get(reverse("index"), {"license": licences})
    assert sorted(row_names(response)) == expected


def test_licence_filter_offers_each_licence_once_and_rejects_others(client, licensed):
    page = client.get(reverse("index")).content.decode()
    assert page.count('value="Apache-2.0"') == 1
    assert 'value="not-reported"' in page
    response = client.get(reverse("index"), {"license": "GPL-9"})
    assert "Licence: Select a valid choice. GPL-9 is not one of the available choices." in (
        response.content.decode()
    )
    assert len(row_names(response)) == 4


def test_no_dated_score_no_timeline(client, article):
    page = client.get("/benchmarks/ai-index/").content.decode()
    assert 'id="timeline-heading"' not in page


def test_benchmark_ranking_shows_the_result_before_the_models_facts(client, article):
    page = client.get("/benchmarks/ai-index/").content.decode()
    head = page[page.index("<thead>") : page.index("</thead>")]
    assert head.index("Result") < head.index("Organization") < head.index("Active params")
