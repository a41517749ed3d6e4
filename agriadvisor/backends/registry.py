"""Find backends through the ``agriadvisor.backends`` entry-point group.

Built-in backends are registered in our own ``pyproject.toml`` exactly as a third-party
package would register its own, so there is one discovery path for both.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from agriadvisor.backends.base import Backend
from agriadvisor.errors import BackendError, UnknownBackendError

log = logging.getLogger(__name__)

GROUP = "agriadvisor.backends"
_FALLBACK = {"extractive": "agriadvisor.backends.extractive:ExtractiveBackend"}
_extra: dict[str, type[Backend]] = {}


@lru_cache(maxsize=1)
def _entry_points() -> dict[str, EntryPoint]:
    found = {ep.name: ep for ep in entry_points(group=GROUP)}
    for name, value in _FALLBACK.items():  # running from a source tree that was never installed
        found.setdefault(name, EntryPoint(name=name, value=value, group=GROUP))
    return found


def register(cls: type[Backend]) -> None:
    """Register a backend class at run time (tests, notebooks); entry points are the usual way."""
    if not (isinstance(cls, type) and issubclass(cls, Backend)):
        raise BackendError(f"{cls!r} is not a Backend subclass")
    _extra[cls.name] = cls


def unregister(name: str) -> None:
    """Remove a backend registered with :func:`register`."""
    _extra.pop(name, None)


def backend_names() -> list[str]:
    """Every registered backend name, sorted."""
    return sorted(set(_entry_points()) | set(_extra))


def backend_class(name: str) -> type[Backend]:
    """The class registered under ``name``; the error lists the names that exist."""
    if name in _extra:
        return _extra[name]
    ep = _entry_points().get(name)
    if ep is None:
        raise UnknownBackendError(f"unknown backend {name!r}; available: {', '.join(backend_names())}")
    try:
        cls = ep.load()
    except ImportError as exc:
        raise BackendError(f"backend {name!r} could not be imported ({exc}); is its extra installed?") from exc
    if not (isinstance(cls, type) and issubclass(cls, Backend)):
        raise BackendError(f"entry point {name!r} -> {ep.value} is not a Backend subclass")
    return cls


def create_backend(name: str, settings: Any = None, **options: Any) -> Backend:
    """Instantiate a backend; classes may define ``from_settings(settings, **options)``.

    ``NAME:TARGET`` (e.g. ``adapter:adapters/my-agency``) goes to ``from_target(TARGET, settings,
    **options)`` of the class registered as NAME.
    """
    kind, sep, target = name.partition(":")
    if sep and name not in _extra and name not in _entry_points():
        factory = getattr(backend_class(kind), "from_target", None)
        if factory is None:
            raise UnknownBackendError(f"backend {kind!r} takes nothing after ':' (got {name!r})")
        return factory(target, settings, **options)
    cls = backend_class(name)
    factory = getattr(cls, "from_settings", None)
    if factory is not None:
        return factory(settings, **options)
    return cls(**options)
