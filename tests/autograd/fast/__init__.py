"""Tests of autograd.fast: each optimisation pinned to the reference it speeds up."""
