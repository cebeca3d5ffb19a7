"""Oracle tests against scikit-learn for what issue 24 added: the L-BFGS
solver, float32 input, multilabel y, the Poisson loss, one class, and
``partial_fit`` from weights set by hand.  Every expected value comes from
scikit-learn's MLPClassifier / MLPRegressor on the same data and seed."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits, make_multilabel_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import LabelBinarizer

from skchaosprune import (
    ChaosCausalPruning,
    DenseMLPClassifier,
    DenseMLPRegressor,
    MagnitudePruning,
)

ACTIVATIONS = ["identity", "logistic", "tanh", "relu"]


def _digits(n_class):
    X, y = load_digits(n_class=n_class, return_X_y=True)
    return X[:300] / 16.0, y[:300]


def _regression():
    X, y = make_regression(n_samples=150, n_features=6, noise=5.0, random_state=0)
    return X, y / y.std()


def _max_diff(a, b):
    return max(float(np.abs(np.asarray(u, dtype=np.float64) - v).max())
               for u, v in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_))


def _both(theirs, ours, X, y, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return theirs(**params).fit(X, y), ours(**params).fit(X, y)


# --------------------------------------------------------------------- #
# L-BFGS
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("data", ["digits4", "digits2", "regression"])
def test_lbfgs_weights_equal_sklearns(data, activation, seed):
    """The same data, seed and settings give scikit-learn's weights, its
    iteration count and its loss (30 iterations at most: well-conditioned
    runs, where rounding differences of 1e-17 in the gradient are not
    amplified past 1e-10)."""
    if data == "regression":
        X, y = _regression()
        theirs, ours = MLPRegressor, DenseMLPRegressor
    else:
        X, y = _digits(4 if data == "digits4" else 2)
        theirs, ours = MLPClassifier, DenseMLPClassifier
    a, b = _both(theirs, ours, X, y, solver="lbfgs", hidden_layer_sizes=(12,),
                 activation=activation, random_state=seed, max_iter=30)
    assert b.n_iter_ == a.n_iter_
    assert _max_diff(a, b) < 1e-10
    assert b.loss_ == pytest.approx(a.loss_, rel=1e-10, abs=1e-14)
    np.testing.assert_allclose(b.predict(X), a.predict(X), rtol=1e-9, atol=1e-12)


def test_lbfgs_sample_weight_and_two_layers():
    X, y = _digits(3)
    sw = np.random.default_rng(0).uniform(0.2, 2.0, size=X.shape[0])
    params = dict(solver="lbfgs", hidden_layer_sizes=(10, 6), activation="tanh",
                  random_state=3, max_iter=25, alpha=1e-3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = MLPClassifier(**params).fit(X, y, sample_weight=sw)
        b = DenseMLPClassifier(**params).fit(X, y, sample_weight=sw)
    assert b.n_iter_ == a.n_iter_
    assert _max_diff(a, b) < 1e-10


@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel", "regression",
                                  "poisson"])
def test_loss_and_gradient_equal_sklearns(kind):
    """The compiled objective: loss and gradient at arbitrary weights equal
    scikit-learn's ``_loss_grad_lbfgs`` (with sample weights and alpha)."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 5))
    sw = rng.uniform(0.1, 3.0, size=40)
    if kind == "multilabel":
        y = (rng.uniform(size=(40, 3)) < 0.4).astype(int)
    elif kind in ("regression", "poisson"):
        y = rng.poisson(2.0, size=40).astype(float) if kind == "poisson" else rng.normal(size=40)
    else:
        y = rng.integers(0, 2 if kind == "binary" else 4, size=40)
    regression = kind in ("regression", "poisson")
    theirs, ours = (MLPRegressor, DenseMLPRegressor) if regression else (MLPClassifier,
                                                                         DenseMLPClassifier)
    params = dict(solver="lbfgs", hidden_layer_sizes=(7, 4), activation="tanh", alpha=0.3,
                  max_iter=1, random_state=0)
    if kind == "poisson":
        params["loss"] = "poisson"
    a, b = _both(theirs, ours, X, y, **params)
    theta = rng.normal(scale=0.5, size=sum(c.size for c in a.coefs_ + a.intercepts_))
    Y = y.reshape(40, -1) if regression or kind == "multilabel" else \
        LabelBinarizer().fit_transform(y)
    units = [5, 7, 4, Y.shape[1]]
    buffers = ([X] + [None] * 3, [None] * 3,
               [np.empty((i, o)) for i, o in zip(units[:-1], units[1:])],
               [np.empty(o) for o in units[1:]])
    la, ga = a._loss_grad_lbfgs(theta.copy(), X, Y.astype(float), sw, *buffers)
    lb, gb = b._loss_grad_lbfgs(theta.copy(), X, Y, sw)
    assert lb == pytest.approx(la, rel=1e-13)
    np.testing.assert_allclose(gb, ga, rtol=1e-12, atol=1e-15)


