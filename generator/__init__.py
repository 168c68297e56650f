"""Performance Pages: YAML service definitions and CSV data in, a static performance site out."""

__version__ = "0.1.0"
