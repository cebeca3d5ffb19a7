"""What scikit-learn's MLP users ask for and it refuses (issue 24, point
4): ``class_weight``, early stopping on any scorer (``scoring``), and a
callback after the updates (``on_update``).  Their defaults change
nothing (the parity tests run with them)."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler
from sklearn.utils.class_weight import compute_sample_weight

from skchaosprune import DenseMLPClassifier, DenseMLPRegressor


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _fit(est, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kwargs)


def _same(a, b):
    for u, v in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        np.testing.assert_array_equal(u, v)


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
@pytest.mark.parametrize("early_stopping", [False, True])
def test_class_weight_is_the_matching_sample_weight(iris, solver, early_stopping):
    X, y = iris
    params = dict(hidden_layer_sizes=(6,), max_iter=30, random_state=0, solver=solver,
                  early_stopping=early_stopping, learning_rate_init=0.01)
    given = np.random.default_rng(0).uniform(0.5, 2.0, size=y.shape[0])
    for class_weight in ({0: 2.0, 1: 0.5, 2: 1.0}, "balanced"):
        # scikit-learn computes the matching sample weights (the oracle)
        matching = compute_sample_weight(class_weight, y) * given
        a = _fit(DenseMLPClassifier(class_weight=class_weight, **params), X, y,
                 sample_weight=given)
        b = _fit(DenseMLPClassifier(**params), X, y, sample_weight=matching)
        _same(a, b)
    # A weight that changes nothing is no weight
    a = _fit(DenseMLPClassifier(class_weight={0: 1.0}, **params), X, y)
    b = _fit(DenseMLPClassifier(**params), X, y, sample_weight=np.ones(y.shape[0]))
    _same(a, b)


def test_class_weight_in_partial_fit(iris):
    X, y = iris
    weights = {0: 3.0, 1: 1.0, 2: 0.25}
    a = DenseMLPClassifier((5,), solver="sgd", class_weight=weights, random_state=0)
    b = DenseMLPClassifier((5,), solver="sgd", random_state=0)
    for _ in range(3):
        a.partial_fit(X, y, classes=[0, 1, 2])
        b.partial_fit(X, y, classes=[0, 1, 2],
                      sample_weight=compute_sample_weight(weights, y))
    _same(a, b)
    with pytest.raises(ValueError, match="not available for partial_fit"):
        DenseMLPClassifier(class_weight="balanced").partial_fit(X, y, classes=[0, 1, 2])


def test_class_weight_changes_the_fit(iris):
    X, y = iris
    a = _fit(DenseMLPClassifier((6,), max_iter=20, random_state=0,
                                class_weight={0: 10.0}), X, y)
    b = _fit(DenseMLPClassifier((6,), max_iter=20, random_state=0), X, y)
    assert not np.array_equal(a.coefs_[0], b.coefs_[0])


def test_scoring_accuracy_is_the_default(iris):
    X, y = iris
    params = dict(hidden_layer_sizes=(6,), max_iter=60, random_state=0, early_stopping=True,
                  learning_rate_init=0.05, n_iter_no_change=3)
    a = _fit(DenseMLPClassifier(scoring="accuracy", **params), X, y)
    b = _fit(DenseMLPClassifier(**params), X, y)
    assert a.validation_scores_ == b.validation_scores_
    _same(a, b)


def test_scoring_callable_decides_the_stop(iris):
    """A scorer that sees the epoch's weights and whose scores fall after
    epoch 2: training stops n_iter_no_change + 1 epochs later and keeps
    epoch 2's weights."""
    X, y = iris
    seen = []

    def scorer(est, X_val, y_val):
        seen.append([c.copy() for c in est.coefs_])
        assert set(np.unique(y_val)) <= {0, 1, 2}  # labels, not the encoding
        return [0.1, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0][min(len(seen) - 1, 6)]

    est = _fit(DenseMLPClassifier((4,), max_iter=50, random_state=0, early_stopping=True,
                                  n_iter_no_change=3, scoring=scorer), X, y)
    assert est.n_iter_ == 6
    assert est.validation_scores_ == [0.1, 0.5, 0.4, 0.3, 0.2, 0.1]
    assert est.best_validation_score_ == 0.5
    for kept, epoch2 in zip(est.coefs_, seen[1]):
        np.testing.assert_array_equal(kept, epoch2)
    assert not np.array_equal(seen[1][0], seen[2][0])


def test_scoring_for_the_regressor(iris):
    X, y = iris
    target = X[:, 0] * 2 - X[:, 1]
    est = _fit(DenseMLPRegressor((5,), max_iter=30, random_state=0, early_stopping=True,
                                 scoring="neg_mean_squared_error"), X, target)
    assert all(s <= 0 for s in est.validation_scores_)


@pytest.mark.parametrize("batch_size", [1, 16])
def test_on_update_sees_every_update(iris, batch_size):
    X, y = iris
    calls = []

    def on_update(step, loss, weights):
        assert not weights.flags.writeable
        calls.append((step, loss, weights.copy()))

    params = dict(hidden_layer_sizes=(4,), max_iter=3, random_state=0, batch_size=batch_size,
                  solver="sgd", n_iter_no_change=np.inf)
    a = _fit(DenseMLPClassifier(on_update=on_update, **params), X, y)
    b = _fit(DenseMLPClassifier(keep_trajectory=True, trajectory_dtype="float64", **params),
             X, y)
    _same(a, b)  # the callback changes nothing
    rows = np.concatenate([w for _, _, w in calls])
    np.testing.assert_array_equal(rows, b.weight_trajectory_[1:])
    steps = [s for s, _, _ in calls]
    assert steps[-1] == rows.shape[0] == b.weight_trajectory_.shape[0] - 1
    assert steps == sorted(steps)
    # The losses of one epoch's chunks average to its loss_
    per_epoch = -(-150 // batch_size)
    chunks = [c for c in calls if c[0] <= per_epoch]
    sizes = [c[2].shape[0] for c in chunks]
    samples = [min(150, sum(sizes[:i + 1]) * batch_size) - min(150, sum(sizes[:i]) * batch_size)
               for i in range(len(sizes))]
    assert np.dot([c[1] for c in chunks], samples) / 150 == pytest.approx(b.loss_curve_[0])


def test_on_update_stops_training(iris):
    X, y = iris

    def stop_after_5(step, loss, weights):
        return step >= 5

    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = DenseMLPClassifier((4,), solver="sgd", batch_size=10, max_iter=50,
                                 random_state=0, on_update=stop_after_5).fit(X, y)
    assert est.n_iter_ == 1
    assert est._n_updates == 15  # the first chunk: one epoch of 15 updates
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        lb = DenseMLPClassifier((4,), solver="lbfgs", max_iter=50, random_state=0,
                                on_update=lambda step, loss, w: step >= 3).fit(X, y)
    assert lb.n_iter_ == 3
    assert len(lb.loss_curve_) == 3
