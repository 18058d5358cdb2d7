"""Errors that carry a one-line, user-facing message (what was wrong, where, what is allowed).

The CLI prints `str(error)` on one line and exits non-zero; tracebacks only with --debug.
"""


class LmpError(Exception):
    """Base class for every error this package raises on purpose."""


class LmpInputError(LmpError, ValueError):
    """Bad input from a user: a parameter, a file, a column, a value."""


def plain_value(value):
    """A numpy scalar (a DataFrame cell: np.int64(7)) as the Python value it holds; anything else unchanged.

    Messages name values as a user wrote them, not as numpy's repr. Checked by module, so numpy is not imported.
    """
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        return value.item()
    return value
