"""TrajectoryCausalPruning (issue 23, point 5) and what it rests on: the
compiled trainer's per-update loss change, the bounded update recorder,
the lasso ranking and the rounds on a cubic schedule."""

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from skchaosprune import DenseMLPClassifier
from skchaosprune._kernels import codes
from skchaosprune._kernels import mlp as kernel
from skchaosprune._network import read_only
from skchaosprune._recording import UpdateRecorder
from skchaosprune.pruning import PruningResult, PruningStrategy
from skchaosprune.pruning.trajectory import (
    TrajectoryCausalPruning,
    prune_first,
    update_effects,
)

NET = dict(hidden_layer_sizes=(8,), solver="sgd", learning_rate_init=0.05, max_iter=15,
           n_iter_no_change=np.inf, random_state=0)


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


# --------------------------------------------------------------------- #
# The kernel's loss change, against plain NumPy.
def _numpy_batch_loss(X, Y, sw, W1, b1, W2, b2, alpha):
    """Logistic hidden layer, softmax output, log-loss: the weighted mean
    sample loss plus 0.5 * alpha * ||W||^2 / sum(sw), written out."""
    hidden = 1.0 / (1.0 + np.exp(-(X @ W1 + b1)))
    z = hidden @ W2 + b2
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    eps = np.finfo(np.float64).eps
    per_sample = -(Y * np.log(np.clip(p, eps, 1 - eps))).sum(axis=1)
    penalty = 0.5 * alpha * ((W1 ** 2).sum() + (W2 ** 2).sum())
    return (sw * per_sample).sum() / sw.sum() + penalty / sw.sum()


def _network(seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(12, 4))
    Y = np.eye(3)[rng.integers(0, 3, size=12)]
    sizes, w_off, b_off = (np.array([4, 5, 3]), np.array([0, 20]), np.array([0, 5]))
    return X, Y, sizes, w_off, b_off, rng.normal(scale=0.5, size=35), rng.normal(size=8)


def _run(X, Y, sw, order, first, n_batches, weights, biases, net, solver, hyper, state,
         batch, loss_change):
    _, _, sizes, w_off, b_off, _, _ = net
    state_w, state_b, adam_t = state
    mask = np.ones(weights.shape[0], dtype=bool)
    traj = np.empty((n_batches, weights.shape[0]))
    # Read-only data, as the estimator passes it (the specialization warmed up).
    X, Y, sw, no_sw = read_only(X, Y, sw, np.empty(0))
    out = kernel.train_batches(
        X, Y, sw, sw.shape[0] > 0, order, first, n_batches, weights, biases, sizes, w_off,
        b_off, solver, hyper, state_w, state_b, adam_t, batch, codes.SIGMOID, codes.SOFTMAX,
        codes.LOG_LOSS, mask, False, traj, True, X, Y, no_sw,
        codes.RISK_MISCLASSIFICATION, np.empty(0, dtype=np.int64), np.empty((0, 2)), 0, 0,
        loss_change)
    return out, traj


