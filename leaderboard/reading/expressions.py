"""The project's own SQL expressions, each written for speed where Django's own would
do the same slower: ``InIds`` (a column among ids already read from the database) and
``JSONArrayText`` (several columns read as one text). Both use only the public API
for custom expressions (``as_sql``, ``compiler.compile``)."""

from django.core.exceptions import EmptyResultSet
from django.db.models import BooleanField, Expression, F, Func, TextField
from django.db.models.functions import Cast


class InIds(Expression):
    """``column IN (ids)`` for ``ids`` read from the database (ints), passed to it as
    they are: ``filter(InIds("model_id", ids))``. Django's ``model_id__in=ids`` prepares
    each id through the field, and on a foreign key first asks whether it is a model
    instance: for the 1,000 models of each query of an export, that was a twentieth of
    the JSON export of 10,000 models (in instructions counted). Anything but ints is
    refused (``TypeError``): these ids are SQL parameters, never text. For a column
    that is never null: under ``exclude()`` a null would be dropped, where Django's
    ``exclude(column__in=...)`` keeps it."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, column, ids):
        super().__init__()
        self.column = F(column) if isinstance(column, str) else column
        self.ids = list(ids)
        if any(type(pk) is not int for pk in self.ids):
            raise TypeError("InIds takes ints, read from the database.")

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, expressions):
        (self.column,) = expressions

    def as_sql(self, compiler, connection):
        if not self.ids:
            raise EmptyResultSet
        sql, params = compiler.compile(self.column)
        return f"{sql} IN ({', '.join(['%s'] * len(self.ids))})", (*params, *self.ids)


class JSONArrayText(Func):
    """The expressions' values as the text of one JSON array: several columns read as
    one, for rows whose values repeat and are only compared until one is new. On
    SQLite, ``json_array`` of the values; on PostgreSQL, of the values as text
    (``array_to_json``: ``json_build_array`` made the read a fifth slower than the
    columns), so a number or true/false may come as its text ("5", "true"). Django's
    ``JSONArray`` is read back as a list, a value per row, and asks SQLite whether it
    has JSON (queries) on each new connection."""

    function = "JSON_ARRAY"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        as_texts = self.copy()
        as_texts.set_source_expressions(
            [Cast(expression, TextField()) for expression in self.get_source_expressions()]
        )
        return as_texts.as_sql(
            compiler,
            connection,
            template="array_to_json(ARRAY[%(expressions)s])::text",
            **extra_context,
        )
