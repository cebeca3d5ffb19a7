"""Pruning strategies as scikit-learn-style objects, and what a re-prune
reuses (issue: pruning strategies as objects)."""

import copy
import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV

import skchaosprune.causality as causality
from skchaosprune import (
    ChaosCausalPruning,
    DenseMLPClassifier,
    DenseMLPRegressor,
    MagnitudePruning,
    RandomPruning,
)
from skchaosprune.pruning import (
    MULTITEST_METHODS,
    PruningResult,
    PruningStrategy,
    auto_maxlag,
    auto_window,
)

# One-sample plain SGD for a fixed 30 epochs (the paper's kind of run).
FAST = dict(hidden_layer_sizes=(6,), activation="sigmoid", batch_size=1, solver="sgd",
            momentum=0.0, alpha=0.0, learning_rate_init=0.05, max_iter=30,
            n_iter_no_change=np.inf, random_state=0)


def test_strategies_are_sklearn_style_objects():
    s = ChaosCausalPruning(alpha=0.1, mode="partial")
    assert repr(s) == "ChaosCausalPruning(alpha=0.1, mode='partial')"
    c = clone(s)
    assert c is not s and c.get_params() == s.get_params()
    assert s.set_params(alpha=0.2).alpha == 0.2
    assert (repr(MagnitudePruning(0.3, scope="layer"))
            == "MagnitudePruning(scope='layer', sparsity=0.3)")
    assert RandomPruning(0.2, random_state=1).get_params() == {
        "random_state": 1, "sparsity": 0.2, "max_drop": 0.01, "keep_connected": False}
    est = DenseMLPClassifier(pruning=ChaosCausalPruning(alpha=0.01))
    deep = est.get_params(deep=True)
    assert deep["pruning__alpha"] == 0.01 and deep["pruning__risk"] == "loss"
    copied = clone(est)
    assert copied.pruning is not est.pruning and copied.pruning.alpha == 0.01
    est.set_params(pruning__alpha=0.3)
    assert est.pruning.alpha == 0.3
    # The estimator keeps its training and recording parameters only.
    assert "window" not in DenseMLPClassifier().get_params()
    assert "causality_alpha" not in DenseMLPClassifier().get_params()


def test_bad_strategy_parameters_raise_at_fit(iris):
    X, y = iris
    with pytest.raises(ValueError, match="'alpha' parameter of ChaosCausalPruning"):
        DenseMLPClassifier(pruning=ChaosCausalPruning(alpha=2.0), **FAST).fit(X, y)
    with pytest.raises(ValueError, match="'window' parameter"):
        DenseMLPClassifier(pruning=ChaosCausalPruning(window="big"), **FAST).fit(X, y)
    with pytest.raises(ValueError, match="'pruning' parameter of DenseMLPClassifier"):
        DenseMLPClassifier(pruning="lottery", **FAST).fit(X, y)
    est = DenseMLPClassifier(**FAST).fit(X, y)
    with pytest.raises(ValueError, match="pruning must be a pruning strategy"):
        est.prune(X, y, pruning=0.5)
    with pytest.raises(TypeError):
        est.prune(X, y, window=200)  # the old flat parameters are gone


def test_auto_rule_by_hand():
    # 20 windows of 200 updates need 19 * 180 + 200 = 3620 rows.
    assert auto_window(3619) == 200
    assert auto_window(3618) < 200
    w = auto_window(600)
    stride = round(w * 0.9)
    assert (601 - w) // stride + 1 >= 20
    assert (601 - (w + 1)) // round((w + 1) * 0.9) + 1 < 20
    assert auto_window(10) == 20
    assert [auto_maxlag(n) for n in (5, 8, 13, 14, 86, 87, 1000)] == [1, 1, 1, 2, 14, 14, 14]


def test_auto_window_and_maxlag_from_the_run(iris):
    X, y = iris
    est = DenseMLPClassifier(pruning=ChaosCausalPruning(alpha=0.5), **FAST).fit(X, y)
    n_updates = est.pruning_cost_["dense_updates"]
    assert n_updates == 30 * 135
    assert est.pruning_params_["window"] == auto_window(n_updates) == 200
    n_windows = est.lyapunov_exponents_.shape[0]
    assert est.pruning_params_["maxlag"] == auto_maxlag(n_windows)
    assert est.usable_lags_.shape == (est.pruning_params_["maxlag"],)
    pt = DenseMLPClassifier(pruning=ChaosCausalPruning(mode="partial", alpha=0.5),
                            **FAST).fit(X, y)
    # PT: the same window, the fewest epochs for 20 windows (3620 rows, 135 a epoch).
    assert pt.pruning_params_["window"] == 200
    assert pt.pruning_cost_["dense_epochs"] == pt.pruning_params_["partial_epochs"] == 27
    assert pt.lyapunov_exponents_.shape[0] == 20


