"""CausalPruningTransformer as a feature selector against scikit-learn's
selectors (issue 25, point 4; the table of docs/user_guide.md).

Four synthetic tables whose informative features are known (the first
``k`` columns; redundant and noise columns count as not informative), each
split 75/25 (stratified for classification), standardised on the training
part (a regression target too):

- ``clf-linear``: ``make_classification(800, 20, n_informative=4,
  n_redundant=4, shuffle=False)``: 4 informative, 4 linear combinations of
  them, 12 noise;
- ``clf-friedman``: 20 uniform features, the class is whether Friedman's
  ``10 sin(pi x0 x1) + 20 (x2 - 0.5)^2 + 10 x3 + 5 x4`` (plus noise of sd
  1) exceeds its median: 5 informative (nonlinear), 15 noise;
- ``reg-linear``: ``make_regression(800, 16, n_informative=5, noise=10,
  shuffle=False)`` plus 4 redundant columns (random combinations of the 5
  informative plus noise of sd 0.5): 5 informative, 4 redundant, 11 noise;
- ``reg-friedman``: ``make_friedman1(800, 20, noise=1)``: 5 informative
  (nonlinear), 15 noise.

Every selector keeps exactly ``k`` features (the true number): ours with
``max_features=k`` over each strategy's ``feature_scores_`` (each strategy
at its default parameters, the transformer's default network: 16 sigmoid
units, one-sample plain SGD for 50 epochs; a ``DenseMLPRegressor`` with the
same settings for regression), ``SelectFromModel`` of an L1 logistic
regression (C=0.1) or ``LassoCV`` (``threshold=-inf``), ``SelectKBest`` of
mutual information, ``RFE`` of a ``LinearSVC`` or ``Ridge``, and the top
``k`` of the permutation importance of the same dense network (scored on
the training rows, 5 repeats).  At ``k`` selected, precision equals recall
(reported once); the downstream score is the test accuracy (or R^2) of
``Pipeline([selector, LogisticRegression()])`` (or ``Ridge()``).  The
last rows show what our default (``threshold=None``, ``max_features=None``:
the mask's rule) keeps.

    python benchmarks/bench_selection.py             # 10 seeds, about 2.5 minutes
    python benchmarks/bench_selection.py --seeds 2 --table clf-friedman
"""

import argparse
import time
import warnings

import numpy as np
import sklearn
from _common import machine
from sklearn.base import BaseEstimator, clone
from sklearn.datasets import make_classification, make_friedman1, make_regression
from sklearn.feature_selection import (
    RFE,
    SelectFromModel,
    SelectKBest,
    SelectorMixin,
    mutual_info_classif,
    mutual_info_regression,
)
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LassoCV, LogisticRegression, Ridge
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

import skchaosprune
from skchaosprune import (
    CausalPruningTransformer,
    ChaosCausalPruning,
    DenseMLPClassifier,
    DenseMLPRegressor,
    IterativePruning,
    MagnitudePruning,
    OBSPruning,
)

#: The transformer's default network (its documented default estimator).
NET = dict(hidden_layer_sizes=(16,), activation="sigmoid", solver="sgd", momentum=0.0,
           alpha=0.0, batch_size=1, learning_rate_init=0.05, max_iter=50,
           n_iter_no_change=np.inf)


def _friedman(X, rng):
    return (10 * np.sin(np.pi * X[:, 0] * X[:, 1]) + 20 * (X[:, 2] - 0.5) ** 2
            + 10 * X[:, 3] + 5 * X[:, 4] + rng.normal(size=X.shape[0]))


def make_table(name, seed):
    """(X, y, k, is_classification): the informative features are 0..k-1."""
    rng = np.random.default_rng(seed)
    if name == "clf-linear":
        X, y = make_classification(800, 20, n_informative=4, n_redundant=4, n_repeated=0,
                                   shuffle=False, random_state=seed)
        return X, y, 4, True
    if name == "clf-friedman":
        X = rng.uniform(size=(800, 20))
        f = _friedman(X, rng)
        return X, (f > np.median(f)).astype(int), 5, True
    if name == "reg-linear":
        X, y = make_regression(800, 16, n_informative=5, noise=10.0, shuffle=False,
                               random_state=seed)
        mix = rng.normal(size=(5, 4))
        redundant = X[:, :5] @ mix + 0.5 * rng.normal(size=(800, 4))
        return np.hstack([X[:, :5], redundant, X[:, 5:]]), y, 5, False
    if name == "reg-friedman":
        X, y = make_friedman1(800, 20, noise=1.0, random_state=seed)
        return X, y, 5, False
    raise ValueError(name)


class PermutationSelector(SelectorMixin, BaseEstimator):
    """The top ``k`` features of a dense network's permutation importance."""

    def __init__(self, estimator, k, random_state=0):
        self.estimator = estimator
        self.k = k
        self.random_state = random_state

    def fit(self, X, y):
        model = clone(self.estimator).fit(X, y)
        imp = permutation_importance(model, X, y, n_repeats=5,
                                     random_state=self.random_state).importances_mean
        self.scores_ = imp
        self.n_features_in_ = X.shape[1]
        return self

    def _get_support_mask(self):
        mask = np.zeros(self.n_features_in_, dtype=bool)
        mask[np.argsort(-self.scores_, kind="mergesort")[: self.k]] = True
        return mask


OURS = {
    "ours: chaos-causal": ChaosCausalPruning,
    "ours: magnitude": MagnitudePruning,
    "ours: IMP": IterativePruning,
    "ours: OBS": OBSPruning,
}


