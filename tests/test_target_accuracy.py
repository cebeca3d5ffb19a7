"""A target accuracy instead of a sparsity: sparsity='auto' with max_drop
(issue 23, point 4)."""

import warnings

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from skchaosprune import ChaosCausalPruning, DenseMLPClassifier, MagnitudePruning, RandomPruning
from skchaosprune._network import Split
from skchaosprune.pruning import IterativePruning, PrunedModelWarning, PruningContext
from skchaosprune.pruning._target import PATIENCE, REFINE, probe_sparsities


def _known_context(score_of_sparsity, n_weights=1000):
    """A context whose retrained network scores a known function of the
    fraction of weights pruned."""
    rng = np.random.default_rng(0)
    coefs = [rng.standard_normal((n_weights // 10, 10))]
    intercepts = [np.zeros(10)]
    X = np.zeros((4, 1))
    held_out = Split(X, X, None, X.copy(), X, None)

    def trainer(masks, start_coefs, start_intercepts, epochs, state):
        return [np.where(masks[0], coefs[0], 0.0)], intercepts

    def scorer(c, b):
        return score_of_sparsity(float(np.mean(c[0] == 0.0)))

    return PruningContext(initial_coefs=coefs, initial_intercepts=intercepts,
                          dense_coefs=coefs, dense_intercepts=intercepts, data=held_out,
                          trainer=trainer, scorer=scorer)


@pytest.mark.parametrize("max_drop, answer", [(0.25, 0.5), (0.09, 0.3), (0.64, 0.8)])
def test_the_largest_sparsity_within_max_drop_on_a_known_curve(max_drop, answer):
    """Score 1 - s^2: the answer is s = sqrt(max_drop); the search ends
    within one bisection step below it."""
    context = _known_context(lambda s: 1.0 - s * s)
    result = MagnitudePruning("auto", max_drop=max_drop).decide(context)
    chosen = 1.0 - np.concatenate([m.ravel() for m in result.masks]).mean()
    probes = probe_sparsities()
    above = min(p for p in probes if p > answer)
    below = max([0.0] + [p for p in probes if p <= answer])
    assert answer - (above - below) / 2 ** REFINE - 1e-3 <= chosen <= answer + 1e-3
    tried = result.attributes["sparsity_search_"]
    assert result.attributes["dense_validation_score_"] == 1.0
    np.testing.assert_allclose(tried[:, 1], 1.0 - tried[:, 0] ** 2, atol=2e-3)


def test_one_unlucky_probe_does_not_end_the_search():
    """A dip at one probe (a noisy validation row) is passed over; two
    failures in a row end the search."""
    probes = probe_sparsities()
    dip = probes[1]
    context = _known_context(lambda s: 0.0 if abs(s - dip) < 1e-3 else 1.0 - s * s)
    result = MagnitudePruning("auto", max_drop=0.25).decide(context)
    chosen = 1.0 - np.concatenate([m.ravel() for m in result.masks]).mean()
    assert chosen > probes[2]
    assert PATIENCE == 2


def test_nothing_passes_then_nothing_is_pruned_with_a_warning():
    context = _known_context(lambda s: 1.0 if s == 0 else 0.0)
    with pytest.warns(PrunedModelWarning, match="nothing is pruned"):
        result = MagnitudePruning("auto", max_drop=0.1).decide(context)
    assert all(m.all() for m in result.masks)


NET = dict(hidden_layer_sizes=(8,), solver="sgd", learning_rate_init=0.05, max_iter=30,
           n_iter_no_change=np.inf, random_state=0)


@pytest.mark.parametrize("strategy", [
    MagnitudePruning("auto", max_drop=0.05),
    MagnitudePruning("auto", scope="lamp", max_drop=0.05),
    RandomPruning("auto", random_state=0, max_drop=0.05),
    IterativePruning(sparsity="auto", max_drop=0.05),
    ChaosCausalPruning(sparsity="auto", window=20, max_drop=0.05),
], ids=lambda s: repr(s))
def test_auto_in_the_estimator_is_judged_on_held_out_rows(iris, strategy):
    X, y = iris
    net = dict(NET, batch_size=1, momentum=0.0) if strategy.needs_dynamics else NET
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = DenseMLPClassifier(pruning=strategy, **net).fit(X, y)
    dense = est.dense_validation_score_
    scores = (est.round_scores_ if hasattr(est, "round_scores_")
              else est.sparsity_search_[:, 1])
    assert 0 < dense <= 1 and len(scores) >= 1
    assert 0 < est.sparsity_ < 1
    # The validation rows were held out (150 rows: 135 trained on).
    assert est.n_iter_ > 0 and len(est._split(X, y[:, None], y).Xv) == 15
    if hasattr(est, "sparsity_search_"):
        passed = est.sparsity_search_[est.sparsity_search_[:, 1] >= dense - 0.05, 0]
        assert est.sparsity_ == pytest.approx(passed.max(), abs=0.02)


def test_auto_needs_a_held_out_split_and_data(iris):
    X, y = iris
    with pytest.raises(ValueError, match="validation_fraction above 0"):
        DenseMLPClassifier(pruning=MagnitudePruning("auto"), validation_fraction=0,
                           **NET).fit(X, y)
    est = DenseMLPClassifier(pruning=MagnitudePruning(0.5), **NET).fit(X, y)
    with pytest.raises(ValueError, match=r"prune\(X, y\)"):
        est.set_params(retrain=None).prune(pruning=MagnitudePruning("auto"))
    with pytest.raises(ValueError, match="leave rounds=None"):
        DenseMLPClassifier(pruning=IterativePruning(sparsity="auto", rounds=3),
                           **NET).fit(X, y)


def test_grid_search_over_max_drop(iris):
    X, y = iris
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = GridSearchCV(DenseMLPClassifier(pruning=MagnitudePruning("auto"), **NET),
                              {"pruning__max_drop": [0.0, 0.2]}, cv=3).fit(X, y)
    assert len(search.cv_results_["params"]) == 2
