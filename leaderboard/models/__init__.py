"""The leaderboard's data: organizations, AI models, benchmarks and results, each
figure tied to the source that states it and the verbatim quote that says so.

One module a concept: ``catalogue`` (organizations, models), ``benchmarks``,
``citations`` (sources and the quote rule), ``results``, ``suites`` (benchmarks
averaged together), ``data_version``, ``snapshots`` (past days' copies for as-of
pages), ``standings`` (suites' averages the writes keep), ``submissions``
(results anyone sends, for an editor to accept); ``base`` holds the natural keys
they share, and their text fields (``LineField``, ``ProseField``), which refuse
control characters (``leaderboard.rules.text_rules``).
"""

# HttpsURLField: migrations name it as leaderboard.models.HttpsURLField.
from .base import HttpsURLField, NaturalKeyModel, NaturalKeyQuerySet
from .benchmarks import Benchmark, BenchmarkAlias, BenchmarkVersion, ResultKind
from .catalogue import AIModel, ModelAlias, Openness, Organization
from .citations import BenchmarkCitation, Citation, ModelCitation, Source
from .data_releases import DataRelease
from .data_version import DataVersion
from .results import Provenance, Result, ResultQuerySet
from .snapshots import AsOfSnapshot
from .standings import Standing
from .submissions import Submission
from .suites import Suite, SuiteMember

__all__ = [
    "AIModel",
    "AsOfSnapshot",
    "Benchmark",
    "BenchmarkAlias",
    "BenchmarkCitation",
    "BenchmarkVersion",
    "Citation",
    "DataRelease",
    "DataVersion",
    "HttpsURLField",
    "ModelAlias",
    "ModelCitation",
    "NaturalKeyModel",
    "NaturalKeyQuerySet",
    "Openness",
    "Organization",
    "Provenance",
    "Result",
    "ResultKind",
    "ResultQuerySet",
    "Source",
    "Standing",
    "Submission",
    "Suite",
    "SuiteMember",
]
