"""Helpers for the Læringsmiljøprosjektet evaluation book (Delrapport 2, NTNU Samfunnsforskning 2017).

Kept import-light: matplotlib and scipy are imported lazily inside the functions that need them,
so `import lmp_helpers` stays fast for the CLI and for notebooks.
"""

from lmp_helpers.errors import LmpError, LmpInputError

__all__ = ["LmpError", "LmpInputError"]
__version__ = "0.1.0"
