"""Private attributes of the libraries osc-scope extends, checked where they are read.

keystonemiddleware and openstacksdk have no public way to get what the middleware and the
CLI need (a validator's session and token cache; the cloud's entry as clouds.yaml wrote it).
Each library's private names are read in one adapter module (``osc_scope.middleware.
ksm_internals``, ``osc_scope.cli.sdk_internals``) and checked with ``require``, so a release
that moved one fails with a message naming the attribute, the installed version and the
range osc-scope was checked with (its ``install_requires``), not with an AttributeError in
the middle of a request.
"""

import re

__all__ = ["MovedInternalsError", "checked_range", "require"]


class MovedInternalsError(RuntimeError):
    """A private attribute osc-scope relies on is not where it was in the checked versions."""


def _canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def checked_range(package):
    """The version range of ``package`` that osc-scope declares, e.g. ``>=10.0,<14``."""
    import importlib.metadata  # only on the error path: the CLI plugin loads this module

    try:
        requirements = importlib.metadata.requires("osc-scope") or ()
    except importlib.metadata.PackageNotFoundError:
        return "unknown: osc-scope is not installed"
    for requirement in requirements:
        spec = requirement.split(";", 1)[0]
        name = re.match(r"[A-Za-z0-9_.-]+", spec).group(0)
        if _canonical(name) == _canonical(package) and ";" not in requirement:
            bounds = [b.strip() for b in spec[len(name) :].split(",") if b.strip()]
            bounds.sort(key=lambda bound: not bound.startswith(">"))  # lower bound first
            return ",".join(bounds) or "any version"
    return "not declared"


def installed_version(package):
    import importlib.metadata

    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "(not installed)"


def _has(obj, name):
    """Whether ``obj`` has ``name``, without running a property (keystonemiddleware's
    ``_reject_auth_headers`` may ask Keystone)."""
    if hasattr(type(obj), name):
        return True
    try:
        return name in vars(obj)
    except TypeError:  # no __dict__
        return hasattr(obj, name)


def require(obj, names, package):
    """Raise ``MovedInternalsError`` unless ``obj`` has every attribute in ``names``."""
    missing = [name for name in names if not _has(obj, name)]
    if missing:
        raise MovedInternalsError(
            f"{package} {installed_version(package)}: {type(obj).__name__} has no attribute "
            f"{', '.join(map(repr, missing))}, which osc-scope uses; osc-scope was checked with "
            f"{package}{checked_range(package)}"
        )
    return obj
