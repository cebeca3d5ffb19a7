"""Numba kernels: compiled loops only, importing nothing from scikit-learn.

Each module may define ``warmup()`` to compile its kernels on tiny inputs;
:func:`warmup_all` calls them all (the test suite does once per session, the
command line before it times anything).  With ``cache=True`` only the first
call after installation compiles; later ones load the cache.
"""

import importlib
import pkgutil


def warmup_all():
    """Compile (or load from the cache) every kernel of the package."""
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        warm = getattr(module, "warmup", None)
        if warm is not None:
            warm()
