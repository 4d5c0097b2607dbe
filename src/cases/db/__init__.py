"""The only package with SQL: one module per concern over one connection (``Store``)."""

from cases.db.connection import Store

__all__ = ["Store"]
