"""Largest Lyapunov exponents, exactly as TISEAN ``lyap_r`` computes them.

This is the first half of the chaos-causality method (docs/method.md
section 2): every weight's trajectory becomes a series of windowed largest
Lyapunov exponents.

- :func:`divergence_curve`: the Rosenstein divergence curve of one series
  and its per-step pair counts, as TISEAN ``lyap_r -m dim -d delay
  -s steps -t theiler`` prints them (rescaled to [0, 1], Euclidean
  distances, neighbours with ``0 < D < 1``).
- :func:`lyapunov_exponent`: the slope of that curve (``fit_steps=1``, the
  paper's value, is ``curve[1] - curve[0]``).
- :func:`windowed_lyapunov`: one exponent per window and per series of a
  trajectory of shape (n_steps, n_series).
- :class:`WindowedLyapunov`: the same, fed rows in chunks of any size
  while memory stays O(window x n_series).
- :func:`window_exponents`: the exponents of given windows of an array
  (the batch computation the two above share).
- :func:`lyapunov_min_length`, :func:`check_window`, :func:`window_stride`,
  :func:`window_ends`, :func:`n_windows`, :func:`auto_window`: the shortest
  accepted series, the window layout and the ``window='auto'`` rule
  (plain NumPy, in :mod:`skchaosprune._windows`).

Conventions shared by every function here:

- Input must be finite: NaN or infinity raises ``ValueError`` (so do
  magnitudes above 1e307, where ``max - min`` could overflow).
- Windowing: stride ``h = max(1, round(window * (1 - overlap)))`` with
  Python's built-in ``round`` (round half to even, as ``numpy.round``; for
  ``window=200, overlap=0.1``, ``h = 180``).  Window ``i`` covers steps
  ``[i*h, i*h + window)`` and ends at step ``i*h + window - 1``; only
  complete windows count.
- A window whose range ``max - min`` is below ``min_range`` (or zero) is
  *static*: its exponent is 0.
- A window whose curve is undefined at some step ``k <= fit_steps`` (no
  pair at that step, for instance a series with so few distinct values
  that no two delay vectors are at a distance in (0, 1)) also gets
  exponent 0, like a static one.  The windowed functions therefore never
  return NaN; ``return_status=True`` (or ``WindowedLyapunov.status_``) tells
  the three cases apart (:data:`STATUS_OK`, :data:`STATUS_STATIC`,
  :data:`STATUS_UNDEFINED`).
- Computation is in float64 whatever the input dtype (float32 rows are
  converted exactly), and results are bit-identical for any number of
  threads (``n_jobs``).
"""

import math
import warnings
from contextlib import contextmanager
from numbers import Integral, Real

import numba
import numpy as np

from ._kernels import lyapunov as _k
from ._kernels import read_only
from ._parallel import parallel_allowed
from ._windows import (  # the window arithmetic, public here
    _check_params,
    auto_window,
    check_window,
    lyapunov_min_length,
    n_windows,
    window_ends,
    window_stride,
)

__all__ = [
    "STATUS_OK",
    "STATUS_STATIC",
    "STATUS_UNDEFINED",
    "auto_window",
    "check_window",
    "divergence_curve",
    "lyapunov_exponent",
    "lyapunov_min_length",
    "n_windows",
    "window_stride",
    "window_ends",
    "window_exponents",
    "windowed_lyapunov",
    "WindowedLyapunov",
]

#: Status of a window: exponent computed from a defined curve.
STATUS_OK = _k.STATUS_OK
#: Status of a window: range below ``min_range`` (or constant); exponent 0.
STATUS_STATIC = _k.STATUS_STATIC
#: Status of a window: curve undefined at a fitted step; exponent 0.
STATUS_UNDEFINED = _k.STATUS_UNDEFINED

# Elements (rows x series) that the streaming buffer aims for; it always
# holds at least one whole window.
_STREAM_BUDGET = 1 << 22
_MAX_BATCH_WINDOWS = 64
# Larger magnitudes could make max - min overflow to infinity.
_MAX_ABS = 1e307


# ---------------------------------------------------------------------------
# validation helpers


def _check_min_range(min_range):
    if (isinstance(min_range, (bool, np.bool_)) or not isinstance(min_range, Real)
            or not math.isfinite(min_range) or min_range < 0):
        raise ValueError(f"min_range must be a finite number >= 0, got {min_range!r}.")
    return float(min_range)


