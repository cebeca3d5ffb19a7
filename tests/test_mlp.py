"""DenseMLPClassifier / DenseMLPRegressor: maths against oracles, contract, errors."""

import pickle
import warnings

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.datasets import load_digits, load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skchaosprune import DenseMLPClassifier, DenseMLPRegressor

#: Plain SGD for a fixed number of epochs: what the NumPy twin below computes
#: (the other solvers: tests/test_sklearn_parity.py).
PLAIN = dict(solver="sgd", momentum=0.0, alpha=0.0, n_iter_no_change=np.inf)

# --------------------------------------------------------------------------
# A plain NumPy twin of the training loop: the oracle for the kernel.


def _act(z, kind):
    if kind in ("sigmoid", "logistic"):
        return 1.0 / (1.0 + np.exp(-z))
    if kind == "tanh":
        return np.tanh(z)
    if kind == "relu":
        return np.maximum(z, 0.0)
    if kind == "softmax":
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    return z


def _deriv(a, kind):
    if kind in ("sigmoid", "logistic"):
        return a * (1.0 - a)
    if kind == "tanh":
        return 1.0 - a * a
    if kind == "relu":
        return (a > 0).astype(float)
    return np.ones_like(a)


def twin_forward(X, coefs, intercepts, hidden, out):
    acts = [np.asarray(X, dtype=float)]
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        kind = out if i == len(coefs) - 1 else hidden
        acts.append(_act(acts[-1] @ W + b, kind))
    return acts


def twin_loss(o, Y, out, loss):
    """Mean over samples of the per-sample loss."""
    if loss == "squared_error":
        return np.mean(0.5 * np.sum((o - Y) ** 2, axis=1))
    p = np.clip(o, 1e-15, 1 - 1e-15)
    if out == "softmax":
        return np.mean(-np.sum(Y * np.log(p), axis=1))
    return np.mean(-np.sum(Y * np.log(p) + (1 - Y) * np.log(1 - p), axis=1))


def twin_epoch(X, Y, coefs, intercepts, hidden, out, loss, lr, batch_size, masks=None):
    """One epoch without shuffling; returns weights after every update."""
    coefs = [c.copy() for c in coefs]
    intercepts = [b.copy() for b in intercepts]
    history = []
    for start in range(0, X.shape[0], batch_size):
        xb, yb = X[start:start + batch_size], Y[start:start + batch_size]
        acts = twin_forward(xb, coefs, intercepts, hidden, out)
        delta = acts[-1] - yb
        if loss == "squared_error":
            delta = delta * _deriv(acts[-1], out)
        deltas = [delta]
        for i in range(len(coefs) - 1, 0, -1):
            deltas.insert(0, (deltas[0] @ coefs[i].T) * _deriv(acts[i], hidden))
        nb = xb.shape[0]
        for i in range(len(coefs)):
            coefs[i] = coefs[i] - lr * acts[i].T @ deltas[i] / nb
            intercepts[i] = intercepts[i] - lr * deltas[i].sum(axis=0) / nb
            if masks is not None:
                coefs[i] = np.where(masks[i], coefs[i], 0.0)
        history.append(np.concatenate([c.ravel() for c in coefs]))
    return coefs, intercepts, history


def out_kind(est):
    if isinstance(est, DenseMLPRegressor):
        return "identity"
    if est.loss == "squared_error":
        return "sigmoid"
    return "sigmoid" if len(est.classes_) == 2 else "softmax"


def targets(est, y):
    if isinstance(est, DenseMLPRegressor):
        return y.reshape(len(y), -1).astype(float)
    if len(est.classes_) == 2:
        return (y == est.classes_[1]).astype(float)[:, None]
    return (y[:, None] == est.classes_[None, :]).astype(float)


# --------------------------------------------------------------------------
# Oracles: NumPy twin and finite differences.

NETWORKS = [
    (DenseMLPClassifier, dict(activation="sigmoid", loss="log_loss"), 3),
    (DenseMLPClassifier, dict(activation="tanh", loss="log_loss"), 2),
    (DenseMLPClassifier, dict(activation="relu", loss="squared_error"), 3),
    (DenseMLPClassifier, dict(activation="sigmoid", loss="squared_error"), 2),
    (DenseMLPRegressor, dict(activation="tanh"), 2),
    (DenseMLPRegressor, dict(activation="relu"), 1),
]


