"""A drop-in for scikit-learn's MLPs: the solvers, the schedules, the L2
penalty, the convergence test, early stopping, warm start and sample weights,
against ``sklearn.neural_network`` itself and a NumPy twin.

The oracle runs: the same initial weights (scikit-learn's Glorot draws,
reproduced from its seed), no shuffling, the same batches; after several
epochs the weights must agree to 1e-10.
"""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import StandardScaler

from skchaosprune import ChaosCausalPruning, DenseMLPClassifier, DenseMLPRegressor

SOLVERS = [
    dict(solver="sgd", momentum=0.0, alpha=0.0),
    dict(solver="sgd", momentum=0.0, alpha=0.0, batch_size=1),
    dict(solver="sgd"),  # Nesterov's momentum 0.9, L2 1e-4
    dict(solver="sgd", nesterovs_momentum=False, alpha=0.01),
    dict(solver="sgd", learning_rate="invscaling", power_t=0.3),
    dict(solver="sgd", learning_rate="adaptive"),
    dict(solver="adam"),
    dict(solver="adam", alpha=0.05, batch_size=7, beta_1=0.8, beta_2=0.99, epsilon=1e-6),
    dict(solver="adam", batch_size=1),
]


def sklearn_init(sizes, activation, seed):
    """scikit-learn's initial weights for ``random_state=seed``."""
    rng = np.random.RandomState(seed)
    coefs, intercepts = [], []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        factor = 2.0 if activation == "logistic" else 6.0
        bound = np.sqrt(factor / (fan_in + fan_out))
        coefs.append(rng.uniform(-bound, bound, (fan_in, fan_out)))
        intercepts.append(rng.uniform(-bound, bound, fan_out))
    return coefs, intercepts


def max_diff(a, b):
    return max(float(np.abs(x - y).max()) for x, y in zip(a, b))


def both_fit(ours_cls, sk_cls, X, y, sizes, sample_weight=None, **params):
    common = {"shuffle": False, "learning_rate_init": 0.01, **params}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sk = sk_cls(random_state=0, **common).fit(X, y, sample_weight=sample_weight)
        coefs, intercepts = sklearn_init(sizes, params.get("activation", "relu"), 0)
        ours = ours_cls(random_state=1, **common).fit(
            X, y, sample_weight=sample_weight, coefs_init=coefs, intercepts_init=intercepts)
    return sk, ours


@pytest.fixture(scope="module")
def iris_std():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def diabetes_std():
    X, y = load_diabetes(return_X_y=True)
    return StandardScaler().fit_transform(X), (y - y.mean()) / y.std()


@pytest.mark.parametrize("params", SOLVERS,
                         ids=lambda p: ",".join(f"{k}={v}" for k, v in p.items()))
def test_classifier_weights_equal_sklearn(iris_std, params):
    X, y = iris_std
    sk, ours = both_fit(DenseMLPClassifier, MLPClassifier, X, y, [4, 5, 4, 3],
                        hidden_layer_sizes=(5, 4), activation="tanh", max_iter=6,
                        n_iter_no_change=np.inf, **params)
    assert max_diff(sk.coefs_ + sk.intercepts_, ours.coefs_ + ours.intercepts_) < 1e-10
    np.testing.assert_allclose(ours.loss_curve_, sk.loss_curve_, rtol=0, atol=1e-10)
    assert ours.n_iter_ == sk.n_iter_ == 6 and ours.t_ == sk.t_ == 6 * 150
    assert ours.loss_ == pytest.approx(sk.loss_, abs=1e-12)
    assert ours.best_loss_ == pytest.approx(sk.best_loss_, abs=1e-12)
    assert ours.out_activation_ == sk.out_activation_ == "softmax"


@pytest.mark.parametrize("params", [SOLVERS[2], SOLVERS[6]], ids=["nesterov", "adam"])
def test_binary_classifier_weights_equal_sklearn(params):
    X, y = make_classification(n_samples=60, n_features=5, random_state=0)
    sk, ours = both_fit(DenseMLPClassifier, MLPClassifier, X, y, [5, 6, 1],
                        hidden_layer_sizes=(6,), activation="logistic", max_iter=5,
                        batch_size=16, n_iter_no_change=np.inf, **params)
    assert max_diff(sk.coefs_ + sk.intercepts_, ours.coefs_ + ours.intercepts_) < 1e-10
    np.testing.assert_allclose(ours.loss_curve_, sk.loss_curve_, rtol=0, atol=1e-10)
    assert ours.out_activation_ == sk.out_activation_ == "logistic"
    np.testing.assert_allclose(ours.predict_proba(X), sk.predict_proba(X), atol=1e-10)


