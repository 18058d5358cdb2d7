"""Where the project's files live. One place, so tests and the CLI agree."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
DATA_DIR = PROJECT_ROOT / "data"
CODEBOOK_PATH = DATA_DIR / "codebook.yml"
# Default survey data: the shipped synthetic data set.
SYNTHETIC_DIR = DATA_DIR / "synthetic"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
