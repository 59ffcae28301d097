"""Several clouds' answers in, one answer out: pure functions, no I/O.

The rules (README, "Fan-out"):

* A collection is a JSON object whose resources are one top-level list under the key the
  path names (``/v2/images`` -> ``images``, ``/servers/detail`` -> ``servers``). Every
  branch's items go into one list, unchanged, each once. Without sort parameters the
  order is the expression's, then each cloud's own; with them, a merge of the clouds'
  sorted pages. A page stops where the next item could come from a cloud whose next page
  is not known yet, so paging returns every item exactly once whatever the clouds hold.
  Branches that fail are reported as partial; the answer is 200 with what the others gave.
* Anything else (one resource, a file, a HEAD): the first branch, in the expression's
  order, that answers 2xx wins. When every branch gave the same 4xx (all 404, all 401)
  that answer goes to the client as it is; other mixes are 502, or 503 when nothing
  answered at all, naming each branch. A collection that no branch could list is a 503
  naming each (or the 4xx every branch gave).
"""

import dataclasses
import functools
import json
import re

from osc_scope.fanout.paging import DONE, NOT_STARTED, Cursor

__all__ = [
    "Answer",
    "Merged",
    "Page",
    "Refusal",
    "choose_resource",
    "collect",
    "collection_key",
    "merge_collection",
    "page_of",
    "same_client_error",
]

ID_LIKE = re.compile(
    r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
    r"|[0-9a-fA-F]{16,}|[0-9]+"
)
VERSION = re.compile(r"v[0-9]+(\.[0-9]+)?")  # /v2, /v2.1: a version document, not a list
ID_FIELDS = ("id", "uuid")  # what a marker names, in OpenStack's APIs


def collection_key(path, prefix=""):
    """The key a collection at ``path`` would hold its list under, or None.

    ``prefix`` is where the service is mounted on the router (``/image``): what follows it
    counts. The last path segment names the resources (``detail`` the one before it),
    written as the services write their keys (``security-groups`` -> ``security_groups``,
    Nova's ``os-hypervisors`` -> ``hypervisors``). A segment that looks like an id names one
    resource, and what hangs under it (``/v2/images/<id>/file``) is that resource's, held
    by the same cloud; the service's root or a version (``/image/``, ``/v2.0``) names its
    version discovery document: no collection.
    """
    path = path.split("?", 1)[0]
    if prefix and (path == prefix or path.startswith(prefix.rstrip("/") + "/")):
        path = path[len(prefix.rstrip("/")) :]
    segments = [s for s in path.split("/") if s]
    if segments and segments[-1] == "detail":
        segments.pop()
    if not segments:
        return None
    last = segments[-1]
    if last.endswith(".json"):
        last = last[: -len(".json")]
    if ID_LIKE.fullmatch(last) or VERSION.fullmatch(last):
        return None
    if any(ID_LIKE.fullmatch(segment) for segment in segments[:-1]):
        return None
    if last.startswith("os-"):
        last = last[len("os-") :]
    return last.replace("-", "_") or None


@dataclasses.dataclass
class Answer:
    """One branch's answer to its sub-request (``status`` None when there is none)."""

    status: int | None
    reason: str = ""  # no answer: "timeout", "unreachable", ...
    body: bytes | None = None  # None when not read
    content_type: str = ""
    headers: dict = dataclasses.field(default_factory=dict)

    @property
    def ok(self):
        """2xx, or 300: the Multiple Choices of an OpenStack version discovery document."""
        return self.status is not None and (200 <= self.status < 300 or self.status == 300)

    def describe(self):
        return str(self.status) if self.status is not None else (self.reason or "no answer")


@dataclasses.dataclass
class Page:
    """A branch's part of a collection: its items after its position, and whether the
    cloud holds more than it sent."""

    items: list
    document: dict
    has_more: bool


@dataclasses.dataclass
class Refusal:
    """A fan-out answered with an error of its own (not a cloud's)."""

    status: int
    message: str


def _next_link_in(document, key):
    """Whether the service's own answer says there is a next page."""
    if document.get("next"):  # Glance
        return True
    links = document.get(f"{key}_links")  # Nova, Neutron
    if isinstance(links, list):
        if any(isinstance(link, dict) and link.get("rel") == "next" for link in links):
            return True
    links = document.get("links")  # Keystone, the api-wg guideline
    return isinstance(links, dict) and bool(links.get("next"))


def item_id(item):
    if isinstance(item, dict):
        for field in ID_FIELDS:
            value = item.get(field)
            if isinstance(value, str | int) and not isinstance(value, bool):
                return str(value)
    return None


def page_of(answer, key, position, limit):
    """The branch's Page, or why its 2xx answer is not a page of ``key`` (a string).

    ``position`` is the branch's marker: a cloud that ignores markers sends its list from
    the start again, so items up to the marker are skipped here. ``limit`` is what the
    sub-request asked for: a full page without a next link may have more.
    """
    if not answer.body:
        return "answered without a body"
    if "json" not in answer.content_type.lower():
        return f"answered {answer.content_type or 'no content type'}, not JSON"
    try:
        document = json.loads(answer.body)
    except ValueError:
        return "answered a body that is not valid JSON"
    if not isinstance(document, dict) or not isinstance(document.get(key), list):
        return f"answered no list of {key!r}"
    items = document[key]
    received = len(items)
    if isinstance(position, str):
        ids = [item_id(item) for item in items]
        if position in ids:
            items = items[ids.index(position) + 1 :]
    # A page of exactly ``limit`` items without a next link may have more; a cloud that
    # sent more than asked ignores limits and has sent everything.
    more = _next_link_in(document, key) or (limit is not None and 0 < limit == received)
    return Page(items=items, document=document, has_more=more)


