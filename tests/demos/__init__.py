"""Tests of the demos, one file per demo."""