def test_lbfgs_max_fun_warm_start_and_no_partial_fit():
    X, y = _digits(3)
    with pytest.warns(ConvergenceWarning):
        est = DenseMLPClassifier(solver="lbfgs", max_fun=5, random_state=0).fit(X, y)
    assert est.n_iter_ <= 5
    assert not hasattr(est, "partial_fit")
    # Warm start: the same as scikit-learn's second call.
    params = dict(solver="lbfgs", hidden_layer_sizes=(8,), warm_start=True, max_iter=10,
                  random_state=0)
    a, b = _both(MLPClassifier, DenseMLPClassifier, X, y, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a.fit(X, y)
        b.fit(X, y)
    assert _max_diff(a, b) < 1e-10


def test_lbfgs_keeps_pruned_weights_zero_and_records_one_row_per_iteration():
    X, y = _digits(3)
    masks = [np.random.default_rng(0).uniform(size=(64, 10)) < 0.5, np.ones((10, 3), bool)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = DenseMLPClassifier(solver="lbfgs", hidden_layer_sizes=(10,), max_iter=20,
                                 random_state=0, keep_trajectory=True,
                                 trajectory_dtype="float64").fit(X, y, masks=masks)
    assert np.all(est.coefs_[0][~masks[0]] == 0.0)
    assert est.weight_trajectory_.shape[0] == est.n_iter_ + 1
    assert len(est.loss_curve_) == est.n_iter_
    np.testing.assert_array_equal(est.weight_trajectory_[-1],
                                  np.concatenate([c.ravel() for c in est.coefs_]))
    # A pruning strategy runs on it.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pruned = DenseMLPClassifier(solver="lbfgs", hidden_layer_sizes=(10,), max_iter=40,
                                    random_state=0, pruning=MagnitudePruning(0.5)).fit(X, y)
    assert pruned.score(X, y) > 0.9


def test_lbfgs_records_the_dynamics_one_row_per_iteration():
    """Chaos-causal pruning under L-BFGS: the dense run is a measurement of
    max_iter iterations (tolerances 0), one recorded row each, and the
    windows and risks are those of the iterations."""
    X, y = _digits(3)
    calls = []
    est = DenseMLPClassifier((8,), solver="lbfgs", max_iter=200, random_state=0,
                             pruning=ChaosCausalPruning(), keep_trajectory=True,
                             trajectory_dtype="float64",
                             on_update=lambda step, loss, w: calls.append(step))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    assert est.weight_trajectory_.shape[0] == 201  # the initial weights + 200 iterations
    assert calls[:200] == list(range(1, 201))
    assert est.window_ends_.max() <= 200
    assert est.lyapunov_exponents_.shape[0] == est.window_ends_.shape[0] == 11
    assert np.isfinite(est.risk_series_).all()
    assert 0.0 < est.sparsity_ < 1.0


# --------------------------------------------------------------------- #
# float32, multilabel, poisson, one class, hand-set weights
@pytest.mark.parametrize("cls,theirs", [(DenseMLPClassifier, MLPClassifier),
                                        (DenseMLPRegressor, MLPRegressor)])
def test_float32_kept(cls, theirs):
    X, y = _digits(3)
    X32 = X.astype(np.float32)
    params = dict(hidden_layer_sizes=(8,), max_iter=30, random_state=0,
                  learning_rate_init=0.01)
    a, b = _both(theirs, cls, X32, y, **params)
    for ours, sk in zip(b.coefs_ + b.intercepts_, a.coefs_ + a.intercepts_):
        assert ours.dtype == sk.dtype == np.float32
    pred = b.predict(X32)
    if cls is DenseMLPRegressor:
        assert pred.dtype == a.predict(X32).dtype == np.float32
        np.testing.assert_allclose(pred, a.predict(X32), rtol=1e-3, atol=1e-3)
    else:
        proba = b.predict_proba(X32)
        assert proba.dtype == a.predict_proba(X32).dtype == np.float32
        np.testing.assert_allclose(proba, a.predict_proba(X32), atol=1e-3)
    assert _max_diff(a, b) < 1e-5  # scikit-learn trains in float32, we in float64


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_multilabel_equals_sklearns(solver):
    X, Y = make_multilabel_classification(n_samples=60, n_classes=4, random_state=0)
    params = dict(solver=solver, hidden_layer_sizes=(10,), max_iter=20, random_state=0,
                  activation="logistic", learning_rate_init=0.05)
    a, b = _both(MLPClassifier, DenseMLPClassifier, X, Y, **params)
    assert b.out_activation_ == a.out_activation_ == "logistic"
    np.testing.assert_array_equal(b.classes_, a.classes_)
    assert _max_diff(a, b) < 1e-10
    np.testing.assert_array_equal(b.predict(X), a.predict(X))
    np.testing.assert_allclose(b.predict_proba(X), a.predict_proba(X), atol=1e-10)
    assert b.score(X, Y) == a.score(X, Y)


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_poisson_equals_sklearns(solver):
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(120, 3))
    y = rng.poisson(np.exp(X @ [0.5, -0.3, 0.2] + 0.5)).astype(float)
    params = dict(loss="poisson", solver=solver, hidden_layer_sizes=(6,), max_iter=25,
                  random_state=0, learning_rate_init=0.01, activation="tanh")
    a, b = _both(MLPRegressor, DenseMLPRegressor, X, y, **params)
    assert b.out_activation_ == a.out_activation_ == "exp"
    assert _max_diff(a, b) < 1e-10
    np.testing.assert_allclose(b.predict(X), a.predict(X), rtol=1e-10)
    assert b.loss_ == pytest.approx(a.loss_, rel=1e-10)
    with pytest.raises(ValueError, match="non-negative"):
        DenseMLPRegressor(loss="poisson").fit(X, -y)


