"""Numba kernels: compiled loops only, importing nothing from scikit-learn.

Each module may define ``warmup()`` to compile its kernels on tiny inputs;
:func:`warmup_all` calls them all (the test suite does once per session, the
command line before it times anything).  With ``cache=True`` only the first
call after installation compiles; later ones load the cache.  Callers pass
their input data through :func:`read_only`, so that one specialization per
kernel serves writable and read-only inputs alike.
"""

import importlib
import os
import pkgutil
import subprocess
import sys
import tempfile
import time


def read_only(*arrays):
    """Read-only views (no copy) of ``arrays``: the data a kernel reads, and
    the buffers the package hands to users (``on_update``'s rows, a running
    Lyapunov estimate's ``exponents_``).

    Numba compiles a read-only array and a writable one as two types, so a
    kernel called on every mix of the flags (scikit-learn's checks and
    joblib's memory-mapped inputs are read-only; most are not) would
    compile a specialization per mix, each in a user's first call on it.
    The callers pass their input data read-only instead, and each
    ``warmup()`` compiles that one specialization: the same arithmetic."""
    views = []
    for a in arrays:
        view = a.view()
        view.flags.writeable = False
        views.append(view)
    return views


def _modules():
    """The kernel modules that define ``warmup()``, by name."""
    names = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if getattr(module, "warmup", None) is not None:
            names.append(info.name)
    return names


def _uncached(names, package=__name__):
    """The modules with a cached kernel whose cache index is not on disk
    yet (a fresh install). Read from Numba's cache objects; on a Numba
    without them, no module (the kernels then compile in this process)."""
    cold = []
    for name in names:
        module = importlib.import_module(f"{package}.{name}")
        for value in vars(module).values():
            index = getattr(getattr(getattr(value, "_cache", None), "_cache_file", None),
                            "_index_path", None)
            if isinstance(index, str) and not os.path.exists(index):
                cold.append(name)
                break
    return cold


def _cores():
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _warm_in_processes(names, package=__name__, workers=None):
    """Run each module's ``warmup()`` in a fresh Python process of its own,
    at most ``workers`` (default: one per core) at once, in the order
    given; raise with the children's errors when any fails."""
    workers = workers or _cores()
    waiting = list(names)
    running, failed = [], []
    while waiting or running:
        while waiting and len(running) < workers:
            name = waiting.pop(0)
            err = tempfile.TemporaryFile(mode="w+")
            running.append((name, err, subprocess.Popen(
                [sys.executable, "-c", f"from {package} import {name} as m; m.warmup()"],
                stdout=subprocess.DEVNULL, stderr=err)))
        time.sleep(0.05)
        for entry in [e for e in running if e[2].poll() is not None]:
            running.remove(entry)
            name, err, child = entry
            if child.returncode != 0:
                err.seek(0)
                failed.append(f"{name} (exit {child.returncode}): {err.read().strip()[-2000:]}")
            err.close()
    if failed:
        raise RuntimeError("Compiling the kernels in separate processes failed: "
                           + "; ".join(failed))


def warmup_all(parallel=False):
    """Compile (or load from the cache) every kernel of the package.

    Parameters
    ----------
    parallel : bool, default=False
        Compile the modules whose kernels are not in Numba's cache yet (a
        fresh install) in fresh processes of their own, one per core at a
        time and the largest module first, then load them here from the
        cache those wrote. Numba compiles on one core, so the compilation
        then takes about the slowest module's time instead of the sum.
        Modules already cached load here directly. It needs a writable
        cache (the package's ``__pycache__`` or ``NUMBA_CACHE_DIR``), as
        ``cache=True`` does.
    """
    names = _modules()
    cold = _uncached(names) if parallel else []
    if len(cold) > 1:
        # The largest source first: a rough measure of its compile time, so
        # that the longest compilation is not the one left to start last.
        here = os.path.dirname(__file__)
        cold.sort(key=lambda name: -os.path.getsize(os.path.join(here, f"{name}.py")))
        _warm_in_processes(cold)
    for name in names:
        importlib.import_module(f"{__name__}.{name}").warmup()
