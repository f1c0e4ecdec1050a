"""Insert a new model row through an INSERT built once per model and database (the reception's
hot path: the dossier and its action row).

``Model.save()`` on a new instance compiles its ``INSERT`` every time: for the 75-column dossier
that is about a third of a reception's Python time (docs/benchmarks.md, "Dossier submission").
:class:`CompiledInsert` does what ``save()`` does for a new row of a plain model, in the same
order — ``pre_save``, the related objects' ids, each field's ``pre_save(add=True)`` and
``get_db_prep_save``, one ``INSERT … RETURNING id``, the instance marked as saved, ``post_save``
with ``created=True`` — with the SQL text kept. Models it cannot serve exactly (multi-table
inheritance, columns returned by the database other than the key, fields with their own SQL
placeholder) are refused when the inserter is built, so a later model change fails loudly in
the tests instead of writing a different row. ``tests/test_fastinsert.py`` compares the
rows and the signals with ``save()``.
"""

from __future__ import annotations

from django.db import connections
from django.db.models.signals import post_save, pre_save


class CompiledInsert:
    def __init__(self, model) -> None:
        meta = model._meta
        # A key the database generates (returned by the INSERT), or one the instance carries (a
        # UUID default); no other column may come back from the database.
        self.generated_key = meta.auto_field is not None
        returned = [f.attname for f in meta.db_returning_fields]
        if meta.parents or meta.proxy or returned != ([meta.pk.attname] if self.generated_key else []):
            raise TypeError(f"{model.__name__}: not a plain model (one table, only its key generated)")
        self.model = model
        self.fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field and not f.generated]
        if any(hasattr(f, "get_placeholder") for f in self.fields):
            raise TypeError(f"{model.__name__}: a field has its own SQL placeholder")
        self._sql: dict[str, tuple[str, bool]] = {}

    def _statement(self, connection, rows: int = 1) -> tuple[str, bool]:
        found = self._sql.get((connection.alias, rows))
        if found is None:
            meta, qn = self.model._meta, connection.ops.quote_name
            table = qn(meta.db_table)
            one = f"({', '.join(['%s'] * len(self.fields))})"
            sql = (
                f"INSERT INTO {table} ({', '.join(qn(f.column) for f in self.fields)}) "
                f"VALUES {', '.join([one] * rows)}"
            )
            returning = self.generated_key and (
                connection.features.can_return_rows_from_bulk_insert
                or (rows == 1 and connection.features.can_return_columns_from_insert)
            )
            if returning:
                sql += f" RETURNING {table}.{qn(meta.pk.column)}"
            found = self._sql[(connection.alias, rows)] = (sql, returning)
        return found

    def insert_many(self, objs: list, using: str = "default") -> list:
        """``bulk_create(objs)`` for a few new instances (no signals, as ``bulk_create``): one
        ``INSERT … VALUES (…), (…) RETURNING id`` whose text is kept per number of rows."""
        if not objs:
            return objs
        meta = self.model._meta
        for obj in objs:
            self._check_new(obj)
            obj._prepare_related_fields_for_save(operation_name="bulk_create")
        connection = connections[using]
        sql, returning = self._statement(connection, len(objs))
        if self.generated_key and not returning:  # no RETURNING on multi-row inserts: one at a time
            return [self._insert_row(obj, connection, using) for obj in objs]
        params = [
            f.get_db_prep_save(f.pre_save(obj, True), connection=connection)
            for obj in objs
            for f in self.fields
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            ids = [row[0] for row in cursor.fetchall()] if returning else [obj.pk for obj in objs]
        for obj, pk in zip(objs, ids, strict=True):
            setattr(obj, meta.pk.attname, pk)
            obj._state.adding = False
            obj._state.db = using
        return objs

    def _check_new(self, obj) -> None:
        """A new instance of the model: unsaved, with no key when the database makes it."""
        if type(obj) is not self.model or not obj._state.adding or (obj.pk is not None) == self.generated_key:
            raise ValueError("CompiledInsert takes new, unsaved instances of its own model")

    def insert(self, obj, using: str = "default"):
        """Insert ``obj`` (a new instance of the model) as ``obj.save()`` would; returns it."""
        model = self.model
        self._check_new(obj)
        pre_save.send(sender=model, instance=obj, raw=False, using=using, update_fields=None)
        obj._prepare_related_fields_for_save(operation_name="save")
        self._insert_row(obj, connections[using], using)
        post_save.send(sender=model, instance=obj, created=True, update_fields=None, raw=False, using=using)
        return obj

    def _insert_row(self, obj, connection, using: str):
        meta = self.model._meta
        sql, returning = self._statement(connection)
        params = [f.get_db_prep_save(f.pre_save(obj, True), connection=connection) for f in self.fields]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            if returning:
                pk = cursor.fetchone()[0]
            elif self.generated_key:
                pk = connection.ops.last_insert_id(cursor, meta.db_table, meta.pk.column)
            else:
                pk = obj.pk
        setattr(obj, meta.pk.attname, pk)
        obj._state.adding = False
        obj._state.db = using
        return obj
