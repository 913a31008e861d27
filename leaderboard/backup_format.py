"""The JSON that ``manage.py backup`` writes (``SERIALIZATION_MODULES["backup"]``):
Django's JSON, read back by ``loaddata`` as ``.json``.

A backup keeps every row's primary key, so foreign keys between the leaderboard's
own rows are written as primary keys: no query per key (a natural key costs one),
and a history row that names a row deleted since still reads back. Keys to other
apps' rows (content types and permissions, which get new primary keys on a new
database) are natural keys, or the primary key they hold when the row is gone.

Times keep their microseconds (Django's encoder cuts them to milliseconds), so a
restore gives back exactly what was backed up.
"""

import datetime

from django.core.exceptions import ObjectDoesNotExist
from django.core.serializers.json import Deserializer  # noqa: F401 - the format's reader
from django.core.serializers.json import Serializer as JSONSerializer


class Serializer(JSONSerializer):
    def _value_from_field(self, obj, field):
        value = super()._value_from_field(obj, field)
        if isinstance(value, datetime.datetime | datetime.time):
            return value.isoformat()
        return value

    def handle_fk_field(self, obj, field):
        if field.remote_field.model._meta.app_label == obj._meta.app_label:
            self._current[field.name] = self._value_from_field(obj, field)
            return
        try:
            super().handle_fk_field(obj, field)
        except ObjectDoesNotExist:
            self._current[field.name] = self._value_from_field(obj, field)