@pytest.mark.parametrize("n_targets", [1, 2])
@pytest.mark.parametrize("params", [SOLVERS[2], SOLVERS[4], SOLVERS[7]],
                         ids=["nesterov", "invscaling", "adam-l2"])
def test_regressor_weights_equal_sklearn(diabetes_std, n_targets, params):
    X, y = diabetes_std
    if n_targets == 2:
        y = np.c_[y, y ** 2 - 1]
    sk, ours = both_fit(DenseMLPRegressor, MLPRegressor, X, y, [10, 6, n_targets],
                        hidden_layer_sizes=(6,), activation="relu", max_iter=4,
                        n_iter_no_change=np.inf, **params)
    assert max_diff(sk.coefs_ + sk.intercepts_, ours.coefs_ + ours.intercepts_) < 1e-10
    # The loss is scikit-learn's: the mean over the targets.
    np.testing.assert_allclose(ours.loss_curve_, sk.loss_curve_, rtol=0, atol=1e-10)
    np.testing.assert_allclose(ours.predict(X), sk.predict(X), atol=1e-10)


@pytest.mark.parametrize("params", [
    dict(solver="adam", tol=0.5, n_iter_no_change=2),
    dict(solver="sgd", tol=0.5, n_iter_no_change=1, learning_rate="adaptive"),
    dict(solver="sgd", tol=1e-3, n_iter_no_change=3, learning_rate_init=0.3),
], ids=["adam-stops", "adaptive-divides-then-stops", "sgd-stops"])
def test_convergence_test_stops_as_sklearn(iris_std, params):
    X, y = iris_std
    sk, ours = both_fit(DenseMLPClassifier, MLPClassifier, X, y, [4, 8, 3],
                        hidden_layer_sizes=(8,), max_iter=300, **params)
    assert sk.n_iter_ < 300  # the test stopped it
    assert ours.n_iter_ == sk.n_iter_
    assert max_diff(sk.coefs_ + sk.intercepts_, ours.coefs_ + ours.intercepts_) < 1e-10
    assert ours._no_improvement_count == sk._no_improvement_count


def test_sample_weights_equal_sklearn(iris_std):
    X, y = iris_std
    sw = np.random.default_rng(0).uniform(0.1, 3.0, size=len(y))
    for params in (SOLVERS[2], SOLVERS[7]):
        sk, ours = both_fit(DenseMLPClassifier, MLPClassifier, X, y, [4, 5, 3],
                            sample_weight=sw, hidden_layer_sizes=(5,), max_iter=4,
                            n_iter_no_change=np.inf, **{**params, "batch_size": 20})
        assert max_diff(sk.coefs_ + sk.intercepts_, ours.coefs_ + ours.intercepts_) < 1e-10
        np.testing.assert_allclose(ours.loss_curve_, sk.loss_curve_, rtol=0, atol=1e-10)


@pytest.mark.parametrize("params", [dict(solver="sgd", momentum=0.0), dict(solver="sgd"),
                                    dict(solver="adam")], ids=["sgd", "nesterov", "adam"])
