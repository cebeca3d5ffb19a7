"""CausalPruningTransformer in Pipelines and GridSearchCV."""

import numpy as np
import pandas as pd
import pytest
from joblib import Memory
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skchaosprune import (
    CausalPruningTransformer,
    ChaosCausalPruning,
    DenseMLPClassifier,
    DenseMLPRegressor,
    MagnitudePruning,
)
from skchaosprune.pruning import reaching_features

# One-sample plain SGD for a fixed 30 epochs (the paper's kind of run).
NET = dict(hidden_layer_sizes=(6,), activation="sigmoid", batch_size=1, solver="sgd",
           momentum=0.0, alpha=0.0, learning_rate_init=0.05, max_iter=30,
           n_iter_no_change=np.inf, random_state=0)
WIN = dict(window=30, maxlag=3)


@pytest.fixture(scope="module")
def iris_noisy():
    """Iris plus two pure-noise features and one constant feature."""
    X, y = load_iris(return_X_y=True)
    rng = np.random.default_rng(0)
    X = np.hstack([StandardScaler().fit_transform(X), rng.normal(size=(150, 2)),
                   np.zeros((150, 1))])
    return X, y


def test_support_is_the_features_that_reach_an_output(iris_noisy):
    X, y = iris_noisy
    sel = CausalPruningTransformer(DenseMLPClassifier(**NET),
                                   pruning=ChaosCausalPruning(alpha=0.3, **WIN)).fit(X, y)
    support = sel.get_support()
    np.testing.assert_array_equal(support, reaching_features(sel.masks_))
    # The mask is the estimator's own decision on the same dense run.
    est = sel.estimator_
    est.set_params(retrain=None).prune(pruning=ChaosCausalPruning(alpha=0.3, **WIN))
    for a, b in zip(sel.masks_, est.masks_):
        np.testing.assert_array_equal(a, b)
    assert not support[6]  # the constant feature's weights never move: pruned
    Xt = sel.transform(X)
    np.testing.assert_array_equal(Xt, X[:, support])
    names = [f"f{i}" for i in range(7)]
    sel_df = CausalPruningTransformer(DenseMLPClassifier(**NET),
                                      pruning=ChaosCausalPruning(alpha=0.3, **WIN)).fit(
        pd.DataFrame(X, columns=names), y)
    np.testing.assert_array_equal(sel_df.get_feature_names_out(),
                                  np.array(names)[sel_df.get_support()])


def test_reaching_features_by_hand():
    m1 = np.array([[True, False, False], [False, True, False], [False, False, True]])
    m2 = np.array([[True, False], [False, False], [False, True]])
    m3 = np.array([[False], [True]])
    # Feature 0 -> unit 0 -> unit 0 -> no output; feature 2 -> 2 -> 1 -> output.
    np.testing.assert_array_equal(reaching_features([m1, m2, m3]), [False, False, True])


def test_pipeline_grid_search_over_thresholds(iris_noisy):
    X, y = iris_noisy
    pipe = Pipeline([
        ("prune", CausalPruningTransformer(DenseMLPClassifier(**NET))),
        ("clf", LogisticRegression(max_iter=500)),
    ])
    # With the transformer's defaults the key exists (pruning is None).
    assert "prune__pruning__alpha" in pipe.get_params()
    grid = GridSearchCV(pipe, {"prune__pruning__alpha": [0.05, 0.5],
                               "prune__pruning__lyapunov_threshold": [None, -5.0]}, cv=3)
    grid.fit(X, y)
    assert len(grid.cv_results_["params"]) == 4
    assert grid.best_score_ > 0.6
    best = grid.best_estimator_.named_steps["prune"]
    assert best.pruning.alpha == grid.best_params_["prune__pruning__alpha"]
    assert best.pruning_.get_params() == best.pruning.get_params()
    # A strategy given to the transformer tunes the same way, and its alpha
    # is the one used.
    masks = {}
    for alpha in (0.05, 0.9):
        sel = CausalPruningTransformer(DenseMLPClassifier(**NET),
                                       pruning=ChaosCausalPruning(alpha=alpha, **WIN)).fit(X, y)
        masks[alpha] = sum(int(m.sum()) for m in sel.masks_)
    assert masks[0.9] > masks[0.05]


