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

from skchaosprune import CausalPruningTransformer, DenseMLPClassifier
from skchaosprune._transformer import reaching_features

NET = dict(hidden_layer_sizes=(6,), activation="sigmoid", batch_size=1,
           learning_rate_init=0.05, max_iter=30, window=30, maxlag=3, random_state=0)


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
    sel = CausalPruningTransformer(DenseMLPClassifier(**NET), causality_alpha=0.3).fit(X, y)
    support = sel.get_support()
    np.testing.assert_array_equal(support, reaching_features(sel.estimator_.masks_))
    assert not support[6]  # the constant feature's weights never move: pruned
    Xt = sel.transform(X)
    np.testing.assert_array_equal(Xt, X[:, support])
    names = [f"f{i}" for i in range(7)]
    sel_df = CausalPruningTransformer(DenseMLPClassifier(**NET), causality_alpha=0.3).fit(
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
    grid = GridSearchCV(pipe, {"prune__causality_alpha": [0.05, 0.5],
                               "prune__lyapunov_threshold": [None, 0.0]}, cv=3)
    grid.fit(X, y)
    assert len(grid.cv_results_["params"]) == 4
    assert grid.best_score_ > 0.6


class CountingMLP(DenseMLPClassifier):
    """Counts dense runs (a module-level counter survives the cache)."""

    fits = 0

    def fit(self, X, y, **kwargs):
        type(self).fits += 1
        return super().fit(X, y, **kwargs)


def test_memory_reuses_the_dense_run_across_thresholds(iris_noisy, tmp_path):
    X, y = iris_noisy
    CountingMLP.fits = 0
    pipe = Pipeline([
        ("prune", CausalPruningTransformer(CountingMLP(**NET), memory=Memory(tmp_path, verbose=0))),
        ("clf", LogisticRegression(max_iter=500)),
    ])
    grid = GridSearchCV(pipe, {"prune__causality_alpha": [0.05, 0.2, 0.5],
                               "prune__lyapunov_threshold": [None, 0.0]}, cv=3)
    grid.fit(X, y)
    # 3 splits + the refit on all data: 4 dense runs, not 6 x 3 + 1 = 19.
    assert CountingMLP.fits == 4
    # The cached run gives the same mask as an uncached fit.
    direct = CausalPruningTransformer(CountingMLP(**NET), causality_alpha=0.2).fit(X, y)
    cached = CausalPruningTransformer(CountingMLP(**NET), causality_alpha=0.2,
                                      memory=Memory(tmp_path, verbose=0)).fit(X, y)
    for a, b in zip(direct.estimator_.masks_, cached.estimator_.masks_):
        np.testing.assert_array_equal(a, b)


def test_prefit_estimator(iris_noisy):
    X, y = iris_noisy
    est = DenseMLPClassifier(track_dynamics=True, retrain=None, **NET).fit(X, y)
    sel = CausalPruningTransformer(est, causality_alpha=0.3, prefit=True).fit(X, y)
    assert sel.estimator_ is not est
    assert not hasattr(est, "granger_pvalues_")  # the user's estimator is untouched
    assert sel.get_support().dtype == bool
    with pytest.raises(ValueError, match="needs the dynamics"):
        CausalPruningTransformer(DenseMLPClassifier(**NET).fit(X, y), prefit=True).fit(X, y)
