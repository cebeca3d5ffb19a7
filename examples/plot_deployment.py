"""
Deployment: a compact copy, scikit-learn and ONNX exports, their speed
======================================================================

A fitted estimator carries everything its training recorded (the
exponents, the risk series, the p-values, the dense and initial
networks). For shipping, :meth:`~skchaosprune.DenseMLPClassifier.compact`
returns a lean copy without them and without dead hidden units,
:meth:`~skchaosprune.DenseMLPClassifier.to_sklearn` a fitted
:class:`sklearn.neural_network.MLPClassifier` with the same weights, and
:meth:`~skchaosprune.DenseMLPClassifier.to_onnx` an ONNX graph (the
``onnx`` extra). ``prune_units`` prunes whole hidden units, so that the
compact network is physically smaller. This example checks that all of
them predict the same and measures their size and speed on digits.
"""

# %%
# A 64-32-10 network on scikit-learn's digits, pruned by chaos and
# causality, then half of its hidden units removed (those whose weights the
# strategy kept least), then retrained from the initial weights.
import pickle
import timeit

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skchaosprune import ChaosCausalPruning
from skchaosprune.datasets import paper_estimator

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

clf = paper_estimator("digits", hidden_layer_sizes=(32,), max_iter=8, learning_rate_init=0.1,
                      pruning=ChaosCausalPruning(), prune_units=0.5, random_state=0)
clf.fit(X_train, y_train)
print(f"test accuracy {clf.score(X_test, y_test):.3f}; {100 * clf.sparsity_:.0f}% of the "
      f"weights pruned; hidden units removed: {len(clf.pruned_units_[0])} of 32")

# %%
# The compact copy: the same predictions from a smaller network and a much
# smaller pickle.
lean = clf.compact()
assert np.array_equal(lean.predict(X_test), clf.predict(X_test))
print("hidden layer sizes:", clf.hidden_layer_sizes, "->", lean.hidden_layer_sizes)
sizes = {"fitted": len(pickle.dumps(clf)), "compact": len(pickle.dumps(lean))}

# %%
# The scikit-learn export: a fitted ``MLPClassifier`` with the same weights
# and the same predictions, for code that expects scikit-learn's class.
mlp = lean.to_sklearn()
assert np.array_equal(mlp.predict(X_test), lean.predict(X_test))
sizes["sklearn"] = len(pickle.dumps(mlp))
print(type(mlp).__name__, "predicts the same labels:",
      bool(np.array_equal(mlp.predict(X_test), lean.predict(X_test))))

# %%
# The ONNX graph (needs ``pip install "skchaosprune[onnx]"``: skl2onnx and
# onnxruntime), run by onnxruntime on float32 inputs.
try:
    import onnxruntime
except ImportError:  # the example still runs without the extra
    onnxruntime = None

runners = {"fitted": clf.predict, "compact": lean.predict, "sklearn": mlp.predict}
if onnxruntime is not None:
    graph = lean.to_onnx()
    sizes["onnx"] = len(graph.SerializeToString())
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(graph.SerializeToString(), options,
                                           providers=["CPUExecutionProvider"])
    X32 = X_test.astype(np.float32)
    labels = session.run(None, {session.get_inputs()[0].name: X32})[0]
    print("onnxruntime agrees on", f"{np.mean(labels == lean.predict(X_test)):.1%}",
          "of the test labels (float32)")
    runners["onnx"] = lambda _: session.run(None, {session.get_inputs()[0].name: X32})
else:
    print("onnxruntime is not installed: the ONNX part is skipped")

# %%
# Speed: predicting the 450 test digits, best of 20 repeats of 10 calls
# each. Our estimators predict in plain NumPy (no Numba, nothing
# compiled), fitted or compact; onnxruntime runs its own compiled graph.
seconds = {name: min(timeit.repeat(lambda f=f: f(X_test), number=10, repeat=20)) / 10
           for name, f in runners.items()}
for name in runners:
    print(f"{name:>8}: {sizes[name] / 1024:8.1f} KiB, predict {1e3 * seconds[name]:.3f} ms")

fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
names = list(runners)
axes[0].bar(names, [sizes[n] / 1024 for n in names], color="C0")
axes[0].set_yscale("log")
axes[0].set_ylabel("pickle (ONNX: graph) size, KiB")
axes[1].bar(names, [1e3 * seconds[n] for n in names], color="C1")
axes[1].set_ylabel(f"predict {len(X_test)} samples, ms")
fig.tight_layout()
plt.show()
