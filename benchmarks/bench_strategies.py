"""Every pruning strategy at 80, 90, 95 and 98 % sparsity, with its cost
against the dense fit (issue 23, point 6; the table of docs/strategies.md).

Two tables, each split 75/25 (stratified) and standardised on the training
part, one dense run per seed shared by every method (``prune(X, y,
pruning=...)`` decides and retrains on that run):

- ``digits``: sklearn's digits (1,797 x 64, 10 classes), the demo's network
  64-32-10, sigmoid, one-sample plain SGD, learning rate 0.1, 20 epochs
  (the paper's regime);
- ``synthetic``: a table of MNIST's shape, ``make_classification(10000,
  784, n_informative=50, n_redundant=0, n_classes=10,
  n_clusters_per_class=1, class_sep=2.0)``, a 784-100-10 ReLU network
  trained as scikit-learn's MLPClassifier trains by default (adam,
  batches of 200, learning rate 1e-3) for 10 epochs.

Test accuracy, mean (sd) over the seeds; the cost is the mean wall time of
the dense fit plus the strategy's ``prune`` (decision and retraining),
divided by the dense fit's.  Every retraining rewinds to the initial
weights (the estimator's default) unless the method says otherwise.

    python benchmarks/bench_strategies.py                  # both tables, 5 seeds
    python benchmarks/bench_strategies.py --table digits --seeds 3
"""

import argparse
import sys
import time
import warnings

import numpy as np
import sklearn
from _common import machine
from sklearn.base import clone
from sklearn.datasets import load_digits, make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import skchaosprune
from skchaosprune import ChaosCausalPruning, DenseMLPClassifier, MagnitudePruning
from skchaosprune.pruning import IterativePruning

SPARSITIES = (0.8, 0.9, 0.95, 0.98)


def _obs(sparsity, retrain):
    from skchaosprune.pruning import OBSPruning

    return OBSPruning(sparsity), retrain


def _trajectory(sparsity, retrain):
    from skchaosprune.pruning import TrajectoryCausalPruning

    return TrajectoryCausalPruning(sparsity=sparsity), retrain


#: name -> (strategy at a sparsity, the estimator's retrain) factory.
METHODS = {
    "magnitude, global": lambda s: (MagnitudePruning(s), "rewind"),
    "magnitude, layer": lambda s: (MagnitudePruning(s, scope="layer"), "rewind"),
    "magnitude, LAMP": lambda s: (MagnitudePruning(s, scope="lamp"), "rewind"),
    "magnitude, global, keep_connected": lambda s: (
        MagnitudePruning(s, keep_connected=True), "rewind"),
    "IMP, rewind to init": lambda s: (IterativePruning(sparsity=s), "rewind"),
    "IMP, rewind to epoch 1": lambda s: (IterativePruning(sparsity=s, rewind=1), "rewind"),
    "IMP, learning-rate rewind": lambda s: (IterativePruning(sparsity=s, rewind="lr"),
                                            "rewind"),
    "IMP, LAMP, rewind to init": lambda s: (
        IterativePruning(MagnitudePruning(scope="lamp"), sparsity=s), "rewind"),
    "IMP, keep_connected, rewind to init": lambda s: (
        IterativePruning(MagnitudePruning(keep_connected=True), sparsity=s), "rewind"),
    "OBS, no retraining": lambda s: _obs(s, None),
    "OBS, fine-tuned": lambda s: _obs(s, "finetune"),
    "OBS, rewound": lambda s: _obs(s, "rewind"),
    "trajectory-causal": lambda s: _trajectory(s, "rewind"),
    "chaos-causal": lambda s: (ChaosCausalPruning(sparsity=s), "rewind"),
    "chaos-causal in rounds (IMP, recorded again)": lambda s: (
        IterativePruning(ChaosCausalPruning(), sparsity=s), "rewind"),
}


def tables(seed):
    """(name, X_train, X_test, y_train, y_test, estimator) per table."""
    X, y = load_digits(return_X_y=True)
    yield ("digits", *_split(X, y, seed), DenseMLPClassifier(
        (32,), activation="logistic", solver="sgd", batch_size=1, learning_rate_init=0.1,
        momentum=0.0, max_iter=20, n_iter_no_change=np.inf, random_state=seed))
    X, y = make_classification(10000, 784, n_informative=50, n_redundant=0, n_classes=10,
                               n_clusters_per_class=1, class_sep=2.0, random_state=seed)
    yield ("synthetic", *_split(X, y, seed), DenseMLPClassifier(
        (100,), max_iter=10, n_iter_no_change=np.inf, random_state=seed))


