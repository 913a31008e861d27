"""The JSON that ``manage.py backup`` writes (``SERIALIZATION_MODULES["backup"]``):
Django's JSON, read back by ``loaddata`` as ``.json``.

Foreign keys are natural keys where the row exists (content types and permissions
get new primary keys on a new database). A history row may name a row deleted
since; Django's serializer stops there ("matching query does not exist"), so such a
key is written as the primary key it holds: a backup keeps primary keys anyway.

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
        try:
            super().handle_fk_field(obj, field)
        except ObjectDoesNotExist:
            self._current[field.name] = self._value_from_field(obj, field)
