"""Exceptions that the command line turns into one precise line and exit code 2."""


class InputError(ValueError):
    """Bad user input: wrong coordinates, unknown names, impossible parameters, malformed files.

    The message is one line that names the field and the allowed range or values.
    """


class UnreachableTargetError(InputError):
    """A target lies beyond the missile's reach on the requested azimuth."""

    def __init__(self, message: str, max_range_km: float | None = None):
        super().__init__(message)
        self.max_range_km = max_range_km
