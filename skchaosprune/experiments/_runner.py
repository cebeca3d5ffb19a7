"""Independent units of a study (one data set, seed and regime each) run
in order or through joblib, with the same results either way.

Each unit is a pure function of its arguments (every random choice in it is
seeded by its seed), so running units in other processes, in any order,
gives the rows of the serial run; they are put back in the units' order.

Threads: every unit runs with one BLAS/OpenMP thread
(``threadpoolctl.threadpool_limits(1)``, restored afterwards), serially or
not: a multi-threaded BLAS sums in another order (OBS's curvature differed
in the 13th digit), and one thread gives the same bits everywhere.  A unit
in a joblib worker (any backend, Dask's included) also gets one Numba
thread (``numba.set_num_threads(1)``), so ``n`` workers use ``n`` cores;
run serially, a unit keeps the process's Numba threads (the parallel and
serial Numba kernels give bit-identical results,
:mod:`skchaosprune._parallel`).
"""

import time

__all__ = ["run_units"]


def _in_worker(func, index, args):
    """One unit in a joblib worker: one Numba thread, one BLAS thread."""
    from threadpoolctl import threadpool_limits

    previous = None
    try:
        import numba

        previous = numba.get_num_threads()
        numba.set_num_threads(1)
    except ImportError:  # pragma: no cover (numba is a dependency)
        numba = None
    start = time.perf_counter()
    try:
        with threadpool_limits(limits=1):
            out = func(*args)
    finally:
        if previous is not None:
            numba.set_num_threads(previous)
    return index, out, time.perf_counter() - start


def run_units(func, units, *, n_jobs=None, serial=None, on_done=None):
    """``[func(*unit) for unit in units]``, serially or through joblib.

    Parameters
    ----------
    func : callable
        A module-level function (picklable), run as ``func(*unit)``.
    units : list of tuple
        The arguments of each call.
    n_jobs : int or None, default=None
        joblib's ``n_jobs``: None is 1 unless a ``joblib.parallel_backend``
        context says otherwise (e.g. ``parallel_backend('dask')`` on a
        ``distributed`` client); -1: every core of the backend.  When it
        comes to one job, the units run in this process, in order.
    serial : callable or None, default=None
        ``serial(unit_index) -> extra args`` appended to a unit run in this
        process (e.g. a progress callable); workers get no extra args.
    on_done : callable or None, default=None
        Called as ``on_done(index)`` in this process each time a unit
        finishes (in the order they finish when run in parallel).

    Returns
    -------
    outputs : list
        ``func``'s return value per unit, in the units' order.
    """
    from joblib import Parallel, delayed, effective_n_jobs

    units = list(units)
    if effective_n_jobs(n_jobs) == 1 or len(units) <= 1:
        outputs = []
        from threadpoolctl import threadpool_limits

        for index, unit in enumerate(units):
            extra = serial(index) if serial is not None else ()
            with threadpool_limits(limits=1):
                outputs.append(func(*unit, *extra))
            if on_done is not None:
                on_done(index)
        return outputs
    outputs = [None] * len(units)
    parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
    for index, out, _ in parallel(delayed(_in_worker)(func, i, unit)
                                  for i, unit in enumerate(units)):
        outputs[index] = out
        if on_done is not None:
            on_done(index)
    return outputs
