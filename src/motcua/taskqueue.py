"""The database task queue (django-tasks-db) with its queue row written through an INSERT built
once (:class:`motcua.fastinsert.CompiledInsert`).

``DatabaseBackend.enqueue`` writes one ``DBTaskResult`` with ``objects.create``, whose INSERT the
ORM compiles each time: after the dossier services' own rows, that was the largest cost of a
reception that notifies the applicant (docs/benchmarks.md). This backend writes the same row
with the same values; everything else (validation, the ``task_enqueued`` signal, the worker) is
the library's. ``tests/test_fastinsert.py`` compares the rows of both backends.
"""

from __future__ import annotations

import functools

from django_tasks_db.backend import DatabaseBackend as LibraryDatabaseBackend
from django_tasks_db.compat import normalize_json

from motcua.fastinsert import CompiledInsert


@functools.cache
def _insert() -> CompiledInsert:
    from django_tasks_db.models import DBTaskResult  # the app registry must be ready

    return CompiledInsert(DBTaskResult)


class DatabaseBackend(LibraryDatabaseBackend):
    def _task_to_db_task(self, task, args, kwargs):
        insert = _insert()
        row = insert.model(
            id=self._get_id(),
            args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after,
            backend_name=self.alias,
        )
        return insert.insert(row)
