"""Chaos-causality pruning end to end, as a user runs it."""

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import StandardScaler

from skchaosprune import (
    ChaosCausalPruning,
    DenseMLPClassifier,
    DenseMLPRegressor,
    MagnitudePruning,
    RandomPruning,
)
from skchaosprune.lyapunov import window_ends, windowed_lyapunov

# A small, fast configuration: iris, 4-6-3, one-sample SGD, short windows.
# One-sample plain SGD for a fixed 30 epochs (the paper's kind of run).
FAST = dict(hidden_layer_sizes=(6,), activation="sigmoid", batch_size=1, solver="sgd",
            momentum=0.0, alpha=0.0, learning_rate_init=0.05, max_iter=30,
            n_iter_no_change=np.inf, random_state=0)
WIN = dict(window=30, maxlag=3)


def cc(**params):
    """The chaos-causal strategy with the fast windows."""
    return ChaosCausalPruning(**{**WIN, **params})


@pytest.fixture(scope="module")
def dense_run(iris):
    """One tracked dense run, pruned again and again with other thresholds."""
    X, y = iris
    return DenseMLPClassifier(pruning=cc(), retrain=None, **FAST).fit(X, y)


def test_tracked_dynamics_are_the_windowed_exponents_of_the_trajectory(iris):
    X, y = iris
    est = DenseMLPClassifier(pruning=cc(risk="error", alpha=0.9), retrain=None,
                             keep_trajectory=True, risk_every=1, trajectory_dtype="float64",
                             **FAST).fit(X, y)
    n_rows = est.weight_trajectory_.shape[0]
    assert n_rows == est.t_ + 1
    ends = window_ends(n_rows, 30, 0.1)
    np.testing.assert_array_equal(est.window_ends_, ends)
    assert est.lyapunov_exponents_.shape == (len(ends), 42)
    assert np.isfinite(est.lyapunov_exponents_).all()
    # The streamed rows are the trajectory's rows, in order.
    batch = windowed_lyapunov(est.weight_trajectory_, window=30)
    np.testing.assert_array_equal(batch, est.lyapunov_exponents_)
    # The risk series is the validation risk measured at each window's end.
    np.testing.assert_array_equal(est.risk_updates_, np.arange(1, est.t_ + 1))
    np.testing.assert_array_equal(est.risk_series_, est.risk_curve_[ends - 1])


def test_a_diverging_tracked_fit_raises_before_its_rows_reach_the_exponents(iris):
    # The tracker feeds the trainer's rows to the exponents unvalidated: it
    # relies on the trainer raising on a non-finite weight or loss first
    # (ReLU units with a huge step overflow the weights).
    X, y = iris
    est = DenseMLPClassifier(pruning=cc(), **{**FAST, "activation": "relu",
                                              "learning_rate_init": 1e300})
    with pytest.raises(ValueError, match="diverged.*learning_rate_init"):
        est.fit(X, y)
    assert not hasattr(est, "lyapunov_exponents_")


def test_chaos_causal_fit_prunes_and_retrains_with_mask_held_at_zero(iris):
    X, y = iris
    est = DenseMLPClassifier(pruning=cc(alpha=0.5), keep_trajectory=True,
                             **FAST).fit(X, y)
    keep = np.concatenate([m.ravel() for m in est.masks_])
    assert est.granger_pvalues_.shape == (42,)
    assert np.all((est.granger_pvalues_ >= 0) & (est.granger_pvalues_ <= 1))
    np.testing.assert_array_equal(keep, est.granger_pvalues_ < 0.5)
    assert est.sparsity_ == pytest.approx(1 - keep.mean())
    # Retraining rewound to the initial weights and kept pruned weights at 0
    # after every update (retrained_trajectory_; weight_trajectory_ is the
    # dense run); the final weights are those of the retraining.
    assert np.all(est.retrained_trajectory_[:, ~keep] == 0.0)
    assert np.all(est.weight_trajectory_[1:, ~keep] != 0.0)
    np.testing.assert_array_equal(
        est.retrained_trajectory_[0][keep],
        np.concatenate([c.ravel() for c in est.initial_coefs_]).astype(np.float32)[keep])
    for c, m in zip(est.coefs_, est.masks_):
        assert np.all(c[~m] == 0.0)
    assert all(np.all(b != 0) for b in est.intercepts_)  # biases never pruned
    assert est.score(X, y) > 0.8
    dense_flat = np.concatenate([c.ravel() for c in est.dense_coefs_])
    assert np.all(dense_flat != 0.0)


