"""The fan-out service's configuration: ``fanout.json``, written by ``osc-scope render``
next to the cloud's ``haproxy.cfg`` (the same plan feeds both, so they agree).

    {"format": 1, "local_cloud": "CloudOne",
     "listen": "/etc/haproxy/osc-scope/fanout.sock",
     "frontends": {"CloudOne:127.0.0.1:80": {
         "scheme": "http", "socket": "/etc/haproxy/osc-scope/fe-CloudOne_127.0.0.1_80.sock",
         "prefixes": {"/image": "image", "/compute/v2.1": "compute"}}},
     "limits": {"max_items": 10000, "max_bytes": 33554432, "timeout": 30}}

``socket`` is the frontend's own second listener (a Unix socket, plain HTTP): sub-requests
go through the very rules the client's request went through, without TLS to itself.
"""

import dataclasses
import json

__all__ = ["Config", "ConfigError", "Frontend", "Limits", "load", "DEFAULT_LIMITS"]

FORMAT = 1


class ConfigError(ValueError):
    """The configuration cannot be used; the message says which part and why."""


@dataclasses.dataclass(frozen=True)
class Limits:
    """Bounds of one fan-out: what it may hold in memory and how long it waits.

    ``max_items`` and ``max_bytes`` bound the items and the bytes of the clouds' answers
    that one merged page holds at once (a client's ``limit`` is cut to fit); ``timeout``
    is how long a branch may take before it counts as missing (seconds, per read for
    streamed answers).
    """

    max_items: int = 10_000
    max_bytes: int = 32 * 1024 * 1024
    timeout: float = 30.0

    @classmethod
    def from_dict(cls, raw):
        values = {}
        for field in dataclasses.fields(cls):
            if field.name in raw:
                value = raw[field.name]
                if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                    raise ConfigError(f"limits.{field.name}: expected a positive number")
                values[field.name] = field.type(value) if field.type is not float else value
        unknown = set(raw) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise ConfigError(f"limits: unknown setting(s) {', '.join(sorted(unknown))}")
        return cls(**values)


DEFAULT_LIMITS = Limits()


@dataclasses.dataclass(frozen=True)
class Frontend:
    name: str
    scheme: str
    socket: str
    prefixes: dict  # path prefix -> service type

    def prefix_of(self, service):
        """The path prefix of ``service`` on this frontend (the longest, if several)."""
        found = [p for p, s in self.prefixes.items() if s == service]
        return max(found, key=len) if found else ""


@dataclasses.dataclass(frozen=True)
class Config:
    local_cloud: str
    listen: str
    frontends: dict  # name -> Frontend
    limits: Limits


def from_dict(raw):
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise ConfigError(f"not a fan-out configuration of format {FORMAT}")
    try:
        frontends = {
            name: Frontend(name, fe["scheme"], fe["socket"], dict(fe["prefixes"]))
            for name, fe in raw["frontends"].items()
        }
        return Config(
            local_cloud=raw["local_cloud"],
            listen=raw["listen"],
            frontends=frontends,
            limits=Limits.from_dict(raw.get("limits", {})),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"missing or malformed setting: {exc}") from None


def load(path):
    try:
        with open(path) as stream:
            raw = json.load(stream)
    except OSError as exc:
        raise ConfigError(f"{path}: {exc.strerror}") from None
    except ValueError as exc:
        raise ConfigError(f"{path}: not JSON ({exc})") from None
    return from_dict(raw)
