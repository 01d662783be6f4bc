"""Tests of the nn package, one file per module."""
