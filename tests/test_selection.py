"""CausalPruningTransformer as a feature selector (issue 25): per-feature
scores, ``threshold`` and ``max_features`` as ``SelectFromModel``'s, any
strategy, one dense run per split in a grid over them."""

import warnings

import numpy as np
import pytest
from joblib import Memory
from sklearn.base import BaseEstimator
from sklearn.feature_selection import SelectFromModel
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from skchaosprune import (
    CausalPruningTransformer,
    ChaosCausalPruning,
    DenseMLPClassifier,
    IterativePruning,
    MagnitudePruning,
    OBSPruning,
)

# One-sample plain SGD for a fixed 30 epochs (the paper's kind of run).
NET = dict(hidden_layer_sizes=(6,), activation="sigmoid", batch_size=1, solver="sgd",
           momentum=0.0, alpha=0.0, learning_rate_init=0.05, max_iter=30,
           n_iter_no_change=np.inf, random_state=0)
WIN = dict(window=30, maxlag=3)
N_FEATURES = 8


@pytest.fixture(scope="module")
def planted():
    """Feature 0 decides the class alone (a wide margin); features 1..5 are
    unit-variance noise, 6 is noise of sd 1e-4, 7 is constant."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, N_FEATURES))
    X[:, 6] *= 1e-4
    X[:, 7] = 0.0
    y = (X[:, 0] > 0).astype(int)
    X[:, 0] += np.where(y == 1, 1.0, -1.0)  # a margin: the class is certain from feature 0
    return X, y


def _fit(strategy, X, y, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CausalPruningTransformer(DenseMLPClassifier(**NET), pruning=strategy,
                                        **params).fit(X, y)


STRATEGIES = {
    "magnitude": lambda: MagnitudePruning(0.5),
    "imp": lambda: IterativePruning(sparsity=0.6),
    "obs": lambda: OBSPruning(0.5),
}


@pytest.fixture(scope="module")
def fitted(planted):
    X, y = planted
    out = {name: _fit(make(), X, y) for name, make in STRATEGIES.items()}
    out["chaos"] = _fit(ChaosCausalPruning(**WIN), X, y)
    return out


@pytest.mark.parametrize("name", ["magnitude", "imp", "obs"])
def test_weight_scores_put_the_planted_feature_first(fitted, name):
    scores = fitted[name].feature_scores_
    assert scores.shape == (N_FEATURES,)
    assert scores[0] > scores[1:].max()
    assert (scores >= 0).all()


@pytest.mark.parametrize("name", ["magnitude", "imp", "obs"])
def test_weight_scores_are_the_kept_input_norms_of_the_fitted_network(fitted, planted, name):
    """By hand from the network estimator_ holds and its masks: the norm of
    each feature's kept weights into hidden units with a kept path out."""
    sel = fitted[name]
    est = sel.estimator_
    masks = sel.masks_
    if name == "magnitude":  # decided lazily: the dense weights
        W = est.coefs_[0]
    else:  # decided in fit on the data: the pruned, retrained network
        W = est.coefs_[0]
        for a, b in zip(masks, est.masks_):
            np.testing.assert_array_equal(a, b)
        # ... which is the estimator's own fit with that strategy.
        X, y = planted
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            own = DenseMLPClassifier(pruning=STRATEGIES[name](), **NET).fit(X, y)
        np.testing.assert_array_equal(own.coefs_[0], W)
    expected = np.zeros(N_FEATURES)
    for i in range(N_FEATURES):
        for j in range(W.shape[1]):
            if masks[0][i, j] and masks[1][j].any():
                expected[i] += W[i, j] ** 2
    np.testing.assert_allclose(sel.feature_scores_, np.sqrt(expected), rtol=1e-12)