def test_one_class_as_sklearn():
    X, _ = _digits(2)
    y = np.full(X.shape[0], 7)
    a, b = _both(MLPClassifier, DenseMLPClassifier, X, y, hidden_layer_sizes=(5,),
                 max_iter=5, random_state=0)
    np.testing.assert_array_equal(b.classes_, a.classes_)
    np.testing.assert_array_equal(b.predict(X), a.predict(X))
    np.testing.assert_allclose(b.predict_proba(X), a.predict_proba(X), atol=1e-10)


def test_partial_fit_from_hand_set_weights():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 4)), rng.integers(0, 3, size=30)
    coefs = [rng.normal(size=(4, 5)), rng.normal(size=(5, 3))]
    intercepts = [rng.normal(size=5), rng.normal(size=3)]
    models = []
    for cls in (MLPClassifier, DenseMLPClassifier):
        est = cls(solver="sgd", hidden_layer_sizes=(5,), random_state=0, shuffle=False,
                  learning_rate_init=0.1)
        est.coefs_ = [c.copy() for c in coefs]
        est.intercepts_ = [b.copy() for b in intercepts]
        if cls is MLPClassifier:  # what scikit-learn's own test_fit sets by hand
            est.n_features_in_, est.n_outputs_, est.n_layers_ = 4, 3, 3
            est.out_activation_, est.t_, est.best_loss_ = "softmax", 0, np.inf
            est.loss_curve_, est._no_improvement_count = [], 0
        for _ in range(3):
            est.partial_fit(X, y, classes=[0, 1, 2])
        models.append(est)
    assert _max_diff(*models) < 1e-10


def test_exports_of_the_new_outputs():
    """to_sklearn: scikit-learn's own MLP with our weights predicts what we
    predict (exp outputs, multilabel logistic outputs, float32 weights)."""
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(50, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg = DenseMLPRegressor((4,), loss="poisson", max_iter=20, random_state=0).fit(
            X, rng.poisson(2.0, size=50).astype(float))
        Xm, Ym = make_multilabel_classification(n_samples=50, random_state=0)
        clf = DenseMLPClassifier((6,), max_iter=20, random_state=0).fit(
            Xm.astype(np.float32), Ym)
    np.testing.assert_array_equal(reg.to_sklearn().predict(X), reg.predict(X))
    mlp = clf.to_sklearn()
    assert mlp.coefs_[0].dtype == np.float32
    np.testing.assert_array_equal(mlp.predict(Xm.astype(np.float32)),
                                  clf.predict(Xm.astype(np.float32)))
    np.testing.assert_array_equal(mlp.predict_proba(Xm.astype(np.float32)),
                                  clf.predict_proba(Xm.astype(np.float32)))
