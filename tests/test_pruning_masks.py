"""Scores to masks: the chaos-causal rule and the baselines."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.base import clone

from skchaosprune.pruning import (
    causal_keep_mask,
    connected_keep_mask,
    magnitude_keep_mask,
    random_keep_mask,
    split_flat,
)

pvals = arrays(np.float64, st.integers(1, 60), elements=st.floats(0, 1))


@settings(deadline=None, max_examples=200)
@given(p=pvals, a1=st.floats(0, 1), a2=st.floats(0, 1), t1=st.floats(-1, 1),
       t2=st.floats(-1, 1), seed=st.integers(0, 1000))
def test_pruned_set_grows_as_alpha_falls_and_threshold_rises(p, a1, a2, t1, t2, seed):
    lyap = np.random.default_rng(seed).normal(size=p.size)
    lo, hi = sorted((a1, a2))
    tlo, thi = sorted((t1, t2))
    pruned_hi_alpha = ~causal_keep_mask(p, lyap, alpha=hi, lyapunov_threshold=tlo)
    pruned_lo_alpha = ~causal_keep_mask(p, lyap, alpha=lo, lyapunov_threshold=tlo)
    assert np.all(pruned_lo_alpha >= pruned_hi_alpha)
    pruned_hi_thr = ~causal_keep_mask(p, lyap, alpha=hi, lyapunov_threshold=thi)
    assert np.all(pruned_hi_thr >= pruned_hi_alpha)
    no_gate = ~causal_keep_mask(p, lyap, alpha=hi)
    np.testing.assert_array_equal(no_gate, p >= hi)


@settings(deadline=None, max_examples=200)
@given(p=pvals, s=st.floats(0, 1), seed=st.integers(0, 1000))
def test_target_sparsity_prunes_exactly_the_least_causal(p, s, seed):
    keep = causal_keep_mask(p, sparsity=s)
    n_prune = int(round(s * p.size))
    assert (~keep).sum() == n_prune
    if 0 < n_prune < p.size:
        assert p[~keep].min() >= p[keep].max()
    w = np.random.default_rng(seed).normal(size=p.size)
    keep_m = magnitude_keep_mask(w, s)
    assert (~keep_m).sum() == n_prune
    if 0 < n_prune < p.size:
        assert np.abs(w[~keep_m]).max() <= np.abs(w[keep_m]).min()
    keep_r = random_keep_mask(p.size, s, seed)
    assert (~keep_r).sum() == n_prune
    np.testing.assert_array_equal(keep_r, random_keep_mask(p.size, s, seed))


def test_gated_weights_are_pruned_first_under_target_sparsity():
    p = np.array([0.9, 0.01, 0.5, 0.02])
    lyap = np.array([1.0, -1.0, 1.0, 1.0])  # weight 1 is causal but never chaotic
    keep = causal_keep_mask(p, lyap, lyapunov_threshold=0.0, sparsity=0.5)
    np.testing.assert_array_equal(keep, [False, False, True, True])


def test_lamp_scores_on_a_hand_worked_example():
    """Lee et al.'s formula by hand: layer 1 squares (1, 9, 4) sorted
    1 <= 4 <= 9 give 1/14, 4/13, 9/9; layer 2 squares (16, 0.25) give
    0.25/16.25 and 16/16."""
    from skchaosprune.pruning import lamp_scores

    scores = lamp_scores([np.array([[1.0, -3.0, 2.0]]), np.array([[4.0], [-0.5]])])
    np.testing.assert_allclose(scores, [1 / 14, 9 / 9, 4 / 13, 16 / 16, 0.25 / 16.25],
                               rtol=1e-15)


def test_lamp_pruning_keeps_every_layer_and_ranks_by_score():
    """By brute force: a weight's score is its square over the sum of the
    squares in its layer that are at least as large (later position on
    ties); the kept weights are the highest scores, and no layer empties."""
    from skchaosprune import MagnitudePruning
    from skchaosprune.pruning import PruningContext

    rng = np.random.default_rng(0)
    coefs = [rng.normal(size=(5, 4)), 10 * rng.normal(size=(4, 3))]
    flat_scores = []
    for c in coefs:
        u = np.square(c.ravel())
        for i in range(u.size):
            later = (u > u[i]) | ((u == u[i]) & (np.arange(u.size) >= i))
            flat_scores.append(u[i] / u[later].sum())
    flat_scores = np.array(flat_scores)
    context = PruningContext(initial_coefs=coefs, initial_intercepts=[], dense_coefs=coefs,
                             dense_intercepts=[])
    for sparsity in (0.3, 0.6, 0.9):
        masks = MagnitudePruning(sparsity, scope="lamp").decide(context).masks
        keep = np.concatenate([m.ravel() for m in masks])
        n_keep = 32 - round(sparsity * 32)
        assert keep.sum() == n_keep
        assert set(np.flatnonzero(keep)) == set(np.argsort(-flat_scores, kind="stable")[:n_keep])
        assert all(m.any() for m in masks)
    # The second layer's weights are 10x larger: global magnitude empties the
    # first layer at 0.9, LAMP does not.
    glob = MagnitudePruning(0.9).decide(context).masks
    assert not glob[0].any()


# --------------------------------------------------------------------------
# keep_connected: never cut all inputs of a unit that still has outputs.

def _cut_units(keep, shapes):
    """Units (layer, index) with a kept output (or an output unit) and no
    kept input, by plain loops."""
    masks = split_flat(keep, shapes)
    cut = []
    for layer, mask in enumerate(masks):
        for j in range(mask.shape[1]):
            has_output = layer == len(masks) - 1 or masks[layer + 1][j, :].any()
            if has_output and not mask[:, j].any():
                cut.append((layer, j))
    return cut


@settings(max_examples=60, deadline=None)
@given(sizes=st.lists(st.integers(1, 6), min_size=2, max_size=4),
       sparsity=st.floats(0.0, 0.97), seed=st.integers(0, 10_000))
def test_connected_keep_mask_cuts_no_unit_and_keeps_the_sparsity(sizes, sparsity, seed):
    shapes = list(zip(sizes[:-1], sizes[1:]))
    n = sum(a * b for a, b in shapes)
    scores = np.random.default_rng(seed).random(n)
    keep = connected_keep_mask(scores, shapes, sparsity)
    plain = magnitude_keep_mask(scores, sparsity)
    assert _cut_units(keep, shapes) == []
    assert keep.sum() >= plain.sum()
    if plain.sum() >= 2 * sum(b for _, b in shapes):
        assert keep.sum() == plain.sum()   # room for the exchanges: the sparsity is exact
    if not _cut_units(plain, shapes):
        np.testing.assert_array_equal(keep, plain)        # nothing to repair: the ranking


def test_keep_connected_strategies(iris):
    from skchaosprune import DenseMLPClassifier, MagnitudePruning, RandomPruning

    X, y = iris
    net = dict(hidden_layer_sizes=(8,), max_iter=50, learning_rate_init=0.01, random_state=0)
    for strategy in (MagnitudePruning(0.9, keep_connected=True),
                     MagnitudePruning(0.9, scope="layer", keep_connected=True),
                     MagnitudePruning(0.9, scope="lamp", keep_connected=True),
                     RandomPruning(0.9, random_state=0, keep_connected=True)):
        est = DenseMLPClassifier(pruning=strategy, retrain=None, **net).fit(X, y)
        keep = np.concatenate([m.ravel() for m in est.masks_])
        assert _cut_units(keep, [m.shape for m in est.masks_]) == []
        assert (~keep).sum() == round(0.9 * keep.size)
    plain = DenseMLPClassifier(pruning=RandomPruning(0.9, random_state=0), retrain=None,
                               **net).fit(X, y)
    np.testing.assert_array_equal(   # the same random order: only the repairs differ
        np.concatenate([m.ravel() for m in plain.masks_]),
        random_keep_mask(keep.size, 0.9, 0))


@pytest.mark.parametrize("make", [
    lambda: __import__("skchaosprune").ChaosCausalPruning(sparsity=0.8, window=20,
                                                          keep_connected=True),
    lambda: __import__("skchaosprune").OBSPruning(0.8, keep_connected=True),
    lambda: __import__("skchaosprune").OBSPruning(0.8, max_exact=0, keep_connected=True),
    lambda: __import__("skchaosprune").TrajectoryCausalPruning(0.8, rounds=3,
                                                               keep_connected=True),
], ids=["chaos-causal", "obs-network", "obs-layer", "trajectory"])
def test_keep_connected_in_every_rank_based_strategy(iris, make):
    from skchaosprune import DenseMLPClassifier

    X, y = iris
    strategy = make()
    net = dict(hidden_layer_sizes=(8,), solver="sgd", batch_size=1, momentum=0.0,
               learning_rate_init=0.05, max_iter=30, n_iter_no_change=np.inf, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = DenseMLPClassifier(pruning=strategy, retrain=None, **net).fit(X, y)
        plain = DenseMLPClassifier(pruning=clone(strategy).set_params(keep_connected=False),
                                   retrain=None, **net).fit(X, y)
    shapes = [m.shape for m in est.masks_]
    keep = np.concatenate([m.ravel() for m in est.masks_])
    assert _cut_units(keep, shapes) == []
    assert (~keep).sum() == round(0.8 * keep.size)
    if hasattr(est, "pruning_rounds_"):
        rounds = [np.concatenate([m.ravel() for m in r]) for r in est.pruning_rounds_]
        assert all(not (b & ~a).any() for a, b in zip(rounds, rounds[1:]))
    # The plain mask of the same strategy cuts units off here (what the option is for).
    assert _cut_units(np.concatenate([m.ravel() for m in plain.masks_]), shapes) != []
