"""What a collection request asks of the merged list: page size, position, order.

OpenStack pages a list with ``limit`` and ``marker`` (the id of the last item seen). A
merged list has one position per branch, so the marker of the merged list's ``next`` link
is a cursor: ``osc-scope.<base64url JSON>`` holding each branch's own marker (or that it
is done, or not started). Sorting follows the services' own parameters: Glance's
``sort=name:asc,created_at`` and everyone's ``sort_key``/``sort_dir`` pairs.
"""

import base64
import binascii
import dataclasses
import json
import urllib.parse

__all__ = ["CURSOR_PREFIX", "Cursor", "PagingError", "Query", "SortKey", "parse_query"]

CURSOR_PREFIX = "osc-scope."
NOT_STARTED = None
DONE = True
# The direction of a sort key given without one, as each service defaults it.
DEFAULT_SORT_DIR = {"image": "desc", "compute": "desc"}
FALLBACK_SORT_DIR = "asc"  # Neutron and the api-wg guideline
PAGING_PARAMS = ("limit", "marker")
SORT_PARAMS = ("sort", "sort_key", "sort_dir")


class PagingError(ValueError):
    """The client's paging parameters cannot be served; the message says why (400)."""


@dataclasses.dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool


@dataclasses.dataclass(frozen=True)
class Cursor:
    """Each branch's position: NOT_STARTED, DONE, or the id of its last item served."""

    positions: dict

    def position(self, branch):
        return self.positions.get(branch, NOT_STARTED)

    def encode(self):
        text = json.dumps({"v": 1, "p": self.positions}, separators=(",", ":"), sort_keys=True)
        return CURSOR_PREFIX + base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, marker, branches):
        """The cursor of a merged list's marker; None when ``marker`` is not one."""
        if not marker.startswith(CURSOR_PREFIX):
            return None
        data = marker[len(CURSOR_PREFIX) :]
        try:
            raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
            document = json.loads(raw)
        except (binascii.Error, ValueError):
            raise PagingError("marker: not a marker of this router's merged list") from None
        positions = document.get("p") if isinstance(document, dict) else None
        if document.get("v") != 1 or not isinstance(positions, dict):
            raise PagingError("marker: not a marker of this router's merged list")
        if set(positions) - set(branches):
            raise PagingError(
                "marker: it was made for another expression ("
                + "&".join(sorted(positions))
                + "); start again without a marker"
            )
        for value in positions.values():
            if not (value is NOT_STARTED or value is DONE or isinstance(value, str)):
                raise PagingError("marker: not a marker of this router's merged list")
        return cls(dict(positions))


@dataclasses.dataclass(frozen=True)
class Query:
    """The request's query, split into what the fan-out owns and what goes on as is."""

    params: list  # (name, value) pairs other than limit and marker, in order
    limit: int | None
    marker: str | None
    sort: tuple  # SortKey, in order of precedence; () keeps each cloud's own order

    def sub_query(self, marker=None, limit=None):
        """The query string of one branch's sub-request."""
        pairs = list(self.params)
        if limit is not None:
            pairs.append(("limit", str(limit)))
        if marker is not None:
            pairs.append(("marker", marker))
        return urllib.parse.urlencode(pairs)

    def next_query(self, cursor):
        """The query string of the merged list's next page."""
        pairs = list(self.params)
        if self.limit is not None:
            pairs.append(("limit", str(self.limit)))
        pairs.append(("marker", cursor.encode()))
        return urllib.parse.urlencode(pairs)


def _limit(values):
    text = values[-1]
    if not text.isdigit() or len(text) > 9:
        raise PagingError(f"limit: expected a non-negative integer, got {text!r}")
    return int(text)


def _sort_keys(pairs, service):
    """SortKeys from Glance's ``sort=k:dir,...`` or ``sort_key``/``sort_dir`` pairs."""
    default_dir = DEFAULT_SORT_DIR.get(service, FALLBACK_SORT_DIR)
    glance = [v for k, v in pairs if k == "sort"]
    keys = [v for k, v in pairs if k == "sort_key"]
    dirs = [v for k, v in pairs if k == "sort_dir"]
    result = []
    for text in glance:
        for part in filter(None, (p.strip() for p in text.split(","))):
            field, _, direction = part.partition(":")
            result.append(_key(field, direction or default_dir))
    for index, field in enumerate(keys):
        direction = dirs[index] if index < len(dirs) else (dirs[-1] if dirs else default_dir)
        result.append(_key(field, direction))
    return tuple(result)


def _key(field, direction):
    direction = direction.strip().lower()
    if direction not in ("asc", "desc") or not field.strip():
        raise PagingError(f"sort: expected <key>[:asc|desc], got {field}:{direction}")
    return SortKey(field.strip(), direction == "desc")


def parse_query(query_string, service):
    """Split a request's query string for a fan-out of ``service``."""
    pairs = urllib.parse.parse_qsl(query_string, keep_blank_values=True)
    limits = [v for k, v in pairs if k == "limit"]
    markers = [v for k, v in pairs if k == "marker"]
    return Query(
        params=[(k, v) for k, v in pairs if k not in PAGING_PARAMS],
        limit=_limit(limits) if limits else None,
        marker=markers[-1] if markers and markers[-1] else None,
        sort=_sort_keys(pairs, service),
    )