@pytest.mark.parametrize("case", ["plain sgd, one sample", "momentum, L2, weighted batches"])
def test_the_recorded_loss_change_is_the_update_own_batch_loss_change(case):
    """Update by update, with the batch known (the given order): the loss
    change the kernel records equals the batch loss after the update minus
    before it, by a plain NumPy forward pass; and recording changes no bit
    of the training."""
    net = X, Y, sizes, w_off, b_off, w0, b0 = _network(0)
    plain = case.startswith("plain")
    batch = 1 if plain else 5           # 12 samples: batches of 5, 5, 2
    alpha = 0.0 if plain else 0.01
    momentum = 0.0 if plain else 0.9
    sw = np.empty(0) if plain else np.random.default_rng(1).uniform(0.5, 2.0, size=12)
    hyper = np.zeros(codes.N_HYPER)
    hyper[codes.H_LR], hyper[codes.H_MOMENTUM], hyper[codes.H_ALPHA] = 0.3, momentum, alpha
    order = np.random.default_rng(2).permutation(12)
    n_batches = 12 if plain else 3

    def fresh():
        return w0.copy(), b0.copy(), (np.zeros((2, 35)), np.zeros((2, 8)),
                                      np.zeros(1, dtype=np.int64))

    # Step by step: one update per call, weights copied around it.
    weights, biases, state = fresh()
    expected = []
    for t in range(n_batches):
        rows = order[t * batch:(t + 1) * batch]
        weights_sw = sw[rows] if sw.size else np.ones(rows.size)

        def loss():
            return _numpy_batch_loss(X[rows], Y[rows], weights_sw,
                                     weights[:20].reshape(4, 5), biases[:5],
                                     weights[20:].reshape(5, 3), biases[5:], alpha)

        before = loss()
        change = np.empty(1)
        (_, n_updates, status, _), _ = _run(X, Y, sw, order, t * batch, 1, weights, biases,
                                            net, codes.SOLVER_SGD, hyper, state, batch,
                                            change)
        assert (n_updates, status) == (1, codes.OK)
        after = loss()
        assert change[0] == pytest.approx(after - before, abs=1e-12, rel=1e-10)
        expected.append(change[0])
    assert np.any(np.array(expected) != 0.0)

    # One call for the epoch, recording and not: the same weights, bit for bit.
    w_rec, b_rec, state_rec = fresh()
    changes = np.empty(n_batches)
    out_rec, traj_rec = _run(X, Y, sw, order, 0, n_batches, w_rec, b_rec, net,
                             codes.SOLVER_SGD, hyper, state_rec, batch, changes)
    w_off_, b_off_, state_off = fresh()
    out_off, traj_off = _run(X, Y, sw, order, 0, n_batches, w_off_, b_off_, net,
                             codes.SOLVER_SGD, hyper, state_off, batch, np.empty(0))
    np.testing.assert_array_equal(w_rec, w_off_)
    np.testing.assert_array_equal(b_rec, b_off_)
    np.testing.assert_array_equal(traj_rec, traj_off)
    assert out_rec == out_off
    np.testing.assert_allclose(changes, expected, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(weights, w_rec)


# --------------------------------------------------------------------- #
# The recorder.
@pytest.mark.parametrize("max_rows, chunks", [(64, [7, 1, 13, 30]), (8, [5, 17, 1, 28]),
                                              (6, [51])])
def test_the_recorder_sums_consecutive_updates_within_its_row_budget(max_rows, chunks):
    """Weight rows streamed in uneven chunks: each row of the record is the
    sum of the squared changes (kept weights only) and of the loss changes
    of its consecutive updates, written out here with NumPy."""
    rng = np.random.default_rng(0)
    n, n_weights = sum(chunks), 9
    keep = np.ones(n_weights, dtype=bool)
    keep[[2, 5]] = False
    start = rng.normal(size=n_weights)
    rows = start + np.cumsum(rng.normal(size=(n, n_weights)), axis=0)
    losses = rng.normal(size=n)
    recorder = UpdateRecorder(start, keep, max_rows=max_rows)
    done = 0
    for size in chunks:
        recorder.reserve(size)[:] = rows[done:done + size]
        recorder.reserve_loss_changes(size)[:] = losses[done:done + size]
        recorder.commit(size)
        done += size
    record = recorder.record()
    assert record.squared_changes.shape[0] <= max_rows
    assert record.updates.sum() == n
    per_row = record.updates[0]
    assert (record.updates[:-1] == per_row).all() and record.updates[-1] <= per_row
    # Fewest rows of a power of two updates each that fit.
    assert per_row == 1 if n <= max_rows else per_row // 2 * max_rows < n
    steps = np.diff(np.vstack([start, rows]), axis=0)[:, keep] ** 2
    bounds = np.arange(0, n, per_row)
    np.testing.assert_allclose(record.squared_changes, np.add.reduceat(steps, bounds),
                               rtol=1e-6)
    np.testing.assert_allclose(record.loss_changes, np.add.reduceat(losses, bounds),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(record.kept, np.flatnonzero(keep))
    assert record.squared_changes.dtype == np.float32


class _Records(PruningStrategy):
    """Records a retraining of the unpruned network (a strategy through the
    public protocol) and prunes nothing."""

    needs_data = True

    def __init__(self, max_rows=None):
        self.max_rows = max_rows

    def decide(self, context):
        masks = [np.ones(s, dtype=bool) for s in context.shapes]
        plain = context.retrain(masks)
        *recorded, record = context.retrain(masks, record_updates=True,
                                            max_rows=self.max_rows)
        return PruningResult(masks, {"_plain": plain, "_recorded": recorded,
                                     "_record": record})


def test_a_recorded_retraining_is_the_same_run_and_records_its_updates(iris):
    X, y = iris
    dense = DenseMLPClassifier(keep_trajectory=True, trajectory_dtype="float64", shuffle=True,
                               batch_size=10, **NET).fit(X, y)
    est = DenseMLPClassifier(pruning=_Records(), retrain=None, batch_size=10, **NET).fit(X, y)
    for a, b in zip(est._plain[0] + est._plain[1], est._recorded[0] + est._recorded[1]):
        np.testing.assert_array_equal(a, b)             # recording changes no bit
    record = est._record
    updates = dense.weight_trajectory_.shape[0] - 1     # 15 epochs x 15 batches
    assert updates == 225 and record.updates.sum() == updates
    # At most 2048 rows by default: one per update, which the trajectory gives.
    np.testing.assert_array_equal(record.updates, 1)
    steps = np.diff(dense.weight_trajectory_, axis=0)
    np.testing.assert_array_equal(record.squared_changes, (steps ** 2).astype(np.float32))
    assert np.all(record.loss_changes[:20] < 0)           # early updates lower their loss
    # A budget of 16 rows: pairs merged until 225 updates fit (16 per row).
    small = DenseMLPClassifier(pruning=_Records(max_rows=16), retrain=None, batch_size=10,
                               **NET).fit(X, y)._record
    np.testing.assert_array_equal(small.updates, [16] * 14 + [1])
    bounds = np.arange(0, updates, 16)
    np.testing.assert_allclose(small.loss_changes,
                               np.add.reduceat(record.loss_changes, bounds), atol=1e-12)
    np.testing.assert_allclose(small.squared_changes,
                               np.add.reduceat(steps ** 2, bounds), rtol=1e-6)


# --------------------------------------------------------------------- #
# The lasso ranking.
def test_the_lasso_ranks_a_planted_effect_first_and_a_harmful_one_last():
    """The loss falls with the squared changes of four known weights (and
    rises with those of one): those four are kept last, the harmful one
    pruned first, whatever the scale."""
    rng = np.random.default_rng(0)
    n_rows, n_weights = 300, 60
    X = rng.exponential(size=(n_rows, n_weights)) * 1e-4
    planted = np.array([3, 17, 29, 41])
    harmful = 50
    loss = -(X[:, planted] @ np.array([40.0, 30.0, 25.0, 20.0])) + 15.0 * X[:, harmful]
    loss += rng.normal(scale=1e-4, size=n_rows)
    coefs, scores, effects = update_effects(X.astype(np.float32), loss, lasso_alpha=0.1)
    order = prune_first(scores, effects, np.ones(n_weights))
    assert set(order[-4:]) == set(planted)
    assert order[0] == harmful
    assert (coefs[planted] < 0).all() and coefs.max() <= 0.0
    others = np.setdiff1d(np.arange(n_weights), planted)
    assert np.abs(coefs[others]).max() < 0.2 * np.abs(coefs[planted]).min()
    # lasso_alpha=1: no weight is selected, the marginal correlation ranks.
    coefs1, scores1, effects1 = update_effects(X, loss, lasso_alpha=1.0)
    assert not coefs1.any() and not effects1.any()
    assert set(prune_first(scores1, effects1, np.ones(n_weights))[-4:]) == set(planted)


def test_no_loss_change_ranks_by_magnitude_then_position():
    coefs, scores, effects = update_effects(np.ones((5, 4), np.float32), np.zeros(5))
    assert not coefs.any()
    np.testing.assert_array_equal(prune_first(scores, effects, [0.5, -0.1, 0.5, 2.0]),
                                  [1, 0, 2, 3])


# --------------------------------------------------------------------- #
# The strategy.
def test_the_masks_nest_follow_the_cubic_schedule_and_reach_the_sparsity(iris):
    X, y = iris
    strategy = TrajectoryCausalPruning(0.85, rounds=5)
    est = DenseMLPClassifier(pruning=strategy, **NET).fit(X, y)
    rounds = [np.concatenate([m.ravel() for m in r]) for r in est.pruning_rounds_]
    n_weights = rounds[0].size                                      # 4 x 8 + 8 x 3 = 56
    assert n_weights == 56 and len(rounds) == 5
    pruned = [int((~r).sum()) for r in rounds]
    # s_k = 0.85 (1 - (1 - k/5)^3): 0.415, 0.666, 0.796, 0.843, 0.85 of 56 weights.
    assert pruned == [23, 37, 45, 47, 48]
    for before, after in zip(rounds, rounds[1:]):
        assert not (after & ~before).any()              # a pruned weight stays pruned
    final = np.concatenate([m.ravel() for m in est.masks_])
    np.testing.assert_array_equal(final, rounds[-1])
    assert est.sparsity_ == pytest.approx(48 / 56)
    for c, m, coef in zip(est.coefs_, est.masks_, est.lasso_coefs_):
        assert not c[~m].any() and not coef[~m].any()
        assert coef.max() <= 0.0
    assert any((coef < 0).any() for coef in est.lasso_coefs_)
    # The final network is the final mask retrained from the initial weights:
    # retrain='rewind' keeps it, retrain=None too.
    kept = DenseMLPClassifier(pruning=strategy, retrain=None, **NET).fit(X, y)
    for a, b in zip(est.coefs_ + est.intercepts_, kept.coefs_ + kept.intercepts_):
        np.testing.assert_array_equal(a, b)


def test_one_round_differs_from_magnitude_and_no_sparsity_prunes_nothing(iris):
    X, y = iris
    none = DenseMLPClassifier(pruning=TrajectoryCausalPruning(0.0, rounds=3), **NET).fit(X, y)
    assert none.sparsity_ == 0.0 and len(none.pruning_rounds_) == 3
    one = DenseMLPClassifier(pruning=TrajectoryCausalPruning(0.5, rounds=1), **NET).fit(X, y)
    assert one.sparsity_ == 0.5
    dense = np.concatenate([c.ravel() for c in one.dense_coefs_])
    kept = np.concatenate([m.ravel() for m in one.masks_])
    # Not a magnitude mask in disguise: some pruned weight is larger than a kept one.
    assert np.abs(dense[~kept]).max() > np.abs(dense[kept]).min()


def test_in_grid_search_and_its_parameter_errors(iris):
    X, y = iris
    search = GridSearchCV(DenseMLPClassifier(pruning=TrajectoryCausalPruning(rounds=2), **NET),
                          {"pruning__sparsity": [0.5, 0.8],
                           "pruning__lasso_alpha": [0.05, 0.5]}, cv=2).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_estimator_.pruning.sparsity == search.best_params_["pruning__sparsity"]
    for bad in ({"sparsity": 1.5}, {"rounds": 0}, {"lasso_alpha": 0.0}, {"lasso_alpha": 2.0},
                {"max_rows": 1}, {"rounds": 2.5}):
        with pytest.raises(InvalidParameterError):
            DenseMLPClassifier(pruning=TrajectoryCausalPruning(**bad), **NET).fit(X, y)
    est = DenseMLPClassifier(**NET).fit(X, y)
    with pytest.raises(ValueError, match="decides on the training data"):
        est.set_params(retrain=None).prune(pruning=TrajectoryCausalPruning())
