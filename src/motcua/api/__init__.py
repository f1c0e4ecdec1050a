"""REST API v1 (django-ninja), mounted at ``/api/v1/``.

``api.py`` holds the NinjaAPI instance and mounts one router per domain module (``catalog.py``,
``org.py``, ``worktime.py``, ``me.py``; ``dossiers.py`` slots in the same way). Error format and
exception classes: ``errors.py``. Authentication: ``auth.py``. See docs/api/README.md.
"""
