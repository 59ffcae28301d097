"""Read Keystone endpoint catalogs, live or saved, into plain endpoint records.

Two sources give the same records: a saved ``openstack endpoint list -f json`` file (what an
operator can hand over without giving credentials) and a live cloud from clouds.yaml, read
through openstacksdk (``GET /v3/endpoints`` and ``/v3/services``). Nothing here knows about
HAProxy: the routing table is built from these records in ``osc_scope.routing.table``.
"""

import dataclasses
import json
import pathlib

from osc_scope.scope.service_types import service_registry

__all__ = ["CatalogError", "Endpoint", "from_endpoint_list", "read_file", "read_cloud"]


class CatalogError(ValueError):
    """A catalog that cannot be read; the message says which source and what is wrong."""


@dataclasses.dataclass(frozen=True)
class Endpoint:
    """One catalog endpoint, service type normalised to the official registry's name."""

    region: str
    service_type: str
    interface: str
    url: str


def normalise_service_type(name):
    """Official type for a catalog's service type (``volumev3`` -> ``block-storage``).

    A type the registry does not know is kept as it is: deployers may register their own
    services, and the router can still route them by URL.
    """
    return service_registry().get_service_type(name) or name


# The column names of ``openstack endpoint list -f json``, and their Keystone API names.
_COLUMNS = {
    "region": ("Region", "region_id", "region"),
    "service_type": ("Service Type", "service_type"),
    "interface": ("Interface", "interface"),
    "url": ("URL", "url"),
    "enabled": ("Enabled", "enabled"),
}


def _field(row, field, where):
    for name in _COLUMNS[field]:
        if name in row:
            return row[name]
    if field == "enabled":
        return True
    names = " or ".join(repr(n) for n in _COLUMNS[field])
    raise CatalogError(f"{where}: endpoint has no {names}: {row!r}")


def from_endpoint_list(rows, source="catalog"):
    """Endpoint records from ``openstack endpoint list -f json`` rows (disabled ones dropped)."""
    if not isinstance(rows, list):
        raise CatalogError(
            f"{source}: expected a JSON list as 'openstack endpoint list -f json' prints it, "
            f"got {type(rows).__name__}"
        )
    endpoints = []
    for index, row in enumerate(rows):
        where = f"{source}: endpoint #{index}"
        if not isinstance(row, dict):
            raise CatalogError(f"{where}: expected an object, got {row!r}")
        if not _field(row, "enabled", where):
            continue
        values = {f: _field(row, f, where) for f in ("region", "service_type", "interface", "url")}
        for name, value in values.items():
            if not isinstance(value, str) or not value.strip():
                raise CatalogError(f"{where}: {name} must be a non-empty string, got {value!r}")
        endpoints.append(
            Endpoint(
                region=values["region"].strip(),
                service_type=normalise_service_type(values["service_type"].strip()),
                interface=values["interface"].strip().lower(),
                url=values["url"].strip(),
            )
        )
    if not endpoints:
        raise CatalogError(f"{source}: the catalog has no enabled endpoint")
    return endpoints


def read_json(path, error=CatalogError):
    """The JSON document in ``path``; ``error`` (naming the file) when it cannot be had."""
    path = pathlib.Path(path)
    try:
        return json.loads(path.read_text())
    except OSError as exc:
        raise error(f"{path}: {exc.strerror}") from exc
    except ValueError as exc:
        raise error(f"{path}: not JSON: {exc}") from exc


def read_file(path):
    """Endpoint records from a saved ``openstack endpoint list -f json`` file."""
    return from_endpoint_list(read_json(path), source=str(path))


def read_cloud(cloud, connect=None):
    """Endpoint records of a live cloud named in clouds.yaml (needs the right to list them).

    ``connect`` builds the openstacksdk Connection; the default is ``openstack.connect``.
    """
    if connect is None:
        import openstack

        connect = openstack.connect
    try:
        conn = connect(cloud=cloud)
        types = {s.id: s.type for s in conn.identity.services()}
        rows = [
            {
                "region_id": e.region_id,
                "service_type": types.get(e.service_id, ""),
                "interface": e.interface,
                "url": e.url,
                "enabled": e.is_enabled,
            }
            for e in conn.identity.endpoints()
        ]
    except CatalogError:
        raise
    except Exception as exc:  # openstacksdk raises many kinds; the user needs the cloud + why
        raise CatalogError(f"cloud {cloud}: cannot read the endpoint catalog: {exc}") from exc
    return from_endpoint_list(rows, source=f"cloud {cloud}")
