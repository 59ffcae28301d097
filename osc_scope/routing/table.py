"""The routing table: every cloud, its HAProxy frontends, its endpoints and their backends.

One JSON file (format in README.md, "The routing table") is the single source for the Lua
router, ``haproxy.cfg``, the lab and the playbooks. It is built from catalog records
(``osc_scope.routing.catalog``) plus a mapping ``{endpoint URL: [backend host:port, ...]}``
for the clouds whose real services are known, and validated whenever it is loaded, so a
broken file is refused before anything is rendered from it.
"""

import dataclasses
import json
import os
import pathlib
import re
import tempfile
import urllib.parse

from osc_scope.origin import origin
from osc_scope.routing.catalog import read_json
from osc_scope.scope.names import CLOUD_NAME_RULE, is_cloud_name

__all__ = [
    "FORMAT",
    "Cloud",
    "Route",
    "RoutingTable",
    "TableError",
    "build",
    "from_dict",
    "load",
    "read_backends",
    "frontend_of",
]

FORMAT = 1
HOST_PORT = re.compile(r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(?P<port>[0-9]{1,5})")


class TableError(ValueError):
    """A routing table (or what it is built from) that cannot be used, and where."""


@dataclasses.dataclass(frozen=True)
class Route:
    """One catalog endpoint and the real services behind it (empty when not known)."""

    service_type: str
    interface: str
    url: str
    backends: tuple = ()

    @property
    def frontend(self):
        return frontend_of(self.url)


@dataclasses.dataclass(frozen=True)
class Cloud:
    """A cloud: named after its Keystone region, reached through its HAProxy frontends."""

    name: str
    frontends: tuple
    endpoints: tuple

    @property
    def service_types(self):
        return sorted({e.service_type for e in self.endpoints})

    def endpoints_for(self, service_type):
        return [e for e in self.endpoints if e.service_type == service_type]


@dataclasses.dataclass(frozen=True)
class RoutingTable:
    clouds: dict  # name -> Cloud, in name order

    @property
    def names(self):
        return list(self.clouds)

    def cloud(self, name):
        try:
            return self.clouds[name]
        except KeyError:
            known = ", ".join(self.clouds) or "none"
            raise TableError(f"unknown cloud {name!r}; the table knows: {known}") from None

    def to_dict(self):
        return {
            "format": FORMAT,
            "clouds": {
                cloud.name: {
                    "region": cloud.name,
                    "frontends": list(cloud.frontends),
                    "endpoints": [
                        {
                            "service_type": e.service_type,
                            "interface": e.interface,
                            "url": e.url,
                            "backends": list(e.backends),
                        }
                        for e in cloud.endpoints
                    ],
                }
                for cloud in self.clouds.values()
            },
        }

    def dump(self, path):
        """Write the table atomically: a reader never sees half a file."""
        _write_atomically(pathlib.Path(path), json.dumps(self.to_dict(), indent=1) + "\n")


def frontend_of(url):
    """``scheme://host:port`` of an endpoint URL, the port made explicit."""
    try:
        return origin(url)
    except ValueError as exc:
        raise TableError(f"endpoint URL {url!r} {exc}") from None


def _url_key(url):
    """Compare endpoint URLs the way a user means them: case of host, trailing slash aside."""
    parts = urllib.parse.urlsplit(url.strip())
    return (parts.scheme.lower(), frontend_of(url), parts.path.rstrip("/"), parts.query)


def _check_backend(address, where):
    match = HOST_PORT.fullmatch(address) if isinstance(address, str) else None
    if not match or not 0 < int(match["port"]) < 65536:
        raise TableError(f"{where}: backend {address!r} is not host:port")
    return address


def build(endpoints, backends=None, regions=None):
    """A table from catalog records; ``backends`` maps endpoint URL -> [host:port, ...].

    Every ``backends`` URL must match an endpoint, so a typo is an error, not a service
    silently left without its backend. ``regions`` keeps only the named ones.
    """
    backends = dict(backends or {})
    by_url = {
        _url_key(url): (url, (addrs,) if isinstance(addrs, str) else tuple(addrs))
        for url, addrs in backends.items()
    }
    used = set()
    grouped = {}
    for endpoint in endpoints:
        if regions and endpoint.region not in regions:
            continue
        key = _url_key(endpoint.url)
        addrs = ()
        if key in by_url:
            addrs = by_url[key][1]
            used.add(key)
        route = Route(endpoint.service_type, endpoint.interface, endpoint.url, addrs)
        grouped.setdefault(endpoint.region, {})[(route.service_type, route.interface, key)] = route
    unused = [by_url[k][0] for k in by_url if k not in used]
    if unused:
        raise TableError(f"backends given for URLs no catalog lists: {', '.join(unused)}")
    if regions:
        missing = sorted(set(regions) - set(grouped))
        if missing:
            raise TableError(f"no endpoint in region(s) {', '.join(missing)}")
    document = {
        "format": FORMAT,
        "clouds": {
            region: {
                "region": region,
                "frontends": sorted({r.frontend for r in routes.values()}),
                "endpoints": [
                    dict(dataclasses.asdict(r), backends=list(r.backends))
                    for _, r in sorted(routes.items(), key=lambda i: i[0])
                ],
            }
            for region, routes in sorted(grouped.items())
        },
    }
    return from_dict(document)


def from_dict(document):
    """Validate a table document and return it as a RoutingTable."""
    if not isinstance(document, dict):
        raise TableError("the routing table must be a JSON object")
    if document.get("format") != FORMAT:
        raise TableError(f"unsupported routing table format {document.get('format')!r}")
    raw_clouds = document.get("clouds")
    if not isinstance(raw_clouds, dict) or not raw_clouds:
        raise TableError("the routing table has no clouds")
    clouds = {}
    owner_of_frontend = {}
    for name in sorted(raw_clouds):
        cloud = _cloud_from_dict(name, raw_clouds[name])
        for frontend in cloud.frontends:
            other = owner_of_frontend.setdefault(frontend, name)
            if other != name:
                raise TableError(f"clouds {other} and {name} share the frontend {frontend}")
        clouds[name] = cloud
    return RoutingTable(clouds)


def _cloud_from_dict(name, raw):
    where = f"cloud {name!r}"
    if not is_cloud_name(name):
        raise TableError(f"{where}: a cloud name is {CLOUD_NAME_RULE}")
    if not isinstance(raw, dict):
        raise TableError(f"{where}: expected an object")
    if raw.get("region", name) != name:
        raise TableError(f"{where}: region {raw['region']!r} differs from the cloud name")
    raw_endpoints = raw.get("endpoints")
    if not isinstance(raw_endpoints, list) or not raw_endpoints:
        raise TableError(f"{where}: no endpoints")
    endpoints = []
    for index, item in enumerate(raw_endpoints):
        at = f"{where}, endpoint #{index}"
        if not isinstance(item, dict):
            raise TableError(f"{at}: expected an object")
        for field in ("service_type", "interface", "url"):
            if not isinstance(item.get(field), str) or not item[field]:
                raise TableError(f"{at}: {field} must be a non-empty string")
        addrs = item.get("backends", [])
        if not isinstance(addrs, list):
            raise TableError(f"{at}: backends must be a list of host:port")
        frontend_of(item["url"])  # raises on a URL the router could not serve
        endpoints.append(
            Route(
                item["service_type"],
                item["interface"],
                item["url"],
                tuple(_check_backend(a, at) for a in addrs),
            )
        )
    frontends = raw.get("frontends") or sorted({e.frontend for e in endpoints})
    if not isinstance(frontends, list):
        raise TableError(f"{where}: frontends must be a list of URLs")
    frontends = tuple(frontend_of(f) for f in frontends)
    stray = sorted({e.frontend for e in endpoints} - set(frontends))
    if stray:
        raise TableError(f"{where}: endpoints on {', '.join(stray)}, not a listed frontend")
    return Cloud(name=name, frontends=frontends, endpoints=tuple(endpoints))


def load(path):
    """Read and validate a routing table file."""
    document = read_json(path, TableError)
    try:
        return from_dict(document)
    except TableError as exc:
        raise TableError(f"{path}: {exc}") from None


def read_backends(path):
    """Read a ``{endpoint URL: [host:port, ...]}`` file (a string value is one backend)."""
    mapping = read_json(path, TableError)
    if not isinstance(mapping, dict):
        raise TableError(f"{path}: expected an object {{endpoint URL: [host:port, ...]}}")
    result = {}
    for url, addrs in mapping.items():
        addrs = [addrs] if isinstance(addrs, str) else addrs
        if not isinstance(addrs, list) or not addrs:
            raise TableError(f"{path}: {url}: expected a list of host:port")
        frontend_of(url)
        result[url] = [_check_backend(a, f"{path}: {url}") for a in addrs]
    return result


def _write_atomically(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as stream:
            stream.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
