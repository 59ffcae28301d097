"""Cloud expressions: which cloud(s) serve one service, and in what order.

The grammar (README, "The scope")::

    expression := failover
    failover   := fanout ( "|" fanout )*        A|B   A, else B when A is down
    fanout     := primary ( "&" primary )*      A&B   both A and B
    primary    := cloud | "(" expression ")"
    cloud      := [A-Za-z0-9_.-]{1,255}

Spaces around names and operators are ignored. A hand-written recursive-descent parser
(not ``eval`` nor Python's ``ast``: ``Cloud-One`` is a name here, not a subtraction) so that
every refusal can name the 0-based offset of the fault, as the Lua router does.
Both operators are associative, so nested groups of the same operator are flattened:
the canonical text of an expression is unique and has no needless parentheses.
"""

import dataclasses

from osc_scope.scope.errors import BadExpressionError, TooLongError
from osc_scope.scope.names import CLOUD_NAME_CHARS, CLOUD_NAME_RULE, MAX_CLOUD_NAME

MAX_DEPTH = 16
SPACE = " "


@dataclasses.dataclass(frozen=True)
class Cloud:
    """One cloud: a Keystone region id."""

    name: str

    def __str__(self):
        return self.name

    def clouds(self):
        return (self.name,)


@dataclasses.dataclass(frozen=True)
class Failover:
    """``A|B|...``: the first cloud that is up."""

    options: tuple

    def __str__(self):
        return "|".join(str(option) for option in self.options)

    def clouds(self):
        return _unique_clouds(self.options)


@dataclasses.dataclass(frozen=True)
class FanOut:
    """``A&B&...``: every one of them."""

    members: tuple

    def __str__(self):
        return "&".join(
            f"({member})" if isinstance(member, Failover) else str(member)
            for member in self.members
        )

    def clouds(self):
        return _unique_clouds(self.members)


def _unique_clouds(parts):
    seen = {}
    for part in parts:
        for name in part.clouds():
            seen.setdefault(name, None)
    return tuple(seen)


def failover(*options):
    """``A|B``, flattened: ``A|(B|C)`` is ``A|B|C``."""
    return _flatten(Failover, "options", options)


def fan_out(*members):
    """``A&B``, flattened: ``(A&B)&C`` is ``A&B&C``."""
    return _flatten(FanOut, "members", members)


def _flatten(node_type, field, parts):
    flat = []
    for part in parts:
        flat.extend(getattr(part, field) if isinstance(part, node_type) else (part,))
    if len(flat) == 1:
        return flat[0]
    return node_type(tuple(flat))


def parse_expression(text):
    """Parse a cloud expression; raise ``BadExpressionError`` or ``TooLongError``."""
    return _Parser(text).parse()


def check_cloud_name(name):
    """Return ``name`` if it is one valid cloud name (e.g. the local region), else raise."""
    try:
        expression = parse_expression(name)
    except (BadExpressionError, TooLongError):
        expression = None
    if not isinstance(expression, Cloud) or expression.name != name:
        raise BadExpressionError(
            f"{name!r} is not a cloud name ({CLOUD_NAME_RULE})",
            position=0,
            expression=name,
        )
    return name


def _describe(char):
    return "end of text" if not char else repr(char)


class _Parser:
    """One pass over the text; ``pos`` only moves forward."""

    def __init__(self, text):
        self.text = text
        self.pos = 0
        self.depth = 0

    def parse(self):
        expression = self._failover()
        char = self._peek()
        if char == ")":
            self._fail("')' without its '('")
        if char:
            hint = "" if char in CLOUD_NAME_CHARS else " (cloud names use letters, digits, '_.-')"
            self._fail(f"expected '|', '&' or end of text, found {_describe(char)}{hint}")
        return expression

    def _peek(self):
        text, pos = self.text, self.pos
        while pos < len(text) and text[pos] == SPACE:
            pos += 1
        self.pos = pos
        return text[pos] if pos < len(text) else ""

    def _failover(self):
        options = [self._fanout()]
        while self._peek() == "|":
            self.pos += 1
            options.append(self._fanout())
        return failover(*options)

    def _fanout(self):
        members = [self._primary()]
        while self._peek() == "&":
            self.pos += 1
            members.append(self._primary())
        return fan_out(*members)

    def _primary(self):
        char = self._peek()
        if char == "(":
            if self.depth >= MAX_DEPTH:
                raise TooLongError(
                    f"more than {MAX_DEPTH} levels of parentheses at position {self.pos}",
                    position=self.pos,
                )
            self.depth += 1
            self.pos += 1
            inner = self._failover()
            if self._peek() != ")":
                self._fail(f"expected ')' or an operator, found {_describe(self._peek())}")
            self.pos += 1
            self.depth -= 1
            return inner
        if char and char in CLOUD_NAME_CHARS:
            return self._cloud()
        self._fail(f"expected a cloud name or '(', found {_describe(char)}")

    def _cloud(self):
        text, start = self.text, self.pos
        end = start
        while end < len(text) and text[end] in CLOUD_NAME_CHARS:
            end += 1
        if end - start > MAX_CLOUD_NAME:
            raise TooLongError(
                f"cloud name at position {start} is longer than {MAX_CLOUD_NAME} characters",
                position=start + MAX_CLOUD_NAME,
            )
        self.pos = end
        return Cloud(text[start:end])

    def _fail(self, reason):
        raise BadExpressionError(
            f"{reason} at position {self.pos}", position=self.pos, expression=self.text
        )
