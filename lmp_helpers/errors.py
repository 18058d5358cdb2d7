"""Errors that carry a one-line, user-facing message (what was wrong, where, what is allowed).

The CLI prints `str(error)` on one line and exits non-zero; tracebacks only with --debug.
"""


class LmpError(Exception):
    """Base class for every error this package raises on purpose."""


class LmpInputError(LmpError, ValueError):
    """Bad input from a user: a parameter, a file, a column, a value."""