def test_prune_reuses_the_pvalues_when_only_the_decision_changes(iris, monkeypatch):
    X, y = iris
    est = DenseMLPClassifier(pruning=ChaosCausalPruning(window=30, maxlag=3), retrain=None,
                             **FAST).fit(X, y)
    calls = []
    original = causality.granger_pvalues
    monkeypatch.setattr(causality, "granger_pvalues",
                        lambda *a, **k: calls.append(k) or original(*a, **k))
    t_dense = est.pruning_cost_["dense_updates"]
    for params in (dict(alpha=0.5), dict(alpha=0.5, multitest="fdr_bh"),
                   dict(sparsity=0.3), dict(lyapunov_threshold=-1.0, alpha=0.9),
                   dict(on_infeasible="keep", alpha=0.9)):
        est.prune(pruning=ChaosCausalPruning(window=30, maxlag=3, **params))
        assert est.pruning_cost_["dense_updates"] == t_dense
    assert calls == []
    est.prune(pruning=ChaosCausalPruning(window=30, maxlag=3, sparsity=0.3))
    expected = original(est.risk_series_, est.lyapunov_exponents_, maxlag=3, lags="usable")
    keep = np.concatenate([m.ravel() for m in est.masks_])
    assert (~keep).sum() == round(0.3 * 42)
    assert expected.pvalues[~keep].min() >= expected.pvalues[keep].max()
    # Test parameters repeat the tests (once), on the stored exponents.
    est.prune(pruning=ChaosCausalPruning(window=30, maxlag=2, alpha=0.5))
    est.prune(pruning=ChaosCausalPruning(window=30, maxlag=2, alpha=0.2))
    est.prune(pruning=ChaosCausalPruning(window=30, maxlag=3, risk="error", alpha=0.5))
    assert [k["maxlag"] for k in calls] == [2, 3]
    assert est.pruning_cost_["dense_updates"] == t_dense
    # Recording parameters need a new dense run: the error names them.
    with pytest.raises(ValueError, match=r"window \(30 recorded, 40 asked\).*new dense run"):
        est.prune(pruning=ChaosCausalPruning(window=40, maxlag=3))
    with pytest.raises(ValueError, match="mode/partial_epochs"):
        est.prune(pruning=ChaosCausalPruning(window=30, maxlag=3, mode="partial"))


def test_grid_search_over_pruning_alpha(iris):
    X, y = iris
    grid = GridSearchCV(DenseMLPClassifier(pruning=ChaosCausalPruning(window=30, maxlag=3),
                                           **FAST),
                        {"pruning__alpha": [0.2, 0.8]}, cv=3).fit(X, y)
    assert list(grid.cv_results_["param_pruning__alpha"]) == [0.2, 0.8]
    assert grid.best_estimator_.pruning.alpha == grid.best_params_["pruning__alpha"]
    assert np.isfinite(grid.cv_results_["mean_test_score"]).all()


def test_both_risks_are_recorded_and_match_their_definitions(iris):
    """risk='loss' is the validation log-loss, 'error' the misclassification
    rate, each at the window ends (here the last window ends at the last
    update and the risk is measured on the training data)."""
    X, y = iris
    # 150 samples x 2 epochs = 300 updates, 301 rows; window 43, no overlap:
    # 7 windows, the last ending at update 300.
    strategy = ChaosCausalPruning(window=43, overlap=0.0, maxlag=1, alpha=1.0,
                                  on_infeasible="keep")
    est = DenseMLPClassifier(hidden_layer_sizes=(6,), activation="tanh", batch_size=1,
                             learning_rate_init=0.05, max_iter=2, validation_fraction=0.0,
                             retrain=None, pruning=strategy, random_state=0).fit(X, y)
    assert est.window_ends_[-1] == 300
    dense = copy.deepcopy(est)
    dense.coefs_ = est.dense_coefs_
    assert est.risk_series_[-1] == pytest.approx(log_loss(y, dense.predict_proba(X)),
                                                 rel=1e-12)
    est.prune(pruning=clone(strategy).set_params(risk="error"))
    assert est.risk_series_[-1] == pytest.approx(1.0 - dense.score(X, y), abs=1e-15)
    error_series = est.risk_series_.copy()
    est.prune(pruning=strategy)
    assert not np.array_equal(est.risk_series_, error_series)


