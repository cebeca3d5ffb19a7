"""The recording of a dense run: streamed windowed exponents and the risk
schedule (docs/method.md sections 2, 3).

As the compiled training loop produces weight rows, they stream into a
:class:`~skchaosprune.lyapunov.WindowedLyapunov` accumulator, and both
validation risks (error and loss) are measured at the last update of every
window; memory stays O(window x n_weights) whatever the number of epochs.
What a run recorded is kept in a :class:`Dynamics` record, which also caches
the Granger tests computed from it.
"""

import time

import numpy as np

from ._network import flatten
from .causality import _max_lag, granger_min_length

# skchaosprune.lyapunov (and so Numba) is imported inside the functions that
# record: unpickling a fitted estimator, whose Dynamics record lives here,
# must not import it.


#: The length rule of a chaos-causal run: every lag up to maxlag keeps at
#: least 2 lag + 1 residual degrees of freedom in the Granger tests
#: (granger_min_length(maxlag, rule='dof') windows; docs/method.md section 4).
RUN_LENGTH_RULE = "dof"


def min_updates(window, overlap, maxlag, dim=2, delay=1, steps=3, theiler=0):
    """Fewest SGD updates a chaos-causal run needs for ``maxlag``.

    Enough rows (initial weights included) for
    ``granger_min_length(maxlag, rule='dof')`` windows (``5 * maxlag + 2``:
    a meaningful Granger test at every lag up to ``maxlag``), each long
    enough for the Lyapunov parameters.
    """
    from .lyapunov import WindowedLyapunov, window_stride

    # The accumulator checks the window against the Lyapunov parameters.
    WindowedLyapunov(window=window, overlap=overlap, dim=dim, delay=delay,
                     steps=steps, theiler=theiler)
    n_windows = granger_min_length(maxlag, rule=RUN_LENGTH_RULE)
    rows = (n_windows - 1) * window_stride(window, overlap) + window
    return rows - 1


def _windows_of(n_updates, window, overlap):
    """Windows that ``n_updates`` updates (plus the initial weights) hold."""
    from .lyapunov import window_stride

    rows = int(n_updates) + 1
    return 0 if rows < window else (rows - window) // window_stride(window, overlap) + 1


class Dynamics:
    """What a tracked dense run recorded.

    Attributes
    ----------
    exponents : ndarray of shape (n_windows, n_weights)
    risks : ndarray of shape (n_windows, 2)
        Column 0: misclassification rate (regressor: mean squared error);
        column 1: mean validation loss (regressor: mean squared error).
    window_ends : ndarray of int
    settings : dict
        The recording settings (window, overlap, Lyapunov parameters) and
        the dense epochs, for checking that a new strategy fits this run.
    tests : dict
        Cache of Granger results keyed by the test parameters.
    """

    def __init__(self, exponents, risks, window_ends, settings, regression):
        self.exponents = exponents
        self.risks = risks
        self.window_ends = window_ends
        self.settings = settings
        self.regression = regression
        self.tests = {}

    def risk(self, kind):
        """The risk series of ``kind`` ('error' or 'loss')."""
        if self.regression:
            return self.risks[:, 0]
        return self.risks[:, 0 if kind == "error" else 1]


class _Tracker:
    """Streams weight rows into windowed exponents, timing itself."""

    def __init__(self, settings):
        from .lyapunov import WindowedLyapunov

        self.lyap = WindowedLyapunov(**settings)
        self.seconds = 0.0

    def update(self, rows):
        """Feed rows (the initial weights) through the validated update."""
        start = time.perf_counter()
        self.lyap.update(rows)
        self.seconds += time.perf_counter() - start

    def reserve(self, n_rows):
        """Where the trainer writes its next 1 to ``n_rows`` weight rows: the
        exponents' own buffer, so the rows are neither copied nor checked a
        second time.  The trainer raises on a non-finite weight or loss
        before it commits rows, and a weight that has become non-finite
        never becomes finite again, so every committed row is finite.  (On a
        chaos-causal fit of digits 64-32-10 the check had taken 6 % of the
        fit, the copy 4 to 7 %.)"""
        return self.lyap._reserve(n_rows)

    def commit(self, n_rows):
        """Hand over the first ``n_rows`` rows written into ``reserve``'s."""
        start = time.perf_counter()
        self.lyap._commit(n_rows)
        self.seconds += time.perf_counter() - start


def check_run_length(settings, maxlag, have, what, per_epoch, epochs):
    """Fail early when the dense run is too short for the dynamics.

    ``what`` names the run ("max_iter=20").
    """
    need = min_updates(settings["window"], settings["overlap"], maxlag, dim=settings["dim"],
                       delay=settings["delay"], steps=settings["steps"],
                       theiler=settings["theiler"])
    if have < need:
        n_windows = granger_min_length(maxlag, rule=RUN_LENGTH_RULE)
        fits = _max_lag(_windows_of(have, settings["window"], settings["overlap"]),
                        RUN_LENGTH_RULE)
        smaller = (f"a maxlag <= {fits} fits this run" if fits >= 1
                   else "no maxlag fits this run's windows")
        raise ValueError(
            f"The dense run is too short for chaos-causal pruning: {what} gives "
            f"{have} updates ({epochs} epoch(s) x {per_epoch} updates), but "
            f"window={settings['window']}, overlap={settings['overlap']} and "
            f"maxlag={maxlag} need at least {need} updates "
            f"({n_windows} windows = 5 x maxlag + 2, so that the Granger test at "
            f"every lag up to maxlag keeps at least 2 x lag + 1 residual degrees of "
            f"freedom; docs/method.md section 4). Train longer "
            f"({what.split('=')[0]}), use a smaller batch_size, more samples, or a "
            f"smaller window or maxlag ({smaller})."
        )


def train_tracked(est, data, epochs, settings):
    """Dense training of ``est`` on the :class:`~skchaosprune._network.Split`
    ``data`` with the dynamics streamed into exponents.

    Returns the :class:`Dynamics` record and the seconds spent on the
    exponents.
    """
    from .lyapunov import window_ends

    n_updates = est._updates(data.X.shape[0], epochs)
    done = est._n_updates
    ends = window_ends(done + n_updates + 1, settings["window"], settings["overlap"])
    ends = ends[ends > done]
    risk_at = np.union1d(ends, est._risk_schedule(n_updates)).astype(np.int64)
    tracker = _Tracker(settings)
    tracker.update(flatten(est.coefs_)[None, :])
    est._train(data.X, data.Y, data.Xv, data.Yv, epochs, sw=data.sw, swv=data.swv,
               risk_at=risk_at, recorder=tracker, stopping=False,
               phase="dense training + Lyapunov exponents")
    exponents = np.asarray(tracker.lyap.exponents_)
    at_end = np.isin(est.risk_updates_, ends)
    n_windows = exponents.shape[0]
    risks = est._risk_pairs[at_end][:n_windows]
    if est.risk_every is None:
        est.risk_curve_ = est.risk_curve_[~at_end]
        est.risk_updates_ = est.risk_updates_[~at_end]
        est._risk_pairs = est._risk_pairs[~at_end]
    dynamics = Dynamics(exponents, risks, ends[:n_windows], dict(settings, epochs=epochs),
                        regression=est._regression)
    return dynamics, tracker.seconds

