"""skchaosprune.metrics against hand counts and the networks' own predictions."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_iris
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression

from skchaosprune import DenseMLPClassifier, DenseMLPRegressor
from skchaosprune.metrics import (
    epochs_to_accuracy,
    flops,
    importance_agreement,
    remove_dead_units,
    sparsity,
)


def _masked_fit(cls, hidden, masks_seed, keep, X, y):
    est = cls(hidden, max_iter=3, random_state=0).fit(X, y)
    rng = np.random.default_rng(masks_seed)
    masks = [rng.random(c.shape) < keep for c in est.coefs_]
    return est.fit(X, y, masks=masks), masks


def test_sparsity_and_flops_by_hand():
    X, y = load_iris(return_X_y=True)
    est, masks = _masked_fit(DenseMLPClassifier, (5, 4), 1, 0.6, X, y)
    n_pruned = sum(int((~m).sum()) for m in masks)
    assert sparsity(est) == pytest.approx(n_pruned / (4 * 5 + 5 * 4 + 4 * 3))
    assert sparsity(masks) == sparsity(est)
    expected = 0
    for W in est.coefs_:
        for i in range(W.shape[0]):
            for j in range(W.shape[1]):
                expected += 2 * (W[i, j] != 0)
        expected += W.shape[1]
    assert flops(est) == expected
    dense = DenseMLPClassifier((5, 4), max_iter=1, random_state=0).fit(X, y)
    assert flops(dense) == 2 * (20 + 20 + 12) + 5 + 4 + 3 and sparsity(dense) == 0.0


def test_epochs_to_accuracy():
    assert epochs_to_accuracy([0.2, 0.95, 0.9, 0.99], 0.95) == 2
    assert epochs_to_accuracy([0.2, 0.5], 0.95) is None
    assert epochs_to_accuracy(np.array([0.96]), 0.95) == 1


@settings(deadline=None, max_examples=30)
@given(hidden=st.lists(st.integers(1, 6), min_size=1, max_size=3),
       keep=st.floats(0.05, 0.9), seed=st.integers(0, 10_000),
       activation=st.sampled_from(["sigmoid", "tanh", "relu", "identity"]),
       regression=st.booleans())
def test_remove_dead_units_keeps_predictions(hidden, keep, seed, activation, regression):
    X, y = load_iris(return_X_y=True)
    cls = DenseMLPRegressor if regression else DenseMLPClassifier
    target = X[:, 0] if regression else y
    est = cls(hidden, activation, max_iter=2, random_state=seed).fit(X, target)
    rng = np.random.default_rng(seed)
    masks = [rng.random(c.shape) < keep for c in est.coefs_]
    est.fit(X, target, masks=masks)
    small = remove_dead_units(est)
    out = (lambda m: m.predict(X)) if regression else (lambda m: m.predict_proba(X))
    np.testing.assert_allclose(out(small), out(est), rtol=1e-10, atol=1e-12)
    assert all(a <= b for a, b in zip(small.hidden_layer_sizes, hidden))
    assert flops(small) <= flops(est)
    for layer in range(1, len(small.coefs_)):
        if small.coefs_[layer].shape[0] > 1:  # else the layer kept its last unit
            assert np.all(np.any(small.coefs_[layer] != 0, axis=1))
            assert np.all(np.any(small.coefs_[layer - 1] != 0, axis=0))
    assert len(small.masks_) == len(small.coefs_)
    assert all(m.shape == c.shape for m, c in zip(small.masks_, small.coefs_))


def test_importance_agreement():
    X, y = load_iris(return_X_y=True)
    a = LogisticRegression(max_iter=500).fit(X, y)
    assert importance_agreement(a, a, X, y, random_state=0) == pytest.approx(1.0)
    # A model that sees only the least useful feature ranks the rest as ties
    # at zero: agreement falls below 1.
    only_first = LogisticRegression(max_iter=500).fit(X * [1, 0, 0, 0], y)
    rho = importance_agreement(a, only_first, X, y, random_state=0)
    assert -1.0 <= rho < 1.0
    with pytest.raises(ValueError, match="no ranking"):
        importance_agreement(a, DummyClassifier().fit(X, y), X, y, random_state=0)


# ----------------------------------------------------------------------------
# Pipelines, unfitted estimators, empty and wrong inputs: clear refusals
# ----------------------------------------------------------------------------

from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skchaosprune import CausalPruningTransformer, MagnitudePruning  # noqa: E402

WEIGHT_FUNCS = [sparsity, flops]


@pytest.fixture(scope="module")
def pruned_pipeline():
    X, y = load_iris(return_X_y=True)
    net = DenseMLPClassifier((6,), max_iter=8, pruning=MagnitudePruning(0.5),
                             record_train_score=True, random_state=0)
    return make_pipeline(StandardScaler(), net).fit(X, y), X, y


def test_pipeline_stands_for_its_final_estimator(pruned_pipeline):
    pipe, X, y = pruned_pipeline
    net = pipe[-1]
    assert sparsity(pipe) == sparsity(net) == pytest.approx(0.5, abs=0.5 / 42)
    assert sparsity(pipe) > 0  # main measured 0.0 here
    assert flops(pipe) == flops(net)
    assert epochs_to_accuracy(pipe, 0.5) == epochs_to_accuracy(net.train_score_curve_, 0.5)
    nested = make_pipeline(StandardScaler(), pipe)
    assert sparsity(nested) == sparsity(net) and flops(nested) == flops(net)
    # remove_dead_units: a copy of the Pipeline ending in the compact network
    small = remove_dead_units(pipe)
    assert type(small) is type(pipe) and small is not pipe
    assert small[-1] is not net and small[0] is not pipe[0]
    assert small[-1].hidden_layer_sizes == remove_dead_units(net).hidden_layer_sizes
    np.testing.assert_array_equal(small.predict(X), pipe.predict(X))
    np.testing.assert_array_equal(small[0].mean_, pipe[0].mean_)
    assert net.hidden_layer_sizes == (6,)  # the original is untouched
    # importance_agreement measures the Pipeline whole (its input features)
    assert importance_agreement(pipe, pipe, X, y, random_state=0) == pytest.approx(1.0)


@pytest.mark.parametrize("func", [sparsity, flops, remove_dead_units,
                                  lambda m: epochs_to_accuracy(m, 0.9)])
def test_pipeline_without_a_network_at_the_end(func):
    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), "passthrough").fit(X, y)
    with pytest.raises(ValueError, match="final step.*not a network"):
        func(pipe)


@pytest.mark.parametrize("func", [sparsity, flops, remove_dead_units,
                                  lambda m: epochs_to_accuracy(m, 0.9)])
@pytest.mark.parametrize("pipeline", [False, True])
def test_unfitted_estimators_raise_not_fitted(func, pipeline):
    model = DenseMLPClassifier((3,))
    if pipeline:
        model = make_pipeline(StandardScaler(), model)
    with pytest.raises(NotFittedError, match=r"not fitted yet.*call fit\(X, y\)"):
        func(model)


def test_importance_agreement_unfitted_and_bad_inputs():
    X, y = load_iris(return_X_y=True)
    a = LogisticRegression(max_iter=500).fit(X, y)
    for dense, pruned in [(DenseMLPClassifier(), a), (a, LogisticRegression()),
                          (a, make_pipeline(StandardScaler(), DenseMLPClassifier()))]:
        with pytest.raises(NotFittedError, match=r"call fit\(X, y\)"):
            importance_agreement(dense, pruned, X, y)
    with pytest.raises(TypeError, match="dense must be a fitted scikit-learn estimator"):
        importance_agreement([a.coef_], a, X, y)
    with pytest.raises(TypeError, match="pruned must be"):
        importance_agreement(a, "model", X, y)
    cases = [(X[:0], y[:0], "no samples"), (X[:, :1], y, "at least two"),
             (X[0], y, "2-D"), (X, y[:-1], "one target per sample"), (X, 1, "one target")]
    for Xb, yb, match in cases:
        with pytest.raises(ValueError, match=match):
            importance_agreement(a, a, Xb, yb)


@pytest.mark.parametrize("func", WEIGHT_FUNCS)
def test_weight_functions_refuse_empty_and_malformed_arrays(func):
    ok = [np.ones((4, 3)), np.ones((3, 2))]
    value_cases = [
        ([], "no arrays"),
        ((), "no arrays"),
        ([np.zeros((0, 3))], "no weights"),
        ([np.ones((4, 3)), np.zeros((3, 0))], "no weights"),
        ([np.ones(3)], "2-D"),
        ([np.ones((2, 2, 2))], "2-D"),
        ([np.ones((4, 3)), np.ones((2, 2))], "do not connect"),
        ([[[1.0, 0.0], [1.0]]], "rectangular"),
        ([np.array([[np.nan, 1.0]])], "NaN or inf"),
        ([np.array([[np.inf]])], "NaN or inf"),
    ]
    for arg, match in value_cases:
        with pytest.raises(ValueError, match=match):
            func(arg)
    type_cases = [None, 3, 0.5, "weights", {"a": 1}, [np.array([["a"]])],
                  [np.array([[1 + 2j]])], [np.array([[None]])], LogisticRegression().fit(
                      [[0.0], [1.0]], [0, 1])]
    for arg in type_cases:
        with pytest.raises(TypeError):
            func(arg)
    assert func(ok) == func(tuple(ok))
    assert func([ok[0]]) == func(ok[0])  # one 2-D array is one layer


def test_weight_functions_on_other_estimators():
    X, y = load_iris(return_X_y=True)
    mlp = MLPClassifier((3,), max_iter=3, random_state=0)
    with pytest.warns(Warning):  # sklearn: did not converge
        mlp.fit(X, y)
    assert sparsity(mlp) == sparsity(mlp.coefs_) == 0.0
    assert flops(mlp) == flops(mlp.coefs_)
    with pytest.raises(TypeError, match="has neither masks_ nor coefs_"):
        sparsity(LogisticRegression(max_iter=500).fit(X, y))
    Xs = StandardScaler().fit_transform(X)
    sel = CausalPruningTransformer().fit(Xs, y)  # masks_: its decided masks
    assert sparsity(sel) == sparsity(sel.masks_) > 0
    assert flops(sel) == flops(sel.masks_) < flops(sel.estimator_)
    from sklearn.feature_selection import SelectFromModel

    sfm = SelectFromModel(LogisticRegression(max_iter=500)).fit(X, y)
    with pytest.raises(TypeError, match="estimator_ may be the network"):
        flops(sfm)
    with pytest.raises(TypeError, match="DenseMLPClassifier or DenseMLPRegressor"):
        remove_dead_units(mlp)


def test_epochs_to_accuracy_refusals():
    X, y = load_iris(return_X_y=True)
    unrecorded = DenseMLPClassifier((3,), max_iter=2, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="record_train_score=True"):
        epochs_to_accuracy(unrecorded, 0.9)
    with pytest.raises(TypeError, match="no train_score_curve_"):
        epochs_to_accuracy(LogisticRegression(max_iter=500).fit(X, y), 0.9)
    for curve, match in [([], "empty"), (np.zeros(0), "empty"), (np.zeros((2, 2)), "1-D"),
                         ([0.5, np.nan], "NaN at epochs \\[2\\]")]:
        with pytest.raises(ValueError, match=match):
            epochs_to_accuracy(curve, 0.9)
    for curve in [None, 0.5, "abc", ["a", "b"]]:
        with pytest.raises(TypeError, match="accuracy_curve"):
            epochs_to_accuracy(curve, 0.9)
    for bench in ["0.9", None, True, [0.9]]:
        with pytest.raises(TypeError, match="benchmark"):
            epochs_to_accuracy([0.5, 0.95], bench)
    for bench in [np.nan, np.inf, -np.inf, 10**400]:
        with pytest.raises(ValueError, match="benchmark must be finite"):
            epochs_to_accuracy([0.5, 0.95], bench)
    assert epochs_to_accuracy([0.5, 0.95], np.float32(0.9)) == 2
    assert epochs_to_accuracy((0.5, 0.95), 1) is None


ANYTHING = st.one_of(
    st.none(), st.integers(), st.floats(), st.text(max_size=3), st.booleans(),
    st.lists(st.floats(allow_nan=True), max_size=4),
    st.lists(st.lists(st.floats(), max_size=3), max_size=3),
    st.builds(lambda s, v: np.full(s, v), st.tuples(st.integers(0, 3), st.integers(0, 3)),
              st.floats()),
    st.lists(st.builds(lambda s, v: np.full(s, v),
                       st.lists(st.integers(0, 3), min_size=0, max_size=3).map(tuple),
                       st.one_of(st.floats(), st.booleans())), max_size=3),
)


@settings(deadline=None, max_examples=200)
@given(arg=ANYTHING, bench=st.one_of(st.floats(), st.integers(), st.none(), st.text(max_size=2)))
def test_bad_inputs_are_refused_with_type_or_value_errors(arg, bench):
    """Never ZeroDivisionError, IndexError or NaN: a number or a clear refusal."""
    for call in (lambda: sparsity(arg), lambda: flops(arg),
                 lambda: epochs_to_accuracy(arg, bench), lambda: remove_dead_units(arg)):
        try:
            out = call()
        except (TypeError, ValueError) as exc:
            assert str(exc)
            continue
        assert out is None or np.isfinite(out)


# ----------------------------------------------------------------------------
# remove_dead_units copies that lost units: for prediction, like compact()'s
# (issue 21, point 6)
# ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def unit_pruned():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    est = DenseMLPClassifier((6,), max_iter=20, pruning=MagnitudePruning(0.3),
                             prune_units=0.5, random_state=0).fit(X, y)
    return est, X, y


def test_remove_dead_units_copy_refuses_to_train_on_the_old_run(unit_pruned):
    est, X, y = unit_pruned
    # the units that no longer reach anything, counted here
    dead = np.flatnonzero(~est.coefs_[1].any(axis=1) | ~est.coefs_[0].any(axis=0))
    assert dead.size > 0
    for small in (remove_dead_units(est), remove_dead_units(make_pipeline(est))[-1]):
        assert small.hidden_layer_sizes == (6 - dead.size,)
        info = small.compaction_
        assert info["made_by"] == "remove_dead_units()"
        assert info["original_sizes"] == [4, 6, 3] and info["sizes"] == [4, 6 - dead.size, 3]
        np.testing.assert_array_equal(info["removed_units"][0], dead)
        np.testing.assert_array_equal(info["kept_units"][0], np.setdiff1d(np.arange(6), dead))
        calls = {
            "prune": lambda m: m.prune(X, y),
            "prune with another strategy": lambda m: m.prune(X, y, pruning=MagnitudePruning(0.5)),
            "warm start": lambda m: m.set_params(warm_start=True).fit(X, y),
            "partial_fit": lambda m: m.partial_fit(X, y),
        }
        before = [c.copy() for c in small.coefs_]
        for what, call in calls.items():
            # before: prune() spoke of a masks argument never passed, and
            # partial_fit raised an IndexError
            with pytest.raises(ValueError, match=r"cannot train a compact copy \(made by "
                                                 r"remove_dead_units\(\)") as info_:
                call(small)
            assert "masks" not in str(info_.value), what
            small.set_params(warm_start=False)
            for a, b in zip(small.coefs_, before):
                np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(small.predict(X), est.predict(X))
        # a new fit trains a network of the smaller size, then trains on
        small.fit(X, y)
        assert not hasattr(small, "compaction_") and small.coefs_[0].shape == (4, 6 - dead.size)
        small.partial_fit(X, y)
        small.set_params(warm_start=True).fit(X, y)
    assert est.hidden_layer_sizes == (6,) and not hasattr(est, "compaction_")


def test_remove_dead_units_copy_that_lost_no_unit_stays_trainable():
    X, y = load_iris(return_X_y=True)
    est = DenseMLPClassifier((5,), max_iter=5, random_state=0).fit(X, y)
    copy_ = remove_dead_units(est)
    assert copy_.hidden_layer_sizes == (5,) and not hasattr(copy_, "compaction_")
    copy_.partial_fit(X, y)


def test_remove_dead_units_of_a_compact_copy(unit_pruned):
    est, X, _ = unit_pruned
    small = est.compact()
    again = remove_dead_units(small)  # before: AttributeError, no initial_coefs_
    assert again.hidden_layer_sizes == small.hidden_layer_sizes
    assert again.compaction_["made_by"] == "compact()"  # still a compact copy
    np.testing.assert_array_equal(again.predict(X), est.predict(X))