def test_stationarity_adf_tests_the_differenced_series(dense_run, iris):
    import copy

    from skchaosprune.causality import granger_pvalues
    from skchaosprune.stationarity import make_stationary

    est = copy.deepcopy(dense_run).prune(pruning=cc(stationarity="adf"))
    st = make_stationary(dense_run.risk_series_, dense_run.lyapunov_exponents_)
    assert est.differenced_ == (st.target_differenced, st.sources_differenced)
    assert st.sources_differenced  # SGD exponent series drift: some are non-stationary
    expected = granger_pvalues(st.target, st.sources, maxlag=3, lags="usable").pvalues
    np.testing.assert_array_equal(est.granger_pvalues_, expected)
    plain = copy.deepcopy(dense_run).prune(pruning=cc())
    assert plain.differenced_ == (False, False)
    assert not np.array_equal(plain.granger_pvalues_, est.granger_pvalues_)


def test_partial_mode_costs_less_than_full(iris):
    X, y = iris
    ft = DenseMLPClassifier(pruning=cc(), **FAST).fit(X, y)
    pt = DenseMLPClassifier(pruning=cc(mode="partial", partial_epochs=10), **FAST).fit(X, y)
    assert pt.pruning_cost_["dense_epochs"] == 10
    assert ft.pruning_cost_["dense_epochs"] == 30
    assert pt.pruning_cost_["total_updates"] < ft.pruning_cost_["total_updates"]
    assert pt.pruning_cost_["retrain_updates"] == ft.pruning_cost_["retrain_updates"]
    assert pt.lyapunov_exponents_.shape[0] < ft.lyapunov_exponents_.shape[0]


@settings(deadline=None, max_examples=25)
@given(alphas=st.lists(st.floats(0.0, 1.0), min_size=2, max_size=2),
       thresholds=st.lists(st.floats(-2.0, 1.0), min_size=2, max_size=2))
def test_pruned_set_grows_as_alpha_falls_or_threshold_rises(dense_run, alphas, thresholds):
    lo, hi = sorted(alphas)
    tlo, thi = sorted(thresholds)

    def pruned(alpha, threshold):
        # The rule alone, without the repair of a mask that cuts outputs off
        # (which adds weights back; tests/test_no_collapse.py).
        result = cc(alpha=alpha, lyapunov_threshold=threshold, on_collapse="raise").decide(
            dense_run._context())
        return ~np.concatenate([m.ravel() for m in result.masks])

    base = pruned(hi, tlo)
    assert np.all(pruned(lo, tlo) >= base)
    assert np.all(pruned(hi, thi) >= base)


def test_reproducible_with_fixed_random_state(iris):
    X, y = iris
    a = DenseMLPClassifier(pruning=cc(alpha=0.3), **FAST).fit(X, y)
    b = DenseMLPClassifier(pruning=cc(alpha=0.3), **FAST).fit(X, y)
    np.testing.assert_array_equal(a.granger_pvalues_, b.granger_pvalues_)
    for u, v in zip(a.coefs_ + a.masks_, b.coefs_ + b.masks_):
        np.testing.assert_array_equal(u, v)


def test_baselines_at_matched_sparsity(iris):
    X, y = iris
    chaos = DenseMLPClassifier(pruning=cc(alpha=0.3), **FAST).fit(X, y)
    for strategy in (MagnitudePruning, RandomPruning):
        est = DenseMLPClassifier(pruning=strategy(chaos.sparsity_), **FAST).fit(X, y)
        assert est.sparsity_ == pytest.approx(chaos.sparsity_, abs=0.5 / 42)
    mag = DenseMLPClassifier(pruning=MagnitudePruning(0.5), **FAST).fit(X, y)
    dense = np.abs(np.concatenate([c.ravel() for c in mag.dense_coefs_]))
    keep = np.concatenate([m.ravel() for m in mag.masks_])
    assert dense[~keep].max() <= dense[keep].min()
    exact = DenseMLPClassifier(pruning=cc(sparsity=0.25), **FAST).fit(X, y)
    assert (~np.concatenate([m.ravel() for m in exact.masks_])).sum() == round(0.25 * 42)


def test_baseline_reprune_retrains_on_the_dense_runs_samples(dense_run, iris):
    """A magnitude re-prune of a tracked run rewinds onto the same samples
    and order: with a full mask it reproduces the dense run exactly."""
    import copy

    X, y = iris
    est = copy.deepcopy(dense_run).set_params(retrain="rewind")
    est.prune(X, y, pruning=MagnitudePruning(0.0))
    assert est.sparsity_ == 0.0
    for a, b in zip(est.coefs_, dense_run.dense_coefs_):
        np.testing.assert_array_equal(a, b)
    assert est.t_ == dense_run.t_ == dense_run.pruning_cost_["dense_updates"]


