from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save, pre_save


class LeaderboardConfig(AppConfig):
    name = "leaderboard"
    verbose_name = "Open-model leaderboard"

    def ready(self):
        from simple_history.models import HistoricalChanges

        from .models import DataVersion, Result

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

        # Keep each model and benchmark's headline result marked: for the pair a
        # result belongs to now and, when an editor moved it, the pair it left.
        def remember_pair(sender, instance, raw=False, **kwargs):
            instance._stored_pair = (
                Result.objects.filter(pk=instance.pk)
                .values_list("model_id", "benchmark_id")
                .first()
                if instance.pk
                else None
            )

        def refresh_headlines(sender, instance, **kwargs):
            pairs = {(instance.model_id, instance.benchmark_id)}
            if getattr(instance, "_stored_pair", None):
                pairs.add(instance._stored_pair)
            for model_id, benchmark_id in pairs:
                Result.objects.refresh_headline(model_id, benchmark_id)

        # weak=False: these functions live only in this method.
        pre_save.connect(remember_pair, sender=Result, weak=False, dispatch_uid="headline-pair")
        post_save.connect(
            refresh_headlines, sender=Result, weak=False, dispatch_uid="headline-save"
        )
        post_delete.connect(
            refresh_headlines, sender=Result, weak=False, dispatch_uid="headline-delete"
        )
