"""Answer generators, found through the ``agriadvisor.backends`` entry-point group."""

from agriadvisor.backends.base import Backend, BackendNeeds, Evidence, GenerationRequest
from agriadvisor.backends.registry import backend_class, backend_names, create_backend, register, unregister

__all__ = ["Backend", "BackendNeeds", "Evidence", "GenerationRequest", "backend_class", "backend_names",
           "create_backend", "register", "unregister"]
