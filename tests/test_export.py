"""Out of the training stack: NumPy prediction, export to scikit-learn and
ONNX, compact copies, structured pruning, and a cold start without Numba."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skchaosprune._kernels import codes, read_only
from skchaosprune._network import flatten, forward_numpy, kernels, layout

HIDDEN = ["identity", "sigmoid", "tanh", "relu"]
OUTPUT = ["identity", "sigmoid", "softmax"]


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 9), min_size=2, max_size=5),
    n_samples=st.integers(1, 300),
    hidden=st.sampled_from(HIDDEN),
    output=st.sampled_from(OUTPUT),
    sparsity=st.floats(0.0, 0.9),
    seed=st.integers(0, 2**31 - 1),
)
def test_forward_numpy_equals_the_kernel(sizes, n_samples, hidden, output, sparsity, seed):
    rng = np.random.default_rng(seed)
    coefs = [rng.normal(scale=1.5, size=(a, b)) * (rng.random((a, b)) >= sparsity)
             for a, b in zip(sizes[:-1], sizes[1:])]
    intercepts = [rng.normal(size=b) for b in sizes[1:]]
    X = rng.normal(scale=2.0, size=(n_samples, sizes[0]))
    X[rng.random(X.shape) < 0.2] = 0.0  # the kernel's one-sample path skips zeros
    sizes_, w_off, b_off = layout(sizes)
    names = {"identity": codes.IDENTITY, "sigmoid": codes.SIGMOID, "tanh": codes.TANH,
             "relu": codes.RELU, "softmax": codes.SOFTMAX}
    # X read-only, as the estimator passes it (the warmed-up specialization).
    expected = kernels().forward_all(*read_only(X), flatten(coefs), flatten(intercepts),
                                     sizes_, w_off, b_off, names[hidden], names[output])
    by_name = forward_numpy(X, coefs, intercepts, hidden, output)
    by_code = forward_numpy(X, coefs, intercepts, names[hidden], names[output])
    np.testing.assert_allclose(by_name, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(by_code, by_name)
    assert by_name.shape == (n_samples, sizes[-1])


def test_forward_numpy_rejects_unknown_activations():
    with pytest.raises(ValueError, match="Unknown activation"):
        forward_numpy(np.ones((1, 1)), [np.ones((1, 1))], [np.zeros(1)], "gelu", "identity")


def test_codes_are_the_kernels():
    k = kernels()
    for name in ("IDENTITY", "SIGMOID", "TANH", "RELU", "SOFTMAX", "SQUARED", "LOG_LOSS",
                 "RISK_MISCLASSIFICATION", "RISK_MSE", "OK", "DIVERGED"):
        assert getattr(k, name) == getattr(codes, name)


# ---------------------------------------------------------------------------
# Fitted models shared by the tests
# ---------------------------------------------------------------------------

import pickle  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import textwrap  # noqa: E402

from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_breast_cancer  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skchaosprune import (  # noqa: E402
    ChaosCausalPruning,
    DenseMLPClassifier,
    DenseMLPRegressor,
    MagnitudePruning,
)
from skchaosprune.export import compact, to_onnx, to_sklearn  # noqa: E402
from skchaosprune.pruning import unit_keep_masks  # noqa: E402

DIAGNOSTICS = ("weight_trajectory_", "lyapunov_exponents_", "risk_series_", "window_ends_",
               "granger_pvalues_", "dense_coefs_", "dense_intercepts_", "dense_loss_curve_",
               "dense_train_score_curve_", "initial_coefs_", "initial_intercepts_",
               "risk_curve_", "risk_updates_", "loss_curve_", "train_score_curve_",
               "usable_lags_", "differenced_", "_dynamics", "_risk_pairs", "_rng_state",
               "_initial_rng_state", "_dense_rng_state")


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def regression():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(200, 3))
    Y = np.column_stack([X[:, 0] - 2 * X[:, 1], np.sin(3 * X[:, 2])])
    return X, Y


def _classifiers(iris, cancer):
    """(name, fitted classifier, X) for every output layer, pruned."""
    Xi, yi = iris
    Xc, yc = cancer
    names = np.array(["setosa", "versicolor", "virginica"])[yi]
    out = []
    for loss in ("log_loss", "squared_error"):
        for activation in ("sigmoid", "tanh", "relu", "identity"):
            est = DenseMLPClassifier((7, 5), activation=activation, loss=loss, max_iter=30,
                                     learning_rate_init=0.05, pruning=MagnitudePruning(0.4),
                                     random_state=1)
            out.append((f"iris-{loss}-{activation}", est.fit(Xi, names), Xi))
        est = DenseMLPClassifier((6,), activation="sigmoid", loss=loss, max_iter=20,
                                 pruning=MagnitudePruning(0.3), random_state=2)
        out.append((f"cancer-{loss}", est.fit(Xc, yc), Xc))
    return out


@pytest.fixture(scope="module")
def classifiers(iris, cancer):
    return _classifiers(iris, cancer)


@pytest.fixture(scope="module")
def chaos_iris(iris):
    X, y = iris
    return DenseMLPClassifier((6,), activation="sigmoid", batch_size=1, learning_rate_init=0.05,
                              max_iter=30, pruning=ChaosCausalPruning(alpha=0.5),
                              random_state=0).fit(X, y)


def _probes(X, seed=0):
    """The training data and inputs far from it, in several layouts."""
    rng = np.random.default_rng(seed)
    far = rng.normal(scale=25.0, size=(50, X.shape[1]))
    return [X, far, np.asfortranarray(X), X.astype(np.float32), X[:1], X[::3]]


# ---------------------------------------------------------------------------
# 1. to_sklearn
# ---------------------------------------------------------------------------


def test_to_sklearn_classifiers_predict_identically(classifiers):
    from sklearn.neural_network import MLPClassifier

    for name, est, X in classifiers:
        model = est.to_sklearn()
        assert isinstance(model, MLPClassifier), name
        assert model.hidden_layer_sizes == tuple(c.shape[1] for c in est.coefs_[:-1])
        for Z in _probes(X):
            np.testing.assert_array_equal(model.predict(Z), est.predict(Z), err_msg=name)
            ours, theirs = est.predict_proba(Z), model.predict_proba(Z)
            if est.loss == "log_loss" or len(est.classes_) == 2:
                np.testing.assert_array_equal(theirs, ours, err_msg=name)
            else:
                # Independent sigmoids: sklearn returns them raw, we normalise.
                assert model.out_activation_ == "logistic"
                np.testing.assert_allclose(theirs / theirs.sum(axis=1, keepdims=True), ours,
                                           rtol=1e-14, atol=1e-15, err_msg=name)
        assert model.score(X, est.predict(X)) == 1.0


def test_to_sklearn_keeps_the_pruned_weights_and_lists_input(classifiers):
    name, est, X = classifiers[0]
    model = to_sklearn(est)
    for ours, theirs in zip(est.coefs_, model.coefs_):
        np.testing.assert_array_equal(ours, theirs)
        assert theirs is not ours
    assert sum(int((c == 0).sum()) for c in model.coefs_) >= sum(
        int((~m).sum()) for m in est.masks_)
    np.testing.assert_array_equal(model.predict(X.tolist()), est.predict(X.tolist()))
    np.testing.assert_array_equal(model.classes_, est.classes_)


def test_to_sklearn_regressor(regression):
    from sklearn.neural_network import MLPRegressor

    X, Y = regression
    for y in (Y, Y[:, 0]):
        for activation in ("relu", "tanh"):
            est = DenseMLPRegressor((8,), activation=activation, learning_rate_init=0.01,
                                    max_iter=30, pruning=MagnitudePruning(0.3),
                                    random_state=0).fit(X, y)
            model = est.to_sklearn()
            assert isinstance(model, MLPRegressor)
            for Z in _probes(X):
                np.testing.assert_array_equal(model.predict(Z), est.predict(Z))
    # A 2-D y with one column: ours keeps the column, sklearn ravels.
    est = DenseMLPRegressor((4,), max_iter=5, random_state=0).fit(X, Y[:, :1])
    np.testing.assert_array_equal(est.to_sklearn().predict(X), est.predict(X)[:, 0])


def test_to_sklearn_feature_names(iris):
    pd = pytest.importorskip("pandas")
    X, y = iris
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    est = DenseMLPClassifier((5,), max_iter=5, random_state=0).fit(frame, y)
    model = est.to_sklearn()
    np.testing.assert_array_equal(model.feature_names_in_, ["a", "b", "c", "d"])
    np.testing.assert_array_equal(model.predict_proba(frame), est.predict_proba(frame))


def test_exports_need_a_fitted_estimator():
    from sklearn.exceptions import NotFittedError
    from sklearn.linear_model import LogisticRegression

    for function in (to_sklearn, compact, to_onnx):
        with pytest.raises(NotFittedError):
            function(DenseMLPClassifier())
        with pytest.raises(TypeError, match="DenseMLPClassifier or DenseMLPRegressor"):
            function(LogisticRegression())


# ---------------------------------------------------------------------------
# 2. ONNX
# ---------------------------------------------------------------------------


def _onnx_available():
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("skl2onnx", "onnxruntime"))


def _session(onx):
    ort = pytest.importorskip("onnxruntime")
    return ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])


@pytest.mark.parametrize("dtype, tol", [("float32", 1e-5), ("float64", 1e-12)])
def test_onnx_classifiers_match(classifiers, dtype, tol):
    pytest.importorskip("skl2onnx")
    for name, est, X in classifiers:
        session = _session(est.to_onnx(dtype=dtype))
        assert [o.name for o in session.get_outputs()] == ["label", "probabilities"]
        for Z in (X, X[:1]):
            labels, proba = session.run(None, {"X": Z.astype(dtype)})
            np.testing.assert_array_equal(labels, est.predict(Z), err_msg=name)
            np.testing.assert_allclose(proba, est.predict_proba(Z), rtol=0, atol=tol,
                                       err_msg=name)


def test_onnx_compact_and_chaos_pruned(chaos_iris, iris):
    pytest.importorskip("skl2onnx")
    X, _ = iris
    for est in (chaos_iris, chaos_iris.compact()):
        labels, proba = _session(to_onnx(est)).run(None, {"X": X.astype(np.float32)})
        np.testing.assert_array_equal(labels, chaos_iris.predict(X))
        np.testing.assert_allclose(proba, chaos_iris.predict_proba(X), atol=1e-5)


def test_onnx_regressor(regression):
    """Issue 21, point 13: a regressor fitted on y of shape (n, k), k > 1,
    gives ONNX predictions of shape (n, k), the rows of ``predict`` (skl2onnx's
    converter alone gives (n * k, 1)); one output gives (n, 1)."""
    pytest.importorskip("skl2onnx")
    from sklearn.pipeline import make_pipeline

    X, Y = regression
    Y3 = np.column_stack([Y, X[:, 0] * X[:, 1]])
    for y, columns in ((Y, 2), (Y3, 3), (Y[:, :1], 1), (Y[:, 0], 1)):
        est = DenseMLPRegressor((8,), learning_rate_init=0.01, max_iter=30,
                                pruning=MagnitudePruning(0.3), random_state=0).fit(X, y)
        expected = est.predict(X).reshape(X.shape[0], columns)  # (n,) -> (n, 1)
        for model in (est, est.compact(), make_pipeline(StandardScaler(), clone(est)).fit(X, y)):
            for dtype, tol in (("float32", 1e-5), ("float64", 1e-12)):
                session = _session(to_onnx(model, dtype=dtype))
                assert [o.name for o in session.get_outputs()] == ["variable"]
                assert session.get_outputs()[0].shape[1] == columns
                for Z in (X, X[:1], X[::7]):
                    (pred,) = session.run(None, {"X": Z.astype(dtype)})
                    assert pred.shape == (Z.shape[0], columns)
                    np.testing.assert_allclose(pred, model.predict(Z).reshape(pred.shape),
                                               rtol=0, atol=tol)
                (pred,) = session.run(None, {"X": X.astype(dtype)})
                if model is est:
                    np.testing.assert_allclose(pred, expected, rtol=0, atol=tol)


def test_onnx_regressor_shape_without_the_converters_reshape(regression):
    """Should a converter end without the Reshape, one is added."""
    pytest.importorskip("skl2onnx")
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import DoubleTensorType

    from skchaosprune.export import _reshape_outputs

    X, Y = regression
    est = DenseMLPRegressor((8,), max_iter=5, random_state=0).fit(X, Y)
    onx = convert_sklearn(to_sklearn(est), initial_types=[("X", DoubleTensorType([None, 3]))])
    nodes = onx.graph.node
    last = next(i for i, n in enumerate(nodes) if "variable" in n.output)
    if nodes[last].op_type == "Reshape":  # skl2onnx's (-1, 1): bypass it
        before = nodes[last].input[0]
        for node in nodes:
            node.output[:] = ["variable" if o == before else o for o in node.output]
        del nodes[last]
    _reshape_outputs(onx, 2)
    assert nodes[-1].op_type == "Reshape"
    session = _session(onx)
    assert session.get_outputs()[0].shape[1] == 2
    (pred,) = session.run(None, {"X": X})
    np.testing.assert_allclose(pred, est.predict(X), rtol=0, atol=1e-12)


def test_onnx_zipmap_and_errors(classifiers):
    pytest.importorskip("skl2onnx")
    name, est, X = classifiers[0]
    labels, maps = _session(est.to_onnx(zipmap=True)).run(None, {"X": X.astype(np.float32)})
    np.testing.assert_array_equal(labels, est.predict(X))
    np.testing.assert_allclose([[m[c] for c in est.classes_] for m in maps],
                               est.predict_proba(X), atol=1e-5)
    with pytest.raises(ValueError, match="dtype"):
        est.to_onnx(dtype="int8")


def test_onnx_missing_extra_says_what_to_install(classifiers, monkeypatch):
    import builtins

    real = builtins.__import__

    def no_skl2onnx(name, *args, **kwargs):
        if name.startswith("skl2onnx"):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_skl2onnx)
    with pytest.raises(ImportError, match=r"skchaosprune\[onnx\]"):
        classifiers[0][1].to_onnx()


# ---------------------------------------------------------------------------
# 3. compact
# ---------------------------------------------------------------------------


def test_compact_drops_every_diagnostic_and_predicts_identically(chaos_iris, iris):
    X, y = iris
    small = chaos_iris.compact()
    assert type(small) is DenseMLPClassifier
    for name in DIAGNOSTICS:
        assert not hasattr(small, name), name
    assert small.sparsity_ == chaos_iris.sparsity_
    np.testing.assert_array_equal(small.predict(X), chaos_iris.predict(X))
    np.testing.assert_allclose(small.predict_proba(X), chaos_iris.predict_proba(X),
                               rtol=0, atol=1e-12)
    assert small.score(X, y) == chaos_iris.score(X, y)
    dense = clone(chaos_iris).set_params(pruning=None).fit(X, y)
    assert len(pickle.dumps(small)) <= len(pickle.dumps(dense))
    assert len(pickle.dumps(small)) < len(pickle.dumps(chaos_iris)) / 5
    again = pickle.loads(pickle.dumps(small))
    np.testing.assert_array_equal(again.predict_proba(X), small.predict_proba(X))


def test_compact_removes_dead_units_and_folds_constants(iris):
    X, y = iris
    masks = [np.ones((4, 8), bool), np.ones((8, 5), bool), np.ones((5, 3), bool)]
    masks[1][[0, 3]] = False        # layer-1 units 0 and 3 reach nothing
    masks[1][:, 2] = False          # layer-2 unit 2 has no input: a constant
    masks[0][:, 6] = False          # layer-1 unit 6 too
    for activation in ("sigmoid", "tanh", "relu", "identity"):
        est = DenseMLPClassifier((8, 5), activation=activation, max_iter=10,
                                 random_state=0).fit(X, y, masks=masks)
        small = compact(est)
        info = small.compaction_
        assert info["made_by"] == "compact()"
        assert info["original_sizes"] == [4, 8, 5, 3]
        assert small.hidden_layer_sizes == (5, 4) and info["sizes"] == [4, 5, 4, 3]
        np.testing.assert_array_equal(info["removed_units"][0], [0, 3, 6])
        np.testing.assert_array_equal(info["removed_units"][1], [2])
        np.testing.assert_array_equal(info["kept_units"][1], [0, 1, 3, 4])
        np.testing.assert_array_equal(info["folded_units"][0], [6])
        np.testing.assert_array_equal(info["folded_units"][1], [2])
        assert [c.shape for c in small.coefs_] == [(4, 5), (5, 4), (4, 3)]
        assert [m.shape for m in small.masks_] == [(4, 5), (5, 4), (4, 3)]
        for Z in _probes(X):
            np.testing.assert_array_equal(small.predict(Z), est.predict(Z))
            np.testing.assert_allclose(small.predict_proba(Z), est.predict_proba(Z),
                                       rtol=0, atol=1e-12)


def test_compact_regressor_and_dense_model(regression):
    X, Y = regression
    est = DenseMLPRegressor((6,), max_iter=10, random_state=0).fit(X, Y)
    small = est.compact()
    assert small.hidden_layer_sizes == (6,)
    np.testing.assert_allclose(small.predict(X), est.predict(X), rtol=0, atol=1e-12)
    assert len(pickle.dumps(small)) <= len(pickle.dumps(est))


def test_compact_copy_is_for_prediction(chaos_iris, iris):
    X, y = iris
    small = chaos_iris.compact()
    with pytest.raises(ValueError, match="compact copy"):
        small.partial_fit(X, y)
    with pytest.raises(ValueError, match="compact copy"):
        small.prune(X, y)
    fresh = clone(small).set_params(pruning=None).fit(X, y)
    assert fresh.hidden_layer_sizes == small.hidden_layer_sizes
    assert not hasattr(fresh, "compaction_")
    refit = small.fit(X, y)   # a new fit makes it a full estimator again
    assert not hasattr(refit, "compaction_") and hasattr(refit, "initial_coefs_")


# ---------------------------------------------------------------------------
# 4. Prediction without compilation, in a fresh process
# ---------------------------------------------------------------------------

_FRESH = textwrap.dedent("""
    import pickle, sys, time
    import numpy as np
    start = time.perf_counter()
    with open(sys.argv[1], "rb") as handle:
        models = pickle.load(handle)
    X = np.load(sys.argv[2])
    out = []
    for model in models:
        out.append(model.predict_proba(X))
        out.append(model.predict(X).astype(float)[:, None])
        model.score(X, model.predict(X))
    seconds = time.perf_counter() - start
    np.save(sys.argv[3], np.hstack(out))
    numba = sorted(name for name in sys.modules if name == "numba" or name.startswith("numba."))
    print(repr((numba, seconds)))