def selectors(k, classification, seed):
    net = (DenseMLPClassifier if classification else DenseMLPRegressor)(
        random_state=seed, **NET)
    out = {name: CausalPruningTransformer(net, pruning=make(), max_features=k)
           for name, make in OURS.items()}
    if classification:
        out["SelectFromModel(L1 logistic / LassoCV)"] = SelectFromModel(
            LogisticRegression(l1_ratio=1.0, C=0.1, solver="liblinear"),
            threshold=-np.inf, max_features=k)
        out["SelectKBest(mutual_info)"] = SelectKBest(
            lambda X, y: mutual_info_classif(X, y, random_state=seed), k=k)
        out["RFE(LinearSVC / Ridge)"] = RFE(LinearSVC(C=1.0), n_features_to_select=k)
    else:
        out["SelectFromModel(L1 logistic / LassoCV)"] = SelectFromModel(
            LassoCV(random_state=seed), threshold=-np.inf, max_features=k)
        out["SelectKBest(mutual_info)"] = SelectKBest(
            lambda X, y: mutual_info_regression(X, y, random_state=seed), k=k)
        out["RFE(LinearSVC / Ridge)"] = RFE(Ridge(), n_features_to_select=k)
    out["permutation (dense MLP)"] = PermutationSelector(net, k, random_state=seed)
    return out


def run(table, seeds):
    rows = {}
    defaults = {}
    for seed in range(seeds):
        X, y, k, classification = make_table(table, seed)
        split = train_test_split(X, y, test_size=0.25, random_state=seed,
                                 stratify=y if classification else None)
        X_train, X_test, y_train, y_test = split
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
        if not classification:
            mean, sd = y_train.mean(), y_train.std()
            y_train, y_test = (y_train - mean) / sd, (y_test - mean) / sd
        truth = np.arange(X.shape[1]) < k
        model = LogisticRegression(max_iter=1000) if classification else Ridge()
        for name, selector in selectors(k, classification, seed).items():
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                pipe = Pipeline([("select", selector), ("model", clone(model))])
                pipe.fit(X_train, y_train)
            seconds = time.perf_counter() - start
            support = pipe.named_steps["select"].get_support()
            assert support.sum() == k, (name, support.sum())
            recall = (support & truth).sum() / k
            rows.setdefault(name, []).append((recall, pipe.score(X_test, y_test), seconds))
            if name.startswith("ours"):
                # What the mask's own rule (the default) and threshold='mean'
                # keep, on the same fit (no new one: applied to the stored run).
                sel = pipe.named_steps["select"]
                for rule_name, params in (("mask rule", dict(max_features=None)),
                                          ("threshold='mean'", dict(max_features=None,
                                                                    threshold="mean"))):
                    sel.set_params(**params)
                    try:
                        rule = sel.get_support()
                        kept = int(rule.sum())
                        entry = (kept, (rule & truth).sum() / kept, (rule & truth).sum() / k)
                    except ValueError:
                        entry = (0, np.nan, 0.0)
                    defaults.setdefault((name[6:], rule_name), []).append(entry)
    return rows, defaults, k


def _ms(values, digits=2):
    values = np.asarray(values, dtype=float)
    return f"{np.nanmean(values):.{digits}f} ({np.nanstd(values):.{digits}f})"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--table", action="append",
                        choices=["clf-linear", "clf-friedman", "reg-linear", "reg-friedman"])
    args = parser.parse_args()
    tables = args.table or ["clf-linear", "clf-friedman", "reg-linear", "reg-friedman"]
    print(machine(np, sklearn, skchaosprune))
    print(f"{args.seeds} seeds; mean (sd) over the seeds.\n")
    start = time.perf_counter()
    summary = {}
    for table in tables:
        rows, defaults, k = run(table, args.seeds)
        summary[table] = (rows, defaults, k)
        score = "test accuracy" if table.startswith("clf") else "test R^2"
        print(f"**{table}** (k = {k} informative of 20; every selector keeps k)\n")
        print(f"| selector | precision = recall at k | {score}, Pipeline(selector, "
              f"{'LogisticRegression' if table.startswith('clf') else 'Ridge'}) | seconds |")
        print("|---|---|---|---|")
        for name, values in rows.items():
            recall, test, seconds = zip(*values)
            print(f"| {name} | {_ms(recall)} | {_ms(test, 3)} | {np.mean(seconds):.2f} |")
        print("\nWithout max_features: the mask's rule (the default: the features that "
              "reach an output through the mask) and threshold='mean':\n")
        print("| strategy | selection | features kept | precision | recall |")
        print("|---|---|---|---|---|")
        for (name, rule), values in defaults.items():
            kept, precision, recall = zip(*values)
            print(f"| {name} | {rule} | {_ms(kept, 1)} | {_ms(precision)} | {_ms(recall)} |")
        print(flush=True)
    if len(summary) > 1:
        print("All tables, precision = recall at k, then the downstream test score "
              "(accuracy or R^2), mean over the seeds:\n")
        print("| selector | " + " | ".join(summary) + " |")
        print("|---|" + "---|" * len(summary))
        for name in next(iter(summary.values()))[0]:
            cells = []
            for rows, _, _ in summary.values():
                if name not in rows:
                    cells.append("")
                    continue
                recall, test, _ = zip(*rows[name])
                cells.append(f"{np.mean(recall):.2f} / {np.mean(test):.3f}")
            print(f"| {name} | " + " | ".join(cells) + " |")
        print()
    print(f"total {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
