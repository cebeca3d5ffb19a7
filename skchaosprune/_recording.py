"""The recording of a dense run: streamed windowed exponents and the risk
schedule (docs/method.md sections 2, 3).

A :class:`Recorder` owns its schedule: the updates at whose end a window
closes, where both validation risks (error and loss) must be measured.  As
the compiled training loop produces weight rows, they stream into its
:class:`~skchaosprune.lyapunov.WindowedLyapunov` accumulator (memory stays
O(window x n_weights) whatever the number of epochs), the trainer hands it
the risks measured on its schedule, and it returns what it recorded as a
:class:`Dynamics` record, which also caches the Granger tests computed from
it.  It never reads or writes the estimator.
"""

import time
from typing import NamedTuple

import numpy as np

from ._windows import n_windows, window_ends, window_stride
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
    a meaningful Granger test at every lag up to ``maxlag``).  The window
    was checked against the Lyapunov parameters where it entered (the
    strategy's parameters, :func:`skchaosprune.lyapunov.check_window`).
    """
    windows = granger_min_length(maxlag, rule=RUN_LENGTH_RULE)
    rows = (windows - 1) * window_stride(window, overlap) + window
    return rows - 1


def _windows_of(n_updates, window, overlap):
    """Windows that ``n_updates`` updates (plus the initial weights) hold."""
    return n_windows(int(n_updates) + 1, window, overlap)


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


class Recorder:
    """The recording of one dense run: its schedule, its exponents, its
    risks.

    Parameters
    ----------
    settings : dict
        The recording settings (``window``, ``overlap``, ``dim``, ``delay``,
        ``steps``, ``theiler``, ``fit_steps``, ``min_range``), from the
        strategy's ``recording_plan``.
    first_update : int
        Updates the network had before this run (the row of ``weights``).
    n_updates : int
        Updates of the run.
    weights : ndarray of shape (n_weights,)
        The weights the run starts from (row 0 of the trajectory).
    epochs : int
        Epochs of the run (kept in the record's settings).
    regression : bool
        Whether the risks are a regressor's (both columns the MSE).

    Attributes
    ----------
    risk_at : ndarray of int64
        The global update indices at which a window ends: where the trainer
        must measure the risks and hand them to :meth:`take_risks`.
    seconds : float
        Time spent on the exponents.
    """

    def __init__(self, settings, first_update, n_updates, weights, epochs, regression):
        from .lyapunov import WindowedLyapunov  # Numba: only when recording

        self.settings = dict(settings, epochs=epochs)
        ends = window_ends(first_update + n_updates + 1, settings["window"],
                           settings["overlap"])
        self.risk_at = ends[ends > first_update].astype(np.int64)
        self.regression = regression
        self.seconds = 0.0
        self._risks = np.full((self.risk_at.shape[0], 2), np.nan)
        self._lyap = WindowedLyapunov(
            window=settings["window"], overlap=settings["overlap"], dim=settings["dim"],
            delay=settings["delay"], steps=settings["steps"], theiler=settings["theiler"],
            fit_steps=settings["fit_steps"], min_range=settings["min_range"])
        start = time.perf_counter()
        self._lyap.update(np.asarray(weights, dtype=np.float64)[None, :])
        self.seconds += time.perf_counter() - start

    def reserve(self, n_rows):
        """Where the trainer writes its next 1 to ``n_rows`` weight rows: the
        exponents' own buffer, so the rows are neither copied nor checked a
        second time.  The trainer raises on a non-finite weight or loss
        before it commits rows, and a weight that has become non-finite
        never becomes finite again, so every committed row is finite.  (On a
        chaos-causal fit of digits 64-32-10 the check had taken 6 % of the
        fit, the copy 4 to 7 %.)"""
        return self._lyap._reserve(n_rows)

    def commit(self, n_rows):
        """Hand over the first ``n_rows`` rows written into ``reserve``'s."""
        start = time.perf_counter()
        self._lyap._commit(n_rows)
        self.seconds += time.perf_counter() - start

    def take_risks(self, updates, risks):
        """The risks (error, loss) the trainer measured at ``updates``; those
        at this recorder's window ends are kept."""
        where = np.searchsorted(self.risk_at, updates)
        ok = (where < self.risk_at.shape[0]) & (
            self.risk_at[np.minimum(where, self.risk_at.shape[0] - 1)] == updates)
        self._risks[where[ok]] = risks[ok]

    def dynamics(self):
        """What the run recorded, as a :class:`Dynamics` record."""
        exponents = np.asarray(self._lyap.exponents_)
        n = exponents.shape[0]
        return Dynamics(exponents, self._risks[:n], self.risk_at[:n], self.settings,
                        regression=self.regression)


def check_run_length(settings, maxlag, have, what, per_epoch, epochs):
    """Fail early when the dense run is too short for the dynamics.

    ``what`` names the run ("max_iter=20").
    """
    need = min_updates(settings["window"], settings["overlap"], maxlag, dim=settings["dim"],
                       delay=settings["delay"], steps=settings["steps"],
                       theiler=settings["theiler"])
    if have < need:
        windows = granger_min_length(maxlag, rule=RUN_LENGTH_RULE)
        fits = _max_lag(_windows_of(have, settings["window"], settings["overlap"]),
                        RUN_LENGTH_RULE)
        smaller = (f"a maxlag <= {fits} fits this run" if fits >= 1
                   else "no maxlag fits this run's windows")
        raise ValueError(
            f"The dense run is too short for chaos-causal pruning: {what} gives "
            f"{have} updates ({epochs} epoch(s) x {per_epoch} updates), but "
            f"window={settings['window']}, overlap={settings['overlap']} and "
            f"maxlag={maxlag} need at least {need} updates "
            f"({windows} windows = 5 x maxlag + 2, so that the Granger test at "
            f"every lag up to maxlag keeps at least 2 x lag + 1 residual degrees of "
            f"freedom; docs/method.md section 4). Train longer "
            f"({what.split('=')[0]}), use a smaller batch_size, more samples, or a "
            f"smaller window or maxlag ({smaller})."
        )


#: Bytes of the float32 design matrix an :class:`UpdateRecorder` keeps at
#: most (its rows times the kept weights): 64 MB, whatever the run's length.
UPDATE_BYTES = 2**26
#: Rows an :class:`UpdateRecorder` keeps at most (fewer when
#: :data:`UPDATE_BYTES` binds).
MAX_UPDATE_ROWS = 2048


def update_rows(n_kept, max_rows=None):
    """Rows of an :class:`UpdateRecorder` over ``n_kept`` weights: at most
    ``max_rows`` (default :data:`MAX_UPDATE_ROWS`) and at most
    :data:`UPDATE_BYTES` of float32 rows, rounded down to an even number
    (the recorder merges rows in pairs), at least 2."""
    rows = MAX_UPDATE_ROWS if max_rows is None else int(max_rows)
    rows = min(rows, UPDATE_BYTES // (4 * max(int(n_kept), 1)))
    return max(2, rows - rows % 2)


class UpdateRecord(NamedTuple):
    """What an :class:`UpdateRecorder` recorded of a training run.

    Attributes
    ----------
    squared_changes : ndarray of float32, shape (n_rows, n_kept)
        Row r: the sum, over the consecutive updates of row r, of each kept
        weight's squared change in one update, ``(w_after - w_before) ** 2``.
    loss_changes : ndarray of float64, shape (n_rows,)
        The sum over the same updates of each update's loss change on its
        own batch (``loss after - loss before``).
    updates : ndarray of int64, shape (n_rows,)
        The updates of each row (every row holds ``updates[0]`` of them,
        except perhaps the last, which holds fewer).
    kept : ndarray of int64, shape (n_kept,)
        The flat indices of the recorded (kept) weights, the columns of
        ``squared_changes``.
    """

    squared_changes: np.ndarray
    loss_changes: np.ndarray
    updates: np.ndarray
    kept: np.ndarray


class UpdateRecorder:
    """The squared weight changes and the loss change of every update of a
    training run, summed over runs of consecutive updates in bounded memory.

    Each update ``t`` gives the squared change of every kept weight, a row
    ``(Delta w_t) ** 2``, and the change ``Delta L_t`` of its batch loss on
    its own batch (recorded by the compiled trainer,
    :func:`skchaosprune._kernels.mlp.train_batches`).  A linear model
    ``Delta L_t = sum_i beta_i (Delta w_{i,t}) ** 2`` holds unchanged for
    sums over consecutive updates, so the recorder keeps at most
    ``max_rows`` rows: each update first has its own row; when the rows are
    full, adjacent rows are merged in pairs and each row then holds twice as
    many updates (1, 2, 4, ... updates per row).  Every update is used,
    memory is ``max_rows x n_kept`` float32 whatever the run's length (plus
    the trainer's chunk of float64 weight rows), and the run's length need
    not be known in advance.

    It follows the trainer's recorder protocol
    (:meth:`skchaosprune._network.NetworkMixin._train`): ``reserve``,
    ``reserve_loss_changes``, ``commit``, ``risk_at`` (none) and
    ``take_risks``.

    Parameters
    ----------
    weights : ndarray of shape (n_weights,)
        The weights the run starts from (pruned ones at 0).
    keep : ndarray of bool, shape (n_weights,)
        The weights to record (the pruned ones never change).
    max_rows : int, default=None
        The row budget (:func:`update_rows`).
    """

    records_loss_changes = True

    def __init__(self, weights, keep, max_rows=None):
        from ._kernels.mlp import accumulate_updates  # Numba: only when recording

        self._accumulate = accumulate_updates
        self.kept = np.flatnonzero(np.asarray(keep, dtype=bool)).astype(np.int64)
        n_weights = np.asarray(weights).shape[0]
        self.max_rows = update_rows(self.kept.shape[0], max_rows)
        self.risk_at = np.empty(0, dtype=np.int64)
        self._prev = np.asarray(weights, dtype=np.float64)[self.kept].copy()
        self._acc = np.zeros(self.kept.shape[0])
        self._squares = np.zeros((self.max_rows, self.kept.shape[0]), dtype=np.float32)
        self._losses = np.zeros(self.max_rows)
        self._state = np.array([0, 0, 1], dtype=np.int64)  # row, fill, per_row
        self._n_weights = n_weights
        self._rows = np.empty((0, n_weights))
        self._loss_rows = np.empty(0)

    def reserve(self, n_rows):
        """Where the trainer writes its next 1 to ``n_rows`` weight rows."""
        if self._rows.shape[0] < n_rows:
            self._rows = np.empty((n_rows, self._n_weights))
        return self._rows[:n_rows]

    def reserve_loss_changes(self, n_rows):
        """Where the trainer writes the loss changes of those updates."""
        if self._loss_rows.shape[0] < n_rows:
            self._loss_rows = np.empty(n_rows)
        return self._loss_rows[:n_rows]

    def take_risks(self, updates, risks):
        """No risk is recorded."""

    def commit(self, n_rows):
        """Take the first ``n_rows`` updates written into the reserved rows."""
        start = 0
        while start < n_rows:
            start += self._accumulate(
                self._rows[start:n_rows], n_rows - start, self.kept, self._prev, self._acc,
                self._loss_rows[start:n_rows], self._squares, self._losses, self._state)
            if self._state[0] == self.max_rows:
                self._merge()

    def _merge(self):
        """Adjacent rows summed in pairs: half the rows, twice the updates."""
        half = self.max_rows // 2
        for r in range(half):
            self._squares[r] = self._squares[2 * r] + self._squares[2 * r + 1]
            self._losses[r] = self._losses[2 * r] + self._losses[2 * r + 1]
        self._squares[half:] = 0.0
        self._losses[half:] = 0.0
        self._state[0] = half
        self._state[2] *= 2

    def record(self):
        """What was recorded, as an :class:`UpdateRecord`."""
        row, fill, per_row = (int(v) for v in self._state)
        n = row + (fill > 0)
        squares = self._squares[:n]  # no copy: the recorder is done
        if fill:
            squares[row] = self._acc
        updates = np.full(n, per_row, dtype=np.int64)
        if fill:
            updates[-1] = fill
        return UpdateRecord(squares, self._losses[:n].copy(), updates, self.kept)
