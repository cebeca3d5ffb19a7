"""Pruning strategies: which weights a fitted dense network loses.

A strategy is a small scikit-learn-style object (``get_params``,
``set_params``, ``clone``, an estimator-like repr) that the estimators take
as their ``pruning`` parameter:

- :class:`ChaosCausalPruning`: the chaos-causality method (LEGCNet-FT and
  LEGCNet-PT), with every setting it needs: the recording of the dense run
  (windows, Lyapunov embedding), the Granger test (lags, risk, stationarity)
  and the decision (``alpha``, ``lyapunov_threshold``, ``multitest``,
  ``sparsity``, ``on_infeasible``); docs/method.md sections 2-5;
- :class:`MagnitudePruning` and :class:`RandomPruning`: the baselines of
  docs/method.md section 7.

Because a strategy is a nested object, ``GridSearchCV(est,
{"pruning__alpha": [...]})`` tunes it like any estimator parameter.

Masks are flat boolean arrays over all weights (layer by layer, C order);
True keeps a weight, False prunes it.  Biases are never pruned.
"""

import math
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from ._warn import warn_user

__all__ = [
    "ChaosCausalPruning",
    "MagnitudePruning",
    "RandomPruning",
    "LayerShuffledPruning",
    "DegenerateRiskWarning",
    "PrunedModelWarning",
    "auto_window",
    "auto_maxlag",
    "causal_keep_mask",
    "magnitude_keep_mask",
    "random_keep_mask",
    "reached_outputs",
    "reaching_features",
    "repair_collapse",
    "unit_keep_masks",
]

#: ``multitest`` methods (statsmodels.stats.multitest.multipletests).
MULTITEST_METHODS = {
    "bonferroni", "sidak", "holm-sidak", "holm", "simes-hochberg", "hommel",
    "fdr_bh", "fdr_by", "fdr_tsbh", "fdr_tsbky",
}

#: The ``window='auto'`` rule: the paper's window length when the run allows
#: ``AUTO_WINDOWS`` windows of it, else the longest window (at least
#: ``AUTO_MIN_WINDOW`` updates) that does.
AUTO_WINDOW = 200
AUTO_MIN_WINDOW = 20
AUTO_WINDOWS = 20
#: The ``maxlag='auto'`` rule's cap: the paper's maxlag.
AUTO_MAX_LAG = 14


class DegenerateRiskWarning(UserWarning):
    """The risk series left no lag at which a Granger test is possible."""


class PrunedModelWarning(UserWarning):
    """The pruned network lost what the dense one had (a class, most of its
    accuracy, or some outputs' inputs)."""


# ---------------------------------------------------------------------------
# Mask rules (plain functions)
# ---------------------------------------------------------------------------


def n_to_prune(n_weights, sparsity):
    """Number of weights a target sparsity prunes (rounded to nearest)."""
    return int(round(float(sparsity) * n_weights))


def _split_flat(flat, shapes):
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
    gated = np.zeros(pvalues.shape, dtype=bool)
    if lyapunov_threshold is not None:
        if max_exponents is None:
            raise ValueError("lyapunov_threshold needs the largest exponent of each weight.")
        gated = np.asarray(max_exponents) <= lyapunov_threshold
    if sparsity is None:
        return ~(gated | (pvalues >= alpha))
    lyap = np.zeros_like(pvalues) if max_exponents is None else np.asarray(max_exponents, float)
    # lexsort: the last key is the primary one.
    order = np.lexsort((np.arange(pvalues.size), lyap, -pvalues, ~gated))
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


# ---------------------------------------------------------------------------
# window='auto' and maxlag='auto'
# ---------------------------------------------------------------------------


def _n_windows(n_rows, window, overlap):
    from .lyapunov import window_stride

    if n_rows < window:
        return 0
    return (n_rows - window) // window_stride(window, overlap) + 1


