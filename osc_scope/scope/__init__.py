"""The scope language: parse, complete, and put on the wire.

Free of argparse and HTTP: the CLI plugin, the SDK hook, the middleware and the renderer
are thin adapters around this package.

    >>> scope = parse('{"glance": "CloudTwo | CloudThree"}')
    >>> scope.to_wire()
    '{"image":"CloudTwo|CloudThree"}'
    >>> scope.complete("CloudOne", ["compute", "image"]).to_wire()
    '{"compute":"CloudOne","image":"CloudTwo|CloudThree"}'
"""

from osc_scope.scope.errors import (
    BadExpressionError,
    BadValueError,
    DuplicateServiceError,
    NotObjectError,
    ScopeError,
    ScopeSyntaxError,
    TooLongError,
    UnknownServiceError,
)
from osc_scope.scope.expression import (
    MAX_DEPTH,
    Cloud,
    Failover,
    FanOut,
    parse_expression,
)
from osc_scope.scope.model import MAX_SCOPE_BYTES, Scope, parse
from osc_scope.scope.names import (
    CLOUD_NAME_CHARS,
    CLOUD_NAME_PATTERN,
    CLOUD_NAME_RULE,
    CLOUDS_HEADER,
    HOPS_HEADER,
    MAX_CLOUD_NAME,
    PARTIAL_HEADER,
    SCOPE_HEADER,
    TOKEN_HEADER,
    TOKEN_SEPARATOR,
    is_cloud_name,
)
from osc_scope.scope.service_types import service_aliases, service_registry
from osc_scope.scope.wire import decode_token, join_token, split_token

__all__ = [
    "BadExpressionError",
    "BadValueError",
    "CLOUD_NAME_CHARS",
    "CLOUD_NAME_PATTERN",
    "CLOUD_NAME_RULE",
    "Cloud",
    "DuplicateServiceError",
    "Failover",
    "FanOut",
    "CLOUDS_HEADER",
    "HOPS_HEADER",
    "PARTIAL_HEADER",
    "MAX_CLOUD_NAME",
    "MAX_DEPTH",
    "MAX_SCOPE_BYTES",
    "NotObjectError",
    "SCOPE_HEADER",
    "Scope",
    "ScopeError",
    "ScopeSyntaxError",
    "TOKEN_HEADER",
    "TOKEN_SEPARATOR",
    "TooLongError",
    "UnknownServiceError",
    "decode_token",
    "is_cloud_name",
    "join_token",
    "parse",
    "parse_expression",
    "service_aliases",
    "service_registry",
    "split_token",
]
