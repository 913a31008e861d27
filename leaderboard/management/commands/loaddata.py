"""Django's ``loaddata``, through the leaderboard's write path.

Fixtures are saved raw (no ``save()``), so after the rows are in, and in the same
transaction, headlines are recomputed for every model a fixture touched and the data
version moves on (``leaderboard.writes.loaded``). A fixture's ``is_headline`` is never
trusted: it is derived data.
"""

from django.core.management.commands import loaddata

from leaderboard import writes
from leaderboard.models import Result


class Command(loaddata.Command):
    def loaddata(self, fixture_labels):
        self.touched_models = set()
        self.touched_all = False
        super().loaddata(fixture_labels)
        if self.touched_all:
            writes.loaded()
        elif self.loaded_object_count:
            writes.loaded(model_ids=self.touched_models)

    def save_obj(self, obj):
        row = obj.object
        if isinstance(row, Result):
            row.is_headline = False
            self.touched_models.add(row.model_id)
            if row.pk is not None:
                # An existing result may have moved from another model.
                self.touched_all = True
        return super().save_obj(obj)
