"""Performance Pages: YAML service definitions and CSV data in, a static performance site out."""

from pathlib import Path

__version__ = "0.1.0"

# The theme that ships with the package; a site's own themes and templates are searched first.
BUILTIN_THEME = Path(__file__).resolve().parent.parent / "themes" / "default"
