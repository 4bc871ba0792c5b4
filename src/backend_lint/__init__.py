"""backend-lint: a senior backend reviewer's standard, as a linter for Python backends."""

__version__ = "0.1.0"
__all__ = ["__version__"]
