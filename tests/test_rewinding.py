"""What the strategy protocol offers for rewinding and judging a pruned
network (context.rewind_point, context.retrain(start=...), context.score,
context.predict), and IterativePruning's late and learning-rate rewinds."""

import numpy as np
import pytest
from sklearn.metrics import accuracy_score
from sklearn.utils._param_validation import InvalidParameterError

from skchaosprune import DenseMLPClassifier, MagnitudePruning
from skchaosprune.pruning import IterativePruning, PruningResult, PruningStrategy

SOLVERS = {
    "sgd-nesterov-invscaling": dict(solver="sgd", momentum=0.9, nesterovs_momentum=True,
                                    learning_rate="invscaling", power_t=0.3,
                                    learning_rate_init=0.05, batch_size=16),
    "adam": dict(solver="adam", learning_rate_init=0.01, batch_size=16),
    "plain-sgd": dict(solver="sgd", momentum=0.0, learning_rate_init=0.05, batch_size=1),
}


def _net(**over):
    return dict(dict(hidden_layer_sizes=(8,), max_iter=12, n_iter_no_change=np.inf,
                     random_state=3), **over)


class Probe(PruningStrategy):
    """Keeps every weight and reports what the context offers."""

    needs_data = True

    def __init__(self, epoch=4):
        self.epoch = epoch

    def decide(self, context):
        keep = [np.ones(s, dtype=bool) for s in context.shapes]
        point = context.rewind_point(self.epoch)
        resumed = context.retrain(keep, start=point)
        return PruningResult(keep, {
            "point_": point, "resumed_": resumed,
            "same_point_": context.rewind_point(self.epoch) is point,
            "score_": context.score(context.dense_coefs, context.dense_intercepts),
            "outputs_": context.predict(context.data.X, context.dense_coefs,
                                        context.dense_intercepts),
            "names_": (context.activation, context.output_activation, context.loss,
                       context.alpha)})


@pytest.mark.parametrize("solver", sorted(SOLVERS))
def test_a_rewind_point_is_the_dense_run_after_that_many_epochs(iris, solver):
    X, y = iris
    est = DenseMLPClassifier(pruning=Probe(4), retrain=None,
                             **_net(**SOLVERS[solver])).fit(X, y)
    short = DenseMLPClassifier(**_net(**SOLVERS[solver], max_iter=4)).fit(X, y)
    point = est.point_
    assert point.epoch == 4 and est.same_point_
    for a, b in zip(point.coefs + point.intercepts, short.coefs_ + short.intercepts_):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("solver", sorted(SOLVERS))
def test_resuming_a_rewind_point_unmasked_replays_the_dense_run_exactly(iris, solver):
    """The solver's state, the learning-rate schedule and the data order
    are resumed with the weights: the rest of the dense run comes out bit
    for bit."""
    X, y = iris
    est = DenseMLPClassifier(pruning=Probe(4), retrain=None,
                             **_net(**SOLVERS[solver])).fit(X, y)
    coefs, intercepts = est.resumed_
    for a, b in zip(coefs + intercepts, est.dense_coefs_ + est.dense_intercepts_):
        np.testing.assert_array_equal(a, b)


def test_context_score_and_predict_are_the_estimators(iris):
    X, y = iris
    est = DenseMLPClassifier(pruning=Probe(0), retrain=None, activation="tanh",
                             alpha=1e-3, **_net(**SOLVERS["adam"])).fit(X, y)
    # No held-out split here: the validation rows are the training rows.
    assert est.score_ == accuracy_score(y, est.predict(X))
    np.testing.assert_allclose(est.outputs_, est.predict_proba(X), rtol=0, atol=1e-12)
    assert est.names_ == ("tanh", "softmax", "log_loss", 1e-3)


def test_learning_rate_rewinding_retrains_the_trained_weights_with_the_whole_schedule(iris):
    X, y = iris
    net = _net(**SOLVERS["sgd-nesterov-invscaling"])
    mag = DenseMLPClassifier(pruning=MagnitudePruning(0.5), retrain=None, **net).fit(X, y)
    lr = DenseMLPClassifier(pruning=IterativePruning(sparsity=0.5, rounds=1, rewind="lr"),
                            **net).fit(X, y)
    # By hand: the same seed (same data order), started from the masked
    # dense weights with a fresh solver.
    by_hand = DenseMLPClassifier(**net).fit(
        X, y, coefs_init=[np.where(m, c, 0.0) for m, c in zip(mag.masks_, mag.dense_coefs_)],
        intercepts_init=mag.dense_intercepts_, masks=mag.masks_)
    for a, b in zip(lr.masks_, mag.masks_):
        np.testing.assert_array_equal(a, b)
    # retrain='rewind' keeps the strategy's retrained network.
    for a, b in zip(lr.coefs_ + lr.intercepts_, by_hand.coefs_ + by_hand.intercepts_):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("rewind", [3, "lr"])
def test_late_and_lr_rewinding_nest_reach_the_sparsity_and_are_kept(iris, rewind):
    X, y = iris
    net = _net(**SOLVERS["plain-sgd"])
    strategy = IterativePruning(sparsity=0.8, rewind=rewind)
    kept = DenseMLPClassifier(pruning=strategy, **net).fit(X, y)
    plain = DenseMLPClassifier(pruning=strategy, retrain=None, **net).fit(X, y)
    init = DenseMLPClassifier(pruning=IterativePruning(sparsity=0.8), **net).fit(X, y)
    rounds = [np.concatenate([m.ravel() for m in r]) for r in kept.pruning_rounds_]
    for before, after in zip(rounds, rounds[1:]):
        assert not (after & ~before).any()
    assert abs((~rounds[-1]).sum() - 0.8 * rounds[-1].size) <= 1
    for a, b in zip(kept.coefs_, plain.coefs_):
        np.testing.assert_array_equal(a, b)          # the strategy's network is the model
    assert kept.pruning_cost_["retrain_epochs"] == 0
    assert not all(np.array_equal(a, b) for a, b in zip(kept.coefs_, init.coefs_))
    finetuned = DenseMLPClassifier(pruning=strategy, retrain="finetune", **net).fit(X, y)
    assert finetuned.pruning_cost_["retrain_epochs"] == net["max_iter"]


def test_rewind_errors(iris):
    X, y = iris
    with pytest.raises(ValueError, match="Cannot rewind to epoch 13"):
        DenseMLPClassifier(pruning=IterativePruning(rewind=13), **_net()).fit(X, y)
    with pytest.raises(InvalidParameterError):
        DenseMLPClassifier(pruning=IterativePruning(rewind=-1), **_net()).fit(X, y)
