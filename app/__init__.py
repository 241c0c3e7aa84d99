"""Lotsen application core."""
