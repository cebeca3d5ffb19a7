"""When the parallel Numba kernels may run, and when they must not.

The kernels with a parallel loop (the windowed Lyapunov exponents and the
Granger fast path) each have a serial twin with bit-identical results.  The
parallel one runs only where it is safe under every Numba threading layer:

- in the main thread: Numba's fallback layer (``workqueue``, used when
  neither OpenMP nor TBB is available) aborts the process when two threads
  enter a parallel region at once, so joblib's threading backend, a thread
  pool or a Dask worker thread gets the serial twin;
- in a process that was not forked from one that already ran parallel
  code: GNU OpenMP cannot run in a child forked after it started (the child
  prints "Terminating: fork() called from a process already using GNU
  OpenMP" and dies), so joblib's ``multiprocessing`` backend and any
  ``os.fork`` child get the serial twin; spawned processes (loky, Dask
  workers started by spawn) are fresh and may run in parallel;
- with more than one Numba thread (``NUMBA_NUM_THREADS`` or
  :func:`numba.set_num_threads`).

No threading layer is forced: ``NUMBA_THREADING_LAYER`` is respected.
"""

import os
import threading

_forked = False


def _after_fork_in_child():
    global _forked
    _forked = True


os.register_at_fork(after_in_child=_after_fork_in_child)


def in_forked_child():
    """True in a process forked (``os.fork``) after this module was imported."""
    return _forked


def parallel_allowed(min_threads=2):
    """Whether a parallel kernel may run here (see the module docstring).

    ``min_threads``: the fewest Numba threads for which the parallel kernel
    is worth its start-up (the Granger kernel asks for 4).
    """
    if _forked or threading.current_thread() is not threading.main_thread():
        return False
    from numba import get_num_threads

    return get_num_threads() >= min_threads
