from django.apps import AppConfig


class LeaderboardConfig(AppConfig):
    # Writes keep headlines and the data version right through leaderboard.rules.writes,
    # not through signals: see that module.
    name = "leaderboard"
    verbose_name = "Open-model leaderboard"

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from .web.query_limits import limit_sqlite

        connection_created.connect(limit_sqlite, dispatch_uid="leaderboard.limit_sqlite")
        post_migrate.connect(fill_standings, sender=self, dispatch_uid="leaderboard.standings")


def fill_standings(using, **kwargs):
    """After ``migrate``: compute the suites' stored averages (``rules.standings``)
    where none are stored yet but some could be, as on a database migrated from before
    they were kept. Later writes keep them."""
    from django.db import connections

    from .models import Result, Standing, SuiteMember
    from .rules import standings

    connection = connections[using]
    if Standing._meta.db_table not in connection.introspection.table_names():
        return  # migrated back to before they were kept
    if Standing.objects.using(using).exists() or not SuiteMember.objects.using(using).exists():
        return
    if Result.objects.using(using).headline().exists():
        standings.refresh()
