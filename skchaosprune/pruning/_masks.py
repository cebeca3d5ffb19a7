"""Mask rules: plain functions from scores to keep masks, and the checks
and repairs of a mask's paths (docs/method.md sections 5, 7).

Flat masks are boolean arrays over all weights (layer by layer, C order);
per-layer masks are lists of arrays of shape (fan_in, fan_out).  True keeps
a weight, False prunes it.  Biases are never pruned.
"""

import numpy as np
from sklearn.utils import check_random_state


def n_to_prune(n_weights, sparsity):
    """Number of weights a target sparsity prunes (rounded to nearest)."""
    return int(round(float(sparsity) * n_weights))


def split_flat(flat, shapes):
    """Views of a flat per-weight array as one array per weight matrix."""
    out, start = [], 0
    for shape in shapes:
        size = int(np.prod(shape))
        out.append(np.asarray(flat[start:start + size]).reshape(shape))
        start += size
    return out


def causal_keep_mask(pvalues, max_exponents=None, *, alpha=0.05,
                     lyapunov_threshold=None, sparsity=None):
    """Keep mask of the chaos-causal rule (docs/method.md section 5).

    Parameters
    ----------
    pvalues : ndarray of shape (n_weights,)
        Granger p-value of each weight's exponent series (after any
        multiple-testing correction).
    max_exponents : ndarray of shape (n_weights,), default=None
        Largest windowed Lyapunov exponent of each weight; needed with
        ``lyapunov_threshold``.
    alpha : float, default=0.05
        A weight is pruned when its p-value is ``>= alpha``.
    lyapunov_threshold : float or None, default=None
        A weight whose largest exponent never exceeds this value
        (``max_exponent <= threshold``) is pruned without a test.
    sparsity : float or None, default=None
        Prune exactly ``round(sparsity * n_weights)`` weights, least causal
        first: weights gated by the threshold first, then by descending
        p-value, then by ascending largest exponent, then by index.
        ``alpha`` is then not used.

    Returns
    -------
    keep : ndarray of bool, shape (n_weights,)

    Examples
    --------
    >>> import numpy as np
    >>> p = np.array([0.01, 0.2, 0.04, 1.0])
    >>> causal_keep_mask(p, alpha=0.05)
    array([ True, False,  True, False])
    >>> causal_keep_mask(p, np.array([0.5, 0.5, -0.1, 0.5]), lyapunov_threshold=0.0)
    array([ True, False, False, False])
    >>> causal_keep_mask(p, sparsity=0.25)
    array([ True,  True,  True, False])
    """
    pvalues = np.asarray(pvalues, dtype=np.float64)
    if sparsity is None:
        return ~(_gated(pvalues, max_exponents, lyapunov_threshold) | (pvalues >= alpha))
    order = causal_prune_order(pvalues, max_exponents, lyapunov_threshold)
    keep = np.ones(pvalues.size, dtype=bool)
    keep[order[:n_to_prune(pvalues.size, sparsity)]] = False
    return keep