def collect(labels, answers, key, cursor, limit):
    """Sort the answers of a collection's branches into pages and failures.

    ``answers``: label -> Answer of the branches asked; ``limit``: what each sub-request
    asked for (None when the client gave none). Returns (pages, failures, notes): failures
    are what ``X-Scope-Partial`` says (``503``, ``timeout``, ``malformed``), notes say what
    was malformed, for the log.
    """
    pages, failures, notes = {}, {}, {}
    for label in labels:
        if label not in answers:
            continue
        answer = answers[label]
        if not answer.ok:
            failures[label] = answer.describe()
            continue
        page = page_of(answer, key, cursor.position(label), limit)
        if isinstance(page, str):
            failures[label] = "malformed"
            notes[label] = page
            continue
        pages[label] = page
    return pages, failures, notes


@dataclasses.dataclass
class Merged:
    """One page of the merged list."""

    items: list
    document: dict  # the first page's body, around the list
    cursor: Cursor | None  # where the next page starts; None when there is none
    partial: dict  # branch -> why it is missing
    answered: list  # branches whose items are in the list (or that had none left)
    link_styles: set  # the services' own ways of saying "next" ("next", "key_links", "links")


def _compare(order):
    """A comparison of two items by ``order`` (SortKeys); None and missing sort first,
    values of different types by type name, so any JSON compares."""

    def value(item, field):
        v = item.get(field) if isinstance(item, dict) else None
        if v is None:
            return (0, "", 0)
        if isinstance(v, bool | int | float):
            return (1, "number", v)
        if isinstance(v, str):
            return (1, "string", v)
        return (1, type(v).__name__, json.dumps(v, sort_keys=True))

    def compare(a, b):
        for key in order:
            left, right = value(a, key.field), value(b, key.field)
            if left != right:
                result = -1 if left < right else 1
                return -result if key.descending else result
        return 0

    return compare


def _styles(document, key):
    styles = set()
    if "next" in document:
        styles.add("next")
    if f"{key}_links" in document:
        styles.add("key_links")
    if isinstance(document.get("links"), dict):
        styles.add("links")
    return styles


def merge_collection(branches, pages, failures, cursor, query, key):
    """Merge one page.

    ``branches``: branch labels in the expression's order; ``pages``: branch -> Page for
    those that answered one; ``failures``: branch -> why not (partial); ``cursor``: the
    positions this page starts from; ``query``: the paging.Query; ``key``: the list's key.
    """
    remaining = {b: list(pages[b].items) for b in branches if b in pages}
    taken = {b: [] for b in branches}
    limit = query.limit
    out = []

    def room():
        return limit is None or len(out) < limit

    def blocked(branch):
        """A branch with nothing left here but more on its cloud: its next item is
        unknown, so nothing may be placed after what it could hold."""
        return branch in pages and not remaining[branch] and pages[branch].has_more

    live = [b for b in branches if b in pages]
    if not query.sort:
        for branch in live:
            while remaining[branch] and room():
                item = remaining[branch].pop(0)
                out.append(item)
                taken[branch].append(item)
            if remaining[branch] or pages[branch].has_more:
                break
    else:
        compare = functools.cmp_to_key(_compare(query.sort))
        while room() and not any(blocked(b) for b in live):
            heads = [b for b in live if remaining[b]]
            if not heads:
                break
            branch = min(heads, key=lambda b: compare(remaining[b][0]))  # first wins ties
            item = remaining[branch].pop(0)
            out.append(item)
            taken[branch].append(item)

    positions = {}
    for branch in branches:
        before = cursor.position(branch)
        if branch in failures:
            positions[branch] = {"failed": failures[branch]}
        elif branch not in pages:
            positions[branch] = before  # done, or failed earlier: not asked again
        elif not remaining[branch] and not pages[branch].has_more:
            positions[branch] = DONE
        elif taken[branch]:
            last = item_id(taken[branch][-1])
            if last is None:  # no id to page by: the rest comes now, past the limit
                out.extend(remaining[branch])
                positions[branch] = DONE
            else:
                positions[branch] = last
        else:
            positions[branch] = before
    more = any(p is NOT_STARTED or isinstance(p, str) for p in positions.values())
    first = next((pages[b].document for b in branches if b in pages), {})
    styles = set()
    for branch in live:
        styles |= _styles(pages[branch].document, key)
    earlier = {b: p["failed"] for b, p in positions.items() if isinstance(p, dict)}
    return Merged(
        items=out,
        document=first,
        cursor=Cursor(positions) if more else None,
        partial={**earlier, **failures},
        answered=[b for b in branches if b in pages],
        link_styles=styles,
    )


def same_client_error(branches, answers):
    """Whether every branch gave the same 4xx (all 404, all 401): the client's request is
    what is wrong, and the answer of any cloud says so as the service would."""
    statuses = {answers[b].status for b in branches}
    return len(statuses) == 1 and None not in statuses and 400 <= next(iter(statuses)) < 500


def choose_resource(branches, answers):
    """The winning branch of a one-resource fan-out, or a Refusal, or the branch whose
    answer (an error every branch gave) goes to the client as it is."""
    for branch in branches:
        if answers[branch].ok:
            return branch
    if same_client_error(branches, answers):
        return branches[0]
    named = ", ".join(f"{b}={answers[b].describe()}" for b in branches)
    if all(answers[b].status is None for b in branches):
        return Refusal(503, f"no cloud of the fan-out answered: {named}")
    return Refusal(502, f"no cloud of the fan-out answered with success: {named}")
