"""Data files shipped with Lotsen (rule sets and reference data)."""