def test_prune_after_partial_fit(iris):
    X, y = iris
    est = DenseMLPClassifier((5,), random_state=0)
    for _ in range(3):
        est.partial_fit(X, y, classes=[0, 1, 2])
    est.prune(X, y, pruning=MagnitudePruning(0.5))
    assert est.sparsity_ == pytest.approx(round(0.5 * 35) / 35)
    assert est.pruning_cost_["dense_epochs"] == 3
    with pytest.raises(ValueError, match="needs the dynamics"):
        est.prune(X, y, pruning="chaos_causal")


def test_prune_again_reuses_the_dense_run(dense_run, iris):
    import copy

    X, y = iris
    est = copy.deepcopy(dense_run).set_params(retrain="rewind")
    t_dense = est.t_
    est.prune(X, y, pruning=cc(alpha=0.2))
    first = [m.copy() for m in est.masks_]
    est.prune(X, y, pruning=cc(alpha=0.9))
    assert est.pruning_cost_["dense_updates"] == t_dense
    assert sum(m.sum() for m in est.masks_) >= sum(m.sum() for m in first)
    with pytest.raises(ValueError, match="pass the training data"):
        est.prune(pruning=cc(alpha=0.1))
    with pytest.raises(ValueError, match="needs the dynamics"):
        DenseMLPClassifier(**FAST).fit(X, y).prune(X, y, pruning=cc())


def test_static_weights_are_infeasible_and_pruned_by_default(iris):
    X, y = iris
    X = np.hstack([X, np.zeros((len(X), 1))])  # a feature that is always 0
    est = DenseMLPClassifier(pruning=cc(alpha=1.0), **FAST).fit(X, y)
    # Weights from the zero feature never move: exponents 0, p = 1 ('prune').
    assert np.all(est.lyapunov_exponents_[:, 24:30] == 0.0)
    assert np.all(est.granger_pvalues_[24:30] == 1.0)
    assert not est.masks_[0][4].any()
    assert np.isfinite(est.granger_pvalues_).all()
    kept = DenseMLPClassifier(pruning=cc(alpha=0.5, on_infeasible="keep"),
                              **FAST).fit(X, y)
    assert np.all(kept.granger_pvalues_[24:30] == 0.0)
    assert kept.masks_[0][4].all()


def test_too_short_run_fails_early_with_the_updates_needed(iris):
    X, y = iris
    # 72 windows (5 x 14 + 2) of 200 updates, stride 180: 71 * 180 + 200 - 1
    with pytest.raises(ValueError, match=r"too short.*need at least 12979 updates"):
        DenseMLPClassifier(pruning=ChaosCausalPruning(window=200, maxlag=14),
                           **dict(FAST, max_iter=1)).fit(X, y)
    with pytest.raises(ValueError, match="partial_epochs=1"):
        DenseMLPClassifier(pruning=ChaosCausalPruning(window=200, maxlag=14, mode="partial",
                                                      partial_epochs=1), **FAST).fit(X, y)
    # 'auto' windows: a run too short even for 7 windows of 20 updates
    # (5 x 1 + 2 for maxlag 1): 6 * 18 + 20 - 1 updates.
    with pytest.raises(ValueError, match=r"too short.*window=20.*need at least 127 updates"):
        DenseMLPClassifier(pruning=ChaosCausalPruning(), **dict(FAST, max_iter=1)).fit(
            X[:60], y[:60])


def test_pickle_round_trip_of_pruned_models(iris):
    X, y = iris
    est = DenseMLPClassifier(pruning=cc(alpha=0.3), **FAST).fit(X, y)
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(again.predict_proba(X), est.predict_proba(X))
    np.testing.assert_array_equal(again.granger_pvalues_, est.granger_pvalues_)


def test_grid_search_over_thresholds_directly(iris):
    X, y = iris
    grid = GridSearchCV(
        DenseMLPClassifier(pruning=cc(), **FAST),
        {"pruning__alpha": [0.05, 0.5], "pruning__lyapunov_threshold": [None, -5.0]},
        cv=3,
    ).fit(X, y)
    assert set(grid.cv_results_["param_pruning__alpha"]) == {0.05, 0.5}
    assert grid.best_estimator_.pruning.alpha == grid.best_params_["pruning__alpha"]
    assert 0.0 <= grid.best_estimator_.sparsity_ <= 1.0
    assert grid.best_score_ > 0.5


def test_regressor_prunes_on_validation_mse():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X[:200, :5])
    target = X[:, 0] - X[:, 1] + 0.1 * X[:, 2]
    est = DenseMLPRegressor(hidden_layer_sizes=(4,), activation="tanh", batch_size=1,
                            learning_rate_init=0.01, max_iter=20, random_state=0,
                            pruning=ChaosCausalPruning(window=40, maxlag=3, alpha=0.5),
                            ).fit(X, target)
    assert est.risk_series_.min() >= 0.0
    assert est.granger_pvalues_.shape == (5 * 4 + 4,)
    assert est.score(X, target) > 0.5
