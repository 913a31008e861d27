"""A data release's files and how to cite it: every result, with its source, quote and
settings, as CSV and JSON, written in one fixed order so the same data always gives
the same bytes; and the BibTeX and CITATION.cff a reader copies.

The files hold the data alone (its data version, never the moment it was written):
what makes them differ is a change to the data. Addresses are the site's own paths
(``/sources/<slug>/``), the same on any host."""

import hashlib
import json

from django.urls import reverse

from ..models import Result
from ..rules import run_settings
from . import result_json
from .exports import csv_chunks
from .presentation import format_number

# Results read from the database at a time while a release is written.
CHUNK = 2000

CSV_HEADER = [
    "model",
    "model_name",
    "benchmark",
    "benchmark_name",
    "version",
    "value",
    "stated_rank",
    "stderr",
    "ci_low",
    "ci_high",
    "as_percentage",
    *(setting.field for setting in run_settings.SETTINGS),
    "ranked",
    "headline",
    "provenance",
    "claimed_by",
    "source",
    "source_title",
    "source_url",
    "quote",
    "passage_url",
    "reported_on",
]


def every_result():
    """Every result, in the release's fixed order: by model, benchmark, version and
    source (each by slug or name, which a reader sees), then primary key."""
    return Result.objects.select_related(
        "model", "benchmark", "version", "source", "claimed_by"
    ).order_by("model__slug", "benchmark__slug", "version__name", "source__slug", "pk")


def in_chunks(results):
    """``results`` read ``CHUNK`` at a time (``iterator``: a whole release is not held)."""
    return results.iterator(chunk_size=CHUNK)


class Paths:
    """The site's paths for a source's and an organization's page, by slug: reversed
    once, not once a result (``reverse`` was a third of a release's time)."""

    def __init__(self):
        self.source = reverse("source", args=["__slug__"])
        self.organization = reverse("organization", args=["__slug__"])

    def source_url(self, slug):
        return self.source.replace("__slug__", slug)

    def organization_url(self, slug):
        return self.organization.replace("__slug__", slug)


def csv_row(result, made):
    """A result as a row of the CSV (``csv_chunks`` defuses what a spreadsheet would
    run); its settings, source page and passage as its JSON (``made``, from
    ``json_row``) gives them, made once."""

    def text(value):
        return "" if value is None else str(value)

    settings = made["settings"]
    return [
        result.model.slug,
        result.model.name,
        result.benchmark.slug,
        result.benchmark.name,
        result.version.name if result.version_id else "",
        format_number(result.value),
        text(result.rank),
        format_number(result.stderr),
        format_number(result.ci_low),
        format_number(result.ci_high),
        "true" if result.as_percentage else "false",
        *(text(settings[setting.field]) for setting in run_settings.SETTINGS),
        "true" if result.is_comparable else "false",
        "true" if result.is_headline else "false",
        result.provenance,
        result.claimed_by.slug if result.claimed_by_id else "",
        result.source.slug,
        result.source.title,
        made["source"]["url"],
        result.quote,
        made["passage_url"],
        result.reported_on.isoformat() if result.reported_on else "",
    ]


def json_row(result, paths):
    """A result as the API gives its parts (``result_json``), with what it is about."""
    source_url = paths.source_url(result.source.slug)
    claimer = result.claimed_by
    return {
        "model": result.model.slug,
        "benchmark": result.benchmark.slug,
        "version": result.version.name if result.version_id else None,
        **result_json.figures(result.value, result.stderr, result.ci_low, result.ci_high),
        "stated_rank": result.rank,
        "as_percentage": result.as_percentage,
        **result_json.measured(result),
        "ranked": result.is_comparable,
        "headline": result.is_headline,
        **result_json.claim(
            result.provenance,
            result_json.link(claimer.slug, claimer.name, paths.organization_url(claimer.slug))
            if claimer
            else None,
            result_json.source_link(result.source.slug, result.source.title, source_url),
        ),
        **result_json.citation(source_url, result.quote),
        "reported_on": result.reported_on.isoformat() if result.reported_on else None,
    }


class HashingFile:
    """A binary file that keeps the SHA-256 and size of what is written to it."""

    def __init__(self, file):
        self.file, self.digest, self.size = file, hashlib.sha256(), 0

    def write(self, data):
        self.digest.update(data)
        self.size += len(data)
        self.file.write(data)


def write_release(csv_file, json_file, data_version):
    """Write every result to ``csv_file`` and ``json_file`` (binary files) as a release
    taken at ``data_version``; (count, csv (sha256, size), json (sha256, size))."""
    csv_out, json_out = HashingFile(csv_file), HashingFile(json_file)
    paths = Paths()
    json_out.write(f'{{"data_version": {int(data_version)}, "results": [\n'.encode())
    count, rows, texts = 0, [CSV_HEADER], []
    for result in in_chunks(every_result()):
        made = json_row(result, paths)
        rows.append(csv_row(result, made))
        texts.append(json.dumps(made, ensure_ascii=False))
        count += 1
        if len(texts) == CHUNK:
            flush(csv_out, json_out, rows, texts, first=count == CHUNK)
            rows, texts = [], []
    flush(csv_out, json_out, rows, texts, first=count <= CHUNK)
    json_out.write(b"\n]}\n")
    return (
        count,
        (csv_out.digest.hexdigest(), csv_out.size),
        (json_out.digest.hexdigest(), json_out.size),
    )


def flush(csv_out, json_out, rows, texts, first):
    """Write a chunk of results: CSV rows (defused: ``csv_chunks``) and JSON texts."""
    csv_out.write("".join(csv_chunks(rows)).encode())
    if texts:
        json_out.write(((",\n" if not first else "") + ",\n".join(texts)).encode())


# How the site names itself in a citation.
SITE_TITLE = "Open-model leaderboard"


def bibtex(release, url):
    """A BibTeX entry for ``release``, found at ``url``."""
    date = release.published_at
    return (
        f"@misc{{openmodelleaderboard_release_{release.number},\n"
        f"  title = {{{SITE_TITLE}: data release {release.number}}},\n"
        f"  author = {{{{{SITE_TITLE} editors}}}},\n"
        f"  year = {{{date:%Y}}},\n"
        f"  month = {date.strftime('%b').lower()},\n"
        f"  url = {{{url}}},\n"
        f"  note = {{Data version {release.data_version}, {release.result_count} results, "
        f"released {date:%Y-%m-%d}; SHA-256 of results.json: {release.json_sha256}}}\n"
        "}\n"
    )


def citation_cff(release, url):
    """A CITATION.cff for ``release``, found at ``url``."""
    return (
        "cff-version: 1.2.0\n"
        'message: "If you use this data, cite it as below."\n'
        "type: dataset\n"
        f'title: "{SITE_TITLE}: data release {release.number}"\n'
        "authors:\n"
        f'  - name: "{SITE_TITLE} editors"\n'
        f'version: "{release.number}"\n'
        f"date-released: {release.published_at:%Y-%m-%d}\n"
        f'url: "{url}"\n'
        "identifiers:\n"
        "  - type: other\n"
        f'    value: "sha256:{release.json_sha256}"\n'
        '    description: "SHA-256 of results.json"\n'
    )
