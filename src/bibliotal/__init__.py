"""Bibliotal: library activity measured against municipal budget goals."""

__version__ = "0.1.0.dev0"
