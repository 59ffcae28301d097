"""The one error the lab reports to the user: what failed, and the log that says why."""

__all__ = ["LabError"]


class LabError(RuntimeError):
    """A step that failed; ``log`` names the file that says why."""

    def __init__(self, message, log=None):
        super().__init__(message)
        self.log = log
