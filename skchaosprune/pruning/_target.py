"""A target accuracy instead of a sparsity: ``sparsity='auto'`` with
``max_drop`` (docs/strategies.md, "The smallest network that is as good").

The rule, one home for every rank-based strategy: the largest sparsity
whose retrained network scores, on the estimator's held-out validation
rows, at least the dense network's score minus ``max_drop``.
"""

from numbers import Real

import numpy as np
from sklearn.base import clone
from sklearn.utils._param_validation import Interval, StrOptions

from .._warn import warn_user
from ._base import PrunedModelWarning

#: The constraints of ``sparsity`` in a strategy that takes 'auto'.
SPARSITY_OR_AUTO = [Interval(Real, 0, 1, closed="both"), StrOptions({"auto"})]
#: The constraints of ``max_drop``.
MAX_DROP = [Interval(Real, 0, 1, closed="both")]

#: Each probe of the search prunes this fraction of what the previous one
#: kept (sparsity 0.2, 0.36, 0.49, ... as iterative pruning's rounds).
PROBE_STEP = 0.2
#: The densest network probed keeps this fraction of the weights.
MIN_KEPT = 0.005
#: Consecutive probes (or rounds) below the floor that end the search:
#: one probe's validation score is noisy (one row of a small split), so a
#: single failure does not end it.
PATIENCE = 2
#: Bisections between the last sparsity that passed and the first that failed.
REFINE = 3


def check_validation(context, what):
    """The held-out rows a target accuracy is judged on, or a clear error."""
    if not context.held_out:
        raise ValueError(
            f"{what} judges each sparsity on the estimator's held-out validation rows, "
            "but this fit holds none out: set validation_fraction above 0 (e.g. 0.1). "
            "Test data must never choose the sparsity.")


def nothing_passed(strategy, sparsity, dense):
    """Say that even the mildest pruning lost more than ``max_drop``."""
    warn_user(
        f"{type(strategy).__name__}(sparsity='auto'): even pruning {sparsity:.0%} of the "
        f"weights fell more than max_drop={strategy.max_drop} below the dense validation "
        f"score ({dense:.4g}), so nothing is pruned. Allow a larger max_drop, or train "
        "longer (a dense network that has not converged loses most from pruning).",
        PrunedModelWarning)


def probe_sparsities(step=PROBE_STEP):
    """The increasing sparsities the search tries before it refines, each
    pruning ``step`` of what the last kept, down to :data:`MIN_KEPT`."""
    out, kept = [], 1.0
    while kept * (1 - step) >= MIN_KEPT:
        kept *= 1 - step
        out.append(1.0 - kept)
    return out


def search_sparsity(strategy, context):
    """The decision of ``strategy`` at the largest sparsity within
    ``strategy.max_drop`` of the dense validation score.

    Each probe clones the strategy at a sparsity, decides, retrains the
    masked network from the initial weights (as ``retrain='rewind'``) and
    scores it on the validation rows (``context.score``).  The sparsities
    rise as :func:`probe_sparsities` until one fails, then :data:`REFINE`
    bisections between the last that passed and the first that failed.
    The scores are not monotone in the sparsity: this finds the first
    failure on that path, not a later sparsity that happens to pass.

    Returns
    -------
    result : PruningResult
        The chosen decision, with ``sparsity_search_`` (each probe's
        sparsity and validation score, in the order tried) and
        ``dense_validation_score_`` added to its attributes.
    """
    check_validation(context, f"{type(strategy).__name__}(sparsity='auto')")
    dense = context.score(context.dense_coefs, context.dense_intercepts)
    floor = dense - strategy.max_drop
    tried = []

    def probe(sparsity):
        decided = clone(strategy).set_params(sparsity=sparsity).decide(context)
        coefs, intercepts = context.retrain(decided.masks)
        score = context.score(coefs, intercepts)
        tried.append((float(sparsity), float(score)))
        return decided, score >= floor

    best_sparsity, best, failed, failures = 0.0, None, None, 0
    for sparsity in probe_sparsities():
        decided, ok = probe(sparsity)
        if ok:
            best_sparsity, best, failed, failures = sparsity, decided, None, 0
            continue
        failed = sparsity if failed is None else failed
        failures += 1
        if failures == PATIENCE:
            break
    if failed is not None:
        low, high = best_sparsity, failed
        for _ in range(REFINE):
            middle = 0.5 * (low + high)
            decided, ok = probe(middle)
            if ok:
                low, best_sparsity, best = middle, middle, decided
            else:
                high = middle
    if best is None:
        nothing_passed(strategy, tried[0][0], dense)
        best = clone(strategy).set_params(sparsity=0.0).decide(context)
    attributes = dict(best.attributes, sparsity_search_=np.array(tried),
                      dense_validation_score_=float(dense))
    return best._replace(attributes=attributes)