def magnitude_keep_mask(weights, sparsity):
    """Keep mask pruning the weights of smallest absolute value.

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
    keep[order[:n_to_prune(weights.size, sparsity)]] = False
    return keep


def order_scores(order):
    """Scores under which :func:`connected_keep_mask` prunes in ``order``
    (a permutation of the weights, the first to prune first): each weight's
    position in it."""
    scores = np.empty(len(order))
    scores[order] = np.arange(len(order))
    return scores


def connected_keep_mask(scores, shapes, sparsity, locked=None):
    """Keep mask of the ``round(sparsity * n)`` lowest ``scores`` pruned,
    that never cuts all inputs of a unit that still has outputs, nor all
    inputs of an output unit (where the weights allow it).

    The ranking mask is repaired in passes: every such unit gets back its
    best-scoring input (:func:`unit_repairs`), and as many of the
    lowest-scoring kept weights that are no unit's last input are pruned
    instead, so the sparsity stays exact; a pass can only cut a unit by
    pruning two inputs of it, which the next pass repairs.  When no
    exchange is left (every kept weight is some unit's last input), or the
    passes do not settle, the restored weights are simply kept, and the
    sparsity is then lower than asked.

    Parameters
    ----------
    scores : ndarray of shape (n_weights,)
        Flat, layer by layer; higher keeps.
    shapes : list of tuple
        ``(fan_in, fan_out)`` of each weight matrix.
    sparsity : float
    locked : ndarray of bool, shape (n_weights,), default=None
        Weights that stay pruned whatever (an earlier round's, so that
        masks nest); give them the lowest scores.  A unit whose inputs are
        all locked is left cut.

    Returns
    -------
    keep : ndarray of bool, shape (n_weights,)

    Examples
    --------
    >>> import numpy as np
    >>> scores = np.array([0.9, 0.1, 0.8, 0.2,   0.6, 0.7])     # a 2-2-1 network
    >>> magnitude_keep_mask(scores, 0.5)      # hidden unit 1: an output, no input
    array([ True, False,  True, False, False,  True])
    >>> connected_keep_mask(scores, [(2, 2), (2, 1)], 0.5)
    array([ True, False, False,  True, False,  True])
    """
    scores = np.asarray(scores, dtype=np.float64)
    keep = magnitude_keep_mask(scores, sparsity)
    passes = 4 * len(shapes) + 4
    for done in range(passes + len(shapes) + 1):
        restore, last_inputs = unit_repairs(keep, scores, shapes, locked)
        if restore.size == 0:
            break
        keep[restore] = True
        if done >= passes:  # no exchange settled: keep the repairs only
            continue
        candidates = np.flatnonzero(keep & ~last_inputs)
        candidates = candidates[~np.isin(candidates, restore)]
        order = candidates[np.lexsort((candidates, scores[candidates]))]
        keep[order[:restore.size]] = False
    return keep


def unit_repairs(keep, scores, shapes, locked=None):
    """What :func:`connected_keep_mask` repairs in one pass.

    Returns
    -------
    restore : ndarray of int
        For every unit that has a kept output (every output unit) but no
        kept input, the flat index of its best-scoring input that is not
        ``locked`` (none for a unit whose inputs are all locked).
    last_inputs : ndarray of bool, shape (n_weights,)
        The kept weights that are the only kept input of a unit with
        outputs.
    """
    keep = np.asarray(keep, dtype=bool)
    scores = np.asarray(scores, dtype=np.float64)
    if locked is not None:
        scores = np.where(locked, -np.inf, scores)
    starts = np.cumsum([0] + [int(np.prod(s)) for s in shapes])
    masks = split_flat(keep, shapes)
    restore, last_inputs = [], np.zeros(keep.size, dtype=bool)
    for layer, (mask, shape) in enumerate(zip(masks, shapes)):
        has_output = (np.ones(shape[1], dtype=bool) if layer == len(shapes) - 1
                      else masks[layer + 1].any(axis=1))
        n_inputs = mask.sum(axis=0)
        cut = np.flatnonzero(has_output & (n_inputs == 0))
        layer_scores = scores[starts[layer]:starts[layer + 1]].reshape(shape)
        if cut.size:
            rows = layer_scores[:, cut].argmax(axis=0)
            fixable = np.isfinite(layer_scores[rows, cut])
            restore.append(starts[layer] + rows[fixable] * shape[1] + cut[fixable])
        sole = mask & (has_output & (n_inputs == 1))[None, :]
        last_inputs[starts[layer]:starts[layer + 1]] = sole.ravel()
    restore = (np.concatenate(restore) if restore else np.empty(0)).astype(np.int64)
    return restore, last_inputs


def _gated(pvalues, max_exponents, lyapunov_threshold):
    """The weights whose largest exponent is at most ``lyapunov_threshold``
    (none without a threshold): pruned whatever their p-value."""
    if lyapunov_threshold is None:
        return np.zeros(pvalues.shape, dtype=bool)
    if max_exponents is None:
        raise ValueError("lyapunov_threshold needs the largest exponent of each weight.")
    return np.asarray(max_exponents) <= lyapunov_threshold


def causal_prune_order(pvalues, max_exponents=None, lyapunov_threshold=None):
    """The order in which :func:`causal_keep_mask` prunes for a sparsity:
    weights gated by the threshold first, then by descending p-value, then
    by ascending largest exponent, then by index."""
    pvalues = np.asarray(pvalues, dtype=np.float64)
    gated = _gated(pvalues, max_exponents, lyapunov_threshold)
    lyap = np.zeros_like(pvalues) if max_exponents is None else np.asarray(max_exponents, float)
    # lexsort: the last key is the primary one.
    return np.lexsort((np.arange(pvalues.size), lyap, -pvalues, ~gated))


def lamp_scores(coefs):
    """LAMP scores of every weight (Lee et al., "Layer-adaptive sparsity for
    the magnitude-based pruning", ICLR 2021; docs/method.md section 7).

    Within each weight matrix the squared weights are sorted ascending,
    ``u_1 <= ... <= u_n`` (ties by position), and ``u_i`` scores
    ``u_i / (u_i + u_{i+1} + ... + u_n)``: its share of what is at least as
    large in its own layer.  Ranking all weights together by this score
    chooses each layer's sparsity without a parameter, and the largest
    weight of every layer scores 1 (0/0 in an all-zero layer counts as 0).

    Parameters
    ----------
    coefs : list of ndarray
        The weight matrices.

    Returns
    -------
    scores : ndarray of shape (n_weights,)
        Flat, layer by layer in C order.

    Examples
    --------
    >>> import numpy as np
    >>> lamp_scores([np.array([[1.0, -3.0, 2.0]]), np.array([[4.0], [-0.5]])])
    array([0.07142857, 1.        , 0.30769231, 1.        , 0.01538462])
    """
    out = []
    for coef in coefs:
        u = np.square(np.asarray(coef, dtype=np.float64).ravel())
        order = np.lexsort((np.arange(u.size), u))
        # Suffix sums of the sorted squares: the denominators.
        tail = np.cumsum(u[order][::-1])[::-1]
        score = np.empty(u.size)
        with np.errstate(invalid="ignore", divide="ignore"):
            score[order] = np.where(tail > 0, u[order] / tail, 0.0)
        out.append(score)
    return np.concatenate(out) if out else np.empty(0)


def random_keep_mask(n_weights, sparsity, random_state):
    """Keep mask pruning a uniformly random set of weights.

    Examples
    --------
    >>> mask = random_keep_mask(10, 0.3, 0)
    >>> int((~mask).sum())
    3
    """
    rng = check_random_state(random_state)
    keep = np.ones(n_weights, dtype=bool)
    keep[rng.permutation(n_weights)[:n_to_prune(n_weights, sparsity)]] = False
    return keep


def reaching_features(masks):
    """Input features joined to some output by a path of unpruned weights.

    Parameters
    ----------
    masks : list of ndarray of bool, shapes (fan_in, fan_out)
        Keep masks, first layer first.

    Returns
    -------
    support : ndarray of bool, shape (n_features,)

    Examples
    --------
    >>> import numpy as np
    >>> m1 = np.array([[True, False], [False, True], [False, False]])
    >>> m2 = np.array([[True], [False]])    # hidden unit 1 reaches no output
    >>> reaching_features([m1, m2])
    array([ True, False, False])
    """
    reach = np.ones(np.shape(masks[-1])[1], dtype=bool)
    for mask in reversed(masks):
        reach = np.any(np.asarray(mask, dtype=bool) & reach[None, :], axis=1)
    return reach


def reached_outputs(masks):
    """Output units joined to some input feature by unpruned weights.

    Examples
    --------
    >>> import numpy as np
    >>> reached_outputs([np.array([[True, False]]), np.array([[True, False], [False, False]])])
    array([ True, False])
    """
    reach = np.ones(np.shape(masks[0])[0], dtype=bool)
    for mask in masks:
        reach = np.any(np.asarray(mask, dtype=bool) & reach[:, None], axis=0)
    return reach


def repair_collapse(masks, pvalues):
    """Keep masks in which every output has a path from some input, adding
    back the fewest pruned weights, the most causal first.

    The ``on_collapse='repair'`` rule of :class:`ChaosCausalPruning`
    (docs/method.md section 5).  While some output unit has no path of kept
    weights from any input feature, the cheapest such output gets one: the
    path through the layers that adds the fewest pruned weights, and among
    those the one whose added weights have the smallest sum of p-values
    (ties: the lowest unit indices).  A path added for one output is free
    for the next, so outputs that can share hidden units do.  (Choosing the
    smallest set for all outputs at once is a Steiner-tree problem; this
    greedy rule adds at most ``n_layers`` weights per cut-off output.)

    Parameters
    ----------
    masks : list of ndarray of bool, shapes (fan_in, fan_out)
        Keep masks, first layer first.
    pvalues : list of ndarray of float, the shapes of ``masks``
        The weights' p-values in [0, 1] (smaller: more causal).

    Returns
    -------
    masks : list of ndarray of bool
        New keep masks (the given ones when every output is reached).
    n_added : int
        Weights added back.

    Examples
    --------
    >>> import numpy as np
    >>> m1 = np.array([[True, False], [False, False]])
    >>> m2 = np.array([[False, False], [False, False]])     # no output reached
    >>> p1 = np.array([[0.01, 0.2], [0.3, 0.4]])
    >>> p2 = np.array([[0.5, 0.9], [0.06, 0.07]])
    >>> new, n_added = repair_collapse([m1, m2], [p1, p2])
    >>> n_added                       # one weight per output, from hidden unit 0
    2
    >>> new[1]
    array([[ True,  True],
           [False, False]])
    """
    masks = [np.asarray(m, dtype=bool).copy() for m in masks]
    pvalues = [np.asarray(p, dtype=np.float64) for p in pvalues]
    # Path keys order (added weights, sum of their p-values) lexicographically:
    # a path has at most len(masks) weights, each p <= 1.
    step = float(len(masks) + 1)
    n_added = 0
    while not reached_outputs(masks).all():
        cost = np.zeros(masks[0].shape[0])
        choices = []
        for mask, p in zip(masks, pvalues):
            candidates = cost[:, None] + np.where(mask, 0.0, step + p)
            best = np.argmin(candidates, axis=0)
            choices.append(best)
            cost = candidates[best, np.arange(candidates.shape[1])]
        cut = ~reached_outputs(masks)
        unit = int(np.flatnonzero(cut)[np.argmin(cost[cut])])
        for layer in range(len(masks) - 1, -1, -1):
            source = int(choices[layer][unit])
            if not masks[layer][source, unit]:
                masks[layer][source, unit] = True
                n_added += 1
            unit = source
    return masks, n_added


def unit_keep_masks(masks, coefs, units):
    """Structured masks: remove whole hidden units from weight keep masks.

    The rule of the estimators' ``prune_units`` (applied after a strategy
    decided its weight mask and before retraining):

    1. With a fraction ``units`` in (0, 1), each hidden layer loses the
       ``round(units * n_units)`` units (at most ``n_units - 1``) that the
       strategy valued least: the score of a unit is the share of its
       incoming and outgoing weights that the weight mask keeps (for
       :class:`ChaosCausalPruning`, the share of its weights whose exponents
       Granger-cause the risk; for magnitude pruning, the share among the
       largest weights), ties broken by the smaller sum of the absolute
       values of its kept weights in ``coefs``, then by index.  All layers
       are scored on the strategy's mask, before any removal.
    2. Then, with ``units='dead'`` or a fraction, until nothing changes: a
       hidden unit goes when all of its incoming or all of its outgoing
       weights are pruned.

    A removed unit loses every incoming and outgoing weight (its bias is
    kept but reaches nothing), so that
    :func:`skchaosprune.export.compact` drops it from the network.

    Parameters
    ----------
    masks : list of ndarray of bool, shapes (fan_in, fan_out)
        The strategy's keep masks, first layer first.
    coefs : list of ndarray
        The weights the masks were decided on (the tie-break).
    units : 'dead' or float in [0, 1)
        The rule above.

    Returns
    -------
    masks : list of ndarray of bool
        New keep masks.
    removed : list of ndarray of int
        The indices of the removed units of each hidden layer.

    Examples
    --------
    >>> import numpy as np
    >>> m1 = np.array([[True, True, False], [True, False, False]])
    >>> m2 = np.array([[True], [True], [True]])      # unit 2 has no input left
    >>> coefs = [np.ones((2, 3)), np.ones((3, 1))]
    >>> new, removed = unit_keep_masks([m1, m2], coefs, "dead")
    >>> removed
    [array([2])]
    >>> new[1].ravel()
    array([ True,  True, False])
    >>> unit_keep_masks([m1, m2], coefs, 0.6)[1]   # 2 units: 2 (1 of 3 kept), 1 (2 of 3)
    [array([1, 2])]
    """
    masks = [np.asarray(m, dtype=bool).copy() for m in masks]
    n_hidden = len(masks) - 1
    removed = [np.zeros(masks[h].shape[0], dtype=bool) for h in range(1, n_hidden + 1)]
    if units != "dead" and float(units) > 0:
        for h in range(1, n_hidden + 1):
            w_in, w_out = np.abs(np.asarray(coefs[h - 1])), np.abs(np.asarray(coefs[h]))
            m_in, m_out = masks[h - 1], masks[h]
            n_units = m_out.shape[0]
            score = (m_in.sum(axis=0) + m_out.sum(axis=1)) / (m_in.shape[0] + m_out.shape[1])
            strength = (w_in * m_in).sum(axis=0) + (w_out * m_out).sum(axis=1)
            order = np.lexsort((np.arange(n_units), strength, score))
            n_remove = min(n_to_prune(n_units, units), n_units - 1)
            removed[h - 1][order[:n_remove]] = True
    changed = True
    while changed:
        for h in range(1, n_hidden + 1):
            masks[h - 1][:, removed[h - 1]] = False
            masks[h][removed[h - 1], :] = False
        changed = False
        for h in range(1, n_hidden + 1):
            dead = ~masks[h - 1].any(axis=0) | ~masks[h].any(axis=1)
            if (dead & ~removed[h - 1]).any():
                removed[h - 1] |= dead
                changed = True
    return masks, [np.flatnonzero(r) for r in removed]
