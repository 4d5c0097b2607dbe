"""cases: a command-line case tracker for human-rights documentation."""

__version__ = "0.1.0"
