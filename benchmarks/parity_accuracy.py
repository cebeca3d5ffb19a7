"""Default fits against scikit-learn's default MLPs: test accuracy (and R^2)
on iris, wine, breast cancer and digits, raw and standardised, and whether
default chaos-causal pruning runs on them.

For each data set and scaling, three stratified 75/25 splits
(``random_state`` 0, 1, 2; the scaler fitted on the training part);
``MLPClassifier(random_state=seed)`` against
``DenseMLPClassifier(random_state=seed)``, every other parameter at its
default, and the mean test accuracy of the three splits.  Then, on the same
splits, ``DenseMLPClassifier(pruning=ChaosCausalPruning(mode=...),
random_state=seed)`` for LEGCNet-FT and -PT: its test accuracy, sparsity,
and the warnings it gave (a ``PrunedModelWarning`` says the pruned network
lost what the dense one had).  The regressor is compared on diabetes
(standardised target) the same way, with R^2.

Target (issue 12): the default fit within 0.02 of scikit-learn's mean
accuracy everywhere, and default chaos-causal pruning running (no error)
everywhere.  The last column is the largest difference between the two
estimators' fitted weights, which says why the accuracies agree: the same
initial weights, the same batches, the same arithmetic.

Run from the repository root::

    python benchmarks/parity_accuracy.py            # about 2 minutes
    python benchmarks/parity_accuracy.py --no-pruning

Exit status is 0 whether or not the targets are met.
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
from _common import machine  # noqa: E402
from sklearn.datasets import (  # noqa: E402
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    load_wine,
)
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skchaosprune import ChaosCausalPruning, DenseMLPClassifier, DenseMLPRegressor  # noqa: E402

DATASETS = {"iris": load_iris, "wine": load_wine, "breast_cancer": load_breast_cancer,
            "digits": load_digits}
SEEDS = (0, 1, 2)
TOLERANCE = 0.02


def splits(X, y, scaling, stratify=True):
    for seed in SEEDS:
        X_tr, X_te, y_tr, y_te = train_test_split(
            X, y, test_size=0.25, random_state=seed, stratify=y if stratify else None)
        if scaling == "standardised":
            scaler = StandardScaler().fit(X_tr)
            X_tr, X_te = scaler.transform(X_tr), scaler.transform(X_te)
        yield seed, X_tr, X_te, y_tr, y_te


def weight_gap(a, b):
    return max(float(np.abs(u - v).max()) for u, v in zip(a.coefs_, b.coefs_))


def dense_pair(theirs_cls, ours_cls, seed, X_tr, X_te, y_tr, y_te):
    """(sklearn's test score, ours, the largest weight difference) of the
    two estimators with every default and ``random_state=seed``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sk = theirs_cls(random_state=seed).fit(X_tr, y_tr)
        us = ours_cls(random_state=seed).fit(X_tr, y_tr)
    return sk.score(X_te, y_te), us.score(X_te, y_te), weight_gap(sk, us)


def fit_quietly(est, X, y):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            est.fit(X, y)
        except ValueError as exc:
            return None, [f"ValueError: {str(exc)[:80]}"]
    names = sorted({w.category.__name__ for w in caught
                    if not issubclass(w.category, ConvergenceWarning)})
    return est, names


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-pruning", action="store_true",
                        help="only the dense comparison")
    args = parser.parse_args(argv)
    print("Machine:", machine(np, numba, sklearn))
    print(f"Three stratified 75/25 splits per row (seeds {SEEDS}); every parameter at "
          "its default.\n")
    header = (f"{'data set':<14} {'scaling':<13} {'sklearn':>8} {'ours':>8} {'diff':>7} "
              f"{'max |dW|':>9}")
    if not args.no_pruning:
        header += f"  {'FT acc':>6} {'FT sparsity':>11} {'PT acc':>6} {'PT sparsity':>11}  warnings"
    print(header)
    print("-" * len(header))
    all_met = True
    start = time.perf_counter()
    for name, loader in DATASETS.items():
        X, y = loader(return_X_y=True)
        for scaling in ("raw", "standardised"):
            theirs, ours, gaps = [], [], []
            pruned = {"full": [], "partial": []}
            sparsity = {"full": [], "partial": []}
            notes = set()
            for seed, X_tr, X_te, y_tr, y_te in splits(X, y, scaling):
                t, o, g = dense_pair(MLPClassifier, DenseMLPClassifier, seed,
                                     X_tr, X_te, y_tr, y_te)
                theirs.append(t)
                ours.append(o)
                gaps.append(g)
                if args.no_pruning:
                    continue
                for mode in ("full", "partial"):
                    est, names = fit_quietly(DenseMLPClassifier(
                        pruning=ChaosCausalPruning(mode=mode), random_state=seed), X_tr, y_tr)
                    notes.update(f"{mode[0].upper()}T {n}" for n in names)
                    if est is None:
                        all_met = False
                        continue
                    pruned[mode].append(est.score(X_te, y_te))
                    sparsity[mode].append(est.sparsity_)
            diff = np.mean(ours) - np.mean(theirs)
            met = abs(diff) <= TOLERANCE
            all_met &= met
            line = (f"{name:<14} {scaling:<13} {np.mean(theirs):>8.3f} {np.mean(ours):>8.3f} "
                    f"{diff:>+7.3f} {max(gaps):>9.1e}")
            if not args.no_pruning:
                def mean(values):
                    return f"{np.mean(values):.3f}" if values else "error"

                line += (f"  {mean(pruned['full']):>6} {mean(sparsity['full']):>11} "
                         f"{mean(pruned['partial']):>6} {mean(sparsity['partial']):>11}  "
                         f"{', '.join(sorted(notes)) or '-'}")
            print(line, flush=True)
    # The regressor, on diabetes with a standardised target.
    X, y = load_diabetes(return_X_y=True)
    y = (y - y.mean()) / y.std()
    for scaling in ("raw", "standardised"):
        theirs, ours, gaps = [], [], []
        for seed, X_tr, X_te, y_tr, y_te in splits(X, y, scaling, stratify=False):
            t, o, g = dense_pair(MLPRegressor, DenseMLPRegressor, seed, X_tr, X_te, y_tr, y_te)
            theirs.append(t)
            ours.append(o)
            gaps.append(g)
        diff = np.mean(ours) - np.mean(theirs)
        met = abs(diff) <= TOLERANCE
        all_met &= met
        print(f"{'diabetes (R^2)':<14} {scaling:<13} {np.mean(theirs):>8.3f} "
              f"{np.mean(ours):>8.3f} {diff:>+7.3f} {max(gaps):>9.1e}")
    print(f"\n{time.perf_counter() - start:.0f} s.  Target: |diff| <= {TOLERANCE} and "
          "default pruning running everywhere: " + ("met." if all_met else "NOT met."))
    return 0


if __name__ == "__main__":
    sys.exit(main())