def test_regressor_risk_is_the_mse_either_way():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = X[:, 0] - X[:, 1] + 0.1 * rng.normal(size=200)
    base = dict(hidden_layer_sizes=(4,), activation="tanh", batch_size=1, max_iter=20,
                learning_rate_init=0.01, random_state=0, retrain=None)
    a = DenseMLPRegressor(pruning=ChaosCausalPruning(risk="loss", alpha=0.5), **base).fit(X, y)
    b = DenseMLPRegressor(pruning=ChaosCausalPruning(risk="error", alpha=0.5), **base).fit(X, y)
    np.testing.assert_array_equal(a.risk_series_, b.risk_series_)
    np.testing.assert_array_equal(a.granger_pvalues_, b.granger_pvalues_)


def test_pickle_and_clone_of_a_pruned_estimator_keep_the_strategy(iris):
    X, y = iris
    est = DenseMLPClassifier(pruning=MagnitudePruning(0.4, scope="layer"), **FAST).fit(X, y)
    for m in est.masks_:
        assert (~m).sum() == round(0.4 * m.size)
    again = pickle.loads(pickle.dumps(est))
    assert again.pruning.get_params() == est.pruning.get_params()
    np.testing.assert_array_equal(again.predict_proba(X), est.predict_proba(X))


class _Interrupt:
    """A progress listener that raises KeyboardInterrupt at one report."""

    def __init__(self, phase, at):
        self.phase, self.at = phase, at

    def __call__(self, phase, done, total):
        if phase.startswith(self.phase) and done == self.at:
            raise KeyboardInterrupt


def _state(est):
    import pickle as pk

    return pk.dumps({k: v for k, v in est.__dict__.items() if k != "_dynamics"})


@pytest.mark.parametrize("phase", ["dense training", "retraining"])
def test_interrupted_fit_leaves_the_previous_state(iris, phase):
    from sklearn.exceptions import NotFittedError

    from skchaosprune._progress import listening

    X, y = iris
    strategy = ChaosCausalPruning(window=30, maxlag=3, alpha=0.5)
    est = DenseMLPClassifier(pruning=strategy, **FAST)
    with listening(_Interrupt(phase, 5)), pytest.raises(KeyboardInterrupt):
        est.fit(X, y)
    with pytest.raises(NotFittedError):
        est.predict(X)  # still unfitted
    assert est.__dict__ == est.get_params(deep=False)
    est.fit(X, y)
    before = _state(est)
    proba = est.predict_proba(X)
    with listening(_Interrupt(phase, 3)), pytest.raises(KeyboardInterrupt):
        est.set_params(random_state=1).fit(X, y)
    est.set_params(random_state=0)
    assert _state(est) == before  # the previous fitted state, whole
    np.testing.assert_array_equal(est.predict_proba(X), proba)
    # A second fit afterwards succeeds and equals a fresh one.
    fresh = DenseMLPClassifier(pruning=strategy, **FAST).fit(X, y)
    est.fit(X, y)
    np.testing.assert_array_equal(est.predict_proba(X), fresh.predict_proba(X))


def test_interrupted_prune_and_partial_fit_change_nothing(iris):
    from skchaosprune._progress import listening

    X, y = iris
    est = DenseMLPClassifier(pruning=ChaosCausalPruning(window=30, maxlag=3, alpha=0.5),
                             **FAST).fit(X, y)
    before = _state(est)
    with listening(_Interrupt("retraining", 2)), pytest.raises(KeyboardInterrupt):
        est.prune(X, y, pruning=MagnitudePruning(0.3))
    assert _state(est) == before
    assert isinstance(est.pruning, ChaosCausalPruning)
    # A prune that fails (a cut-off mask) changes nothing either.
    with pytest.raises(ValueError, match="leaves no path"):
        est.prune(X, y, pruning=ChaosCausalPruning(window=30, maxlag=3, alpha=0.0,
                                                   on_collapse="raise"))
    assert _state(est) == before
    online = DenseMLPClassifier((5,), random_state=0).partial_fit(X, y, classes=[0, 1, 2])
    before = _state(online)
    with listening(_Interrupt("training", 1)), pytest.raises(KeyboardInterrupt):
        online.partial_fit(X, y)
    assert _state(online) == before
    online.partial_fit(X, y)
    assert online.t_ == 2 * 150  # two epochs of the 150 samples


