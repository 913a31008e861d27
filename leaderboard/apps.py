from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class LeaderboardConfig(AppConfig):
    name = "leaderboard"
    verbose_name = "Open-model leaderboard"

    def ready(self):
        from simple_history.models import HistoricalChanges

        from .models import DataVersion

        def data_changed(sender, **kwargs):
            DataVersion.bump()

        # Every row a public page can show; history rows change only with them.
        for model in self.get_models():
            if model is DataVersion or issubclass(model, HistoricalChanges):
                continue
            for signal in (post_save, post_delete):
                signal.connect(
                    data_changed,
                    sender=model,
                    weak=False,
                    dispatch_uid=f"data-version-{signal}-{model._meta.label}",
                )
