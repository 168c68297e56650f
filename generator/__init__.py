"""Performance Pages: YAML service definitions and CSV data in, a static performance site out."""

from pathlib import Path

__version__ = "0.1.0"

# The theme that ships with the package; a site's own themes and templates are searched first.
# In a checkout (and an editable install) it is the repository's themes/default; an installed
# package carries a copy as generator/theme (see pyproject.toml).
_HERE = Path(__file__).resolve().parent
BUILTIN_THEME = _HERE.parent / "themes" / "default"
if not (BUILTIN_THEME / "templates").is_dir():
    BUILTIN_THEME = _HERE / "theme"
