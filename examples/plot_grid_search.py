"""
A Pipeline tuned by GridSearchCV over the pruning thresholds
============================================================

The pruning strategy is a nested estimator, so its thresholds are
hyper-parameters like any other: in a :class:`~sklearn.pipeline.Pipeline`
of a scaler and a :class:`~skchaosprune.DenseMLPClassifier`, the
significance level of the Granger tests is ``mlp__pruning__alpha`` and the
Lyapunov gate ``mlp__pruning__lyapunov_threshold``. Here
:class:`~sklearn.model_selection.GridSearchCV` scores every pair by
cross-validated accuracy and, with a second scorer, records how much of
the network each one pruned.
"""

# %%
# The data: scikit-learn's wine (178 samples, 13 features, 3 classes); the
# scaler is a step of the Pipeline, so each fold is scaled on its own
# training part.
import re
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_wine
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skchaosprune import ChaosCausalPruning, PrunedModelWarning
from skchaosprune.datasets import paper_estimator

X, y = load_wine(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0)

# %%
# The network has the paper's small-table settings (sigmoid units, squared
# error, one-sample SGD at learning rate 0.05) with 8 hidden units and 20
# epochs; the strategy starts from its defaults.
pipe = Pipeline([
    ("scale", StandardScaler()),
    ("mlp", paper_estimator("iris", hidden_layer_sizes=(8,), max_iter=20,
                            pruning=ChaosCausalPruning(), random_state=0)),
])


def fraction_pruned(estimator, X, y):
    """A scorer that reports the sparsity of the fitted network."""
    return estimator[-1].sparsity_


alphas = [0.001, 0.01, 0.05, 0.5]
thresholds = [None, 1.3]
search = GridSearchCV(
    pipe,
    {"mlp__pruning__alpha": alphas, "mlp__pruning__lyapunov_threshold": thresholds},
    scoring={"accuracy": "accuracy", "pruned": fraction_pruned},
    refit="accuracy",
    cv=StratifiedKFold(3, shuffle=True, random_state=0),
    error_score=np.nan,
)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", PrunedModelWarning)
    search.fit(X_train, y_train)
print("best:", search.best_params_)
print(f"cross-validated accuracy {search.best_score_:.3f}, "
      f"test accuracy {search.score(X_test, y_test):.3f}, "
      f"{100 * search.best_estimator_[-1].sparsity_:.0f}% of the weights pruned")

# %%
# The strictest settings pruned so much on some folds that a class lost
# every path from the inputs: each such fit says so with a
# :class:`~skchaosprune.PrunedModelWarning` (and scores low), which is how
# the search learns to avoid them.
pruned_warnings = [str(w.message) for w in caught if issubclass(w.category, PrunedModelWarning)]
# Each message names the setting to change, here "a larger alpha (now ...)".
named = sorted({m.group(1) for m in map(re.compile(r"alpha \(now ([^)]+)\)").search,
                                         pruned_warnings) if m}, key=float)
print(f"{len(pruned_warnings)} PrunedModelWarnings, from the fits with alpha in {named}")
if pruned_warnings:
    print("for example:", pruned_warnings[0])

# %%
# Each candidate is a full fit (dense run, tests, retraining). A smaller
# alpha prunes more; the Lyapunov gate also prunes, whatever their p-value,
# the weights whose largest windowed exponent never rose above the
# threshold. On the refitted network:
largest = search.best_estimator_[-1].lyapunov_exponents_.max(axis=0)
print(f"largest windowed exponent per weight: {largest.min():.2f} to {largest.max():.2f}; "
      f"{np.mean(largest <= 1.3):.0%} of the weights stay at or below 1.3")

results = search.cv_results_
fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), sharex=True)
for threshold, style in zip(thresholds, ("o-", "s--", "^:")):
    rows = [i for i, p in enumerate(results["params"])
            if p["mlp__pruning__lyapunov_threshold"] == threshold]
    label = f"lyapunov_threshold={threshold}"
    axes[0].errorbar(alphas, results["mean_test_accuracy"][rows],
                     yerr=results["std_test_accuracy"][rows], fmt=style, capsize=3,
                     label=label)
    axes[1].plot(alphas, 100 * results["mean_test_pruned"][rows], style, label=label)
axes[0].set_ylabel("cross-validated accuracy")
axes[1].set_ylabel("% of weights pruned")
for ax in axes:
    ax.set_xscale("log")
    ax.set_xlabel("alpha (prune when p >= alpha)")
axes[1].legend(fontsize="small")
fig.tight_layout()
plt.show()

# %%
# When the dense run is the expensive part, the
# :class:`~skchaosprune.CausalPruningTransformer` with ``memory`` caches it:
# one dense run per split, reused for every value of the decision
# parameters (see the user guide's Pipeline section).
