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

        # Keep each model, benchmark and version's headline result marked: for the group
        # a result belongs to now and, when an editor moved it, the group it left.
        def remember_group(sender, instance, raw=False, **kwargs):
            instance._stored_group = (
                Result.objects.filter(pk=instance.pk)
                .values_list("model_id", "benchmark_id", "version_id")
                .first()
                if instance.pk
                else None
            )

        def refresh_headlines(sender, instance, **kwargs):
            groups = {(instance.model_id, instance.benchmark_id, instance.version_id)}
            if getattr(instance, "_stored_group", None):
                groups.add(instance._stored_group)
            for group in groups:
                Result.objects.refresh_headline(*group)

        # weak=False: these functions live only in this method.
        pre_save.connect(remember_group, sender=Result, weak=False, dispatch_uid="headline-pair")
        post_save.connect(
            refresh_headlines, sender=Result, weak=False, dispatch_uid="headline-save"
        )
        post_delete.connect(
            refresh_headlines, sender=Result, weak=False, dispatch_uid="headline-delete"
        )