""")


def test_fresh_process_predicts_without_numba(chaos_iris, iris, tmp_path):
    X, _ = iris
    models = [chaos_iris, chaos_iris.compact()]
    with open(tmp_path / "models.pkl", "wb") as handle:
        pickle.dump(models, handle)
    np.save(tmp_path / "X.npy", X)
    script = tmp_path / "fresh.py"
    script.write_text(_FRESH)
    cache = tmp_path / "numba-cache"
    cache.mkdir()
    env = dict(__import__("os").environ, NUMBA_CACHE_DIR=str(cache))
    run = subprocess.run([sys.executable, str(script), str(tmp_path / "models.pkl"),
                          str(tmp_path / "X.npy"), str(tmp_path / "out.npy")],
                         capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stderr
    numba, seconds = eval(run.stdout.strip().splitlines()[-1])
    assert numba == [], f"the predict path imported {numba}"
    assert list(cache.iterdir()) == []     # nothing compiled, nothing cached
    expected = np.hstack([part for m in models for part in
                          (m.predict_proba(X), m.predict(X).astype(float)[:, None])])
    np.testing.assert_array_equal(np.load(tmp_path / "out.npy"), expected)


def test_importing_the_package_does_not_import_numba():
    code = ("import sys, skchaosprune, skchaosprune.export, skchaosprune.pruning; "
            "print([m for m in sys.modules if m == 'numba' or m.startswith('numba.')])")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def test_predict_does_not_call_the_kernels(chaos_iris, iris, monkeypatch):
    import skchaosprune._network as network

    def fail():
        raise AssertionError("prediction used the compiled kernels")

    monkeypatch.setattr(network, "kernels", fail)
    X, y = iris
    chaos_iris.predict(X), chaos_iris.predict_proba(X), chaos_iris.score(X, y)


# ---------------------------------------------------------------------------
# 5. Structured pruning
# ---------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(sizes=st.lists(st.integers(1, 7), min_size=3, max_size=5),
       density=st.floats(0.05, 1.0), units=st.sampled_from(["dead", 0.0, 0.2, 0.5, 0.9]),
       seed=st.integers(0, 2**31 - 1))
def test_unit_keep_masks_rule(sizes, density, units, seed):
    rng = np.random.default_rng(seed)
    shapes = list(zip(sizes[:-1], sizes[1:]))
    masks = [rng.random(s) < density for s in shapes]
    coefs = [rng.normal(size=s) for s in shapes]
    new, removed = unit_keep_masks(masks, coefs, units)
    assert len(removed) == len(sizes) - 2
    for old, m in zip(masks, new):
        assert not (m & ~old).any()          # only ever prunes
    for h, gone in enumerate(removed, start=1):
        assert not new[h - 1][:, gone].any() and not new[h][gone].any()
        alive = np.setdiff1d(np.arange(sizes[h]), gone)
        # A fixed point: every unit left has an input and an output.
        assert new[h - 1][:, alive].any(axis=0).all() and new[h][alive].any(axis=1).all()
        # Dead units of the strategy's mask always go.
        assert set(np.flatnonzero(~masks[h - 1].any(axis=0) | ~masks[h].any(axis=1))) <= set(gone)
        if units != "dead":
            assert len(gone) >= min(int(round(units * sizes[h])), sizes[h] - 1)


def test_unit_keep_masks_ranks_by_kept_share_then_strength():
    m1 = np.ones((2, 4), bool)
    m2 = np.ones((4, 1), bool)
    m1[:, 1] = [True, False]        # unit 1 keeps 2 of 3 weights
    m1[:, 3] = [False, True]        # unit 3 too, but with smaller weights
    coefs = [np.ones((2, 4)), np.ones((4, 1))]
    coefs[0][:, 3] = 0.1
    assert unit_keep_masks([m1, m2], coefs, 0.25)[1][0].tolist() == [3]
    assert unit_keep_masks([m1, m2], coefs, 0.5)[1][0].tolist() == [1, 3]
    assert unit_keep_masks([m1, m2], coefs, 0.99)[1][0].tolist() == [0, 1, 3]  # one is left
    assert unit_keep_masks([m1, m2], coefs, "dead")[1][0].tolist() == []


@pytest.mark.parametrize("strategy", [ChaosCausalPruning(alpha=0.5), MagnitudePruning(0.2)])
def test_prune_units_gives_a_physically_smaller_network(iris, strategy):
    X, y = iris
    est = DenseMLPClassifier((12,), activation="sigmoid", batch_size=1, learning_rate_init=0.05,
                             max_iter=30, pruning=strategy, prune_units=0.25,
                             random_state=0).fit(X, y)
    (gone,) = est.pruned_units_
    assert len(gone) >= 3
    assert not est.masks_[0][:, gone].any() and not est.masks_[1][gone].any()
    assert not est.coefs_[0][:, gone].any() and not est.coefs_[1][gone].any()
    assert est.sparsity_ >= len(gone) * (4 + 3) / (12 * 7)
    small = est.compact()
    assert small.hidden_layer_sizes == (12 - len(gone),)
    np.testing.assert_array_equal(small.compaction_["removed_units"][0], gone)
    np.testing.assert_array_equal(small.pruned_units_[0], gone)
    np.testing.assert_array_equal(small.predict(X), est.predict(X))
    np.testing.assert_allclose(small.predict_proba(X), est.predict_proba(X), atol=1e-12)
    assert est.score(X, y) > 0.8


def test_prune_units_is_a_decision_parameter(iris):
    X, y = iris
    est = DenseMLPClassifier((10,), max_iter=20, pruning=MagnitudePruning(0.3),
                             random_state=0).fit(X, y)
    assert not hasattr(est, "pruned_units_")
    unstructured = [m.copy() for m in est.masks_]
    est.set_params(prune_units=0.3).prune(X, y)
    assert len(est.pruned_units_[0]) == 3
    assert all(not (m & ~u).any() for m, u in zip(est.masks_, unstructured))
    est.set_params(prune_units="dead").prune(X, y)
    dead = ~unstructured[0].any(axis=0) | ~unstructured[1].any(axis=1)
    np.testing.assert_array_equal(est.pruned_units_[0], np.flatnonzero(dead))
    est.set_params(prune_units=None).prune(X, y)
    assert not hasattr(est, "pruned_units_")
    for bad in (1.0, -0.1, "all"):
        with pytest.raises(ValueError, match="prune_units"):
            clone(est).set_params(prune_units=bad).fit(X, y)


# ---------------------------------------------------------------------------
# Pipelines: the exports act on the final step
# ---------------------------------------------------------------------------


def test_exports_of_a_pipeline(iris):
    from sklearn.pipeline import Pipeline, make_pipeline

    X, y = load_breast_cancer(return_X_y=True)
    for loss, target in (("log_loss", y), ("squared_error", iris[1])):
        data = X if target is y else iris[0] * 10 + 3
        pipe = make_pipeline(StandardScaler(), DenseMLPClassifier(
            (6,), loss=loss, max_iter=20, pruning=MagnitudePruning(0.3),
            prune_units=0.2, random_state=0)).fit(data, target)
        small = compact(pipe)
        assert isinstance(small, Pipeline) and small is not pipe
        assert hasattr(small[-1], "compaction_") and not hasattr(pipe[-1], "compaction_")
        np.testing.assert_array_equal(small.predict(data), pipe.predict(data))
        sk = to_sklearn(make_pipeline(small))          # nested Pipelines too
        np.testing.assert_array_equal(sk.predict(data), pipe.predict(data))
        assert type(sk[-1][-1]).__name__ == "MLPClassifier"
        if _onnx_available():     # one graph for the scaler and the network
            session = _session(to_onnx(small, dtype="float64"))
            labels, proba = session.run(None, {"X": data.astype(np.float64)})
            np.testing.assert_array_equal(labels, pipe.predict(data))
            np.testing.assert_allclose(proba, pipe.predict_proba(data), atol=1e-12)
    with pytest.raises(TypeError, match="DenseMLPClassifier"):
        to_sklearn(make_pipeline(StandardScaler()).fit(X))


def test_compact_copy_does_not_share_parameters(chaos_iris):
    small = chaos_iris.compact()
    assert small.pruning is not chaos_iris.pruning
    small.set_params(pruning__alpha=0.01)
    assert chaos_iris.pruning.alpha == 0.5
