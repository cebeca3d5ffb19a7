"""From scores to pruning masks: chaos-causal, magnitude and random.

Masks are flat boolean arrays over all weights (layer by layer, C order);
True keeps a weight, False prunes it.  Biases are never pruned.
"""

import numpy as np


def n_to_prune(n_weights, target_sparsity):
    """Number of weights a target sparsity prunes (rounded to nearest)."""
    return int(round(float(target_sparsity) * n_weights))


def causal_keep_mask(pvalues, max_exponents=None, *, causality_alpha=0.05,
                     lyapunov_threshold=None, target_sparsity=None):
    """Keep mask of the chaos-causal rule (ALGORITHM.md section 5).

    Parameters
    ----------
    pvalues : ndarray of shape (n_weights,)
        Granger p-value of each weight's exponent series (after any
        multiple-testing correction).
    max_exponents : ndarray of shape (n_weights,), default=None
        Largest windowed Lyapunov exponent of each weight; needed with
        ``lyapunov_threshold``.
    causality_alpha : float, default=0.05
        A weight is pruned when its p-value is ``>= causality_alpha``.
    lyapunov_threshold : float or None, default=None
        A weight whose largest exponent never exceeds this value
        (``max_exponent <= threshold``) is pruned without a test.
    target_sparsity : float or None, default=None
        Prune exactly ``round(target_sparsity * n_weights)`` weights, least
        causal first: weights gated by the threshold first, then by
        descending p-value, then by ascending largest exponent, then by
        index.  ``causality_alpha`` is then not used.

    Returns
    -------
    keep : ndarray of bool, shape (n_weights,)

    Examples
    --------
    >>> import numpy as np
    >>> p = np.array([0.01, 0.2, 0.04, 1.0])
    >>> causal_keep_mask(p, causality_alpha=0.05)
    array([ True, False,  True, False])
    >>> causal_keep_mask(p, np.array([0.5, 0.5, -0.1, 0.5]), lyapunov_threshold=0.0)
    array([ True, False, False, False])
    >>> causal_keep_mask(p, target_sparsity=0.25)
    array([ True,  True,  True, False])
    """
    pvalues = np.asarray(pvalues, dtype=np.float64)
    gated = np.zeros(pvalues.shape, dtype=bool)
    if lyapunov_threshold is not None:
        if max_exponents is None:
            raise ValueError("lyapunov_threshold needs the largest exponent of each weight.")
        gated = np.asarray(max_exponents) <= lyapunov_threshold
    if target_sparsity is None:
        return ~(gated | (pvalues >= causality_alpha))
    n_prune = n_to_prune(pvalues.size, target_sparsity)
    lyap = np.zeros_like(pvalues) if max_exponents is None else np.asarray(max_exponents, float)
    # lexsort: last key is primary.
    order = np.lexsort((np.arange(pvalues.size), lyap, -pvalues, ~gated))
    keep = np.ones(pvalues.size, dtype=bool)
    keep[order[:n_prune]] = False
    return keep


def magnitude_keep_mask(weights, target_sparsity):
    """Keep mask pruning the weights of smallest absolute value, globally.

    Ties are broken by position (earlier weights pruned first).

    Examples
    --------
    >>> import numpy as np
    >>> magnitude_keep_mask(np.array([0.3, -0.1, 0.05, -0.8]), 0.5)
    array([ True, False, False,  True])
    """
    weights = np.asarray(weights, dtype=np.float64)
    order = np.lexsort((np.arange(weights.size), np.abs(weights)))
    keep = np.ones(weights.size, dtype=bool)
    keep[order[:n_to_prune(weights.size, target_sparsity)]] = False
    return keep


def random_keep_mask(n_weights, target_sparsity, random_state):
    """Keep mask pruning a uniformly random set of weights.

    Examples
    --------
    >>> mask = random_keep_mask(10, 0.3, 0)
    >>> int((~mask).sum())
    3
    """
    from sklearn.utils import check_random_state

    rng = check_random_state(random_state)
    keep = np.ones(n_weights, dtype=bool)
    keep[rng.permutation(n_weights)[:n_to_prune(n_weights, target_sparsity)]] = False
    return keep
