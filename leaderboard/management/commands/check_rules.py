"""Check every stored leaderboard row against today's rules (the admin's full_clean),
and list those that break one. Run it after upgrading: rules added since the data was
entered (a quote must name its model, for one) are checked on every write and load,
so a row that breaks one cannot be saved again or restored from a backup until an
editor corrects it."""

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from leaderboard.models import NaturalKeyModel

from .loaddata import broken_rules, describe

# Parents before children, as a backup lists them.
ORDER = [
    "organization",
    "aimodel",
    "modelalias",
    "benchmark",
    "benchmarkalias",
    "benchmarkversion",
    "source",
    "modelcitation",
    "benchmarkcitation",
    "result",
]


class Command(BaseCommand):
    help = "List every leaderboard row that breaks one of the site's rules."

    def handle(self, *args, **options):
        broken = 0
        for name in ORDER:
            model = apps.get_model("leaderboard", name)
            assert issubclass(model, NaturalKeyModel)
            related = [f.name for f in model._meta.concrete_fields if f.is_relation]
            for row in model.objects.select_related(*related).iterator(chunk_size=1000):
                row.dependents_checked = False  # each row judged on its own
                try:
                    row.full_clean(validate_unique=False, validate_constraints=False)
                except ValidationError as error:
                    broken += 1
                    self.stdout.write(
                        f"{model._meta.label} {describe(row)}: {broken_rules(error)}"
                    )
        if broken:
            raise CommandError(
                f"{broken} row(s) break a rule: correct them in the admin before the next "
                "backup is restored."
            )
        self.stdout.write("Every row keeps every rule.")