def test_causal_scores_are_minus_log10_of_the_smallest_pvalue(fitted):
    sel = fitted["chaos"]
    # The estimator's own decision on the same dense run sets its p-values.
    est = sel.estimator_
    est.set_params(retrain=None).prune(pruning=ChaosCausalPruning(**WIN))
    p = est.granger_pvalues_[: N_FEATURES * 6].reshape(N_FEATURES, 6)
    expected = [-np.log10(min(row)) if min(row) > 0 else 307.6526555685888 for row in p]
    np.testing.assert_allclose(sel.feature_scores_, expected, rtol=1e-12, atol=0)
    # Weights that never move (sd 1e-4 and constant inputs) are never tested
    # causal: the moving planted feature scores above them.
    assert sel.feature_scores_[6] == sel.feature_scores_[7] == 0.0
    assert sel.feature_scores_[0] > 0.0
    # threshold=-log10(alpha) keeps the features with a first-layer weight
    # below alpha, whatever the scores' scale.
    alpha = 0.3
    sel.set_params(threshold=-np.log10(alpha))
    np.testing.assert_array_equal(sel.get_support(), (p < alpha).any(axis=1))
    sel.set_params(threshold=None)


@pytest.mark.parametrize("name", ["magnitude", "imp", "obs", "chaos"])
def test_max_features_keeps_exactly_k(fitted, planted, name):
    X, _ = planted
    sel = fitted[name]
    try:
        for k in range(1, N_FEATURES + 1):
            sel.set_params(max_features=k)
            assert sel.get_support().sum() == k
            assert sel.transform(X).shape == (X.shape[0], k)
        if name != "chaos":  # the one best feature is the planted one
            sel.set_params(max_features=1)
            np.testing.assert_array_equal(np.flatnonzero(sel.get_support()), [0])
    finally:
        sel.set_params(max_features=None)


