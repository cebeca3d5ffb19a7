"""
Accuracy against sparsity: chaos-causal ranking against the baselines
=====================================================================

The :doc:`../study` asks whether ranking weights by their chaos-causal
p-value finds a better sparse network than ranking them by magnitude, at
random, or by the chaos-causal mask shuffled within each layer. This
example runs the same protocol, :func:`skchaosprune.experiments.sweep`, at
a small scale: two of scikit-learn's data sets, 3 seeds, 4 target
sparsities. For each data set and seed there is one dense run with its
dynamics recorded; every method at every sparsity is decided on that run
and retrained by rewinding to the same initial weights, with the same data
order.
"""

# %%
# The data sets and networks are ``skchaosprune sweep --dataset``'s: an
# 80/20 split with the fixed seed 42, and one sigmoid hidden layer trained
# by one-sample SGD (here 16 hidden units, 15 epochs, learning rate 0.1;
# :func:`~skchaosprune.experiments.sklearn_study_data` describes them).
import matplotlib.pyplot as plt

from skchaosprune.experiments import format_sweep, format_wilcoxon, sklearn_study_data, sweep
from skchaosprune.plotting import plot_sweep

data = [sklearn_study_data(name, hidden=16, epochs=15, lr=0.1) for name in ("wine", "iris")]
for d in data:
    print(d["name"], d["X_train"].shape, d["network"])

result = sweep(data, seeds=range(3), sparsities=[0.25, 0.5, 0.75, 0.9])
print(f"{result['counts']['full']} dense runs with dynamics, "
      f"{result['counts']['retrainings']} retrainings, {result['seconds']:.1f} s")

# %%
# The table: mean and standard deviation over the seeds of the test
# accuracy, per data set, method and sparsity.
print(format_sweep(result))

# %%
# Paired Wilcoxon signed-rank tests over the seeds and sparsities: does the
# chaos-causal ranking (``chaos_loss``) beat magnitude pruning? With 3
# seeds the test has little power; the study uses 10 seeds and ten data
# sets.
print(format_wilcoxon(result, "chaos_loss", "magnitude"))

# %%
# The figure: test accuracy against the fraction of weights pruned, one
# line per ranking (mean over seeds, with a band of one standard
# deviation), the dense network dashed, and the alpha-decided LEGCNet-FT
# (star) and PT (plus) masks where they landed.
fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), layout="constrained")
for ax, name in zip(axes, result["settings"]["datasets"]):
    plot_sweep(result, name, ax, legend=ax is axes[0])
plt.show()