def _split(X, y, seed):
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, stratify=y,
                                              random_state=seed)
    scaler = StandardScaler().fit(X_tr)
    return scaler.transform(X_tr), scaler.transform(X_te), y_tr, y_te


def run(wanted, seeds, methods, sparsities):
    """{table: {method: {sparsity: [(accuracy, cost), ...]}}}."""
    out = {}
    for seed in range(seeds):
        for name, X_tr, X_te, y_tr, y_te, est in tables(seed):
            if name not in wanted:
                continue
            rows = out.setdefault(name, {})
            if seed == 0:  # compile the kernels outside the timings
                clone(est).set_params(max_iter=1).fit(X_tr[:50], y_tr[:50])
            start = time.perf_counter()
            dense = clone(est).fit(X_tr, y_tr)
            dense_seconds = time.perf_counter() - start
            rows.setdefault("dense", {}).setdefault(0.0, []).append(
                (dense.score(X_te, y_te), 1.0))
            tracked = None
            for method in methods:
                for sparsity in sparsities:
                    strategy, retrain = METHODS[method](sparsity)
                    if strategy.needs_dynamics:
                        if tracked is None:  # one recorded dense run for every sparsity
                            start = time.perf_counter()
                            tracked = clone(est).set_params(track_dynamics=True).fit(X_tr, y_tr)
                            tracked_seconds = time.perf_counter() - start
                        model, base_seconds = tracked, tracked_seconds
                    else:
                        model, base_seconds = dense, dense_seconds
                    start = time.perf_counter()
                    try:
                        model.set_params(retrain=retrain).prune(X_tr, y_tr, pruning=strategy)
                        accuracy = model.score(X_te, y_te)
                    except Exception as exc:  # a row for every method, even one that fails
                        print(f"  {name} seed {seed} {method} {sparsity}: "
                              f"{type(exc).__name__}: {exc}", file=sys.stderr)
                        accuracy = np.nan
                    cost = (base_seconds + time.perf_counter() - start) / dense_seconds
                    rows.setdefault(method, {}).setdefault(sparsity, []).append(
                        (accuracy, cost))
            print(f"  {name}, seed {seed} done (dense fit {dense_seconds:.2f} s)",
                  file=sys.stderr, flush=True)
    return out


def report(results, sparsities):
    for name, rows in results.items():
        n = len(rows["dense"][0.0])
        dense = np.array(rows["dense"][0.0])[:, 0]
        print(f"\n### {name} ({n} seeds): dense test accuracy {dense.mean():.3f} "
              f"({dense.std():.3f})\n")
        print("| method | " + " | ".join(f"{s:.0%}" for s in sparsities)
              + " | cost at 95 % (x dense fit) |")
        print("|---" * (len(sparsities) + 2) + "|")
        for method, cells in rows.items():
            if method == "dense":
                continue
            values = []
            for s in sparsities:
                acc = np.array(cells[s])[:, 0]
                values.append(f"{np.nanmean(acc):.3f} ({np.nanstd(acc):.3f})"
                              + ("" if np.isfinite(acc).all() else
                                 f", {int(np.isnan(acc).sum())} failed"))
            costs = np.array(cells.get(0.95, cells[sparsities[-1]]))[:, 1]
            print(f"| {method} | " + " | ".join(values) + f" | {costs.mean():.1f} |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", choices=["digits", "synthetic", "both"], default="both")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--methods", nargs="*", default=list(METHODS),
                        help="a subset of: " + "; ".join(METHODS))
    parser.add_argument("--sparsities", nargs="*", type=float, default=list(SPARSITIES))
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    print(machine(np, sklearn, skchaosprune))
    wanted = ("digits", "synthetic") if args.table == "both" else (args.table,)
    start = time.perf_counter()
    results = run(wanted, args.seeds, args.methods, args.sparsities)
    report(results, args.sparsities)
    print(f"\n{time.perf_counter() - start:.0f} s in all")


if __name__ == "__main__":
    main()