class CountingMLP(DenseMLPClassifier):
    """Counts dense runs (a class-level counter survives the cache)."""

    fits = 0

    def _dense_phase(self, *args):
        type(self).fits += 1
        return super()._dense_phase(*args)


def test_memory_reuses_the_dense_run_across_thresholds(iris_noisy, tmp_path):
    X, y = iris_noisy
    CountingMLP.fits = 0
    pipe = Pipeline([
        ("prune", CausalPruningTransformer(CountingMLP(**NET), memory=Memory(tmp_path, verbose=0))),
        ("clf", LogisticRegression(max_iter=500)),
    ])
    grid = GridSearchCV(pipe, {"prune__pruning__alpha": [0.05, 0.2, 0.5],
                               "prune__pruning__lyapunov_threshold": [None, -5.0],
                               "prune__pruning__window": [30], "prune__pruning__maxlag": [3]},
                        cv=3)
    grid.fit(X, y)
    # 3 splits + the refit on all data: 4 dense runs, not 6 x 3 + 1 = 19.
    assert CountingMLP.fits == 4
    # The cached run gives the same mask as an uncached fit.
    strategy = ChaosCausalPruning(alpha=0.2, **WIN)
    direct = CausalPruningTransformer(CountingMLP(**NET), pruning=strategy).fit(X, y)
    cached = CausalPruningTransformer(CountingMLP(**NET), pruning=strategy,
                                      memory=Memory(tmp_path, verbose=0)).fit(X, y)
    for a, b in zip(direct.masks_, cached.masks_):
        np.testing.assert_array_equal(a, b)


def test_mask_is_decided_lazily_from_stored_pvalues(iris_noisy, monkeypatch):
    import skchaosprune.causality as causality

    X, y = iris_noisy
    sel = CausalPruningTransformer(DenseMLPClassifier(**NET),
                                   pruning=ChaosCausalPruning(alpha=0.2, **WIN)).fit(X, y)
    calls = []
    monkeypatch.setattr(causality, "granger_pvalues", lambda *a, **k: calls.append(1))
    before = sel.get_support()
    n_before = sum(int(m.sum()) for m in sel.masks_)
    sel.set_params(pruning__alpha=1.0)
    assert sum(int(m.sum()) for m in sel.masks_) >= n_before
    assert sel.get_support().sum() >= before.sum()
    assert calls == []  # no test, no dense run: the stored p-values
    assert not hasattr(sel.estimator_, "granger_pvalues_")  # no retraining either


def test_zero_selected_features_is_an_error(iris_noisy):
    X, y = iris_noisy
    with pytest.raises(ValueError, match=r"selects no feature.*prune__pruning__<name>"):
        CausalPruningTransformer(DenseMLPClassifier(**NET), pruning=ChaosCausalPruning(
            alpha=0.0, on_collapse="raise", **WIN)).fit(X, y)
    sel = CausalPruningTransformer(DenseMLPClassifier(**NET),
                                   pruning=ChaosCausalPruning(**WIN)).fit(X, y)
    sel.set_params(pruning__alpha=0.0, pruning__on_collapse="raise")
    with pytest.raises(ValueError, match="selects no feature"):
        sel.transform(X)



def test_the_strategy_has_one_home(iris_noisy):
    """The transformer's pruning; an estimator's own strategy is refused
    (not compared), except a prefit estimator's, which recorded the run."""
    X, y = iris_noisy
    est = DenseMLPClassifier(pruning=ChaosCausalPruning(alpha=0.1, **WIN), **NET)
    for pruning in (None, ChaosCausalPruning(alpha=0.1, **WIN)):
        with pytest.raises(ValueError, match="one home.*leave the estimator's pruning None"):
            CausalPruningTransformer(est, pruning=pruning).fit(X, y)
    sel = CausalPruningTransformer(est.fit(X, y), prefit=True).fit(X, y)
    assert sel.pruning is None
    assert sel.pruning_.get_params() == est.pruning.get_params()
    assert sel.pruning_ is not est.pruning
    assert sel.get_params()["pruning__alpha"] == 0.1


