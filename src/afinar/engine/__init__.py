"""Shared training plumbing (torch lives here and below, never in afinar.data)."""