@pytest.mark.parametrize("cls", [DenseMLPClassifier, DenseMLPRegressor])
def test_integer_sample_weights_equal_repeated_rows(cls, params):
    """Full-batch training: weight k on a row is the row k times."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(12, 3))
    y = rng.integers(0, 3, size=12) if cls is DenseMLPClassifier else X @ [1.0, -2.0, 0.5]
    sw = np.array([1, 2, 0, 3, 1, 1, 2, 1, 4, 1, 1, 2])
    common = dict(hidden_layer_sizes=(4,), batch_size=200, max_iter=8, shuffle=False,
                  n_iter_no_change=np.inf, learning_rate_init=0.05, **params)
    weighted = cls(random_state=0, **common).fit(X, y, sample_weight=sw)
    repeated = cls(random_state=0, **common).fit(
        np.repeat(X, sw, axis=0), np.repeat(y, sw, axis=0),
        coefs_init=weighted.initial_coefs_, intercepts_init=weighted.initial_intercepts_)
    assert max_diff(weighted.coefs_ + weighted.intercepts_,
                    repeated.coefs_ + repeated.intercepts_) < 1e-10


# --------------------------------------------------------------------------
# A NumPy twin of one epoch per solver (written from the update rules, not
# from scikit-learn's code).


def twin_epoch(X, Y, coefs, intercepts, batch, solver, lr, alpha, momentum=0.9,
               nesterov=True, beta_1=0.9, beta_2=0.999, epsilon=1e-8, masks=None):
    params = [c.copy() for c in coefs] + [b.copy() for b in intercepts]
    state = [np.zeros_like(p) for p in params] + [np.zeros_like(p) for p in params]
    n_layers = len(coefs)
    history, t = [], 0
    for start in range(0, X.shape[0], batch):
        xb, yb = X[start:start + batch], Y[start:start + batch]
        acts = [xb]
        for i in range(n_layers):
            z = acts[-1] @ params[i] + params[n_layers + i]
            if i < n_layers - 1:
                z = np.maximum(z, 0.0)
            else:
                z = np.exp(z - z.max(axis=1, keepdims=True))
                z /= z.sum(axis=1, keepdims=True)
            acts.append(z)
        deltas = [acts[-1] - yb]
        for i in range(n_layers - 1, 0, -1):
            deltas.insert(0, (deltas[0] @ params[i].T) * (acts[i] > 0))
        nb = xb.shape[0]
        grads = [(acts[i].T @ deltas[i] + alpha * params[i]) / nb for i in range(n_layers)]
        grads += [deltas[i].sum(axis=0) / nb for i in range(n_layers)]
        if masks is not None:
            grads[:n_layers] = [g * m for g, m in zip(grads, masks)]
        t += 1
        for k, (p, g) in enumerate(zip(params, grads)):
            if solver == "adam":
                m, v = state[k], state[len(params) + k]
                m[...] = beta_1 * m + (1 - beta_1) * g
                v[...] = beta_2 * v + (1 - beta_2) * g ** 2
                step = lr * np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
                p -= step * m / (np.sqrt(v) + epsilon)
            else:
                v = state[k]
                v[...] = momentum * v - lr * g
                p += momentum * v - lr * g if nesterov else v
        history.append(np.concatenate([p.ravel() for p in params[:n_layers]]))
    return params, state, np.array(history)


@pytest.mark.parametrize("solver, batch", [("sgd", 1), ("sgd", 8), ("adam", 1), ("adam", 8)])
@pytest.mark.parametrize("masked", [False, True])
def test_one_epoch_per_solver_matches_numpy_twin(solver, batch, masked):
    rng = np.random.default_rng(5)
    X = rng.normal(size=(29, 4))
    y = rng.integers(0, 3, size=29)
    Y = (y[:, None] == np.arange(3)).astype(float)
    masks = None
    if masked:
        masks = [rng.random((4, 6)) > 0.4, rng.random((6, 3)) > 0.3]
    est = DenseMLPClassifier(hidden_layer_sizes=(6,), solver=solver, batch_size=batch,
                             max_iter=1, shuffle=False, learning_rate_init=0.02, alpha=0.01,
                             keep_trajectory=True, trajectory_dtype="float64",
                             n_iter_no_change=np.inf, random_state=2)
    est.fit(X, y, masks=masks)
    start = [np.where(m, c, 0.0) for m, c in zip(masks, est.initial_coefs_)] if masked \
        else est.initial_coefs_
    params, state, history = twin_epoch(X, Y, start, est.initial_intercepts_, batch, solver,
                                        0.02, 0.01, masks=masks)
    assert max_diff(est.coefs_ + est.intercepts_, params) < 1e-12
    np.testing.assert_allclose(est.weight_trajectory_[1:], history, rtol=0, atol=1e-12)
    if masked:
        pruned = ~np.concatenate([m.ravel() for m in masks])
        assert np.all(est.weight_trajectory_[:, pruned] == 0.0)
        # The optimizer state of a pruned weight stays exactly 0.
        assert np.all(est._optimizer.w[:, pruned] == 0.0)
        assert np.any(est._optimizer.w[0, ~pruned] != 0.0)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_masks_hold_under_every_solver_through_pruning(iris_std, solver):
    X, y = iris_std
    est = DenseMLPClassifier(hidden_layer_sizes=(8,), solver=solver, batch_size=8,
                             max_iter=40, n_iter_no_change=np.inf,
                             pruning=ChaosCausalPruning(alpha=0.5), random_state=0)
    est.fit(X, y)
    # The dynamics were recorded and decided the mask.
    assert est.lyapunov_exponents_.shape[1] == 4 * 8 + 8 * 3
    assert np.isfinite(est.lyapunov_exponents_).all()
    assert 0.0 < est.sparsity_ < 1.0
    for mask, coef in zip(est.masks_, est.coefs_):
        assert np.all(coef[~mask] == 0.0)
    pruned = ~np.concatenate([m.ravel() for m in est.masks_])
    assert np.all(est._optimizer.w[:, pruned] == 0.0)
    assert est.score(X, y) > 0.8


# --------------------------------------------------------------------------
# The rest of the drop-in contract.


def test_convergence_warning_and_its_absence(iris_std):
    X, y = iris_std
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(3\) reached"):
        DenseMLPClassifier(max_iter=3, random_state=0).fit(X, y)
    # n_iter_no_change=np.inf asks for exactly max_iter epochs, and warns as
    # scikit-learn's does.
    with pytest.warns(ConvergenceWarning):
        est = DenseMLPClassifier(max_iter=3, n_iter_no_change=np.inf, random_state=0).fit(X, y)
    assert est.n_iter_ == 3
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        # A converged run does not warn either.
        est = DenseMLPClassifier(max_iter=300, tol=0.5, n_iter_no_change=1,
                                 random_state=0).fit(X, y)
        # Epoch 1 improves on inf; epochs 2 and 3 do not improve by 0.5.
        assert est.n_iter_ == 3


def test_early_stopping_keeps_the_best_epoch(iris_std):
    X, y = iris_std
    est = DenseMLPClassifier(hidden_layer_sizes=(10,), early_stopping=True,
                             n_iter_no_change=5, learning_rate_init=0.05, max_iter=500,
                             random_state=0).fit(X, y)
    scores = est.validation_scores_
    assert len(scores) == est.n_iter_ < 500
    assert est.best_validation_score_ == max(scores)
    assert est.best_loss_ is None
    best = int(np.argmax(scores))
    # It stopped after n_iter_no_change + 1 epochs without a tol improvement.
    assert est.n_iter_ - 1 - best >= 5
    # The weights kept score best_validation_score_ on the held-out split.
    from sklearn.model_selection import train_test_split

    stream = np.random.RandomState()
    stream.set_state(est._split_state)
    _, X_val, _, y_val = train_test_split(X, y, test_size=0.1, random_state=stream, stratify=y)
    assert est.score(X_val, y_val) == pytest.approx(est.best_validation_score_)


def test_early_stopping_shares_the_risk_split(iris_std):
    X, y = iris_std
    est = DenseMLPClassifier(hidden_layer_sizes=(6,), early_stopping=True, risk_every=1,
                             batch_size=10, n_iter_no_change=3, max_iter=50,
                             random_state=0).fit(X, y)
    assert est.t_ == est.n_iter_ * 135  # trained on the 90 % left
    per_epoch = 14  # ceil(135 / 10)
    assert est.risk_updates_.shape == (est.n_iter_ * per_epoch,)
    # The risk at each epoch's last update is the error on the split the
    # early-stopping score was measured on: 1 - that score.
    at_epoch_end = est.risk_curve_[per_epoch - 1::per_epoch]
    np.testing.assert_allclose(at_epoch_end, 1.0 - np.array(est.validation_scores_),
                               rtol=0, atol=1e-12)


def test_early_stopping_errors(iris_std):
    X, y = iris_std
    with pytest.raises(ValueError, match="validation_fraction above 0"):
        DenseMLPClassifier(early_stopping=True, validation_fraction=0.0).fit(X, y)
    with pytest.raises(ValueError, match="too small"):
        DenseMLPClassifier(early_stopping=True, validation_fraction=0.01).fit(X[::3], y[::3])
    est = DenseMLPClassifier(early_stopping=True)
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping"):
        est.partial_fit(X, y, classes=[0, 1, 2])


def test_warm_start_equals_sklearn(iris_std):
    X, y = iris_std
    # Shuffled mini-batches: the second fit must shuffle from scikit-learn's
    # fresh stream too.
    common = dict(hidden_layer_sizes=(5,), max_iter=3, n_iter_no_change=np.inf,
                  warm_start=True, batch_size=20, learning_rate_init=0.01, random_state=0)
    sk = MLPClassifier(**common).fit(X, y)
    ours = DenseMLPClassifier(**common).fit(X, y)
    assert max_diff(sk.coefs_, ours.coefs_) < 1e-10
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sk.set_params(max_iter=4).fit(X, y)
        ours.set_params(max_iter=4).fit(X, y)
    # n_iter_ counts the epochs of the last call, the curve all of them.
    assert ours.n_iter_ == sk.n_iter_ == 4
    assert len(ours.loss_curve_) == len(sk.loss_curve_) == 7
    assert ours.t_ == sk.t_ == 7 * 150
    assert max_diff(sk.coefs_ + sk.intercepts_, ours.coefs_ + ours.intercepts_) < 1e-10
    with pytest.raises(ValueError, match="same classes"):
        ours.fit(X[y < 2], y[y < 2])


def test_warm_start_keeps_a_pruned_mask(iris_std):
    X, y = iris_std
    est = DenseMLPClassifier(hidden_layer_sizes=(8,), pruning="magnitude", max_iter=30,
                             n_iter_no_change=np.inf, random_state=0).fit(X, y)
    masks = [m.copy() for m in est.masks_]
    est.set_params(warm_start=True, max_iter=5).fit(X, y)
    for mask, kept, coef in zip(est.masks_, masks, est.coefs_):
        np.testing.assert_array_equal(mask, kept)
        assert np.all(coef[~mask] == 0.0)


def test_partial_fit_with_a_pruning_strategy_says_it_does_not_prune(iris_std):
    X, y = iris_std
    with pytest.warns(UserWarning, match="never prunes"):
        DenseMLPClassifier(pruning="magnitude").partial_fit(X, y, classes=[0, 1, 2])


def test_partial_fit_keeps_the_optimizer_state(iris_std):
    X, y = iris_std
    common = dict(hidden_layer_sizes=(5,), shuffle=False, solver="adam",
                  n_iter_no_change=np.inf, random_state=0)
    online = DenseMLPClassifier(**common)
    for _ in range(3):
        online.partial_fit(X, y, classes=[0, 1, 2])
    batch = DenseMLPClassifier(max_iter=3, **common).fit(
        X, y, coefs_init=online.initial_coefs_, intercepts_init=online.initial_intercepts_)
    assert max_diff(online.coefs_ + online.intercepts_, batch.coefs_ + batch.intercepts_) < 1e-12
    assert online._optimizer.t[0] == 3 * 1  # one batch of 150 ('auto') per call


def test_predict_log_proba_and_sklearn_attributes(iris_std):
    X, y = iris_std
    est = DenseMLPClassifier(hidden_layer_sizes=(5,), max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    np.testing.assert_array_equal(est.predict_log_proba(X), np.log(est.predict_proba(X)))
    assert est.validation_scores_ is None and est.best_validation_score_ is None
    assert est.loss_ == est.loss_curve_[-1] and est.best_loss_ == min(est.loss_curve_)
    # Every parameter of scikit-learn's MLPClassifier but lbfgs's max_fun.
    ours = set(est.get_params())
    theirs = set(MLPClassifier().get_params()) - {"max_fun"}
    assert theirs <= ours
    for name in theirs - {"hidden_layer_sizes", "loss", "random_state", "max_iter"}:
        assert getattr(est, name) == MLPClassifier().get_params()[name], name


def test_bad_sample_weights(iris_std):
    X, y = iris_std
    est = DenseMLPClassifier(max_iter=2)
    with pytest.raises(ValueError, match="Negative values in data passed to"):
        est.fit(X, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match="at least one non-zero"):
        est.fit(X, y, sample_weight=np.zeros(len(y)))
    with pytest.raises(ValueError, match="shape"):
        est.fit(X, y, sample_weight=np.ones(3))


@pytest.mark.parametrize("loader", ["iris", "wine", "breast_cancer"])
def test_default_fit_is_sklearns_default_fit(loader):
    """Every parameter at its default, raw features: the same initial
    weights, the same shuffled batches, the same convergence test, so the
    same network (and so the same accuracy) as scikit-learn's."""
    from sklearn import datasets

    X, y = getattr(datasets, f"load_{loader}")(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sk = MLPClassifier(random_state=0).fit(X, y)
        ours = DenseMLPClassifier(random_state=0).fit(X, y)
    assert ours.n_iter_ == sk.n_iter_
    assert max_diff(sk.coefs_ + sk.intercepts_, ours.coefs_ + ours.intercepts_) < 1e-10
    np.testing.assert_array_equal(ours.predict(X), sk.predict(X))


def test_default_regressor_fit_is_sklearns(diabetes_std):
    X, y = diabetes_std
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sk = MLPRegressor(random_state=3, max_iter=50).fit(X, y)
        ours = DenseMLPRegressor(random_state=3, max_iter=50).fit(X, y)
    assert max_diff(sk.coefs_ + sk.intercepts_, ours.coefs_ + ours.intercepts_) < 1e-10
