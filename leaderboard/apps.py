from django.apps import AppConfig


class LeaderboardConfig(AppConfig):
    # Writes keep headlines and the data version right through leaderboard.writes,
    # not through signals: see that module.
    name = "leaderboard"
    verbose_name = "Open-model leaderboard"
