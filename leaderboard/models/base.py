"""What every leaderboard table shares: natural keys, so fixtures and backups name rows
by slugs and never by primary keys, and loading one twice changes nothing."""

from django.core.exceptions import ObjectDoesNotExist
from django.db import models


class HttpsURLField(models.URLField):
    """A URL field whose form assumes https:// when an editor leaves the scheme out."""

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})


class NaturalKeyQuerySet(models.QuerySet):
    """Finds a row by its natural key: the values of the model's ``NATURAL_KEY``
    lookups, in order. An empty string stands for an unset optional relation (a
    result that names no benchmark version)."""

    def get_by_natural_key(self, *key):
        lookups = {}
        for path, value in zip(self.model.NATURAL_KEY, key, strict=True):
            relation = path.split("__")[0]
            if value == "" and relation != path and self.model._meta.get_field(relation).null:
                lookups[f"{relation}__isnull"] = True
            else:
                lookups[path] = value
        return self.get(**lookups)


class NaturalKeyModel(models.Model):
    """A row known by its ``NATURAL_KEY``: field lookups such as ``("slug",)`` or
    ``("model__slug", "name")``."""

    NATURAL_KEY = ("slug",)

    objects = NaturalKeyQuerySet.as_manager()

    class Meta:
        abstract = True

    def natural_key(self):
        return tuple(self.natural_key_part(path) for path in self.NATURAL_KEY)

    def natural_key_part(self, path):
        relation, _, attribute = path.partition("__")
        if not attribute:
            return getattr(self, relation)
        try:
            related = getattr(self, relation)
        except ObjectDoesNotExist:
            # A fixture naming a row the database lacks leaves the key unset: say which
            # key, instead of Django's bare "Result has no model."
            raise ValueError(
                f"this {self._meta.verbose_name} names a {relation} that is not in the "
                "database: check the slug, and that the fixture lists that row first"
            ) from None
        return "" if related is None else getattr(related, attribute)
