"""Window and lag arithmetic of the windowed exponents: lengths, strides,
window ends, the ``window='auto'`` rule, and their checks.

Plain NumPy (no Numba), so that a strategy can plan a run, and a fitted
estimator be unpickled, without compiling anything.  The public names are
those of :mod:`skchaosprune.lyapunov`, which re-exports them.
"""

from numbers import Integral, Real

import numpy as np

#: The ``window='auto'`` rule: the paper's window length when the run allows
#: ``AUTO_WINDOWS`` windows of it, else the longest window (at least
#: ``AUTO_MIN_WINDOW`` updates) that does.
AUTO_WINDOW = 200
AUTO_MIN_WINDOW = 20
AUTO_WINDOWS = 20


def _check_int(name, value, low):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}.")
    value = int(value)
    if value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}.")
    return value


def _check_params(dim, delay, steps, theiler, fit_steps=None):
    dim = _check_int("dim", dim, 1)
    delay = _check_int("delay", delay, 1)
    steps = _check_int("steps", steps, 0 if fit_steps is None else 1)
    theiler = _check_int("theiler", theiler, 0)
    if fit_steps is None:
        return dim, delay, steps, theiler
    fit_steps = _check_int("fit_steps", fit_steps, 1)
    if fit_steps > steps:
        raise ValueError(
            f"fit_steps={fit_steps} exceeds steps={steps}: the slope is fitted "
            f"to curve[0..fit_steps]; raise steps or lower fit_steps."
        )
    return dim, delay, steps, theiler, fit_steps


def _check_overlap(overlap):
    if (isinstance(overlap, (bool, np.bool_)) or not isinstance(overlap, Real)
            or not 0.0 <= overlap < 1.0):
        raise ValueError(f"overlap must be a number in [0, 1), got {overlap!r}.")
    return float(overlap)


def check_window(window, dim=2, delay=1, steps=3, theiler=0):
    """A window length checked against the Lyapunov parameters (the one
    check, made where a window enters the package: the strategies'
    parameters and the functions of :mod:`skchaosprune.lyapunov`).

    Returns
    -------
    window : int

    Raises
    ------
    ValueError
        When ``window`` is not an integer or is shorter than
        :func:`lyapunov_min_length` of the parameters.

    Examples
    --------
    >>> from skchaosprune.lyapunov import check_window
    >>> check_window(200)
    200
    """
    window = _check_int("window", window, 1)
    need = lyapunov_min_length(dim=dim, delay=delay, steps=steps, theiler=theiler)
    if window < need:
        raise ValueError(
            f"window={window} is too short for dim={dim}, delay={delay}, "
            f"steps={steps}, theiler={theiler}: it must be at least {need} "
            f"(lyapunov_min_length); use a longer window or smaller parameters."
        )
    return window


def lyapunov_min_length(dim=2, delay=1, steps=3, theiler=0):
    """Shortest series (or window) accepted for a parameter set.

    With ``L`` points there are ``L - (dim-1)*delay - steps`` candidate
    neighbours; the first reference point needs one candidate farther than
    ``theiler`` steps away, so ``L`` must be at least
    ``(dim - 1) * delay + steps + theiler + 2``.  This is the least length
    for which a divergence pair can exist at all; a reliable estimate needs
    far more points (the paper used windows of 160 to 250).

    Parameters
    ----------
    dim : int, default=2
        Embedding dimension (``-m`` of TISEAN ``lyap_r``).
    delay : int, default=1
        Embedding delay (``-d``).
    steps : int, default=3
        Steps the divergence is followed for (``-s``).
    theiler : int, default=0
        Theiler window (``-t``): neighbours must be more than ``theiler``
        steps apart in time.

    Returns
    -------
    min_length : int
        The shortest accepted length.

    Examples
    --------
    >>> from skchaosprune.lyapunov import lyapunov_min_length
    >>> lyapunov_min_length()                 # the paper's -m2 -d1 -s3
    6
    >>> lyapunov_min_length(dim=4, delay=1, steps=8, theiler=25)
    38
    """
    dim, delay, steps, theiler = _check_params(dim, delay, steps, theiler)
    return (dim - 1) * delay + steps + theiler + 2


def window_stride(window, overlap=0.1):
    """Stride between window starts: ``max(1, round(window * (1 - overlap)))``.

    Python's built-in ``round`` (half to even, like ``numpy.round``).

    Parameters
    ----------
    window : int
        Window length W.
    overlap : float, default=0.1
        Overlap fraction, in [0, 1).

    Returns
    -------
    stride : int

    Examples
    --------
    >>> from skchaosprune.lyapunov import window_stride
    >>> window_stride(200, 0.1)
    180
    >>> window_stride(250, 0.1)      # 225.0
    225
    """
    window = _check_int("window", window, 1)
    overlap = _check_overlap(overlap)
    return max(1, int(round(window * (1.0 - overlap))))


def window_ends(n_steps, window, overlap=0.1):
    """Step at which each complete window of ``n_steps`` steps ends.

    Window ``i`` covers steps ``[i*h, i*h + window)`` and ends at step
    ``i*h + window - 1`` (``h`` from :func:`window_stride`).

    Parameters
    ----------
    n_steps : int
        Length of the trajectory.
    window : int
        Window length.
    overlap : float, default=0.1
        Overlap fraction, in [0, 1).

    Returns
    -------
    ends : ndarray of shape (n_windows,), dtype int64
        Empty when ``n_steps < window``.

    Examples
    --------
    >>> from skchaosprune.lyapunov import window_ends
    >>> window_ends(1000, 200, 0.1)
    array([199, 379, 559, 739, 919])
    """
    n_steps = _check_int("n_steps", n_steps, 0)
    h = window_stride(window, overlap)
    if n_steps < window:
        return np.empty(0, dtype=np.int64)
    n_windows = (n_steps - window) // h + 1
    return np.arange(n_windows, dtype=np.int64) * h + (window - 1)


def n_windows(n_rows, window, overlap=0.1):
    """Complete windows in ``n_rows`` rows.

    Examples
    --------
    >>> from skchaosprune.lyapunov import n_windows
    >>> n_windows(1000, 200, 0.1)
    5
    """
    if n_rows < window:
        return 0
    return (int(n_rows) - window) // window_stride(window, overlap) + 1


def auto_window(n_updates, overlap=0.1):
    """The window ``window='auto'`` chooses for a run of ``n_updates``.

    The rule (docs/method.md section 5): the paper's window of 200 updates
    when the run's ``n_updates + 1`` weight rows hold at least 20 windows of
    it; otherwise the longest window of at least 20 updates that still gives
    20 windows; a run too short for that gets 20 (and, with fewer than 7
    windows, the estimator stops early with the numbers).  Longer windows
    give steadier exponents, so the window shrinks only as far as the run
    forces it to.

    Parameters
    ----------
    n_updates : int
        SGD updates of the dense phase.
    overlap : float, default=0.1
        Overlap of consecutive windows.

    Returns
    -------
    window : int

    Examples
    --------
    >>> from skchaosprune.lyapunov import auto_window
    >>> auto_window(8200)      # digits, batch 32, 200 epochs
    200
    >>> auto_window(600)       # 90 samples, batch 32, 200 epochs
    32
    >>> auto_window(50)
    20
    """
    rows = int(n_updates) + 1
    for window in range(AUTO_WINDOW, AUTO_MIN_WINDOW - 1, -1):
        if n_windows(rows, window, overlap) >= AUTO_WINDOWS:
            return window
    return AUTO_MIN_WINDOW
