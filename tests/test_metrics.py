"""skchaosprune.metrics against hand counts and the networks' own predictions."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_iris
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression

from skchaosprune import DenseMLPClassifier, DenseMLPRegressor
from skchaosprune.metrics import (
    epochs_to_accuracy,
    flops,
    importance_agreement,
    remove_dead_units,
    sparsity,
)


def _masked_fit(cls, hidden, masks_seed, keep, X, y):
    est = cls(hidden, max_iter=3, random_state=0).fit(X, y)
    rng = np.random.default_rng(masks_seed)
    masks = [rng.random(c.shape) < keep for c in est.coefs_]
    return est.fit(X, y, masks=masks), masks


def test_sparsity_and_flops_by_hand():
    X, y = load_iris(return_X_y=True)
    est, masks = _masked_fit(DenseMLPClassifier, (5, 4), 1, 0.6, X, y)
    n_pruned = sum(int((~m).sum()) for m in masks)
    assert sparsity(est) == pytest.approx(n_pruned / (4 * 5 + 5 * 4 + 4 * 3))
    assert sparsity(masks) == sparsity(est)
    expected = 0
    for W in est.coefs_:
        for i in range(W.shape[0]):
            for j in range(W.shape[1]):
                expected += 2 * (W[i, j] != 0)
        expected += W.shape[1]
    assert flops(est) == expected
    dense = DenseMLPClassifier((5, 4), max_iter=1, random_state=0).fit(X, y)
    assert flops(dense) == 2 * (20 + 20 + 12) + 5 + 4 + 3 and sparsity(dense) == 0.0


def test_epochs_to_accuracy():
    assert epochs_to_accuracy([0.2, 0.95, 0.9, 0.99], 0.95) == 2
    assert epochs_to_accuracy([0.2, 0.5], 0.95) is None
    assert epochs_to_accuracy(np.array([0.96]), 0.95) == 1


@settings(deadline=None, max_examples=30)
@given(hidden=st.lists(st.integers(1, 6), min_size=1, max_size=3),
       keep=st.floats(0.05, 0.9), seed=st.integers(0, 10_000),
       activation=st.sampled_from(["sigmoid", "tanh", "relu", "identity"]),
       regression=st.booleans())
def test_remove_dead_units_keeps_predictions(hidden, keep, seed, activation, regression):
    X, y = load_iris(return_X_y=True)
    cls = DenseMLPRegressor if regression else DenseMLPClassifier
    target = X[:, 0] if regression else y
    est = cls(hidden, activation, max_iter=2, random_state=seed).fit(X, target)
    rng = np.random.default_rng(seed)
    masks = [rng.random(c.shape) < keep for c in est.coefs_]
    est.fit(X, target, masks=masks)
    small = remove_dead_units(est)
    out = (lambda m: m.predict(X)) if regression else (lambda m: m.predict_proba(X))
    np.testing.assert_allclose(out(small), out(est), rtol=1e-10, atol=1e-12)
    assert all(a <= b for a, b in zip(small.hidden_layer_sizes, hidden))
    assert flops(small) <= flops(est)
    for layer in range(1, len(small.coefs_)):
        if small.coefs_[layer].shape[0] > 1:  # else the layer kept its last unit
            assert np.all(np.any(small.coefs_[layer] != 0, axis=1))
            assert np.all(np.any(small.coefs_[layer - 1] != 0, axis=0))
    assert len(small.masks_) == len(small.coefs_)
    assert all(m.shape == c.shape for m, c in zip(small.masks_, small.coefs_))


def test_importance_agreement():
    X, y = load_iris(return_X_y=True)
    a = LogisticRegression(max_iter=500).fit(X, y)
    assert importance_agreement(a, a, X, y, random_state=0) == pytest.approx(1.0)
    # A model that sees only the least useful feature ranks the rest as ties
    # at zero: agreement falls below 1.
    only_first = LogisticRegression(max_iter=500).fit(X * [1, 0, 0, 0], y)
    rho = importance_agreement(a, only_first, X, y, random_state=0)
    assert -1.0 <= rho < 1.0
    with pytest.raises(ValueError, match="no ranking"):
        importance_agreement(a, DummyClassifier().fit(X, y), X, y, random_state=0)