def auto_window(n_updates, overlap=0.1):
    """The window ``window='auto'`` chooses for a run of ``n_updates``.

    The rule (docs/method.md section 5): the paper's window of 200 updates
    when the run's ``n_updates + 1`` weight rows hold at least 20 windows of
    it; otherwise the longest window of at least 20 updates that still gives
    20 windows; a run too short for that gets 20 (and, with fewer than 5
    windows, the estimator stops early with the numbers).  Longer windows
    give steadier exponents, so the window shrinks only as far as the run
    forces it to.

    Parameters
    ----------
    n_updates : int
        SGD updates of the dense phase.
    overlap : float, default=0.1
        Overlap of consecutive windows.

    Returns
    -------
    window : int

    Examples
    --------
    >>> auto_window(8200)      # digits, batch 32, 200 epochs
    200
    >>> auto_window(600)       # 90 samples, batch 32, 200 epochs
    32
    >>> auto_window(50)
    20
    """
    rows = int(n_updates) + 1
    for window in range(AUTO_WINDOW, AUTO_MIN_WINDOW - 1, -1):
        if _n_windows(rows, window, overlap) >= AUTO_WINDOWS:
            return window
    return AUTO_MIN_WINDOW


def auto_maxlag(n_windows):
    """The largest lag ``maxlag='auto'`` tests on ``n_windows`` windows.

    Half of the largest lag statsmodels allows (it needs ``3 * maxlag + 2``
    observations), at most the paper's 14 and at least 1:
    ``min(14, max(1, (n_windows - 2) // 6))``; from 7 windows on, every lag
    it tests keeps the package's degrees-of-freedom rule (``5 * maxlag + 2``
    windows, :func:`skchaosprune.causality.granger_min_length`).

    Examples
    --------
    >>> auto_maxlag(20), auto_maxlag(45), auto_maxlag(438)
    (3, 7, 14)
    """
    return int(min(AUTO_MAX_LAG, max(1, (int(n_windows) - 2) // 6)))


# ---------------------------------------------------------------------------
# Strategies
# ---------------------------------------------------------------------------


class _Strategy(BaseEstimator):
    """What every pruning strategy provides to the estimators."""

    #: whether the dense run must stream its dynamics
    needs_dynamics = False

    def _explicit_sparsity(self):
        """True when the user asked for a sparsity (a mask that cuts the
        network off is then a warning, not an error)."""
        return getattr(self, "sparsity", None) is not None

    def _dense_epochs(self, max_iter, per_epoch):
        """Epochs of the dense run the mask is decided from."""
        return max_iter

    def _decide(self, dense_coefs, dynamics):  # pragma: no cover - abstract
        """(flat keep mask, dict of fitted attributes to set)."""
        raise NotImplementedError


class MagnitudePruning(_Strategy):
    """Prune the weights of smallest absolute value after dense training.

    The paper's first baseline (docs/method.md section 7).

    Parameters
    ----------
    sparsity : float, default=0.5
        Fraction of the weights to prune, in [0, 1]
        (``round(sparsity * n_weights)`` of them).
    scope : {'global', 'layer'}, default='global'
        'global': rank all weights together (the paper's baseline);
        'layer': prune that fraction of every weight matrix.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skchaosprune import DenseMLPClassifier, MagnitudePruning
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = DenseMLPClassifier((8,), pruning=MagnitudePruning(0.5), max_iter=100,
    ...                          learning_rate_init=0.01, random_state=0).fit(X, y)
    >>> clf.sparsity_
    0.5
    """

    _parameter_constraints: dict = {
        "sparsity": [Interval(Real, 0, 1, closed="both")],
        "scope": [StrOptions({"global", "layer"})],
    }

    def __init__(self, sparsity=0.5, scope="global"):
        self.sparsity = sparsity
        self.scope = scope

    def _decide(self, dense_coefs, dynamics):
        if self.scope == "global":
            flat = np.concatenate([np.ravel(c) for c in dense_coefs])
            return magnitude_keep_mask(flat, self.sparsity), {}
        return np.concatenate([magnitude_keep_mask(np.ravel(c), self.sparsity)
                               for c in dense_coefs]), {}


class RandomPruning(_Strategy):
    """Prune a uniformly random set of weights (docs/method.md section 7).

    Parameters
    ----------
    sparsity : float, default=0.5
        Fraction of the weights to prune, in [0, 1].
    random_state : int, RandomState instance or None, default=None
        Seeds the choice (None: a fresh choice each time).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skchaosprune import DenseMLPClassifier, RandomPruning
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = DenseMLPClassifier((8,), pruning=RandomPruning(0.25, random_state=0),
    ...                          max_iter=100, learning_rate_init=0.01,
    ...                          random_state=0).fit(X, y)
    >>> int(sum((~m).sum() for m in clf.masks_))      # round(0.25 * 56)
    14
    """

    _parameter_constraints: dict = {
        "sparsity": [Interval(Real, 0, 1, closed="both")],
        "random_state": ["random_state"],
    }

    def __init__(self, sparsity=0.5, random_state=None):
        self.sparsity = sparsity
        self.random_state = random_state

    def _decide(self, dense_coefs, dynamics):
        n_weights = sum(np.size(c) for c in dense_coefs)
        return random_keep_mask(n_weights, self.sparsity, self.random_state), {}


#: ChaosCausalPruning parameters fixed by the dense run: changing one needs
#: a new ``fit``.
RECORDING_PARAMS = ("mode", "partial_epochs", "window", "overlap", "lyapunov_dim",
                    "lyapunov_delay", "lyapunov_steps", "lyapunov_theiler",
                    "lyapunov_fit_steps", "min_range")
#: Parameters of the Granger tests: changing one repeats the tests only.
TEST_PARAMS = ("maxlag", "test", "stationarity", "risk")
#: Parameters of the decision: changing one reuses the stored p-values.
DECISION_PARAMS = ("alpha", "lyapunov_threshold", "multitest", "sparsity", "on_infeasible",
                   "on_collapse")


class ChaosCausalPruning(_Strategy):
    """Prune the weights whose Lyapunov exponents do not Granger-cause the risk.

    The method of Sahu et al. (LEGCNet), docs/method.md sections 2-5.  During
    dense training every weight's trajectory is cut into windows, each
    window gets its largest Lyapunov exponent, and the validation risk is
    measured at each window's end.  A weight whose exponent series does not
    Granger-cause the risk series (p-value ``>= alpha``) is pruned.

    Parameters
    ----------
    mode : {'full', 'partial'}, default='full'
        'full' (LEGCNet-FT): the mask comes from the whole dense run of
        ``max_iter`` epochs.  'partial' (LEGCNet-PT): from its first
        ``partial_epochs`` epochs only (cheaper).
    partial_epochs : int or 'auto', default='auto'
        Dense epochs in 'partial' mode (at most ``max_iter``).  'auto': the
        larger of 10 % of ``max_iter`` (rounded up) and the fewest epochs
        that give enough windows (``5 * maxlag + 2`` for an explicit
        ``maxlag``, the degrees-of-freedom rule of
        :func:`skchaosprune.causality.granger_min_length`, else 20), at most
        ``max_iter``: on a run too short to be
        cut, PT is FT.
    window : int or 'auto', default='auto'
        Updates per Lyapunov window.  'auto': :func:`auto_window` of the
        updates of ``max_iter`` epochs (200 when the run allows 20 windows
        of 200, else the longest window that does, never below 20); PT uses
        the same window as FT.  The paper used 160-250
        (:func:`skchaosprune.datasets.paper_pruning` sets them).
    maxlag : int or 'auto', default='auto'
        Largest Granger lag; a weight's p-value is the minimum over the
        usable lags ``1 .. maxlag``.  'auto': :func:`auto_maxlag` of the
        number of windows (at most the paper's 14).
    overlap : float, default=0.1
        Overlap of consecutive windows; the stride is
        ``max(1, round(window * (1 - overlap)))``.
    lyapunov_dim, lyapunov_delay, lyapunov_steps, lyapunov_theiler : int, default=2, 1, 3, 0
        Embedding dimension, delay, divergence steps and Theiler window of
        the Rosenstein exponent (TISEAN ``lyap_r -m2 -d1 -s3``).
    lyapunov_fit_steps : int, default=1
        Slope over ``curve[0..fit_steps]``; 1 is the paper's
        ``curve[1] - curve[0]``.
    min_range : float, default=1e-5
        A window whose weight range is below this is static (exponent 0).
    test : {'ssr_chi2test', 'ssr_ftest'}, default='ssr_chi2test'
        statsmodels' Granger test statistic.
    stationarity : {None, 'adf'}, default=None
        None: test the series as they are (the reference code's recorded
        runs).  'adf': the augmented Dickey-Fuller step first
        (:func:`skchaosprune.stationarity.make_stationary`).
    risk : {'loss', 'error'}, default='loss'
        The risk series: the validation value of the training loss
        ('loss', continuous), or the validation misclassification rate
        ('error', the paper's, which takes few distinct values).  A
        regressor's risk is its validation mean squared error either way.
        The dense run records both, so switching needs no new fit.
    alpha : float, default=0.05
        Prune a weight whose p-value is ``>= alpha``.
    lyapunov_threshold : float or None, default=None
        Prune without a test a weight whose largest windowed exponent never
        exceeds this value.  None: no gate (the reference behaviour).
    multitest : str or None, default=None
        Correction of the p-values across weights, any method of
        ``statsmodels.stats.multitest.multipletests`` ('fdr_bh',
        'bonferroni', ...).
    sparsity : float or None, default=None
        Prune exactly this fraction of the weights, least causal first
        (ranked by p-value); None: decide by ``alpha``.  A mask asked for
        this way is kept as asked, even one that cuts the network off (a
        warning says so); for one decided by ``alpha``, see ``on_collapse``.
    on_infeasible : {'prune', 'keep'}, default='prune'
        A weight whose own exponent series makes the test infeasible (a
        static weight) gets p = 1 ('prune') or p = 0 ('keep', the reference
        code).  A lag at which the risk series itself is degenerate is
        skipped for every weight and never makes a weight infeasible.
    on_collapse : {'repair', 'raise'}, default='repair'
        What happens when the ``alpha``-decided mask leaves some output with
        no path from any input (a constant output).  'repair': keep, besides
        the causal weights, the fewest pruned weights with the smallest
        p-values that give every output a path
        (:func:`repair_collapse`), with a
        :class:`~skchaosprune.PrunedModelWarning` that says how many; the
        fitted ``repaired_weights_`` counts them.  'raise': a mask that
        cuts every output off is a ``ValueError`` (and one that cuts some
        outputs off a warning).  Not used with ``sparsity``.

    Notes
    -----
    What a change costs once the estimator is fitted (``prune``): the
    decision parameters (``alpha``, ``lyapunov_threshold``, ``multitest``,
    ``sparsity``, ``on_infeasible``, ``on_collapse``) reuse the stored
    p-values; the test
    parameters (``maxlag``, ``test``, ``stationarity``, ``risk``) repeat the
    Granger tests on the stored exponents; the recording parameters
    (``mode``, ``partial_epochs``, ``window``, ``overlap``, the Lyapunov
    parameters, ``min_range``) need a new ``fit``.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skchaosprune import ChaosCausalPruning, DenseMLPClassifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> clf = DenseMLPClassifier((8,), pruning=ChaosCausalPruning(), max_iter=40,
    ...                          batch_size=32, learning_rate_init=0.01,
    ...                          random_state=0).fit(X, y)
    >>> clf.pruning_params_["window"], clf.pruning_params_["maxlag"]
    (34, 3)
    >>> 0.0 <= clf.sparsity_ < 1.0
    True
    >>> clf.prune(X, y, pruning=ChaosCausalPruning(alpha=0.5)).sparsity_ >= 0.0
    True
    """

    needs_dynamics = True

    _parameter_constraints: dict = {
        "mode": [StrOptions({"full", "partial"})],
        "partial_epochs": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "window": [StrOptions({"auto"}), Interval(Integral, 2, None, closed="left")],
        "maxlag": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "overlap": [Interval(Real, 0, 1, closed="left")],
        "lyapunov_dim": [Interval(Integral, 1, None, closed="left")],
        "lyapunov_delay": [Interval(Integral, 1, None, closed="left")],
        "lyapunov_steps": [Interval(Integral, 1, None, closed="left")],
        "lyapunov_theiler": [Interval(Integral, 0, None, closed="left")],
        "lyapunov_fit_steps": [Interval(Integral, 1, None, closed="left")],
        "min_range": [Interval(Real, 0, None, closed="left")],
        "test": [StrOptions({"ssr_chi2test", "ssr_ftest"})],
        "stationarity": [None, StrOptions({"adf"})],
        "risk": [StrOptions({"loss", "error"})],
        "alpha": [Interval(Real, 0, 1, closed="both")],
        "lyapunov_threshold": [None, Interval(Real, None, None, closed="neither")],
        "multitest": [None, StrOptions(MULTITEST_METHODS)],
        "sparsity": [None, Interval(Real, 0, 1, closed="both")],
        "on_infeasible": [StrOptions({"prune", "keep"})],
        "on_collapse": [StrOptions({"repair", "raise"})],
    }

    def __init__(self, *, mode="full", partial_epochs="auto", window="auto",
                 maxlag="auto", overlap=0.1, lyapunov_dim=2, lyapunov_delay=1,
                 lyapunov_steps=3, lyapunov_theiler=0, lyapunov_fit_steps=1,
                 min_range=1e-5, test="ssr_chi2test", stationarity=None, risk="loss",
                 alpha=0.05, lyapunov_threshold=None, multitest=None, sparsity=None,
                 on_infeasible="prune", on_collapse="repair"):
        self.mode = mode
        self.partial_epochs = partial_epochs
        self.window = window
        self.maxlag = maxlag
        self.overlap = overlap
        self.lyapunov_dim = lyapunov_dim
        self.lyapunov_delay = lyapunov_delay
        self.lyapunov_steps = lyapunov_steps
        self.lyapunov_theiler = lyapunov_theiler
        self.lyapunov_fit_steps = lyapunov_fit_steps
        self.min_range = min_range
        self.test = test
        self.stationarity = stationarity
        self.risk = risk
        self.alpha = alpha
        self.lyapunov_threshold = lyapunov_threshold
        self.multitest = multitest
        self.sparsity = sparsity
        self.on_infeasible = on_infeasible
        self.on_collapse = on_collapse

    # -- the dense run -------------------------------------------------------
    def _dense_epochs(self, max_iter, per_epoch):
        return self._plan(max_iter, per_epoch)[0]

    def _plan(self, max_iter, per_epoch):
        """Dense epochs and recording settings for a run of ``max_iter``
        epochs of ``per_epoch`` updates, with the 'auto' values resolved.

        'partial' mode with ``window='auto'`` uses the window the full run
        would get, so that FT and PT windows have the same length.
        """
        from .causality import granger_min_length
        from .lyapunov import window_stride

        window = (auto_window(max_iter * per_epoch, self.overlap) if self.window == "auto"
                  else int(self.window))
        epochs = max_iter
        if self.mode == "partial":
            if self.partial_epochs == "auto":
                n_windows = (AUTO_WINDOWS if self.maxlag == "auto"
                             else granger_min_length(self.maxlag, rule="dof"))
                rows = (n_windows - 1) * window_stride(window, self.overlap) + window
                need = -(-(rows - 1) // per_epoch)
                epochs = int(min(max_iter, max(math.ceil(0.1 * max_iter), need)))
            else:
                epochs = min(int(self.partial_epochs), max_iter)
        settings = dict(window=window, overlap=self.overlap, dim=self.lyapunov_dim,
                        delay=self.lyapunov_delay, steps=self.lyapunov_steps,
                        theiler=self.lyapunov_theiler, fit_steps=self.lyapunov_fit_steps,
                        min_range=self.min_range)
        return epochs, settings

    def _maxlag(self, n_windows):
        return auto_maxlag(n_windows) if self.maxlag == "auto" else int(self.maxlag)

    # -- the decision --------------------------------------------------------
    def _pvalues(self, dynamics):
        """Raw p-values, infeasible flags and what was differenced, for the
        test parameters; cached on ``dynamics`` so that a new decision on
        the same run repeats no test."""
        from . import causality

        risk = dynamics.risk(self.risk)
        maxlag = self._maxlag(risk.shape[0])
        key = (maxlag, self.test, self.stationarity, self.risk)
        if key in dynamics.tests:
            return dynamics.tests[key]
        exponents = dynamics.exponents
        differenced = (False, False)
        if self.stationarity == "adf":
            from .stationarity import make_stationary

            stationary = make_stationary(risk, exponents)
            risk, exponents = stationary.target, stationary.sources
            differenced = (stationary.target_differenced, stationary.sources_differenced)
        usable = causality.usable_lags(risk, maxlag) if np.ptp(risk) > 0 else np.zeros(maxlag, bool)
        if not usable.any():
            entry = dict(pvalues=None, infeasible=None, maxlag=maxlag,
                         differenced=differenced, usable=usable)
        else:
            result = causality.granger_pvalues(risk, exponents, maxlag=maxlag, test=self.test,
                                               lags="usable")
            entry = dict(pvalues=np.asarray(result.uncorrected_pvalues, dtype=np.float64),
                         infeasible=np.asarray(result.infeasible), maxlag=maxlag,
                         differenced=differenced, usable=usable)
        dynamics.tests[key] = entry
        return entry

    def _decide(self, dense_coefs, dynamics):
        from . import causality

        if dynamics is None:
            raise ValueError(
                "chaos-causal pruning needs the dynamics of the dense run: fit with "
                "pruning=ChaosCausalPruning(...) (or track_dynamics=True) first.")
        entry = self._pvalues(dynamics)
        n_weights = dynamics.exponents.shape[1]
        risk = dynamics.risk(self.risk)
        max_exponents = dynamics.exponents.max(axis=0)
        info = {"differenced_": entry["differenced"], "usable_lags_": entry["usable"],
                "risk_series_": risk}
        if entry["pvalues"] is None:
            if self.sparsity is not None:
                raise ValueError(
                    f"No Granger test was possible at any lag 1..{entry['maxlag']}: the "
                    f"{self.risk} risk series {_why_degenerate(risk)}, so "
                    "weights cannot be ranked for sparsity="
                    f"{self.sparsity}. Use risk='loss', a larger validation_fraction, "
                    "or a run whose risk keeps changing (fewer epochs, a smaller "
                    "learning rate).")
            warn_user(
                f"No Granger test was possible at any lag 1..{entry['maxlag']}: the "
                f"{self.risk} risk series {_why_degenerate(risk)}, so the "
                "test prunes no weight (p = 0 for all). Use risk='loss' (continuous), "
                "a larger validation_fraction, or a run whose risk keeps changing.",
                DegenerateRiskWarning)
            pvalues = np.zeros(n_weights)
        else:
            # The two-stage FDR methods depend on the level they control.
            pvalues = causality.adjust_pvalues(entry["pvalues"], entry["infeasible"],
                                               on_infeasible=self.on_infeasible,
                                               multitest=self.multitest, alpha=self.alpha)
        info["granger_pvalues_"] = pvalues
        keep = causal_keep_mask(pvalues, max_exponents, alpha=self.alpha,
                                lyapunov_threshold=self.lyapunov_threshold,
                                sparsity=self.sparsity)
        info["repaired_weights_"] = 0
        if self.sparsity is None and self.on_collapse == "repair":
            shapes = [np.shape(c) for c in dense_coefs]
            masks = _split_flat(keep, shapes)
            cut = np.flatnonzero(~reached_outputs(masks))
            if cut.size:
                masks, n_added = repair_collapse(masks, _split_flat(pvalues, shapes))
                keep = np.concatenate([m.ravel() for m in masks])
                info["repaired_weights_"] = n_added
                info["_repaired_outputs"] = cut.tolist()
        return keep, info


class LayerShuffledPruning(_Strategy):
    """The layer-wise shuffle control: a strategy's mask, permuted within
    each weight matrix.

    The base strategy decides its mask on the dense run as usual; the kept
    and pruned positions are then shuffled uniformly inside every weight
    matrix, so that each layer keeps exactly the base mask's number of
    weights but not its choice of which.  A ranking that does no better
    than its own shuffle adds nothing beyond its per-layer counts (Frankle
    et al., "Pruning neural networks at initialization: why are we missing
    the mark?", ICLR 2021).

    Parameters
    ----------
    base : strategy or None, default=None
        The strategy whose mask is shuffled (its parameters are nested:
        ``base__sparsity``, ``base__risk``...); None:
        ``ChaosCausalPruning()``.  The dense run records what the base
        needs (``needs_dynamics`` is the base's).
    random_state : int, RandomState instance or None, default=None
        Seeds the permutations (None: a fresh shuffle each time).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skchaosprune import ChaosCausalPruning, DenseMLPClassifier, LayerShuffledPruning
    >>> X, y = load_iris(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> clf = DenseMLPClassifier((8,), pruning=ChaosCausalPruning(sparsity=0.5),
    ...                          max_iter=40, batch_size=32, learning_rate_init=0.01,
    ...                          random_state=0).fit(X, y)
    >>> counts = [int((~m).sum()) for m in clf.masks_]     # pruned per layer
    >>> control = LayerShuffledPruning(ChaosCausalPruning(sparsity=0.5), random_state=0)
    >>> shuffled = clf.prune(X, y, pruning=control)
    >>> [int((~m).sum()) for m in shuffled.masks_] == counts
    True
    >>> control.set_params(base__sparsity=0.75).base.sparsity
    0.75
    """

    _parameter_constraints: dict = {
        "base": [None, _Strategy],
        "random_state": ["random_state"],
    }

    def __init__(self, base=None, random_state=None):
        self.base = base
        self.random_state = random_state

    def _base(self):
        if self.base is None:
            return ChaosCausalPruning()
        if not isinstance(self.base, _Strategy):
            self._validate_params()  # the constraint's InvalidParameterError
        return self.base

    # The estimators read these from the strategy that records the run.
    @property
    def needs_dynamics(self):
        """Whether the dense run must record its dynamics (the base's)."""
        return self._base().needs_dynamics

    @property
    def mode(self):
        """The base's ``mode`` ('full' for a baseline base)."""
        return getattr(self._base(), "mode", "full")

    @property
    def risk(self):
        """The base's ``risk`` ('loss' for a baseline base)."""
        return getattr(self._base(), "risk", "loss")

    @property
    def sparsity(self):
        """The base's ``sparsity`` (None when it decides by a threshold)."""
        return getattr(self._base(), "sparsity", None)

    def _validate_params(self):
        super()._validate_params()
        self._base()._validate_params()

    def _dense_epochs(self, max_iter, per_epoch):
        return self._base()._dense_epochs(max_iter, per_epoch)

    def _plan(self, max_iter, per_epoch):
        return self._base()._plan(max_iter, per_epoch)

    def _maxlag(self, n_windows):
        return self._base()._maxlag(n_windows)

    def _decide(self, dense_coefs, dynamics):
        keep, info = self._base()._decide(dense_coefs, dynamics)
        rng = check_random_state(self.random_state)
        shuffled, start = np.empty_like(keep), 0
        for coef in dense_coefs:
            stop = start + np.size(coef)
            shuffled[start:stop] = keep[start:stop][rng.permutation(stop - start)]
            start = stop
        return shuffled, info


def _why_degenerate(risk):
    if np.ptp(risk) == 0:
        return f"was constant ({risk[0]:.4g}) over all {risk.size} windows"
    return (f"took {np.unique(risk).size} distinct values over {risk.size} windows "
            "and was degenerate (a constant stretch or a perfect fit of its own lags)")


_SHORTCUTS = {
    "chaos_causal": ChaosCausalPruning,
    "magnitude": MagnitudePruning,
    "random": RandomPruning,
}


def resolve_strategy(pruning):
    """A strategy object for the estimators' ``pruning`` parameter (a string
    shortcut becomes the strategy with its defaults; None stays None)."""
    if isinstance(pruning, str):
        if pruning not in _SHORTCUTS:
            raise ValueError(
                f"Unknown pruning shortcut {pruning!r}; use one of {sorted(_SHORTCUTS)} "
                "or a strategy object (ChaosCausalPruning(...), MagnitudePruning(...)).")
        return _SHORTCUTS[pruning]()
    return pruning


def shortcut_params(owner, deep_params):
    """``get_params(deep=True)`` of an object whose ``pruning`` is a string
    shortcut: the shortcut's strategy parameters added as
    ``pruning__<name>``, so that it tunes like the object it stands for."""
    if isinstance(owner.pruning, str) and owner.pruning in _SHORTCUTS:
        for name, value in resolve_strategy(owner.pruning).get_params().items():
            deep_params[f"pruning__{name}"] = value
    return deep_params


def nested_pruning_params(owner, params):
    """Prepare ``set_params(**params)`` of an object with a ``pruning``
    parameter for nested ``pruning__<name>`` keys: a string shortcut (the
    current one or one set in the same call) becomes its strategy object,
    and with no strategy at all the keys are invalid (scikit-learn's
    message, not an AttributeError).  Returns the parameters to pass on."""
    if not any(key.startswith("pruning__") for key in params):
        return params
    params = dict(params)
    if "pruning" in params:
        if isinstance(params["pruning"], str):
            params["pruning"] = resolve_strategy(params["pruning"])
    elif isinstance(owner.pruning, str):
        owner.pruning = resolve_strategy(owner.pruning)
    if params.get("pruning", owner.pruning) is None:
        key = next(key for key in params if key.startswith("pruning__"))
        raise ValueError(
            f"Invalid parameter {key.split('__', 1)[1]!r} for estimator {owner}: its "
            "pruning is None, so there is no strategy to set it on. Set a strategy "
            "first, e.g. set_params(pruning=ChaosCausalPruning(), "
            f"{key}=...).")
    return params
