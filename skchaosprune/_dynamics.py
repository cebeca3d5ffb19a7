"""Tracking a network's dynamics during training (ALGORITHM.md sections 2, 3).

As the compiled training loop produces weight rows, they stream into a
:class:`~skchaosprune.lyapunov.WindowedLyapunov` accumulator, and the
validation risk is measured at the last update of every window; memory stays
O(window x n_weights) whatever the number of epochs.
"""

import numpy as np

from .causality import granger_min_length
from .lyapunov import WindowedLyapunov, window_ends, window_stride


def min_updates(window, overlap, maxlag, dim=2, delay=1, steps=3, theiler=0):
    """Fewest SGD updates a chaos-causal run needs for ``maxlag``.

    Enough rows (initial weights included) for ``granger_min_length(maxlag)``
    windows, each long enough for the Lyapunov parameters.
    """
    # The accumulator checks the window against the Lyapunov parameters.
    WindowedLyapunov(window=window, overlap=overlap, dim=dim, delay=delay,
                     steps=steps, theiler=theiler)
    n_windows = granger_min_length(maxlag)
    rows = (n_windows - 1) * window_stride(window, overlap) + window
    return rows - 1


class DynamicsTracker:
    """Streams weight rows into windowed exponents; schedules the risk.

    Parameters mirror the estimators' (``window``, ``overlap``, the
    Lyapunov embedding parameters, ``min_range``).
    """

    def __init__(self, *, window, overlap, dim, delay, steps, theiler, fit_steps,
                 min_range):
        self.window = window
        self.overlap = overlap
        self._lyap = WindowedLyapunov(
            window=window, overlap=overlap, dim=dim, delay=delay, steps=steps,
            theiler=theiler, fit_steps=fit_steps, min_range=min_range,
        )

    def start(self, initial_row):
        """Feed row 0, the weights before any update."""
        self._lyap.update(np.asarray(initial_row, dtype=np.float64)[None, :])

    def risk_schedule(self, t0, n_updates):
        """Update indices in (t0, t0 + n_updates] that end a window.

        Row 0 of the trajectory is the initial weights and row ``t`` the
        weights after update ``t``, so a window's last row is also the
        update after which its risk is measured.
        """
        ends = window_ends(t0 + n_updates + 1, self.window, self.overlap)
        return ends[ends > t0]

    def update(self, rows):
        """Feed the weight rows produced by the latest chunk of updates."""
        self._lyap.update(rows)

    @property
    def exponents(self):
        """Exponents of the complete windows so far, (n_windows, n_weights)."""
        return np.asarray(self._lyap.exponents_)
