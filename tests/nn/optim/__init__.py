"""Tests of nn.optim, one file per module."""
