"""Draw the figures of the docs (PNG files beside this script).

Needs the plotting extra: ``pip install "skchaosprune[plot]"``.  Run from
anywhere: ``python docs/make_figures.py``.  Everything is computed on
scikit-learn's bundled iris data with a fixed seed, so the figures are
reproducible.

The network is the paper's iris network (4-6-3, sigmoid units, squared
error, one-sample SGD, learning rate 0.05, initial weights with standard
deviation 0.1), trained for 100 epochs instead of the paper's 200, with
``ChaosCausalPruning(window=160, maxlag=14)``: the paper's iris window and
lag, and the library's default risk, the validation loss
(docs/method.md sections 3, 9).

- ``dynamics.png``: one weight's trajectory during dense training, the
  largest Lyapunov exponent of each of its windows, and the network's two
  validation risks at the end of each window: the loss (the default
  ``risk='loss'``, the series the exponents were tested against here) and
  the misclassification rate (the paper's ``risk='error'``).
- ``pvalues.png``: the Granger p-value of every weight on a log axis, and
  the pruning threshold ``alpha``.
"""

import copy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _fit():
    from sklearn.datasets import load_iris
    from sklearn.preprocessing import StandardScaler

    from skchaosprune import ChaosCausalPruning
    from skchaosprune.datasets import paper_estimator

    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    # The paper's iris settings spelled out by paper_estimator (plain
    # one-sample SGD: no momentum, no L2 penalty, every epoch run).
    est = paper_estimator(
        "iris", max_iter=100, keep_trajectory=True, trajectory_dtype="float64",
        pruning=ChaosCausalPruning(window=160, maxlag=14), retrain=None,
        random_state=0,
    )
    return est.fit(X, y)


def _error_series(est):
    """The misclassification-rate risk of the same dense run: the dense run
    records both risks, so re-deciding with ``risk='error'`` needs no fit
    (and, with ``retrain=None``, no data)."""
    from sklearn.base import clone

    other = copy.deepcopy(est).prune(pruning=clone(est.pruning).set_params(risk="error"))
    return other.risk_series_


def dynamics_figure(est, path):
    import matplotlib.pyplot as plt
    import numpy as np

    # With retrain=None the kept trajectory is the dense run's, the one the
    # exponents were computed from.
    weight = int(np.argmin(est.granger_pvalues_))
    traj = est.weight_trajectory_[:, weight]
    ends = est.window_ends_
    fig, axes = plt.subplots(4, 1, figsize=(7, 8.5), sharex=True)
    axes[0].plot(np.arange(traj.size), traj, lw=0.6)
    axes[0].set_ylabel("weight value")
    axes[0].set_title(f"weight {weight} (Granger p = {est.granger_pvalues_[weight]:.2g}, "
                      f"risk='{est.pruning.risk}')")
    axes[1].plot(ends, est.lyapunov_exponents_[:, weight], ".-", lw=0.8)
    axes[1].axhline(0.0, color="grey", lw=0.5)
    axes[1].set_ylabel("windowed largest\nLyapunov exponent")
    axes[2].plot(ends, est.risk_series_, ".-", lw=0.8, color="C3")
    axes[2].set_ylabel("validation loss\n(risk='loss')")
    axes[3].plot(ends, _error_series(est), ".-", lw=0.8, color="C1")
    axes[3].set_ylabel("validation\nmisclassification\n(risk='error')")
    axes[3].set_xlabel("SGD update (window end)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def pvalue_figure(est, path):
    import matplotlib.pyplot as plt
    import numpy as np

    p = est.granger_pvalues_
    alpha = est.pruning.alpha
    # A log axis: most p-values are many orders of magnitude below alpha.
    # p = 0 (an infeasible test kept, or no usable lag) is drawn at the floor.
    floor = 10.0 ** np.floor(np.log10(p[p > 0].min())) if np.any(p > 0) else 1e-16
    shown = np.maximum(p, floor)
    fig, ax = plt.subplots(figsize=(7, 3.2))
    ax.bar(np.arange(p.size), shown - floor, bottom=floor,
           color=np.where(p >= alpha, "C3", "C0"))
    ax.set_yscale("log")
    ax.set_ylim(floor, 2.0)
    ax.axhline(alpha, color="black", lw=0.8, ls="--")
    ax.set_xlabel("weight (layer by layer, C order)")
    ax.set_ylabel("Granger p-value (log)")
    ax.set_title(f"red: pruned (p >= alpha = {alpha}); "
                 f"{100 * est.sparsity_:.0f}% of weights")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main():
    try:
        import matplotlib

        matplotlib.use("Agg")
    except ImportError:
        print('matplotlib is needed: pip install "skchaosprune[plot]"', file=sys.stderr)
        return 2
    est = _fit()
    dynamics_figure(est, HERE / "dynamics.png")
    pvalue_figure(est, HERE / "pvalues.png")
    print(f"wrote {HERE / 'dynamics.png'} and {HERE / 'pvalues.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
