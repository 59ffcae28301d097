"""Why rendering a router failed: one exception for every rendering module."""


class RenderError(ValueError):
    """Rendering failed; the message is one line for the user."""
