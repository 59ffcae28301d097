"""The scope: which cloud serves each service type, for one request.

What a scope *is* lives here; how it is given (option, environment, clouds.yaml) lives in
``osc_scope.cli`` and how it travels lives in ``osc_scope.scope.wire``. A ``Scope`` is
immutable and always canonical: official service types, parsed expressions.
"""

import json
from collections.abc import Mapping

from osc_scope.scope import service_types
from osc_scope.scope.errors import (
    BadExpressionError,
    BadValueError,
    DuplicateServiceError,
    NotObjectError,
    ScopeSyntaxError,
    TooLongError,
)
from osc_scope.scope.expression import Cloud, check_cloud_name, parse_expression

MAX_SCOPE_BYTES = 4096


class _Pairs(list):
    """A JSON object as its ordered (key, value) pairs, so repeated keys are seen."""


def _reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def _json_type(value):
    if isinstance(value, _Pairs):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return "a string"


def parse(text):
    """Parse a scope from its JSON text; raise a ``ScopeError`` subclass on any fault."""
    if isinstance(text, bytes):
        raw = text
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ScopeSyntaxError(f"not UTF-8 text: {exc}", position=exc.start) from None
    else:
        raw = text.encode("utf-8", "surrogatepass")
    if len(raw) > MAX_SCOPE_BYTES:
        raise TooLongError(f"scope is {len(raw)} bytes, more than the limit of {MAX_SCOPE_BYTES}")
    try:
        document = json.loads(text, object_pairs_hook=_Pairs, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise ScopeSyntaxError(f"not valid JSON: {exc}", position=exc.pos) from None
    except (ValueError, RecursionError) as exc:
        raise ScopeSyntaxError(f"not valid JSON: {exc}") from None
    if not isinstance(document, _Pairs):
        raise NotObjectError(
            "must be a JSON object of service types and clouds, "
            f'like {{"image": "CloudTwo"}}; got {_json_type(document)}'
        )
    return Scope._from_pairs(document, _json_type)


class Scope(Mapping):
    """Service type -> cloud expression; reads like a dict of canonical strings."""

    __slots__ = ("_bindings",)

    def __init__(self, bindings=None):
        self._bindings = dict(sorted((bindings or {}).items()))

    @classmethod
    def from_mapping(cls, mapping):
        """Build from a mapping such as clouds.yaml's ``scope:`` (same checks as ``parse``)."""
        if isinstance(mapping, Scope):
            return mapping
        if not isinstance(mapping, Mapping):
            raise NotObjectError(f"must be a mapping of service types and clouds, got {mapping!r}")
        return cls._from_pairs(list(mapping.items()), lambda value: type(value).__name__)

    @classmethod
    def _from_pairs(cls, pairs, describe):
        bindings = {}
        given = {}
        for key, value in pairs:
            official = service_types.normalize(key)
            if not isinstance(value, str):
                raise BadValueError(
                    f"the value of {key!r} must be a cloud expression string, "
                    f"got {describe(value)}",
                    service=official,
                )
            if official in bindings:
                raise DuplicateServiceError(
                    f"service {official!r} is given twice ({given[official]!r} and {key!r})",
                    service=official,
                )
            try:
                bindings[official] = parse_expression(value)
            except (BadExpressionError, TooLongError) as exc:
                exc.service = official
                exc.message = f"cloud expression {value!r} of {key!r}: {exc.message}"
                raise
            given[official] = key
        return cls(bindings)

    # Mapping protocol: values are the canonical expression strings.
    def __getitem__(self, service_type):
        return str(self._bindings[service_type])

    def __iter__(self):
        return iter(self._bindings)

    def __len__(self):
        return len(self._bindings)

    def __eq__(self, other):
        if isinstance(other, Scope):
            return self._bindings == other._bindings
        return super().__eq__(other)

    def __hash__(self):
        return hash(tuple(self._bindings.items()))

    def __repr__(self):
        return f"Scope({self.to_wire()})"

    def __deepcopy__(self, memo):
        return self  # immutable

    def expression(self, service_type):
        """The parsed expression bound to ``service_type`` (normalised), or None."""
        official = service_types.lookup(service_type) or service_type
        return self._bindings.get(official)

    def cloud_for(self, service_type):
        """The canonical expression string for ``service_type``, or None if not named."""
        expression = self.expression(service_type)
        return None if expression is None else str(expression)

    def to_wire(self):
        """Canonical compact JSON: sorted keys, no spaces, canonical expressions."""
        return json.dumps(
            {service: str(expr) for service, expr in self._bindings.items()},
            separators=(",", ":"),
            sort_keys=True,
        )

    def complete(self, local_cloud, service_types_=()):
        """Bind every service type in ``service_types_`` that the scope does not name to
        ``local_cloud``. Types unknown to the registry cannot be keys and are skipped."""
        local = Cloud(check_cloud_name(local_cloud))
        bindings = dict(self._bindings)
        for name in service_types_:
            official = service_types.lookup(name)
            if official and official not in bindings:
                bindings[official] = local
        return Scope(bindings)

    def layered_over(self, weaker):
        """This scope, plus the services only ``weaker`` names (strongest source first)."""
        bindings = dict(weaker._bindings)
        bindings.update(self._bindings)
        return Scope(bindings)