def test_partial_fit_validates_every_call(iris):
    X, y = iris
    est = DenseMLPClassifier((5,), random_state=0).partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="learning_rate_init"):
        est.set_params(learning_rate_init=-1).partial_fit(X, y)
    with pytest.raises(ValueError, match="batch_size"):
        est.set_params(learning_rate_init=0.01, batch_size=0).partial_fit(X, y)
    reg = DenseMLPRegressor((3,), random_state=0).partial_fit(X, y)
    with pytest.raises(ValueError, match="max_iter"):
        reg.set_params(max_iter=0).partial_fit(X, y)


def test_refit_clears_what_the_new_fit_does_not_set(iris):
    X, y = iris
    est = DenseMLPClassifier(pruning=ChaosCausalPruning(window=30, maxlag=3, alpha=0.5),
                             keep_trajectory=True, **FAST).fit(X, y)
    assert hasattr(est, "weight_trajectory_") and hasattr(est, "granger_pvalues_")
    est.set_params(keep_trajectory=False, pruning=None).fit(X, y)
    for name in ("weight_trajectory_", "granger_pvalues_", "lyapunov_exponents_",
                 "sparsity_", "dense_coefs_", "pruning_params_", "usable_lags_"):
        assert not hasattr(est, name), name


def test_trajectory_memory_guard(iris, monkeypatch):
    import skchaosprune._network as network

    X, y = iris
    monkeypatch.setattr(network, "available_memory", lambda: 10 * 2**20)  # 10 MiB
    # 30 epochs x 150 updates + 1 rows x 42 weights x 8 bytes = 1.5 MB: fits.
    DenseMLPClassifier(keep_trajectory=True, trajectory_dtype="float64", **FAST).fit(X, y)
    # 64-100-3 on 150 samples x 30 epochs: 4,501 x 6,700 x 8 bytes = 0.22 GB.
    with pytest.raises(ValueError, match=r"needs 0\.22 GB for 4501 rows x 6700 weights.*"
                                         r"only 0\.01 GB are available"):
        DenseMLPClassifier(hidden_layer_sizes=(100,), batch_size=1, max_iter=30,
                           keep_trajectory=True, trajectory_dtype="float64",
                           random_state=0).fit(np.hstack([X] * 16), y)


# --------------------------------------------------------------------------
# What users hit first (issue 21).


@pytest.mark.parametrize("shortcut, key, values", [
    ("chaos_causal", "pruning__alpha", [0.01, 0.5]),
    ("magnitude", "pruning__sparsity", [0.2, 0.6]),
])
def test_string_shortcuts_tune_like_their_objects(iris, shortcut, key, values):
    X, y = iris
    est = DenseMLPClassifier(pruning=shortcut, **dict(FAST, max_iter=20))
    assert key in est.get_params(deep=True)
    search = GridSearchCV(est, {key: values}, cv=2).fit(X, y)
    assert search.best_params_[key] in values
    # set_params turns the shortcut into its object, with the value set.
    est.set_params(**{key: values[0]})
    assert getattr(est.pruning, key.split("__")[1]) == values[0]
    assert type(est.pruning).__name__ == {"chaos_causal": "ChaosCausalPruning",
                                          "magnitude": "MagnitudePruning"}[shortcut]
    # A shortcut and its nested value in the same call.
    other = DenseMLPClassifier().set_params(pruning=shortcut, **{key: values[1]})
    assert getattr(other.pruning, key.split("__")[1]) == values[1]


def test_nested_pruning_parameter_without_a_strategy_is_invalid():
    with pytest.raises(ValueError, match=r"Invalid parameter 'alpha' for estimator"):
        DenseMLPClassifier().set_params(pruning__alpha=0.1)


@pytest.mark.parametrize("base", ["magnitude", "not a strategy"])
def test_layer_shuffled_base_is_validated_before_use(iris, base):
    from sklearn.linear_model import LogisticRegression
    from sklearn.utils._param_validation import InvalidParameterError

    from skchaosprune import LayerShuffledPruning

    X, y = iris
    for bad in (base, LogisticRegression()):
        with pytest.raises(InvalidParameterError, match="'base' parameter"):
            DenseMLPClassifier(pruning=LayerShuffledPruning(base=bad), **FAST).fit(X, y)


