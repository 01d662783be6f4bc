"""Tests of autograd.affine (autograd.fast.layer after the refactor): AffineLayer and its deferred hidden neurons."""
