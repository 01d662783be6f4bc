"""Tests of autograd.affine (autograd.fast.layer after the refactor on main): AffineLayer
and its deferred hidden neurons."""