def test_max_features_callable_is_evaluated_on_fit_X(planted):
    X, y = planted
    sel = _fit(MagnitudePruning(0.5), X, y, max_features=lambda X: X.shape[1] // 4)
    assert sel.max_features_ == 2
    assert sel.get_support().sum() == 2
    with pytest.raises(ValueError, match="callable max_features is evaluated on X in fit"):
        sel.set_params(max_features=lambda X: 3).get_support()
    with pytest.raises(ValueError, match=r"max_features == 9, must be <= 8"):
        sel.set_params(max_features=9).get_support()


class _Scores(BaseEstimator):
    """A prefit stub whose importances are given scores."""

    def __init__(self, scores=None):
        self.scores = scores

    def fit(self, X, y=None):
        return self

    def __sklearn_is_fitted__(self):
        return True

    @property
    def feature_importances_(self):
        return self.scores


@pytest.mark.parametrize("name", ["magnitude", "chaos"])
@pytest.mark.parametrize("threshold", [0.5, 1.0, "mean", "median", "1.25*mean",
                                       "0.5*median", " 2 * mean"])
@pytest.mark.parametrize("max_features", [None, 2, 5])
def test_threshold_and_max_features_mean_what_select_from_model_says(
        fitted, planted, name, threshold, max_features):
    X, _ = planted
    sel = fitted[name]
    scores = sel.feature_scores_
    reference = SelectFromModel(_Scores(scores), prefit=True, threshold=threshold,
                                max_features=max_features)
    expected = reference.get_support()
    sel.set_params(threshold=threshold, max_features=max_features)
    try:
        if not expected.any():
            with pytest.raises(ValueError, match="keeps no feature"):
                sel.get_support()
        else:
            np.testing.assert_array_equal(sel.get_support(), expected)
    finally:
        sel.set_params(threshold=None, max_features=None)


def test_max_features_without_threshold_is_select_from_model_at_minus_inf(fitted):
    sel = fitted["magnitude"]
    for k in (1, 3, 8):
        reference = SelectFromModel(_Scores(sel.feature_scores_), prefit=True,
                                    threshold=-np.inf, max_features=k)
        sel.set_params(max_features=k)
        np.testing.assert_array_equal(sel.get_support(), reference.get_support())
    sel.set_params(max_features=None)


def test_default_is_the_masks_rule(fitted):
    from skchaosprune.pruning import reaching_features

    for sel in fitted.values():
        np.testing.assert_array_equal(sel.get_support(), reaching_features(sel.masks_))


def test_selections_of_no_feature_are_errors_with_advice(fitted):
    sel = fitted["magnitude"]
    for bad, match in [(1e9, "keeps no feature.*max_features=k"),
                       ("mean*2", "must be a float, 'mean', 'median'"),
                       ("x*mean", "scale before"), ("max", "must be a float")]:
        sel.set_params(threshold=bad)
        with pytest.raises(ValueError, match=match):
            sel.get_support()
    sel.set_params(threshold=None, max_features=0)
    with pytest.raises(ValueError, match="keeps no feature"):
        sel.get_support()
    sel.set_params(max_features=None)


def test_a_strategy_that_decides_on_data_is_decided_in_fit(planted):
    X, y = planted
    sel = _fit(IterativePruning(sparsity=0.6), X, y)
    before = sel.get_support()
    sel.set_params(max_features=3)  # lazy: no new decision needed
    assert sel.get_support().sum() == 3
    sel.set_params(max_features=None, pruning__sparsity=0.8)
    with pytest.raises(ValueError, match="decides on the training data.*fit"):
        sel.get_support()
    sel.set_params(pruning__sparsity=0.6)
    np.testing.assert_array_equal(sel.get_support(), before)


class CountingMLP(DenseMLPClassifier):
    """Counts dense runs (a class-level counter survives the cache)."""

    fits = 0

    def _dense_phase(self, *args):
        type(self).fits += 1
        return super()._dense_phase(*args)


@pytest.mark.parametrize("strategy", [ChaosCausalPruning(**WIN), MagnitudePruning(0.5),
                                      IterativePruning(sparsity=0.6)])
def test_grid_over_max_features_and_threshold_fits_once_per_split(planted, tmp_path, strategy):
    X, y = planted
    CountingMLP.fits = 0
    pipe = Pipeline([
        ("prune", CausalPruningTransformer(CountingMLP(**NET), pruning=strategy,
                                           memory=Memory(tmp_path, verbose=0))),
        ("clf", LogisticRegression(max_iter=500)),
    ])
    grid = GridSearchCV(pipe, [{"prune__max_features": [1, 2, 4, 8]},
                               {"prune__threshold": ["mean", "median"]}], cv=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        grid.fit(X, y)
    assert len(grid.cv_results_["params"]) == 6
    assert np.isfinite(grid.cv_results_["mean_test_score"]).all()
    # 3 splits + the refit on all data: 4 dense runs, not 6 x 3 + 1 = 19.
    assert CountingMLP.fits == 4


def test_changing_threshold_or_max_features_fits_nothing(fitted, monkeypatch):
    sel = fitted["chaos"]
    calls = []
    monkeypatch.setattr(DenseMLPClassifier, "_dense_phase",
                        lambda *a, **k: calls.append(1))
    for k in (1, 4):
        sel.set_params(max_features=k).get_support()
    sel.set_params(max_features=None, threshold="median").get_support()
    sel.set_params(threshold=None)
    assert calls == []


def test_prefit_estimator_with_a_strategy_that_decides_on_data(planted):
    X, y = planted
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        own = DenseMLPClassifier(pruning=OBSPruning(0.5), **NET).fit(X, y)
        sel = CausalPruningTransformer(own, prefit=True).fit(X, y)
    # Its own decision is used as it is (no second pruning).
    np.testing.assert_array_equal(sel.estimator_.coefs_[0], own.coefs_[0])
    for a, b in zip(sel.masks_, own.masks_):
        np.testing.assert_array_equal(a, b)
    # A dense prefit network is pruned on the data it was fitted on.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dense = DenseMLPClassifier(**NET).fit(X, y)
        before = dense.coefs_[0].copy()
        other = CausalPruningTransformer(dense, pruning=OBSPruning(0.5), prefit=True).fit(X, y)
    # The user's estimator is untouched.
    assert dense.pruning is None
    np.testing.assert_array_equal(dense.coefs_[0], before)
    for a, b in zip(other.masks_, own.masks_):
        np.testing.assert_array_equal(a, b)
    assert other.get_params()["pruning__sparsity"] == 0.5


@pytest.mark.parametrize("name", ["magnitude", "chaos"])
def test_a_score_equal_to_the_threshold_is_kept(fitted, name):
    sel = fitted[name]
    scores = sel.feature_scores_
    try:
        for i in range(N_FEATURES):
            threshold = float(scores[i])
            sel.set_params(threshold=threshold)
            assert sel.get_support()[i]
            reference = SelectFromModel(_Scores(scores), prefit=True, threshold=threshold)
            np.testing.assert_array_equal(sel.get_support(), reference.get_support())
    finally:
        sel.set_params(threshold=None)
