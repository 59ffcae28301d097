"""How a scope travels with a request: the one module that encodes and decodes it.

``X-Auth-Token: <token>!SCOPE!<canonical JSON>`` lets every service that forwards the
user's token forward the scope too; ``X-Scope`` carries the same JSON for requests (and
hops) that read headers only. Decoding also accepts what the original OpenStackoid
client sent: the raw JSON after ``!SCOPE!``, spaces and all.
"""

from osc_scope.scope.model import Scope, parse
from osc_scope.scope.names import TOKEN_SEPARATOR


def _wire_text(scope):
    if isinstance(scope, Scope):
        return scope.to_wire()
    return parse(scope).to_wire()


def join_token(token, scope):
    """``<token>!SCOPE!<canonical JSON>``; ``scope`` is a ``Scope`` or its JSON text."""
    if TOKEN_SEPARATOR in token:
        raise ValueError("token already carries a scope")
    return f"{token}{TOKEN_SEPARATOR}{_wire_text(scope)}"


def split_token(header_value):
    """Return ``(bare_token, scope_text or None)``; the scope text is returned as sent."""
    token, separator, scope_text = header_value.partition(TOKEN_SEPARATOR)
    if not separator:
        return header_value, None
    return token, scope_text.strip()


def decode_token(header_value):
    """Return ``(bare_token, Scope or None)``; raise a ``ScopeError`` for a bad scope."""
    token, scope_text = split_token(header_value)
    return token, None if scope_text is None else parse(scope_text)