def _check_finite(arr, name):
    """Raise ValueError if arr has NaN/inf (checked in bounded slices)."""
    if arr.dtype.kind in "biu" or arr.size == 0:
        return
    flat = arr.reshape(arr.shape[0], -1) if arr.ndim > 1 else arr.reshape(-1, 1)
    rows = max(1, _STREAM_BUDGET // max(1, flat.shape[1]))
    for i in range(0, flat.shape[0], rows):
        block = flat[i:i + rows]
        if not np.isfinite(block).all():
            raise ValueError(
                f"{name} contains NaN or infinity; Lyapunov exponents need "
                f"finite values (remove or interpolate the non-finite entries)."
            )
        if (block.size and block.dtype.itemsize >= 8
                and float(np.abs(block).max()) > _MAX_ABS):
            raise ValueError(
                f"{name} has values of magnitude above {_MAX_ABS:g}: the range "
                f"max - min could overflow; divide the data by a constant "
                f"first (the exponents do not change)."
            )


def _as_series(x, dim, delay, steps, theiler):
    x = np.asarray(x)
    if x.ndim != 1:
        raise ValueError(f"x must be one-dimensional, got shape {x.shape}.")
    if x.dtype.kind not in "biuf":
        raise ValueError(f"x must be numeric, got dtype {x.dtype}.")
    _check_finite(x, "x")
    need = lyapunov_min_length(dim=dim, delay=delay, steps=steps, theiler=theiler)
    if x.shape[0] < need:
        raise ValueError(
            f"x has {x.shape[0]} points but dim={dim}, delay={delay}, "
            f"steps={steps}, theiler={theiler} need at least {need} "
            f"(lyapunov_min_length); use a longer series or smaller parameters."
        )
    return np.ascontiguousarray(x, dtype=np.float64)


def _as_trajectory(trajectory, name="trajectory"):
    traj = np.asarray(trajectory)
    if traj.ndim not in (1, 2):
        raise ValueError(
            f"{name} must have shape (n_steps, n_series) or (n_steps,), "
            f"got shape {traj.shape}."
        )
    if traj.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be numeric, got dtype {traj.dtype}.")
    return traj


def _resolve_threads(n_jobs):
    if n_jobs is None:
        return None
    n_max = numba.config.NUMBA_NUM_THREADS
    if isinstance(n_jobs, (bool, np.bool_)) or not isinstance(n_jobs, Integral) or n_jobs == 0:
        raise ValueError(f"n_jobs must be None or a non-zero integer, got {n_jobs!r}.")
    n_jobs = int(n_jobs)
    if n_jobs < 0:
        return max(1, n_max + 1 + n_jobs)
    return min(n_jobs, n_max)


@contextmanager
def _threads(n_jobs):
    """Run numba's parallel kernels with n_jobs threads (None: as set)."""
    n = _resolve_threads(n_jobs)
    if n is None:
        yield
        return
    previous = numba.get_num_threads()
    numba.set_num_threads(n)
    try:
        yield
    finally:
        numba.set_num_threads(previous)


# ---------------------------------------------------------------------------
# single series


def divergence_curve(x, dim=2, delay=1, steps=3, theiler=0):
    """Rosenstein divergence curve of one series, as TISEAN ``lyap_r``.

    The series is rescaled to [0, 1] and embedded with delay vectors
    ``v_i = (y_i, y_{i+delay}, ..., y_{i+(dim-1)*delay})``.  Each reference
    point ``n`` takes as neighbour the candidate ``j`` with
    ``|n - j| > theiler`` and ``0 < D(n, j) < 1`` (``D`` the squared
    Euclidean distance) of smallest ``D``, the largest ``j`` on ties;
    reference points without one are skipped.  ``curve[k]`` is the mean of
    ``0.5 * ln D(n+k, j+k)`` over the pairs with a non-zero distance after
    ``k`` steps, and ``counts[k]`` the number of those pairs
    (docs/method.md section 2).

    Parameters
    ----------
    x : array-like of shape (n_points,)
        The series; finite, not constant, at least
        :func:`lyapunov_min_length` points.
    dim : int, default=2
        Embedding dimension.
    delay : int, default=1
        Embedding delay.
    steps : int, default=3
        Curve computed for ``k = 0 .. steps``.
    theiler : int, default=0
        Theiler window.

    Returns
    -------
    curve : ndarray of shape (steps + 1,)
        Mean log distance after ``k`` steps; NaN where ``counts[k]`` is 0
        (the curve is undefined there).
    counts : ndarray of shape (steps + 1,), dtype int64
        Number of pairs averaged at each step.

    Raises
    ------
    ValueError
        If ``x`` is not finite (or has magnitudes above 1e307, where
        ``max - min`` could overflow), is constant (it cannot be rescaled;
        the windowed functions call such a window static and give it
        exponent 0), or is too short for the parameters.

    See Also
    --------
    lyapunov_exponent : the slope of this curve.

    Examples
    --------
    >>> import numpy as np
    >>> from skchaosprune.lyapunov import divergence_curve
    >>> x = np.empty(500)
    >>> x[0] = 0.3
    >>> for i in range(499):
    ...     x[i + 1] = 4.0 * x[i] * (1.0 - x[i])     # logistic map, r = 4
    >>> curve, counts = divergence_curve(x, dim=2, delay=1, steps=3)
    >>> np.round(np.diff(curve), 1)                  # about ln 2 per step
    array([0.7, 0.7, 0.7])
    >>> counts
    array([496, 496, 496, 496])
    """
    dim, delay, steps, theiler = _check_params(dim, delay, steps, theiler)
    x = _as_series(x, dim, delay, steps, theiler)
    if x.max() == x.min():
        raise ValueError(
            "x is constant: it cannot be rescaled to [0, 1] and has no "
            "divergence curve (lyapunov_exponent and the windowed functions "
            "treat such a series as static, exponent 0)."
        )
    (x,) = read_only(x)
    return _k.divergence_curve(x, dim, delay, steps, theiler)


def lyapunov_exponent(x, dim=2, delay=1, steps=3, theiler=0, fit_steps=1,
                      min_range=0.0):
    """Largest Lyapunov exponent of one series: the slope of its curve.

    Parameters
    ----------
    x : array-like of shape (n_points,)
        The series; finite, at least :func:`lyapunov_min_length` points.
    dim, delay, steps, theiler : int, default=2, 1, 3, 0
        As in :func:`divergence_curve`.
    fit_steps : int, default=1
        1 gives the paper's value ``curve[1] - curve[0]`` (exactly); a
        larger value gives the least-squares slope of
        ``curve[0..fit_steps]`` against ``k``.  At most ``steps``.
    min_range : float, default=0.0
        A series whose range ``max - min`` is below ``min_range`` (or is
        zero) is static: its exponent is 0.

    Returns
    -------
    exponent : float
        The slope, in nats per step.  0.0 for a static series, and 0.0 with
        a ``RuntimeWarning`` when the curve is undefined (no pair) at some
        step ``k <= fit_steps`` (the same rule as the windowed functions).

    Raises
    ------
    ValueError
        If ``x`` is not finite (or above 1e307 in magnitude) or too short,
        or the parameters are invalid.

    Examples
    --------
    >>> import numpy as np
    >>> from skchaosprune.lyapunov import lyapunov_exponent
    >>> x = np.empty(1000)
    >>> x[0] = 0.3
    >>> for i in range(999):
    ...     x[i + 1] = 4.0 * x[i] * (1.0 - x[i])
    >>> round(lyapunov_exponent(x), 1)              # ln 2 = 0.693
    0.7
    >>> lyapunov_exponent(np.ones(50))              # static
    0.0
    """
    dim, delay, steps, theiler, fit_steps = _check_params(
        dim, delay, steps, theiler, fit_steps)
    min_range = _check_min_range(min_range)
    x = _as_series(x, dim, delay, steps, theiler)
    out, status = _window_batch(x[:, None], np.zeros(1, dtype=np.int64), x.shape[0],
                                dim, delay, steps, theiler, fit_steps, min_range)
    if status[0, 0] == STATUS_UNDEFINED:
        warnings.warn(
            "the divergence curve is undefined (no neighbour pair) at some "
            f"step k <= fit_steps={fit_steps}; the exponent is set to 0.",
            RuntimeWarning, stacklevel=2,
        )
    return float(out[0, 0])


# ---------------------------------------------------------------------------
# windows


def _window_batch(data, starts, window, dim, delay, steps, theiler, fit_steps,
                  min_range, n_jobs=None):
    """Kernel call on a C-contiguous float64 2-D array (no validation)."""
    out = np.empty((starts.shape[0], data.shape[1]))
    status = np.empty((starts.shape[0], data.shape[1]), dtype=np.int8)
    (data,) = read_only(data)
    if starts.shape[0] and data.shape[1]:
        if not parallel_allowed():
            _k.window_exponents_serial(data, starts, window, dim, delay, steps, theiler,
                                       fit_steps, min_range, out, status)
        else:
            with _threads(n_jobs):
                _k.window_exponents(data, starts, window, dim, delay, steps, theiler,
                                    fit_steps, min_range, out, status)
    return out, status


def window_exponents(trajectory, starts, window, *, dim=2, delay=1, steps=3,
                     theiler=0, fit_steps=1, min_range=1e-5, n_jobs=None,
                     return_status=False):
    """Exponents of the windows ``trajectory[s:s + window]`` for s in starts.

    The batch computation behind :func:`windowed_lyapunov` and
    :class:`WindowedLyapunov`, usable directly on any set of complete
    windows (one compiled call, parallel over series).

    Parameters
    ----------
    trajectory : array-like of shape (n_steps, n_series)
        Finite values (any real dtype; computed in float64).
    starts : array-like of int, shape (n_windows,)
        First step of each window; every window must fit.
    window : int
        Window length, at least :func:`lyapunov_min_length`.
    dim, delay, steps, theiler, fit_steps : int, default=2, 1, 3, 0, 1
        As in :func:`lyapunov_exponent`.
    min_range : float, default=1e-5
        Windows with ``max - min`` below this (or zero) are static: 0.
    n_jobs : int or None, default=None
        Numba threads for this call (None: numba's current setting; -1:
        all).  The result does not depend on it.
    return_status : bool, default=False
        Also return the per-window status codes.

    Returns
    -------
    exponents : ndarray of shape (n_windows, n_series)
        Never NaN: static and undefined windows give 0.
    status : ndarray of shape (n_windows, n_series), dtype int8
        Only with ``return_status``: :data:`STATUS_OK`,
        :data:`STATUS_STATIC` or :data:`STATUS_UNDEFINED`.

    Examples
    --------
    >>> import numpy as np
    >>> from skchaosprune.lyapunov import window_exponents
    >>> rng = np.random.default_rng(0)
    >>> traj = np.column_stack([np.cumsum(rng.normal(size=400)), np.zeros(400)])
    >>> le, status = window_exponents(traj, [0, 200], 200, return_status=True)
    >>> le.shape, status[:, 1]                   # the constant column is static
    ((2, 2), array([1, 1], dtype=int8))
    >>> le[:, 1]
    array([0., 0.])
    """
    dim, delay, steps, theiler, fit_steps = _check_params(
        dim, delay, steps, theiler, fit_steps)
    min_range = _check_min_range(min_range)
    window = check_window(window, dim, delay, steps, theiler)
    traj = _as_trajectory(trajectory)
    if traj.ndim == 1:
        traj = traj[:, None]
    starts = np.asarray(starts)
    if starts.ndim != 1 or (starts.size and starts.dtype.kind not in "iu"):
        raise ValueError("starts must be a one-dimensional array of integers.")
    starts = starts.astype(np.int64)
    if starts.size and (starts.min() < 0 or starts.max() + window > traj.shape[0]):
        raise ValueError(
            f"every window [s, s + {window}) must lie within the trajectory's "
            f"{traj.shape[0]} steps."
        )
    _check_finite(traj, "trajectory")
    data = np.ascontiguousarray(traj, dtype=np.float64)
    out, status = _window_batch(data, starts, window, dim, delay, steps, theiler,
                                fit_steps, min_range, n_jobs)
    return (out, status) if return_status else out


def windowed_lyapunov(trajectory, window=200, overlap=0.1, dim=2, delay=1,
                      steps=3, theiler=0, fit_steps=1, min_range=1e-5,
                      n_jobs=None, return_status=False):
    """Windowed largest Lyapunov exponents of every series of a trajectory.

    Window ``i`` covers steps ``[i*h, i*h + window)`` with stride
    ``h = window_stride(window, overlap)`` (180 for the defaults); only
    complete windows count.  Each window of each series gets the exponent
    of :func:`lyapunov_exponent` with the given parameters, or 0 when it is
    static (range below ``min_range``) or its curve is undefined at a fitted
    step.

    Parameters
    ----------
    trajectory : array-like of shape (n_steps, n_series) or (n_steps,)
        Every weight after every update (row = step).  Finite; any real
        dtype (float32 is converted to float64 exactly).  A C-contiguous
        float64 array is used in place; anything else is streamed through
        :class:`WindowedLyapunov` in bounded chunks, so no full float64
        copy is made.
    window : int, default=200
        Window length, at least :func:`lyapunov_min_length`.
    overlap : float, default=0.1
        Overlap fraction of consecutive windows, in [0, 1).
    dim, delay, steps, theiler, fit_steps : int, default=2, 1, 3, 0, 1
        As in :func:`lyapunov_exponent` (the defaults are the paper's
        ``lyap_r -m2 -d1 -s3`` and its first-step slope).
    min_range : float, default=1e-5
        Static-window threshold (the reference code's value).
    n_jobs : int or None, default=None
        Numba threads (None: numba's current setting; -1: all).  The result
        does not depend on it.
    return_status : bool, default=False
        Also return the per-window status codes.

    Returns
    -------
    exponents : ndarray of shape (n_windows, n_series), or (n_windows,) for 1-D input
        Never NaN.
    status : ndarray of int8, same shape
        Only with ``return_status``.

    Raises
    ------
    ValueError
        On NaN/inf (or magnitudes above 1e307), a window too short for the
        parameters, or a trajectory shorter than one window.

    Examples
    --------
    >>> import numpy as np
    >>> from skchaosprune.lyapunov import windowed_lyapunov
    >>> rng = np.random.default_rng(0)
    >>> traj = np.cumsum(rng.normal(size=(1000, 3)), axis=0)
    >>> traj[:, 2] = 0.5                         # a frozen weight
    >>> le = windowed_lyapunov(traj, window=200, overlap=0.1)
    >>> le.shape                                 # windows end at 199, 379, ..., 919
    (5, 3)
    >>> le[:, 2]
    array([0., 0., 0., 0., 0.])
    >>> bool(np.isfinite(le).all())
    True
    """
    dim, delay, steps, theiler, fit_steps = _check_params(
        dim, delay, steps, theiler, fit_steps)
    min_range = _check_min_range(min_range)
    window = check_window(window, dim, delay, steps, theiler)
    h = window_stride(window, overlap)
    traj = _as_trajectory(trajectory)
    one_d = traj.ndim == 1
    if one_d:
        traj = traj[:, None]
    if traj.shape[0] < window:
        raise ValueError(
            f"the trajectory has {traj.shape[0]} steps, fewer than one window "
            f"of {window}; use a smaller window or a longer run."
        )
    if traj.dtype == np.float64 and traj.flags.c_contiguous:
        _check_finite(traj, "trajectory")
        n_windows = (traj.shape[0] - window) // h + 1
        starts = np.arange(n_windows, dtype=np.int64) * h
        out, status = _window_batch(traj, starts, window, dim, delay, steps,
                                    theiler, fit_steps, min_range, n_jobs)
    else:
        _check_finite(traj, "trajectory")
        acc = WindowedLyapunov(window=window, overlap=overlap, dim=dim,
                               delay=delay, steps=steps, theiler=theiler,
                               fit_steps=fit_steps, min_range=min_range,
                               n_jobs=n_jobs)
        acc._update_checked(traj)
        out = acc._exp[:acc.n_windows_].copy()
        status = acc._status[:acc.n_windows_].copy()
    if one_d:
        out, status = out[:, 0], status[:, 0]
    return (out, status) if return_status else out


class WindowedLyapunov:
    """Streaming windowed Lyapunov exponents with O(window) memory.

    Feed the rows of a trajectory (shape ``(n_rows, n_series)``) as they
    are produced; every window completed by a call is computed at once (one
    compiled call, parallel over series) and only the rows still needed by
    unfinished windows are kept.  Feeding a trajectory in chunks of any
    size gives exactly (bit for bit) the result of :func:`windowed_lyapunov`
    on the whole of it.

    Parameters
    ----------
    window : int, default=200
        Window length W, at least :func:`lyapunov_min_length`.
    overlap : float, default=0.1
        Overlap fraction in [0, 1); stride ``h = max(1, round(W*(1-overlap)))``.
    dim, delay, steps, theiler, fit_steps : int, default=2, 1, 3, 0, 1
        As in :func:`lyapunov_exponent`.
    min_range : float, default=1e-5
        Static-window threshold: such windows get 0.
    n_jobs : int or None, default=None
        Numba threads (None: numba's current setting; -1: all).  Results do
        not depend on it.

    Attributes
    ----------
    n_series_ : int
        Series per row, fixed by the first call of :meth:`update`.
    n_steps_ : int
        Rows received so far.
    n_windows_ : int
        Complete windows so far.
    stride_ : int
        Stride ``h`` between window starts.
    exponents_ : ndarray of shape (n_windows, n_series)
        Exponent of every complete window (read-only view; never NaN).
    status_ : ndarray of shape (n_windows, n_series), dtype int8
        :data:`STATUS_OK`, :data:`STATUS_STATIC` or :data:`STATUS_UNDEFINED`.
    window_ends_ : ndarray of shape (n_windows,), dtype int64
        Step at which each window ends: ``i * stride_ + window - 1``.

    Notes
    -----
    Memory: a float64 buffer of ``W + (B - 1) * h`` rows, where ``B`` (1 to
    64 windows computed per call) is chosen so that the buffer holds about
    4 million values but never fewer than one window; plus the exponents
    themselves (``n_windows x n_series`` float64 and int8).  Chunks larger
    than the buffer are consumed piecewise, so a call never copies a whole
    chunk.  A chunk with NaN or infinity raises ``ValueError`` before any
    of it is used (the state is unchanged).

    Examples
    --------
    >>> import numpy as np
    >>> from skchaosprune.lyapunov import WindowedLyapunov, windowed_lyapunov
    >>> rng = np.random.default_rng(0)
    >>> traj = np.cumsum(rng.normal(size=(1000, 4)), axis=0)
    >>> acc = WindowedLyapunov(window=200, overlap=0.1)
    >>> for chunk in np.array_split(traj, 7):
    ...     _ = acc.update(chunk.astype(np.float32))
    >>> acc.n_windows_, acc.window_ends_
    (5, array([199, 379, 559, 739, 919]))
    >>> batch = windowed_lyapunov(traj.astype(np.float32))
    >>> bool(np.array_equal(acc.exponents_, batch))
    True
    """

    def __init__(self, window=200, overlap=0.1, dim=2, delay=1, steps=3,
                 theiler=0, fit_steps=1, min_range=1e-5, n_jobs=None):
        self.window = window
        self.overlap = overlap
        self.dim = dim
        self.delay = delay
        self.steps = steps
        self.theiler = theiler
        self.fit_steps = fit_steps
        self.min_range = min_range
        self.n_jobs = n_jobs
        (self._dim, self._delay, self._steps, self._theiler,
         self._fit_steps) = _check_params(dim, delay, steps, theiler, fit_steps)
        self._min_range = _check_min_range(min_range)
        self._window = check_window(window, self._dim, self._delay,
                                     self._steps, self._theiler)
        self.stride_ = window_stride(self._window, overlap)
        _resolve_threads(n_jobs)
        self.reset()

    def reset(self):
        """Forget every row and window (keeps the parameters).

        The example of :meth:`update` ends with a reset.

        Returns
        -------
        self : WindowedLyapunov
        """
        self.n_series_ = None
        self.n_steps_ = 0
        self.n_windows_ = 0
        self._buf = None
        self._buf_len = 0
        self._exp = np.empty((0, 0))
        self._status = np.empty((0, 0), dtype=np.int8)
        return self

    @property
    def exponents_(self):
        return read_only(self._exp[:self.n_windows_])[0]

    @property
    def status_(self):
        return read_only(self._status[:self.n_windows_])[0]

    @property
    def window_ends_(self):
        return (np.arange(self.n_windows_, dtype=np.int64) * self.stride_
                + (self._window - 1))

    def update(self, rows):
        """Feed the next rows; compute every window they complete.

        Parameters
        ----------
        rows : array-like of shape (n_rows, n_series) or (n_series,)
            The next steps of the trajectory (a 1-D array is one row).  Any
            real dtype; finite.  ``n_series`` must match earlier calls.

        Returns
        -------
        self : WindowedLyapunov

        Examples
        --------
        >>> import numpy as np
        >>> from skchaosprune.lyapunov import WindowedLyapunov
        >>> acc = WindowedLyapunov(window=20, overlap=0.5)
        >>> rng = np.random.default_rng(1)
        >>> _ = acc.update(rng.normal(size=(25, 3)))
        >>> acc.n_windows_, acc.update(rng.normal(size=(5, 3))).n_windows_
        (1, 2)
        >>> acc.window_ends_
        array([19, 29])
        >>> acc.reset().n_windows_, acc.update(rng.normal(size=(20, 3))).n_windows_
        (0, 1)
        """
        rows = np.asarray(rows)
        if rows.ndim == 1:
            rows = rows[None, :]
        if rows.ndim != 2:
            raise ValueError(
                f"rows must have shape (n_rows, n_series) or (n_series,), got {rows.shape}.")
        if rows.dtype.kind not in "biuf":
            raise ValueError(f"rows must be numeric, got dtype {rows.dtype}.")
        if self.n_series_ is not None and rows.shape[1] != self.n_series_:
            raise ValueError(
                f"rows have {rows.shape[1]} series but earlier rows had "
                f"{self.n_series_}.")
        _check_finite(rows, "rows")
        self._update_checked(rows)
        return self

    # -- internals ---------------------------------------------------------

    def _allocate(self, n_series):
        self.n_series_ = n_series
        W, h = self._window, self.stride_
        batch = _STREAM_BUDGET // max(1, h * n_series)
        batch = int(min(max(batch, 1), _MAX_BATCH_WINDOWS))
        self._capacity = W + (batch - 1) * h
        self._buf = np.empty((self._capacity, n_series))
        self._buf_len = 0
        self._exp = np.empty((16, n_series))
        self._status = np.empty((16, n_series), dtype=np.int8)

    def _update_checked(self, rows):
        if self.n_series_ is None:
            self._allocate(rows.shape[1])
        n_new = rows.shape[0]
        pos = 0
        while pos < n_new:
            take = min(n_new - pos, self._capacity - self._buf_len)
            self._buf[self._buf_len:self._buf_len + take] = rows[pos:pos + take]
            self._buf_len += take
            self.n_steps_ += take
            pos += take
            self._flush()

    def _reserve(self, n_rows):
        """The buffer's next 1 to ``n_rows`` free rows, writable in place by
        a producer of finite float64 rows (the trainer); :meth:`_commit`
        then takes the first rows written.  Only after a first update."""
        take = min(n_rows, self._capacity - self._buf_len)  # >= 1 after _flush
        return self._buf[self._buf_len:self._buf_len + take]

    def _commit(self, n_rows):
        """Take the first ``n_rows`` rows written into :meth:`_reserve`'s
        view, and compute the windows they complete."""
        self._buf_len += n_rows
        self.n_steps_ += n_rows
        self._flush()

    def _flush(self):
        """Compute the complete windows in the buffer; drop unneeded rows."""
        W, h = self._window, self.stride_
        # the buffer starts at the first step of the next window
        if self._buf_len < W:
            return
        n_new = (self._buf_len - W) // h + 1
        starts = np.arange(n_new, dtype=np.int64) * h
        out, status = _window_batch(self._buf[:self._buf_len], starts, W,
                                    self._dim, self._delay, self._steps,
                                    self._theiler, self._fit_steps,
                                    self._min_range, self.n_jobs)
        need = self.n_windows_ + n_new
        if need > self._exp.shape[0]:
            cap = max(need, 2 * self._exp.shape[0])
            exp = np.empty((cap, self.n_series_))
            stat = np.empty((cap, self.n_series_), dtype=np.int8)
            exp[:self.n_windows_] = self._exp[:self.n_windows_]
            stat[:self.n_windows_] = self._status[:self.n_windows_]
            self._exp, self._status = exp, stat
        self._exp[self.n_windows_:need] = out
        self._status[self.n_windows_:need] = status
        self.n_windows_ = need
        # keep the rows from the next window's start on (h <= W, so it
        # starts within the buffered rows)
        shift = n_new * h
        keep = self._buf_len - shift
        if keep > 0:
            self._buf[:keep] = self._buf[shift:self._buf_len]
        self._buf_len = keep