@pytest.mark.parametrize("method", sorted(MULTITEST_METHODS))
def test_multitest_corrects_at_the_strategy_alpha(iris, method):
    """The two-stage FDR methods depend on alpha: the strategy passes its own
    (here 0.01, not statsmodels' default 0.05)."""
    from statsmodels.stats.multitest import multipletests

    X, y = iris
    est = DenseMLPClassifier(pruning=ChaosCausalPruning(window=30, maxlag=3), retrain=None,
                             **FAST).fit(X, y)
    raw = est._dynamics.tests[next(iter(est._dynamics.tests))]
    p = np.where(raw["infeasible"], 1.0, raw["pvalues"])
    strategy = ChaosCausalPruning(window=30, maxlag=3, alpha=0.01, multitest=method,
                                  on_collapse="raise")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            est.prune(pruning=strategy)
        except ValueError:   # everything pruned at 0.01 with this correction
            pass
        reject, corrected, _, _ = multipletests(p, alpha=0.01, method=method)
        result = strategy.decide(est._context())
    keep = np.concatenate([m.ravel() for m in result.masks])
    np.testing.assert_allclose(result.attributes["granger_pvalues_"], corrected, rtol=0,
                               atol=1e-15)
    np.testing.assert_array_equal(keep, corrected < 0.01)


# --------------------------------------------------------------------------
# Iterative pruning with rewinding (issue 23, experimental part).

NET = dict(hidden_layer_sizes=(8,), solver="sgd", learning_rate_init=0.05, max_iter=40,
           n_iter_no_change=np.inf, random_state=0)


@pytest.mark.parametrize("scope", ["global", "layer", "lamp"])
def test_iterative_masks_nest_and_reach_the_sparsity(iris, scope):
    from skchaosprune.pruning import IterativePruning

    X, y = iris
    strategy = IterativePruning(MagnitudePruning(scope=scope), sparsity=0.85)
    est = DenseMLPClassifier(pruning=strategy, **NET).fit(X, y)
    rounds = [np.concatenate([m.ravel() for m in r]) for r in est.pruning_rounds_]
    targets = strategy.schedule()
    assert len(rounds) == len(targets) == 9   # 0.8 ** 9 < 0.15 <= 0.8 ** 8
    for before, after in zip(rounds, rounds[1:]):
        assert not (after & ~before).any()              # a pruned weight stays pruned
        assert after.sum() <= before.sum()              # (per layer, a round may round to 0)
    assert rounds[-1].sum() < rounds[0].sum()
    n_weights = rounds[0].size
    assert abs((~rounds[-1]).sum() - 0.85 * n_weights) <= 1     # within one weight
    final = np.concatenate([m.ravel() for m in est.masks_])
    np.testing.assert_array_equal(final, rounds[-1])
    for c, m in zip(est.coefs_, est.masks_):
        assert not c[~m].any()


def test_iterative_with_one_round_is_one_shot_magnitude(iris):
    from skchaosprune.pruning import IterativePruning

    X, y = iris
    one = DenseMLPClassifier(pruning=IterativePruning(sparsity=0.5, rounds=1), **NET).fit(X, y)
    mag = DenseMLPClassifier(pruning=MagnitudePruning(0.5), **NET).fit(X, y)
    for a, b in zip(one.masks_ + one.coefs_ + one.intercepts_,
                    mag.masks_ + mag.coefs_ + mag.intercepts_):
        np.testing.assert_array_equal(a, b)


def test_iterative_in_grid_search_and_its_errors(iris):
    from sklearn.utils._param_validation import InvalidParameterError

    from skchaosprune.pruning import IterativePruning

    X, y = iris
    search = GridSearchCV(DenseMLPClassifier(pruning=IterativePruning(MagnitudePruning()),
                                             **NET),
                          {"pruning__sparsity": [0.5, 0.9],
                           "pruning__base__scope": ["global", "lamp"]}, cv=3).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    from skchaosprune import LayerShuffledPruning

    with pytest.raises(ValueError, match="base must rank the weights"):
        DenseMLPClassifier(pruning=IterativePruning(LayerShuffledPruning()), **NET).fit(X, y)
    with pytest.raises(ValueError, match="use rewind='init'"):
        DenseMLPClassifier(pruning=IterativePruning(ChaosCausalPruning(), rewind="lr"),
                           **NET).fit(X, y)
    with pytest.raises(InvalidParameterError):
        DenseMLPClassifier(pruning=IterativePruning(rewind="epoch"), **NET).fit(X, y)
    est = DenseMLPClassifier(**NET).fit(X, y)
    with pytest.raises(ValueError, match="decides on the training data"):
        est.set_params(retrain=None).prune(pruning=IterativePruning())


