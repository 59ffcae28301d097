"""Service-type names as users write them -> the official type of the registry.

The registry is the ``os-service-types`` package (the Service Types Authority data it
ships); ``glance``, ``Image``, ``volumev3`` and ``object_store`` all have one official
type. The data is loaded once, on first use, so a command without a scope never pays.
"""

import difflib
import functools

from osc_scope.scope.errors import UnknownServiceError


@functools.cache
def service_registry():
    """The os-service-types registry, loaded once per process (the only place it is)."""
    import os_service_types

    return os_service_types.ServiceTypes()


_registry = service_registry


@functools.cache
def _known_names():
    """Every name accepted as a key, for suggestions: types, aliases, project names."""
    registry = _registry()
    names = set()
    for official, aliases in registry.all_types_by_service_type.items():
        names.add(official)
        names.update(aliases)
    names.update(registry.primary_service_by_project)
    return tuple(sorted(names))


def lookup(name):
    """Return the official service type for ``name``, or None if the registry has none."""
    if not isinstance(name, str) or not name:
        return None
    key = name.lower().replace("_", "-")
    registry = _registry()
    official = registry.get_service_type(key)
    if official:
        return official
    project = registry.get_service_data_for_project(key)
    if project:
        return project["service_type"]
    return None


def normalize(name):
    """Return the official service type for ``name``; raise ``UnknownServiceError``."""
    official = lookup(name)
    if official:
        return official
    suggestions = difflib.get_close_matches(str(name).lower(), _known_names(), n=3, cutoff=0.6)
    hint = f" (did you mean: {', '.join(suggestions)}?)" if suggestions else ""
    raise UnknownServiceError(
        f"unknown service type {name!r}{hint}", service=name, suggestions=suggestions
    )


def official_types():
    """All official service types of the registry (for tests and suggestions)."""
    return tuple(sorted(_registry().all_types_by_service_type))


def service_aliases(extra_types=()):
    """Every name a scope may use for a service -> its official type, as ``lookup`` reads
    names (lower case, ``-`` for ``_``): the table the HAProxy router is given, so both
    sides accept the same names. ``extra_types``: deployers' own types, routed by URL."""
    registry = service_registry()
    aliases = {}
    for project, data in registry.primary_service_by_project.items():
        aliases[project.lower().replace("_", "-")] = data["service_type"]
    for official, names in registry.all_types_by_service_type.items():
        for name in (official, *names):
            aliases[name.lower().replace("_", "-")] = official
    for official in extra_types:
        aliases.setdefault(official.lower().replace("_", "-"), official)
    return dict(sorted(aliases.items()))
