"""No silent collapse: degenerate and constant risks, tiny validation
splits, masks that cut the network off, and pruned networks that lost what
the dense one had (docs/method.md sections 4, 5)."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_blobs
from sklearn.preprocessing import StandardScaler

from skchaosprune import (
    ChaosCausalPruning,
    DegenerateRiskWarning,
    DenseMLPClassifier,
    DenseMLPRegressor,
    MagnitudePruning,
    PrunedModelWarning,
    RandomPruning,
)
from skchaosprune.causality import granger_pvalues

# One-sample plain SGD for a fixed 30 epochs (the paper's kind of run).
FAST = dict(hidden_layer_sizes=(6,), activation="sigmoid", batch_size=1, solver="sgd",
            momentum=0.0, alpha=0.0, learning_rate_init=0.05, max_iter=30,
            n_iter_no_change=np.inf, random_state=0)


@pytest.fixture(scope="module")
def blobs():
    """Two far-apart blobs: a network fits them perfectly in its first epoch."""
    X, y = make_blobs(n_samples=200, centers=[[-6, -6], [6, 6]], cluster_std=0.5,
                      random_state=0)
    return X, y


def test_constant_error_risk_prunes_nothing_and_says_why(blobs):
    X, y = blobs
    with pytest.warns(DegenerateRiskWarning, match=r"constant \(0\).*prunes no weight"):
        est = DenseMLPClassifier(pruning=ChaosCausalPruning(risk="error"), **FAST).fit(X, y)
    assert np.all(est.risk_series_ == 0.0)
    assert est.sparsity_ == 0.0
    assert np.all(est.granger_pvalues_ == 0.0) and not est.usable_lags_.any()
    assert est.score(X, y) == 1.0
    # Asking for a sparsity cannot be honoured without a test: an error.
    with pytest.raises(ValueError, match="cannot be ranked for sparsity=0.5"):
        est.prune(X, y, pruning=ChaosCausalPruning(risk="error", sparsity=0.5))


def test_continuous_risk_keeps_moving_where_the_error_is_constant(blobs):
    X, y = blobs
    with warnings.catch_warnings():
        warnings.simplefilter("error", DegenerateRiskWarning)
        est = DenseMLPClassifier(pruning=ChaosCausalPruning(), **FAST).fit(X, y)
    assert np.unique(est.risk_series_).size == est.risk_series_.size
    assert est.usable_lags_.all()
    assert 0.0 <= est.sparsity_ < 1.0
    assert est.score(X, y) == 1.0


def test_a_risk_that_stops_moving_skips_only_its_degenerate_lags(iris):
    """Error risk on a small validation split: it stops changing, so the
    top lags are degenerate; the weights are judged on the usable ones."""
    X, y = iris
    est = DenseMLPClassifier(pruning=ChaosCausalPruning(risk="error", window=30, maxlag=6,
                                                        alpha=0.5),
                             retrain=None, **FAST).fit(X, y)
    risk = est.risk_series_
    assert 1 < np.unique(risk).size < 10
    usable = est.usable_lags_
    expected = granger_pvalues(risk, est.lyapunov_exponents_, maxlag=6, lags="usable")
    np.testing.assert_array_equal(expected.usable_lags, usable)
    assert usable.any()
    np.testing.assert_array_equal(est.granger_pvalues_, expected.pvalues)
    # A degenerate risk never makes a weight infeasible: only static weights are.
    assert not expected.infeasible.any()
    assert np.isfinite(est.granger_pvalues_).all()


def test_tiny_validation_split_never_gives_nan(iris):
    """3 or 7 validation samples: the loss risk still moves; the error risk
    takes a few values, and either judges the weights or says why not."""
    X, y = iris
    for fraction in (0.02, 0.05):
        est = DenseMLPClassifier(pruning=ChaosCausalPruning(), validation_fraction=fraction,
                                 **FAST).fit(X, y)
        assert est.usable_lags_.all()
        assert np.isfinite(est.granger_pvalues_).all() and est.sparsity_ < 1.0
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", (DegenerateRiskWarning, PrunedModelWarning))
                est = DenseMLPClassifier(pruning=ChaosCausalPruning(risk="error"),
                                         validation_fraction=fraction, **FAST).fit(X, y)
        except ValueError as exc:
            assert "leaves no path" in str(exc) and "risk='loss'" in str(exc)
        else:
            assert np.isfinite(est.granger_pvalues_).all()
            assert np.isfinite(est.risk_series_).all()


def test_a_mask_that_cuts_every_output_off_is_an_error(iris):
    X, y = iris
    # alpha = 0 prunes every weight (every p-value is >= 0).
    with pytest.raises(ValueError, match=r"prunes 42 of 42 weights and leaves no path.*"
                                         r"larger alpha \(now 0.0\)"):
        DenseMLPClassifier(pruning=ChaosCausalPruning(alpha=0.0, window=30, maxlag=3),
                           **FAST).fit(X, y)
    # Asked for explicitly: a warning, and the model is what was asked for.
    for strategy in (ChaosCausalPruning(sparsity=1.0, window=30, maxlag=3),
                     MagnitudePruning(1.0), RandomPruning(1.0, random_state=0)):
        with pytest.warns(PrunedModelWarning, match="sparsity=1.0 asked for"):
            est = DenseMLPClassifier(pruning=strategy, **FAST).fit(X, y)
        assert est.sparsity_ == 1.0


def test_cut_off_outputs_are_reported(iris):
    X, y = iris
    est = DenseMLPClassifier(**FAST).fit(X, y)
    # Zero the dense weights into output 2: magnitude pruning of 6 of the 42
    # weights then removes exactly them.
    est.coefs_[1][:, 2] = 0.0
    with pytest.warns(PrunedModelWarning, match=r"cuts outputs \[2\] off every input"):
        est.prune(X, y, pruning=MagnitudePruning(6 / 42))


def test_pruned_network_predicting_one_class_is_reported(iris):
    X, y = iris
    with pytest.warns(PrunedModelWarning,
                      match=r"single class on its training data \(training accuracy "
                            r"0\.3\d+, dense 0\.9\d+\)|lost most of the dense"):
        DenseMLPClassifier(pruning=MagnitudePruning(0.95), **FAST).fit(X, y)


def test_regressor_that_lost_its_fit_is_reported():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = X[:, 0] - 2 * X[:, 1]
    with pytest.warns(PrunedModelWarning, match=r"validation R\^2"):
        DenseMLPRegressor(hidden_layer_sizes=(8,), learning_rate_init=0.01, max_iter=30,
                          pruning=RandomPruning(0.9, random_state=0), random_state=0,
                          risk_every=100).fit(X, y)


@pytest.mark.parametrize("mode", ["full", "partial"])
def test_default_chaos_causal_fits_do_not_collapse(mode, iris):
    """Every other default, a few scikit-learn tables: no error, no cut-off
    network, accuracy near dense."""
    from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine

    for loader in (load_iris, load_wine, load_breast_cancer):
        X, y = loader(return_X_y=True)
        X = StandardScaler().fit_transform(X)
        dense = DenseMLPClassifier(random_state=0).fit(X, y)
        with warnings.catch_warnings():
            warnings.simplefilter("error", PrunedModelWarning)
            est = DenseMLPClassifier(pruning=ChaosCausalPruning(mode=mode),
                                     random_state=0).fit(X, y)
        assert est.sparsity_ < 0.9
        assert est.score(X, y) > dense.score(X, y) - 0.1
    X, y = load_diabetes(return_X_y=True)
    X, y = StandardScaler().fit_transform(X), (y - y.mean()) / y.std()
    with warnings.catch_warnings():
        warnings.simplefilter("error", PrunedModelWarning)
        reg = DenseMLPRegressor(pruning=ChaosCausalPruning(mode=mode),
                                random_state=0).fit(X, y)
    assert reg.score(X, y) > 0.3
