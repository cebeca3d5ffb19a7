"""Draw the figures of the docs (PNG files beside this script).

Needs the plotting extra: ``pip install "skchaosprune[plot]"``.  Run from
anywhere: ``python docs/make_figures.py``.  Everything is computed on
scikit-learn's bundled iris data with a fixed seed, so the figures are
reproducible.

- ``dynamics.png``: one weight's trajectory during dense training, the
  largest Lyapunov exponent of each of its windows, and the network's
  validation misclassification rate at the end of each window (the risk
  series its exponents are tested against).
- ``pvalues.png``: the Granger p-value of every weight, and the pruning
  threshold.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _fit():
    from sklearn.datasets import load_iris
    from sklearn.preprocessing import StandardScaler

    from skchaosprune import DenseMLPClassifier

    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    est = DenseMLPClassifier(
        hidden_layer_sizes=(6,), activation="sigmoid", loss="squared_error",
        batch_size=1, learning_rate_init=0.05, init_std=0.1, max_iter=100,
        window=160, maxlag=14, keep_trajectory=True, trajectory_dtype="float64",
        pruning="chaos_causal", retrain=None, random_state=0,
    )
    return est.fit(X, y)


def dynamics_figure(est, path):
    import matplotlib.pyplot as plt
    import numpy as np

    # The dense run's trajectory is the one the exponents were computed from;
    # with retrain=None the kept trajectory is the dense run's.
    weight = int(np.argmin(est.granger_pvalues_))
    traj = est.weight_trajectory_[:, weight]
    ends = est.window_ends_
    fig, axes = plt.subplots(3, 1, figsize=(7, 7), sharex=True)
    axes[0].plot(np.arange(traj.size), traj, lw=0.6)
    axes[0].set_ylabel("weight value")
    axes[0].set_title(f"weight {weight} (Granger p = {est.granger_pvalues_[weight]:.2g})")
    axes[1].plot(ends, est.lyapunov_exponents_[:, weight], ".-", lw=0.8)
    axes[1].axhline(0.0, color="grey", lw=0.5)
    axes[1].set_ylabel("windowed largest\nLyapunov exponent")
    axes[2].plot(ends, est.risk_series_, ".-", lw=0.8, color="C3")
    axes[2].set_ylabel("validation\nmisclassification")
    axes[2].set_xlabel("SGD update (window end)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def pvalue_figure(est, path):
    import matplotlib.pyplot as plt
    import numpy as np

    p = est.granger_pvalues_
    fig, ax = plt.subplots(figsize=(7, 3))
    ax.bar(np.arange(p.size), p, color=np.where(p >= est.causality_alpha, "C3", "C0"))
    ax.axhline(est.causality_alpha, color="black", lw=0.8, ls="--")
    ax.set_xlabel("weight (layer by layer, C order)")
    ax.set_ylabel("Granger p-value")
    ax.set_title(f"red: pruned (p >= alpha = {est.causality_alpha}); "
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
