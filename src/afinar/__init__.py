"""Afinar: a local, private, free fine-tuning studio."""

__version__ = "0.1.0"
