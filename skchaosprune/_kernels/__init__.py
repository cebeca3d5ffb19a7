"""Numba kernels: compiled loops only, importing nothing from scikit-learn.

Each module may define ``warmup()`` to compile its kernels on tiny inputs
(the test suite calls them once per session).
"""