def _problem(cls, n_classes, n=23, n_features=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features))
    if cls is DenseMLPRegressor:
        y = X @ rng.normal(size=(n_features, n_classes))
        return X, (y[:, 0] if n_classes == 1 else y)
    return X, rng.integers(0, n_classes, size=n)


@pytest.mark.parametrize("cls, params, n_classes", NETWORKS)
def test_one_epoch_matches_numpy_twin(cls, params, n_classes):
    X, y = _problem(cls, n_classes)
    est = cls(hidden_layer_sizes=(5, 3), batch_size=4, max_iter=1, shuffle=False,
              learning_rate_init=0.05, keep_trajectory=True, random_state=1, **PLAIN,
              **params)
    est.fit(X, y)
    coefs, intercepts, history = twin_epoch(
        X, targets(est, y), est.initial_coefs_, est.initial_intercepts_,
        est.activation, out_kind(est), est.loss, 0.05, 4,
    )
    for got, want in zip(est.coefs_ + est.intercepts_, coefs + intercepts):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
    assert est.weight_trajectory_.shape == (len(history) + 1, sum(c.size for c in coefs))
    np.testing.assert_allclose(est.weight_trajectory_[1:], np.array(history), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("cls, params, n_classes", NETWORKS)
def test_gradient_matches_finite_differences(cls, params, n_classes):
    """One full-batch step with lr=1 moves the weights by minus the gradient."""
    X, y = _problem(cls, n_classes, n=15)
    est = cls(hidden_layer_sizes=(4, 3), batch_size=15, max_iter=1, shuffle=False,
              learning_rate_init=1.0, init_std=0.5, random_state=2, **PLAIN, **params)
    est.fit(X, y)
    grad = [c0 - c1 for c0, c1 in zip(est.initial_coefs_, est.coefs_)]
    grad_b = [b0 - b1 for b0, b1 in zip(est.initial_intercepts_, est.intercepts_)]
    Y = targets(est, y)

    def loss_at(coefs, intercepts):
        o = twin_forward(X, coefs, intercepts, est.activation, out_kind(est))[-1]
        return twin_loss(o, Y, out_kind(est), est.loss)

    eps = 1e-6
    for params_list, analytic in ((est.initial_coefs_, grad), (est.initial_intercepts_, grad_b)):
        for layer, g in enumerate(analytic):
            numeric = np.zeros_like(g)
            for idx in np.ndindex(g.shape):
                plus = [p.copy() for p in params_list]
                minus = [p.copy() for p in params_list]
                plus[layer][idx] += eps
                minus[layer][idx] -= eps
                if params_list is est.initial_coefs_:
                    lp = loss_at(plus, est.initial_intercepts_)
                    lm = loss_at(minus, est.initial_intercepts_)
                else:
                    lp, lm = loss_at(est.initial_coefs_, plus), loss_at(est.initial_coefs_, minus)
                numeric[idx] = (lp - lm) / (2 * eps)
            np.testing.assert_allclose(g, numeric, rtol=1e-5, atol=1e-8)


@settings(deadline=None, max_examples=25)
@given(
    hidden=st.lists(st.integers(1, 6), min_size=1, max_size=3),
    activation=st.sampled_from(["sigmoid", "tanh", "relu"]),
    loss=st.sampled_from(["log_loss", "squared_error"]),
    n_classes=st.integers(2, 4),
    n=st.integers(4, 30),
    batch_size=st.integers(1, 9),
    seed=st.integers(0, 2**16),
    prune_fraction=st.floats(0.0, 0.8),
)
def test_twin_property_any_architecture(hidden, activation, loss, n_classes, n,
                                        batch_size, seed, prune_fraction):
    """Any depth, batch size and mask: the kernel is the NumPy loop."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = np.arange(n) % n_classes
    est = DenseMLPClassifier(hidden_layer_sizes=hidden, activation=activation, loss=loss,
                             batch_size=batch_size, max_iter=1, shuffle=False,
                             learning_rate_init=0.1, random_state=seed, **PLAIN)
    est.fit(X, y)  # to learn the layout and the initial weights
    masks = [rng.random(c.shape) >= prune_fraction for c in est.coefs_]
    est.fit(X, y, masks=masks)
    start = [np.where(m, c, 0.0) for m, c in zip(masks, est.initial_coefs_)]
    coefs, intercepts, _ = twin_epoch(X, targets(est, y), start, est.initial_intercepts_,
                                      activation, out_kind(est), loss, 0.1, batch_size, masks)
    for got, want in zip(est.coefs_ + est.intercepts_, coefs + intercepts):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    for m, c in zip(masks, est.coefs_):
        assert np.all(c[~m] == 0.0)


# --------------------------------------------------------------------------
# Recording: trajectory, risk, masks.


def test_trajectory_layout_and_masks_stay_zero():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    est = DenseMLPClassifier((6,), "sigmoid", batch_size=1, max_iter=2,
                             keep_trajectory=True, random_state=0).fit(X, y)
    assert all(m.all() for m in est.masks_)
    n_weights = 4 * 6 + 6 * 3
    assert est.weight_trajectory_.shape == (2 * 150 + 1, n_weights)
    assert est.weight_trajectory_.dtype == np.float32
    flat0 = np.concatenate([c.ravel() for c in est.initial_coefs_]).astype(np.float32)
    flat1 = np.concatenate([c.ravel() for c in est.coefs_]).astype(np.float32)
    np.testing.assert_array_equal(est.weight_trajectory_[0], flat0)
    np.testing.assert_array_equal(est.weight_trajectory_[-1], flat1)

    masks = [np.ones((4, 6), bool), np.ones((6, 3), bool)]
    masks[0][1, :] = False  # feature 1 cut off
    masks[1][2, 0] = False
    pruned = DenseMLPClassifier((6,), "sigmoid", batch_size=1, max_iter=2,
                                keep_trajectory=True, random_state=0).fit(X, y, masks=masks)
    flat_mask = np.concatenate([m.ravel() for m in masks])
    assert np.all(pruned.weight_trajectory_[:, ~flat_mask] == 0.0)
    assert np.all(pruned.coefs_[0][1] == 0.0) and pruned.coefs_[1][2, 0] == 0.0
    np.testing.assert_array_equal(pruned.masks_[0], masks[0])
    # Same data order: the unmasked weights' first update equals the dense one's
    # wherever the mask does not reach (the first layer's other rows).
    assert not np.allclose(pruned.coefs_[0], est.coefs_[0])


def test_risk_curve_is_the_misclassification_rate():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    est = DenseMLPClassifier((6,), "sigmoid", batch_size=10, max_iter=3, risk_every=15,
                             validation_fraction=0, learning_rate_init=0.5,
                             random_state=0).fit(X, y)
    np.testing.assert_array_equal(est.risk_updates_, [15, 30, 45])
    assert est.risk_curve_[-1] == pytest.approx(1 - est.score(X, y), abs=1e-15)
    assert np.all((est.risk_curve_ >= 0) & (est.risk_curve_ <= 1))


def test_risk_curve_validation_split_and_regressor_mse():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 3))
    y = X @ [1.0, -2.0, 0.5]
    est = DenseMLPRegressor((8,), batch_size=10, max_iter=2, risk_every=10,
                            validation_fraction=0, random_state=0, **PLAIN).fit(X, y)
    np.testing.assert_array_equal(est.risk_updates_, [10, 20])
    assert est.risk_curve_[-1] == pytest.approx(np.mean((est.predict(X) - y) ** 2), rel=1e-12)
    # With a held-out split, training sees only the rest: 90 samples, 9 updates.
    held = DenseMLPRegressor((8,), batch_size=10, max_iter=2, risk_every=9,
                             validation_fraction=0.1, random_state=0, **PLAIN).fit(X, y)
    assert held.t_ == 2 * 90 and held.risk_updates_.tolist() == [9, 18]
    assert not np.allclose(held.risk_curve_, est.risk_curve_)


def test_partial_fit_continues_fit_exactly():
    X, y = load_iris(return_X_y=True)
    params = dict(hidden_layer_sizes=(5,), activation="tanh", batch_size=8,
                  keep_trajectory=True, risk_every=7, validation_fraction=0, random_state=3,
                  solver="sgd", n_iter_no_change=np.inf)
    full = DenseMLPClassifier(max_iter=3, **params).fit(X, y)
    inc = DenseMLPClassifier(**params)
    for _ in range(3):
        inc.partial_fit(X, y, classes=np.unique(y))
    for a, b in zip(full.coefs_ + full.intercepts_, inc.coefs_ + inc.intercepts_):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(full.weight_trajectory_, inc.weight_trajectory_)
    np.testing.assert_array_equal(full.risk_updates_, inc.risk_updates_)
    np.testing.assert_array_equal(full.risk_curve_, inc.risk_curve_)
    # As scikit-learn's: n_iter_ counts the epochs of the last call, t_ the
    # samples seen by all of them.
    assert inc.n_iter_ == 1 and full.n_iter_ == 3 and inc.t_ == full.t_ == 3 * 150
    assert len(inc.loss_curve_) == 3


def test_same_seed_bit_identical_and_coefs_init_rewinds():
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X[:300])
    y = y[:300]
    a = DenseMLPClassifier((20,), batch_size=1, max_iter=2, random_state=7).fit(X, y)
    b = DenseMLPClassifier((20,), batch_size=1, max_iter=2, random_state=7).fit(X, y)
    c = DenseMLPClassifier((20,), batch_size=1, max_iter=2, random_state=8).fit(X, y)
    for u, v in zip(a.coefs_, b.coefs_):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a.coefs_[0], c.coefs_[0])
    # Starting seed 8 from seed 7's initial weights: seed 8's data order, so
    # a different result; starting seed 7 from its own weights: identical.
    d = DenseMLPClassifier((20,), batch_size=1, max_iter=2, random_state=7).fit(
        X, y, coefs_init=a.initial_coefs_, intercepts_init=a.initial_intercepts_)
    np.testing.assert_array_equal(d.coefs_[1], a.coefs_[1])


# --------------------------------------------------------------------------
# Use as a user would: accuracy, labels, persistence, pipelines.


def test_accuracy_iris_and_digits():
    X, y = load_iris(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    clf = make_pipeline(StandardScaler(),
                        DenseMLPClassifier((6,), "sigmoid", learning_rate_init=0.1,
                                           random_state=0))
    assert clf.fit(Xtr, ytr).score(Xte, yte) >= 0.9
    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
    clf = make_pipeline(StandardScaler(), DenseMLPClassifier((100,), "sigmoid", batch_size=1,
                                                             max_iter=10, random_state=0))
    assert clf.fit(Xtr, ytr).score(Xte, yte) >= 0.93


@pytest.mark.parametrize("loss", ["log_loss", "squared_error"])
def test_string_labels_binary_and_multiclass(loss):
    X, y = make_classification(n_samples=200, n_features=5, n_informative=3,
                               n_classes=3, random_state=0)
    for labels in (np.array(["cat", "dog", "emu"]), np.array(["no", "yes", "yes"])):
        ys = labels[y]
        clf = DenseMLPClassifier((10,), loss=loss, learning_rate_init=0.1,
                                 random_state=0).fit(X, ys)
        np.testing.assert_array_equal(clf.classes_, np.unique(ys))
        proba = clf.predict_proba(X)
        assert proba.shape == (200, len(clf.classes_))
        np.testing.assert_allclose(proba.sum(axis=1), 1.0)
        np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X))
        assert clf.score(X, ys) > 0.8
        assert clf.n_outputs_ == (1 if len(clf.classes_) == 2 else 3)


def test_pickle_and_joblib_round_trip(tmp_path):
    X, y = load_iris(return_X_y=True)
    clf = DenseMLPClassifier((6,), random_state=0, max_iter=20).fit(X, y)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    joblib.dump(clf, tmp_path / "clf.joblib")
    loaded = joblib.load(tmp_path / "clf.joblib")
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_grid_search_in_pipeline_with_two_jobs():
    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), DenseMLPClassifier((6,), random_state=0, max_iter=50))
    grid = GridSearchCV(pipe, {"densemlpclassifier__learning_rate_init": [0.001, 0.1]},
                        cv=3, n_jobs=2).fit(X, y)
    assert grid.best_params_ == {"densemlpclassifier__learning_rate_init": 0.1}
    assert grid.best_score_ > 0.9


# --------------------------------------------------------------------------
# Bad input: clear errors.


@pytest.mark.parametrize("cls", [DenseMLPClassifier, DenseMLPRegressor])
def test_bad_input_errors(cls):
    X, y = load_iris(return_X_y=True)
    est = cls((4,), max_iter=2)
    bad = X.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        est.fit(bad, y)
    bad[3, 1] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        est.fit(bad, y)
    with pytest.raises(ValueError, match="0 sample"):
        est.fit(X[:0], y[:0])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        est.fit(X, y[:-1])
    # Sparse X is densified, as scikit-learn's MLP accepts it.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        dense = clone(est).set_params(random_state=0).fit(X, y)
        sparse = clone(est).set_params(random_state=0).fit(sp.csr_matrix(X), y)
    np.testing.assert_array_equal(sparse.coefs_[0], dense.coefs_[0])
    with pytest.raises(ValueError, match="masks must be one boolean array per weight matrix"):
        est.fit(X, y, masks=[np.ones((4, 4), bool)])
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        cls(hidden_layer_sizes=(4, 0)).fit(X, y)


def test_one_class_and_unknown_labels():
    X, y = load_iris(return_X_y=True)
    # One class is fitted, as scikit-learn fits it: it predicts that class.
    one = DenseMLPClassifier((3,), max_iter=2).fit(X, np.zeros(len(y)))
    assert (one.predict(X) == 0).all()
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        DenseMLPClassifier().partial_fit(X, y)
    clf = DenseMLPClassifier((3,)).partial_fit(X[y < 2], y[y < 2], classes=[0, 1])
    with pytest.raises(ValueError, match="not in classes_"):
        clf.partial_fit(X, y)
    with pytest.raises(ValueError, match="Unknown label type"):
        DenseMLPClassifier().fit(X, X[:, 0])


@pytest.mark.parametrize("cls", [DenseMLPClassifier, DenseMLPRegressor])
def test_divergence_is_detected_with_advice(cls):
    X, y = load_iris(return_X_y=True)
    # A linear regressor's squared error overflows within an epoch at lr=1; a
    # classifier's bounded output error needs a step that overflows the weights.
    if cls is DenseMLPClassifier:
        est = cls((50, 50), "relu", learning_rate_init=1e300, max_iter=5, random_state=0)
    else:
        est = cls((50, 50), "identity", solver="sgd", learning_rate_init=1.0, max_iter=5,
                  random_state=0)
    with pytest.raises(ValueError, match="diverged.*learning_rate_init"):
        est.fit(X, y)


# --------------------------------------------------------------------------
# What users hit first (issue 21).


@pytest.mark.parametrize("cls", [DenseMLPClassifier, DenseMLPRegressor])
def test_unseeded_fits_differ_and_advance_the_global_stream(cls):
    """random_state=None draws from NumPy's global stream, as scikit-learn's
    MLPs do: three unseeded fits give three networks."""
    X, y = load_iris(return_X_y=True)
    fits = [cls(hidden_layer_sizes=(3,), max_iter=2).fit(X, y).coefs_[0] for _ in range(3)]
    assert not np.array_equal(fits[0], fits[1])
    assert not np.array_equal(fits[1], fits[2])
    np.random.seed(7)
    a = cls(hidden_layer_sizes=(3,), max_iter=2).fit(X, y).coefs_[0]
    np.random.seed(7)
    b = cls(hidden_layer_sizes=(3,), max_iter=2).fit(X, y).coefs_[0]
    np.testing.assert_array_equal(a, b)   # the global seed still reproduces
    # A RandomState instance is advanced too; an int seed is reproducible.
    rs = np.random.RandomState(0)
    c, d = (cls(hidden_layer_sizes=(3,), max_iter=2, random_state=rs).fit(X, y).coefs_[0]
            for _ in range(2))
    assert not np.array_equal(c, d)
    e, f = (cls(hidden_layer_sizes=(3,), max_iter=2, random_state=3).fit(X, y).coefs_[0]
            for _ in range(2))
    np.testing.assert_array_equal(e, f)


def test_changed_hidden_layer_sizes_cannot_continue_the_old_network():
    from skchaosprune import MagnitudePruning

    X, y = load_iris(return_X_y=True)
    est = DenseMLPClassifier(hidden_layer_sizes=(5,), max_iter=3, random_state=0).fit(X, y)
    est.set_params(hidden_layer_sizes=(7,))
    with pytest.raises(ValueError, match=r"hidden layers have \(5,\) units, but "
                                         r"hidden_layer_sizes is now \(7,\)"):
        est.prune(X, y, pruning=MagnitudePruning(0.5))
    with pytest.raises(ValueError, match=r"hidden_layer_sizes is now \(7,\)"):
        est.set_params(warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match=r"hidden_layer_sizes is now \(7,\)"):
        est.partial_fit(X, y)
    assert est.coefs_[0].shape == (4, 5)   # unchanged by the refused calls
    est.set_params(warm_start=False).fit(X, y)
    assert est.coefs_[0].shape == (4, 7)


def test_prune_with_other_data_than_fit_is_an_error():
    from skchaosprune import MagnitudePruning

    X, y = load_iris(return_X_y=True)
    est = DenseMLPClassifier(hidden_layer_sizes=(5,), max_iter=3, random_state=0).fit(X, y)
    est.prune(X, y, pruning=MagnitudePruning(0.5))           # fit's data: fine
    before = est.sparsity_
    X2 = X.copy()
    X2[17, 2] += 0.5                                          # one value changed
    for args in ((X2, y), (X[:100], y[:100]), (X, np.roll(y, 1))):
        with pytest.raises(ValueError, match="other data than fit"):
            est.prune(*args, pruning=MagnitudePruning(0.3))
    assert est.sparsity_ == before   # the refused call changed nothing


def test_early_stopping_on_a_diverging_run_records_nan_and_keeps_the_best():
    """scikit-learn's test_mlp_diverging_loss: the NaN score is recorded and
    the fit finishes with the best weights (and here a warning says so)."""
    from sklearn.exceptions import ConvergenceWarning

    X, y = load_iris(return_X_y=True)
    mlp = DenseMLPRegressor(hidden_layer_sizes=100, activation="identity", solver="sgd",
                            learning_rate_init=1, max_iter=20, early_stopping=True,
                            random_state=0)
    with pytest.warns(ConvergenceWarning, match=r"Training diverged in epoch \d+.*kept the "
                                                r"weights of epoch \d+"):
        mlp.fit(X, y)
    assert str(mlp.validation_scores_[-1]) == str(np.nan)
    assert isinstance(mlp.validation_scores_[-1], float)
    assert np.isfinite(mlp.best_validation_score_)
    assert all(np.isfinite(c).all() for c in mlp.coefs_)
    assert np.isfinite(mlp.predict(X)).all()
    # Without early stopping there are no best weights to keep: an error.
    with pytest.raises(ValueError, match="Training diverged"):
        mlp.set_params(early_stopping=False).fit(X, y)


def test_weight_trajectory_is_the_dense_run_that_decided_the_mask():
    from skchaosprune import ChaosCausalPruning
    from skchaosprune.lyapunov import windowed_lyapunov

    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    est = DenseMLPClassifier(hidden_layer_sizes=(6,), activation="sigmoid", batch_size=1,
                             **PLAIN, learning_rate_init=0.05, max_iter=30, random_state=0,
                             keep_trajectory=True, trajectory_dtype="float64",
                             pruning=ChaosCausalPruning(window=30, maxlag=3)).fit(X, y)
    traj = est.weight_trajectory_
    np.testing.assert_array_equal(traj[0], np.concatenate([c.ravel() for c in est.initial_coefs_]))
    np.testing.assert_array_equal(traj[-1], np.concatenate([c.ravel() for c in est.dense_coefs_]))
    # The exponents that decided the mask are those of this trajectory.
    les = windowed_lyapunov(traj, window=30)
    np.testing.assert_allclose(les, est.lyapunov_exponents_, rtol=0, atol=1e-12)
    # The retraining run is kept beside it, masked weights at 0 throughout.
    retrained = est.retrained_trajectory_
    np.testing.assert_array_equal(retrained[-1],
                                  np.concatenate([c.ravel() for c in est.coefs_]))
    pruned = ~np.concatenate([m.ravel() for m in est.masks_])
    assert pruned.any() and not retrained[:, pruned].any()
    # A new decision keeps the dense trajectory.
    est.prune(X, y, pruning=ChaosCausalPruning(window=30, maxlag=3, alpha=0.5))
    assert est.weight_trajectory_ is traj