def test_a_new_fit_forgets_the_attributes_of_the_last_strategy(iris):
    """Whatever a strategy set (its PruningResult.attributes) goes with the
    network it was decided on."""
    from skchaosprune.pruning import IterativePruning

    X, y = iris
    est = DenseMLPClassifier(pruning=IterativePruning(sparsity=0.5), **NET).fit(X, y)
    assert hasattr(est, "pruning_rounds_")
    est.set_params(pruning=None).fit(X, y)
    assert not hasattr(est, "pruning_rounds_") and not hasattr(est, "sparsity_")
    chaos = DenseMLPClassifier(pruning=ChaosCausalPruning(window=30, maxlag=3), **FAST).fit(X, y)
    risk = chaos.risk_series_
    chaos.prune(X, y, pruning=MagnitudePruning(0.5))
    assert not hasattr(chaos, "granger_pvalues_")
    assert chaos.risk_series_ is risk    # what the dense run recorded stays


class _Seen(ChaosCausalPruning):
    """A chaos-causal base that notes the dynamics each round decides on."""

    seen = []

    def decide(self, context):
        _Seen.seen.append((context.dynamics, self.sparsity))
        return super().decide(context)


def test_iterative_with_a_chaos_causal_base_records_each_round_again(iris):
    """Rounds of the causal ranking: each round's run is recorded as the
    dense run was, and the next round ranks by its p-values."""
    from skchaosprune.pruning import IterativePruning

    X, y = iris
    _Seen.seen = []
    base = _Seen(window=30, maxlag=3)
    est = DenseMLPClassifier(pruning=IterativePruning(base, sparsity=0.7, rounds=3),
                             **FAST).fit(X, y)
    dynamics = [d for d, _ in _Seen.seen]
    n = est._dynamics.exponents.shape[1]
    assert [round(s * n) for _, s in _Seen.seen][:3] == [
        round(t * n) for t in IterativePruning(sparsity=0.7, rounds=3).schedule()]
    assert dynamics[0] is est._dynamics                      # the dense run's recording
    assert len({id(d) for d in dynamics}) == 3               # then one per round
    for d in dynamics[1:]:
        assert d.exponents.shape == est._dynamics.exponents.shape
        assert d.settings == est._dynamics.settings
    rounds = [np.concatenate([m.ravel() for m in r]) for r in est.pruning_rounds_]
    for before, after, d in zip(rounds, rounds[1:], dynamics[1:]):
        assert not (after & ~before).any()
        # A weight pruned before is static in the next run: no exponent moves.
        assert np.ptp(d.exponents[:, ~before], axis=0).max(initial=0) == 0
    assert abs((~rounds[-1]).sum() - 0.7 * rounds[-1].size) <= 1
    one_shot = DenseMLPClassifier(pruning=ChaosCausalPruning(window=30, maxlag=3,
                                                             sparsity=0.7), **FAST).fit(X, y)
    assert not np.array_equal(rounds[-1],
                              np.concatenate([m.ravel() for m in one_shot.masks_]))


class _Largest(PruningStrategy):
    """Prunes the largest weights: it ranks a weight pruned earlier (0) as
    the one most worth keeping."""

    def __init__(self, sparsity=0.5):
        self.sparsity = sparsity

    def decide(self, context):
        from skchaosprune.pruning import magnitude_keep_mask

        flat = context.flat(context.dense_coefs)
        return PruningResult(context.unflat(magnitude_keep_mask(1.0 / (1e-12 + np.abs(flat)),
                                                                self.sparsity)))


def test_iterative_reaches_the_sparsity_when_the_base_would_keep_pruned_weights(iris):
    """Rounds nest and prune exactly what is asked even when the base ranks
    an earlier round's pruned weights above live ones (as a chaos-causal
    base can: static weights tie at p = 1)."""
    from skchaosprune.pruning import IterativePruning

    X, y = iris
    strategy = IterativePruning(_Largest(), sparsity=0.7)
    est = DenseMLPClassifier(pruning=strategy, retrain=None, **NET).fit(X, y)
    rounds = [np.concatenate([m.ravel() for m in r]) for r in est.pruning_rounds_]
    n = rounds[0].size
    for before, after, target in zip(rounds, rounds[1:], strategy.schedule()[1:]):
        assert not (after & ~before).any()
        assert (~after).sum() == round(target * n)
    assert (~rounds[-1]).sum() == round(0.7 * n)
