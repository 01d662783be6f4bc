"""pytest's hooks and fixtures for the whole suite (shared helpers live in tests/helpers.py)."""
