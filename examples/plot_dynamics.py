"""
The dynamics of one run: trajectory, exponents, risk, p-values
==============================================================

What the chaos-causal method looks at, for the paper's iris network
(4-6-3, sigmoid units, squared error, one-sample SGD at learning rate
0.05; 100 epochs here instead of the paper's 200) with the paper's iris
window of 160 updates and maxlag 14 (:doc:`../method`, sections 2-5):

1. one weight's trajectory during dense training;
2. the largest Lyapunov exponent of each window of that trajectory;
3. the network's validation risk at the end of each window, the series the
   exponents are tested against (the loss, ``risk='loss'``), and the
   paper's misclassification rate (``risk='error'``);
4. every weight's Granger p-value, on a log axis, against ``alpha``.
"""

# %%
# The run. ``keep_trajectory=True`` keeps every weight after every update;
# ``retrain=None`` stops after the decision, so the kept trajectory is the
# dense run's, the one the exponents were computed from.
import copy

import matplotlib.pyplot as plt
import numpy as np
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.preprocessing import StandardScaler

from skchaosprune import ChaosCausalPruning
from skchaosprune.datasets import paper_estimator

X, y = load_iris(return_X_y=True)
X = StandardScaler().fit_transform(X)
est = paper_estimator(
    "iris", max_iter=100, keep_trajectory=True, trajectory_dtype="float64",
    pruning=ChaosCausalPruning(window=160, maxlag=14), retrain=None, random_state=0,
).fit(X, y)
print(f"trajectory: {est.weight_trajectory_.shape[0]} rows (updates + the initial "
      f"weights) x {est.weight_trajectory_.shape[1]} weights")
print(f"exponents: {est.lyapunov_exponents_.shape[0]} windows x "
      f"{est.lyapunov_exponents_.shape[1]} weights")
print(f"pruned: {int(est.sparsity_ * est.granger_pvalues_.size)} of "
      f"{est.granger_pvalues_.size} weights (p >= alpha = {est.pruning.alpha})")

# %%
# The dense run recorded both risks, so the misclassification-rate series
# of the same run comes from re-deciding with ``risk='error'``, with no new
# fit (and, with ``retrain=None``, no data).
error_series = copy.deepcopy(est).prune(
    pruning=clone(est.pruning).set_params(risk="error")).risk_series_

# %%
# The weight with the smallest p-value, its exponents and both risks. The
# misclassification rate of the 15-sample validation split takes only a
# handful of values; the loss keeps moving as long as the weights do.
weight = int(np.argmin(est.granger_pvalues_))
trajectory = est.weight_trajectory_[:, weight]
ends = est.window_ends_
fig, axes = plt.subplots(4, 1, figsize=(7, 8.5), sharex=True)
axes[0].plot(np.arange(trajectory.size), trajectory, lw=0.6)
axes[0].set_ylabel("weight value")
axes[0].set_title(f"weight {weight}: Granger p = {est.granger_pvalues_[weight]:.2g} "
                  f"(risk='{est.pruning.risk}')")
axes[1].plot(ends, est.lyapunov_exponents_[:, weight], ".-", lw=0.8)
axes[1].axhline(0.0, color="grey", lw=0.5)
axes[1].set_ylabel("windowed largest\nLyapunov exponent")
axes[2].plot(ends, est.risk_series_, ".-", lw=0.8, color="C3")
axes[2].set_ylabel("validation loss\n(risk='loss')")
axes[3].plot(ends, error_series, ".-", lw=0.8, color="C1")
axes[3].set_ylabel("validation\nmisclassification\n(risk='error')")
axes[3].set_xlabel("SGD update (window end)")
fig.tight_layout()
plt.show()

# %%
# Every weight's p-value on a log axis: most are many orders of magnitude
# below alpha, so a linear axis would show almost none of them. Red bars
# are pruned. Granger tests on trending series find "causality" easily; the
# optional ``stationarity='adf'`` step differences the series first
# (:doc:`../method`, section 4).
p = est.granger_pvalues_
alpha = est.pruning.alpha
floor = 10.0 ** np.floor(np.log10(p[p > 0].min())) if np.any(p > 0) else 1e-16
shown = np.maximum(p, floor)  # p = 0 (no evidence either way) at the floor
fig, ax = plt.subplots(figsize=(7, 3.2))
ax.bar(np.arange(p.size), shown - floor, bottom=floor,
       color=np.where(p >= alpha, "C3", "C0"))
ax.set_yscale("log")
ax.set_ylim(floor, 2.0)
ax.axhline(alpha, color="black", lw=0.8, ls="--", label=f"alpha = {alpha}")
ax.set_xlabel("weight (layer by layer, C order)")
ax.set_ylabel("Granger p-value (log)")
ax.set_title(f"red: pruned (p >= alpha); {100 * est.sparsity_:.0f}% of the weights")
ax.legend(loc="lower right", fontsize="small")
fig.tight_layout()
plt.show()

print(f"{np.sum(p < 1e-3)} of {p.size} p-values are below 1e-3, "
      f"{np.sum(p < 1e-10)} below 1e-10")
