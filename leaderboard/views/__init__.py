"""Public pages (see ``paging`` for what they share)."""

from .leaderboard import LeaderboardView
from .pages import (
    BenchmarkDetailView,
    BenchmarkListView,
    ModelDetailView,
    OrganizationDetailView,
    SourceDetailView,
)

__all__ = [
    "BenchmarkDetailView",
    "BenchmarkListView",
    "LeaderboardView",
    "ModelDetailView",
    "OrganizationDetailView",
    "SourceDetailView",
]
