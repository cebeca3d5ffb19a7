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
        except ValueError as exc:  # pragma: no cover - the repair keeps a path
            raise AssertionError(f"the default on_collapse='repair' raised: {exc}") from exc
        else:
            assert np.isfinite(est.granger_pvalues_).all()
            assert np.isfinite(est.risk_series_).all()


def test_a_mask_that_cuts_every_output_off_is_repaired_by_default(iris):
    """alpha = 0 prunes every weight (every p-value is >= 0): the default
    repair keeps the fewest most-causal weights that give every output a
    path, says so, and the model predicts; on_collapse='raise' errs."""
    from skchaosprune.pruning import reached_outputs

    X, y = iris
    with pytest.warns(PrunedModelWarning, match=r"left output units \[0, 1, 2\] with no "
                                                r"path.* the 4 pruned weight\(s\)"):
        est = DenseMLPClassifier(pruning=ChaosCausalPruning(alpha=0.0, window=30, maxlag=3),
                                 **FAST).fit(X, y)
    # One input -> hidden path for the first output, then one hidden ->
    # output weight for each other output: 4 weights.
    assert est.repaired_weights_ == 4
    assert sum(int(m.sum()) for m in est.masks_) == 4
    assert reached_outputs(est.masks_).all()
    # The kept weights are the smallest p-values on such paths: the input
    # weight has the smallest p-value among the first layer's weights that
    # lead to the chosen hidden unit.
    p1 = est.granger_pvalues_[:24].reshape(4, 6)
    (i_in, h), = np.argwhere(est.masks_[0])
    assert p1[i_in, h] == p1[:, h].min()
    assert est.predict(X).shape == (150,)
    with pytest.raises(ValueError, match=r"prunes 42 of 42 weights and leaves no path.*"
                                         r"on_collapse='repair'"):
        est.prune(X, y, pruning=ChaosCausalPruning(alpha=0.0, window=30, maxlag=3,
                                                   on_collapse="raise"))
    # A mask that reaches every output is never touched by the repair.
    kept = est.prune(X, y, pruning=ChaosCausalPruning(alpha=1.0, window=30, maxlag=3))
    assert kept.repaired_weights_ == 0 and kept.sparsity_ == 0.0
    # Asked for explicitly: a warning, and the model is what was asked for.
    for strategy in (ChaosCausalPruning(sparsity=1.0, window=30, maxlag=3),
                     MagnitudePruning(1.0), RandomPruning(1.0, random_state=0)):
        with pytest.warns(PrunedModelWarning, match="sparsity=1.0 asked for"):
            est = DenseMLPClassifier(pruning=strategy, **FAST).fit(X, y)
        assert est.sparsity_ == 1.0


def test_repair_collapse_adds_the_fewest_most_causal_weights():
    from skchaosprune.pruning import reached_outputs, repair_collapse

    rng = np.random.default_rng(0)
    for _ in range(50):
        shapes = [(4, 5), (5, 3), (3, 2)]
        masks = [rng.random(s) < 0.15 for s in shapes]
        pvalues = [rng.random(s) for s in shapes]
        new, n_added = repair_collapse(masks, pvalues)
        assert reached_outputs(new).all()
        # Only additions, counted right.
        assert all((n | ~m).all() for n, m in zip(new, masks))
        assert n_added == sum(int(n.sum() - m.sum()) for n, m in zip(new, masks))
        # At most one 3-weight path per output that was cut off.
        assert n_added <= 3 * int((~reached_outputs(masks)).sum())
        if reached_outputs(masks).all():
            assert n_added == 0


