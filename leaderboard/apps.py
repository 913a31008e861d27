from django.apps import AppConfig


class LeaderboardConfig(AppConfig):
    # Writes keep headlines and the data version right through leaderboard.rules.writes,
    # not through signals: see that module.
    name = "leaderboard"
    verbose_name = "Open-model leaderboard"

    def ready(self):
        from django.db.backends.signals import connection_created

        from .web.query_limits import limit_sqlite

        connection_created.connect(limit_sqlite, dispatch_uid="leaderboard.limit_sqlite")
