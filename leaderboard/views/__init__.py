"""Public pages (see ``paging`` for what they share)."""

from .changes import ChangesView
from .compare import CompareView
from .data_releases import (
    DataReleaseDetailView,
    DataReleaseListView,
    release_citation,
    release_file,
)
from .leaderboard import LeaderboardView
from .pages import (
    BenchmarkDetailView,
    BenchmarkListView,
    ModelDetailView,
    OrganizationDetailView,
    SourceDetailView,
)
from .submissions import SubmissionDetailView, SubmissionListView, SubmitView
from .suites import SuiteDetailView, SuiteListView

__all__ = [
    "BenchmarkDetailView",
    "BenchmarkListView",
    "ChangesView",
    "CompareView",
    "DataReleaseDetailView",
    "DataReleaseListView",
    "LeaderboardView",
    "ModelDetailView",
    "OrganizationDetailView",
    "SourceDetailView",
    "SubmissionDetailView",
    "SubmissionListView",
    "SubmitView",
    "SuiteDetailView",
    "SuiteListView",
    "release_citation",
    "release_file",
]
