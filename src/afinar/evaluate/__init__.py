"""Evaluation: before/after comparisons and reports."""
