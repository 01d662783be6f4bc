"""Tests of the autograd package, one file per module."""
