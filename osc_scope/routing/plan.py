"""What one cloud's router needs to know, computed once from the routing table.

The plan is the single answer to "where can a request on this cloud go": its frontends and
the service at each path prefix, one backend per (cloud, service) -- local services and the
other clouds' frontends -- and the alias table of service names. ``render`` writes it out as
haproxy.cfg, maps and the Lua table; ``explain`` reads it to show a scope's effect.
"""

import dataclasses
import re
import urllib.parse

from osc_scope.routing import table as table_mod
from osc_scope.scope.service_types import service_aliases

__all__ = [
    "Backend",
    "Frontend",
    "Plan",
    "PlanError",
    "build",
    "route_key",
    "service_aliases",
]

INTERFACE_PREFERENCE = ("public", "internal", "admin")
NAME_SAFE = re.compile(r"[^A-Za-z0-9_.-]")
KNOWN_LISTED = 20  # clouds named in an "unknown cloud" refusal


class PlanError(ValueError):
    """The table cannot be rendered for this cloud; the message says why."""


@dataclasses.dataclass
class Frontend:
    name: str
    scheme: str
    host: str
    port: int
    prefixes: dict  # path prefix ("" = root) -> service type

    @property
    def bind(self):
        return f"{self.host}:{self.port}"

    @property
    def origin(self):
        """``scheme://host:port``, as the routing table names frontends."""
        return f"{self.scheme}://{self.bind}"

    @property
    def map_name(self):
        return NAME_SAFE.sub("_", self.name)


@dataclasses.dataclass
class Backend:
    name: str
    cloud: str
    service: str
    local: bool
    servers: list  # host:port
    host_header: str = ""  # remote only: the Host the other cloud's frontend expects
    tls: bool = False  # remote only: https to the other cloud
    sni: str = ""
    remote_prefix: str = ""
    rewrites: list = dataclasses.field(default_factory=list)  # (local prefix, remote prefix)
    url: str = ""  # remote only: the other cloud's endpoint


@dataclasses.dataclass
class Plan:
    local_cloud: str
    clouds: list
    frontends: list
    backends: list
    routes: dict  # route_key(cloud, service) -> backend name
    local_types: list
    aliases: dict  # name as written (lower case, '-' for '_') -> official type
    table_types: list  # every service type of the table, for the native fast path

    def route(self, cloud, service):
        """The backend serving ``service`` of ``cloud`` here, or None."""
        return self.routes.get(route_key(cloud, service))

    def known_clouds_text(self):
        """The clouds an "unknown cloud" refusal lists (the first KNOWN_LISTED)."""
        listed = ", ".join(self.clouds[:KNOWN_LISTED])
        if len(self.clouds) > KNOWN_LISTED:
            listed += f" and {len(self.clouds) - KNOWN_LISTED} more"
        return listed


def route_key(cloud, service):
    """``CloudTwo/image``: the one key order of routes, in the plan and in maps/routes.map
    (the native path builds it with HAProxy's concat, which appends: the cloud comes first)."""
    return f"{cloud}/{service}"


def backend_name(cloud, service):
    """``CloudTwo:image``: HAProxy's stats then say where traffic went."""
    return f"{cloud}:{service}"


def _path_prefix(url):
    return urllib.parse.urlsplit(url).path.rstrip("/")


def _split(url):
    parts = urllib.parse.urlsplit(table_mod.frontend_of(url))
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    return parts.scheme, host, parts.port


def _preferred(endpoints):
    def rank(endpoint):
        try:
            return INTERFACE_PREFERENCE.index(endpoint.interface)
        except ValueError:
            return len(INTERFACE_PREFERENCE)

    return sorted(endpoints, key=rank)[0]


def build(routing_table, cloud_name):
    """The plan for ``cloud_name``; ``routing_table`` is a RoutingTable or its dict."""
    if isinstance(routing_table, dict):
        routing_table = table_mod.from_dict(routing_table)
    try:
        local = routing_table.cloud(cloud_name)
    except table_mod.TableError as exc:
        raise PlanError(str(exc)) from None

    frontends = {}
    for url in local.frontends:
        scheme, host, port = _split(url)
        name = f"{local.name}:{NAME_SAFE.sub('_', host)}:{port}"
        frontends[table_mod.frontend_of(url)] = Frontend(name, scheme, host, port, {})
    local_prefixes = {}  # service -> local path prefixes
    local_servers = {}
    for endpoint in local.endpoints:
        frontend = frontends[endpoint.frontend]
        prefix = _path_prefix(endpoint.url)
        other = frontend.prefixes.setdefault(prefix, endpoint.service_type)
        if other != endpoint.service_type:
            raise PlanError(
                f"cloud {local.name}: {endpoint.frontend}{prefix or '/'} serves both "
                f"{other} and {endpoint.service_type}"
            )
        if not endpoint.backends:
            raise PlanError(
                f"cloud {local.name}: no backend for {endpoint.url} ({endpoint.service_type}); "
                "give it with 'osc-scope table build --backends'"
            )
        local_prefixes.setdefault(endpoint.service_type, set()).add(prefix)
        servers = local_servers.setdefault(endpoint.service_type, [])
        servers.extend(b for b in endpoint.backends if b not in servers)

    backends, routes = [], {}
    for service in sorted(local_servers):
        name = backend_name(local.name, service)
        backends.append(Backend(name, local.name, service, True, local_servers[service]))
        routes[route_key(local.name, service)] = name
    for cloud in routing_table.clouds.values():
        if cloud.name == local.name:
            continue
        for service in sorted(local_prefixes):  # only what a path here can ask for
            endpoints = cloud.endpoints_for(service)
            if not endpoints:
                continue
            endpoint = _preferred(endpoints)
            scheme, host, port = _split(endpoint.url)
            parts = urllib.parse.urlsplit(endpoint.url)
            remote_prefix = _path_prefix(endpoint.url)
            name = backend_name(cloud.name, service)
            backends.append(
                Backend(
                    name,
                    cloud.name,
                    service,
                    False,
                    [f"{host}:{port}"],
                    host_header=parts.netloc.rpartition("@")[2],
                    tls=scheme == "https",
                    sni=parts.hostname,
                    remote_prefix=remote_prefix,
                    url=endpoint.url,
                    rewrites=[
                        (prefix, remote_prefix)
                        for prefix in sorted(local_prefixes[service], key=len, reverse=True)
                        if prefix != remote_prefix
                    ],
                )
            )
            routes[route_key(cloud.name, service)] = name

    table_types = sorted(
        {e.service_type for c in routing_table.clouds.values() for e in c.endpoints}
    )
    return Plan(
        local_cloud=local.name,
        clouds=list(routing_table.clouds),
        frontends=list(frontends.values()),
        backends=backends,
        routes=routes,
        local_types=sorted(local_prefixes),
        aliases=service_aliases(table_types),
        table_types=table_types,
    )
