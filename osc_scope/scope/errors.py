"""Why a scope was refused, as a small hierarchy of named exceptions.

Each class carries a ``kind`` string shared with the Lua router's tests
(``tests/vectors/scope.json``), so both sides can be checked against the same vectors.
``ScopeError`` derives from ``Exception`` only: openstacksdk swallows ``ValueError``
raised by a vendor hook, and a refused scope must stop the command.
"""


class ScopeError(Exception):
    """A scope that cannot be used; ``str()`` is one line a user can act on."""

    kind = "invalid"

    def __init__(self, message, *, position=None, service=None):
        super().__init__(message)
        self.message = message
        self.position = position
        self.service = service
        self.source = None  # where the scope came from (option, variable, file)

    def __str__(self):
        if self.source:
            return f"{self.source}: {self.message}"
        return self.message


class ScopeSyntaxError(ScopeError):
    """The text is not JSON."""

    kind = "syntax"


class NotObjectError(ScopeError):
    """The JSON is not an object."""

    kind = "not_object"


class BadValueError(ScopeError):
    """A service is bound to something other than a string."""

    kind = "bad_value"


class UnknownServiceError(ScopeError):
    """A key is not a service type, alias or project name of the registry."""

    kind = "unknown_service"

    def __init__(self, message, *, service=None, suggestions=()):
        super().__init__(message, service=service)
        self.suggestions = tuple(suggestions)


class DuplicateServiceError(ScopeError):
    """Two keys name the same service type (``image`` and ``glance``)."""

    kind = "duplicate_service"


class BadExpressionError(ScopeError):
    """A cloud expression breaks the grammar; ``position`` is the 0-based offset."""

    kind = "bad_expression"

    def __init__(self, message, *, position, service=None, expression=None):
        super().__init__(message, position=position, service=service)
        self.expression = expression


class TooLongError(ScopeError):
    """A limit is exceeded: scope bytes, cloud name length or parenthesis depth."""

    kind = "too_long"