def test_retrain_on_request_and_other_strategies(iris_noisy):
    X, y = iris_noisy
    sel = CausalPruningTransformer(DenseMLPClassifier(**NET),
                                   pruning=ChaosCausalPruning(alpha=0.5, **WIN),
                                   retrain=True).fit(X, y)
    for a, b in zip(sel.masks_, sel.estimator_.masks_):
        np.testing.assert_array_equal(a, b)
    assert sel.estimator_.sparsity_ > 0
    mag = CausalPruningTransformer(DenseMLPClassifier(**NET),
                                   pruning=MagnitudePruning(0.5)).fit(X, y)
    assert sum(int((~m).sum()) for m in mag.masks_) == round(0.5 * (7 * 6 + 6 * 3))


def test_prefit_estimator(iris_noisy):
    X, y = iris_noisy
    est = DenseMLPClassifier(track_dynamics=True, retrain=None, **NET).fit(X, y)
    sel = CausalPruningTransformer(est, pruning=ChaosCausalPruning(alpha=0.3), prefit=True)
    sel.fit(X, y)
    assert sel.estimator_ is not est
    assert not hasattr(est, "granger_pvalues_")  # the user's estimator is untouched
    assert sel.get_support().dtype == bool
    with pytest.raises(ValueError, match="needs the dynamics"):
        CausalPruningTransformer(DenseMLPClassifier(**NET).fit(X, y), prefit=True).fit(X, y)


# --------------------------------------------------------------------------
# What users hit first (issue 21).


def test_prefit_estimator_with_other_features_is_a_clear_error(iris_noisy):
    X, y = iris_noisy
    est = DenseMLPClassifier(pruning=ChaosCausalPruning(**WIN), **NET).fit(X, y)
    with pytest.raises(ValueError, match=r"X has 4 features, but the prefit estimator "
                                         r"was fitted on 7"):
        CausalPruningTransformer(est, prefit=True).fit(X[:, :4], y)


def test_interrupted_fit_leaves_the_transformer_as_it_was(iris_noisy, monkeypatch):
    import skchaosprune._transformer as module

    X, y = iris_noisy
    selector = CausalPruningTransformer(
        DenseMLPClassifier(**NET), pruning=ChaosCausalPruning(**WIN)).fit(X, y)
    before = dict(selector.__dict__)

    def interrupted(estimator, X, y):
        raise KeyboardInterrupt

    monkeypatch.setattr(module, "_dense_run", interrupted)
    with pytest.raises(KeyboardInterrupt):
        selector.fit(X[:, :5], y)
    assert selector.n_features_in_ == 7
    assert selector.__dict__.keys() == before.keys()
    assert all(selector.__dict__[k] is before[k] for k in before)
    assert selector.transform(X).shape[1] == selector.get_support().sum()


def test_transformer_shortcut_tunes_like_its_object(iris_noisy):
    X, y = iris_noisy
    selector = CausalPruningTransformer(DenseMLPClassifier(**NET), pruning="magnitude")
    assert "pruning__sparsity" in selector.get_params()
    selector.set_params(pruning__sparsity=0.3)
    assert isinstance(selector.pruning, MagnitudePruning)
    assert selector.pruning.sparsity == 0.3
    assert selector.fit(X, y).get_support().any()


def test_default_transformer_repairs_a_collapsed_mask_with_a_warning(iris_noisy):
    from skchaosprune import PrunedModelWarning

    X, y = iris_noisy
    selector = CausalPruningTransformer(DenseMLPClassifier(**NET),
                                        pruning=ChaosCausalPruning(alpha=0.0, **WIN))
    with pytest.warns(PrunedModelWarning, match=r"on_collapse='repair'"):
        selector.fit(X, y)
    assert selector.get_support().sum() >= 1
    selector.set_params(pruning__on_collapse="raise")
    with pytest.raises(ValueError, match="selects no feature"):
        selector.get_support()


def test_regression_target_with_the_default_classifier_says_to_pass_a_regressor():
    X = np.random.default_rng(0).normal(size=(40, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.1
    with pytest.raises(ValueError, match="continuous .*pass a regressor.*DenseMLPRegressor"):
        CausalPruningTransformer().fit(X, y)
    # With a regressor, the same data fits.
    est = DenseMLPRegressor(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    fitted = CausalPruningTransformer(est, pruning=MagnitudePruning(0.3)).fit(X, y)
    assert fitted.transform(X).shape[0] == 40
