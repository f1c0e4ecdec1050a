"""A fixed-window attempt counter per client IP in Django's cache.

The default cache (LocMemCache) is per process: in production, with several workers, configure
a shared cache (Redis, Memcached or the database cache) or the limit is multiplied by the
number of processes. Behind a reverse proxy, REMOTE_ADDR must be the client's address (set by
the proxy configuration); X-Forwarded-For is not trusted here.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(scope: str, ip: str) -> str:
    return f"motcua:ratelimit:{scope}:{ip}"


def hit(scope: str, ip: str) -> bool:
    """Count one attempt; False when the client has used up the window's allowance."""
    limit = settings.MOTCUA_LOOKUP_ATTEMPTS
    window = settings.MOTCUA_LOOKUP_WINDOW_SECONDS
    key = _key(scope, ip)
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit
