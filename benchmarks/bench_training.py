"""Seconds per training epoch: skchaosprune's DenseMLPClassifier vs sklearn.

Setting (the issue's benchmark): sklearn's digits, 80 % stratified train
split (``random_state=0``), standardised with a StandardScaler fitted on the
train part; network 64-100-10 with sigmoid hidden units, softmax outputs and
log-loss; plain SGD with a constant step of 0.01 and no momentum, shuffled
every epoch.  The reference is
``sklearn.neural_network.MLPClassifier(solver='sgd', momentum=0,
nesterovs_momentum=False, learning_rate='constant', learning_rate_init=0.01,
alpha=0, activation='logistic')`` with the same batch size, early stopping
off and ``n_iter_no_change`` larger than ``max_iter`` so that it never stops
before ``max_iter`` epochs.

Configurations: batch_size 1 and 32, ours with ``keep_trajectory`` off and
on.  Each configuration is fitted for a few epochs and timed as a whole
(``fit`` wall time / epochs, so the per-fit set-up is included and spread
over the epochs); the best (minimum) of a few repeats is reported, to reduce
the noise of a shared machine.  Numba compilation is excluded: the kernels
are compiled (``skchaosprune._kernels.mlp.warmup()`` and one tiny fit of
each kind) before anything is timed.  Everything is measured in the same run.

Targets: ours at least 30x faster than sklearn at batch_size=1 and at least
2x at batch_size=32 (judged with keep_trajectory off; the speed-up with it on
is printed for information); recording (``keep_trajectory=True``) costing at most
1.5x the time without it.

Run from the repository root (the script puts the repository root on
``sys.path`` itself, so the package need not be installed)::

    python benchmarks/bench_training.py            # under a minute
    python benchmarks/bench_training.py --quick    # fewer epochs and repeats

Exit status is 0 whether or not the targets are met (it is a measurement,
not a test).
"""

import argparse
import os
import sys
import time
import warnings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import numba  # noqa: E402
import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from _common import machine as _machine  # noqa: E402
from skchaosprune import DenseMLPClassifier  # noqa: E402
from skchaosprune._kernels import mlp as _kernels  # noqa: E402

LR = 0.01
HIDDEN = (100,)
SPEEDUP_TARGETS = {1: 30.0, 32: 2.0}
RECORDING_TARGET = 1.5


def load_data():
    X, y = load_digits(return_X_y=True)
    X_tr, _, y_tr, _ = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
    X_tr = StandardScaler().fit(X_tr).transform(X_tr)
    return np.ascontiguousarray(X_tr, dtype=np.float64), y_tr


def ours(batch_size, epochs, keep_trajectory):
    return DenseMLPClassifier(
        hidden_layer_sizes=HIDDEN, activation="sigmoid", learning_rate_init=LR,
        batch_size=batch_size, max_iter=epochs, shuffle=True,
        keep_trajectory=keep_trajectory, random_state=0,
    )


def theirs(batch_size, epochs):
    return MLPClassifier(
        hidden_layer_sizes=HIDDEN, activation="logistic", solver="sgd",
        learning_rate="constant", learning_rate_init=LR, momentum=0.0,
        nesterovs_momentum=False, alpha=0.0, batch_size=batch_size,
        max_iter=epochs, shuffle=True, early_stopping=False, tol=0.0,
        n_iter_no_change=epochs + 1, random_state=0,
    )


def seconds_per_epoch(make, X, y, epochs, repeats):
    """Best (minimum) over ``repeats`` of fit wall time / epochs."""
    best = np.inf
    for _ in range(repeats):
        est = make()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            t0 = time.perf_counter()
            est.fit(X, y)
            elapsed = time.perf_counter() - t0
        assert est.n_iter_ == epochs, (type(est).__name__, est.n_iter_, epochs)
        best = min(best, elapsed / epochs)
        del est
    return best


def warm_up(X, y):
    """Compile every kernel before timing (not counted)."""
    _kernels.warmup()
    for keep in (False, True):
        ours(32, 1, keep).fit(X[:64], y[:64])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs(32, 1).fit(X[:64], y[:64])


def machine():
    return _machine(np, numba, sklearn)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer epochs and repeats (a rough figure in ~20 s)")
    args = parser.parse_args(argv)
    if args.quick:
        epochs = {1: 2, 32: 10}
        repeats = 2
    else:
        epochs = {1: 10, 32: 50}
        repeats = 5

    X, y = load_data()
    print("Machine:", machine())
    print(f"Data: digits, {X.shape[0]} train samples x {X.shape[1]} features, "
          f"network 64-{HIDDEN[0]}-10, sigmoid, SGD lr={LR}, no momentum, shuffled")
    print(f"Timing: fit wall time / epochs (epochs: {epochs[1]} at batch 1, "
          f"{epochs[32]} at batch 32), best (minimum) of {repeats} repeats; "
          "JIT compilation excluded (warm-up first)\n")
    warm_up(X, y)

    times = {}
    for bs in (1, 32):
        times["sklearn", bs] = seconds_per_epoch(
            lambda: theirs(bs, epochs[bs]), X, y, epochs[bs], repeats)
        for keep in (False, True):
            times["ours", bs, keep] = seconds_per_epoch(
                lambda: ours(bs, epochs[bs], keep), X, y, epochs[bs], repeats)

    header = (f"{'configuration':<32} {'ours s/epoch':>12} {'sklearn s/epoch':>15} "
              f"{'speed-up':>9} {'target':>7}  result")
    print(header)
    print("-" * len(header))
    all_met = True
    for bs in (1, 32):
        for keep in (False, True):
            t_ours = times["ours", bs, keep]
            t_sk = times["sklearn", bs]
            ratio = t_sk / t_ours
            target = SPEEDUP_TARGETS[bs]
            met = ratio >= target
            if not keep:
                all_met &= met
            name = f"batch_size={bs:<2} keep_trajectory={keep!s:<5}"
            print(f"{name:<32} {t_ours:>12.5f} {t_sk:>15.5f} {ratio:>8.1f}x "
                  f"{'>=' + format(target, 'g') + 'x':>7}  "
                  f"{'met' if met else 'NOT met'}{'*' if keep else ''}")
    print("* informational: the speed-up targets are judged on "
          "keep_trajectory=False;\n  recording is judged by its cost ratio below.")
    print("\nRecording cost (keep_trajectory=True time / False time, "
          f"target <= {RECORDING_TARGET:g}x):")
    for bs in (1, 32):
        cost = times["ours", bs, True] / times["ours", bs, False]
        met = cost <= RECORDING_TARGET
        all_met &= met
        print(f"  batch_size={bs:<2}  {cost:.2f}x  {'met' if met else 'NOT met'}")
    print("\nAll targets met." if all_met else "\nSome targets NOT met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