def test_cut_off_output_of_a_regressor_is_reported():
    """A regressor's output cut off every input predicts its bias: true, so
    reported."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    Y = np.column_stack([X[:, 0], X[:, 1] - X[:, 2]])
    est = DenseMLPRegressor(hidden_layer_sizes=(6,), max_iter=50, learning_rate_init=0.01,
                            random_state=0).fit(X, Y)
    est.coefs_[1][:, 1] = 0.0
    with pytest.warns(PrunedModelWarning, match=r"cuts output units \[1\] off every "
                                                r"input: each of them predicts a constant"):
        est.prune(X, Y, pruning=MagnitudePruning(6 / 24))
    assert np.ptp(est.predict(X)[:, 1]) == 0.0


def test_a_class_whose_output_is_cut_off_but_still_predicted_is_no_warning(iris):
    """A class whose output unit has no input keeps a constant score; the
    softmax still predicts it where the other scores are low.  The old
    warning said such outputs "predict a constant" at 0.98 accuracy."""
    X, y = iris
    for out in range(3):
        est = DenseMLPClassifier(**FAST).fit(X, y)
        est.coefs_[1][:, out] = 0.0
        with warnings.catch_warnings():
            warnings.simplefilter("error", PrunedModelWarning)
            est.prune(X, y, pruning=MagnitudePruning(6 / 42))
        assert not est.masks_[1][:, out].any()
        assert (est.predict(X) == out).sum() > 40
        assert est.score(X, y) > 0.9


def test_a_class_never_predicted_after_pruning_is_reported(iris):
    """Output 2's weights pruned and no retraining: class 2's constant score
    never wins, and the warning says so (with the cut-off output as why);
    output 1's constant score still wins on 45 rows: no warning."""
    from skchaosprune.pruning import PruningResult, PruningStrategy

    class CutOutput(PruningStrategy):
        _parameter_constraints = {"output": [int]}

        def __init__(self, output=0):
            self.output = output

        def decide(self, context):
            masks = [np.ones(shape, bool) for shape in context.shapes]
            masks[-1][:, self.output] = False
            return PruningResult(masks)

    X, y = iris
    est = DenseMLPClassifier(**dict(FAST, retrain=None)).fit(X, y)
    with pytest.warns(PrunedModelWarning, match=r"never predicts classes \[2\] on the 150 "
                                                r"rows.*\(their output units are cut off"):
        est.prune(X, y, pruning=CutOutput(2))
    assert 2 not in est.predict(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PrunedModelWarning)
        est.prune(X, y, pruning=CutOutput(1))
    assert (est.predict(X) == 1).sum() > 40


def test_pruned_network_predicting_one_class_is_reported(iris):
    X, y = iris
    with pytest.warns(PrunedModelWarning,
                      match=r"predicts the single class \d for all of the 150 rows.*"
                            r"the dense one predicts 3 classes|lost most of the dense"):
        DenseMLPClassifier(pruning=MagnitudePruning(0.95), **FAST).fit(X, y)


def test_a_tiny_fit_predicting_one_class_is_reported_even_when_dense_did_too():
    """Six rows: the pruned network predicts one class for every row; the
    old check was silent because the dense network did too."""
    X = np.array([[0.0, 0], [0, 1], [1, 0], [5, 5], [5, 6], [6, 5]])
    y = np.array([0, 0, 0, 1, 1, 1])
    with pytest.warns(PrunedModelWarning, match=r"single class 0 for all of the 6 rows.*"
                                                r"the dense network did too"):
        est = DenseMLPClassifier(hidden_layer_sizes=(4,), max_iter=1, random_state=0,
                                 pruning=MagnitudePruning(0.5)).fit(X, y)
    assert np.unique(est.predict(X)).size == 1


def test_regressor_that_lost_its_fit_is_reported():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = X[:, 0] - 2 * X[:, 1]
    with pytest.warns(PrunedModelWarning, match=r"lost most of the dense one's R\^2.*"
                                                r"on the validation rows"):
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


def test_every_remedy_named_for_an_unscaled_target_helps():
    """friedman1's target (mean 14, sd 5): the default chaos-causal mask
    retrains to a negative R^2.  The warning names only what helps on this
    run: scaling the target, and an alpha that keeps more weights (each
    checked here); not on_infeasible='keep', which changes no weight."""
    import re

    from sklearn.compose import TransformedTargetRegressor
    from sklearn.datasets import make_friedman1
    from sklearn.exceptions import ConvergenceWarning

    X, y = make_friedman1(600, 10, noise=1.0, random_state=0)
    X = StandardScaler().fit_transform(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.warns(PrunedModelWarning, match="lost most") as record:
            est = DenseMLPRegressor(pruning=ChaosCausalPruning(), random_state=0).fit(X, y)
        message = str(next(w.message for w in record
                            if issubclass(w.category, PrunedModelWarning)))
        assert est.score(X, y) < 0.3
        assert "TransformedTargetRegressor" in message
        assert "on_infeasible" not in message   # no weight is infeasible here
        assert not np.any(est._dynamics.tests[next(iter(est._dynamics.tests))]["infeasible"])
        alphas = [float(a) for a in re.findall(r"alpha=([\d.]+) \(keeps", message)]
        assert alphas
        for alpha in alphas:
            with warnings.catch_warnings():
                warnings.simplefilter("error", PrunedModelWarning)
                est.prune(X, y, pruning=ChaosCausalPruning(alpha=alpha))
            assert est.score(X, y) > 0.5
        scaled = TransformedTargetRegressor(
            regressor=DenseMLPRegressor(pruning=ChaosCausalPruning(), random_state=0),
            transformer=StandardScaler())
        with warnings.catch_warnings():
            warnings.simplefilter("error", PrunedModelWarning)
            scaled.fit(X, y)
        assert scaled.score(X, y) > 0.7
