"""Trajectory-causal pruning: a lasso of each update's loss change on the
squared weight changes, in rounds with rewinding (Shah et al., "A
Granger-causal perspective on gradient descent with application to
pruning", arXiv:2412.03035; docs/strategies.md).
"""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso
from sklearn.utils._param_validation import Interval

from ._base import PruningResult, PruningStrategy
from ._masks import connected_keep_mask, n_to_prune


def cubic_schedule(sparsity, rounds):
    """The cumulative sparsity after each round of a cubic schedule (Zhu and
    Gupta, "To prune, or not to prune", 2017): ``s_k = s_f (1 - (1 - k /
    T) ** 3)`` for ``k = 1..T``, so that early rounds prune most and the
    last round exactly ``s_f``.

    Examples
    --------
    >>> [round(s, 4) for s in cubic_schedule(0.9, 3)]
    [0.6333, 0.8667, 0.9]
    """
    return [float(sparsity) * (1.0 - (1.0 - k / rounds) ** 3) for k in range(1, rounds + 1)]


def update_effects(squared_changes, loss_changes, lasso_alpha=0.1):
    """The lasso of the loss changes on the squared weight changes.

    Fits ``-Delta L = sum_i b_i (Delta w_i) ** 2`` with ``b >= 0`` (each
    row an update, or a sum of consecutive updates) by scikit-learn's
    :class:`~sklearn.linear_model.Lasso` (no intercept: no change, no loss
    change), the L1 strength being ``lasso_alpha`` times the smallest that
    sets every coefficient to 0.  Both sides are scaled to a largest
    absolute value of 1 first (the fit is the same up to that scale).

    Parameters
    ----------
    squared_changes : ndarray of shape (n_rows, n_weights)
    loss_changes : ndarray of shape (n_rows,)
    lasso_alpha : float in (0, 1], default=0.1

    Returns
    -------
    coefs : ndarray of shape (n_weights,)
        The coefficient of each weight on the loss change, in the units of
        the data (loss per squared weight change): ``-b``, 0 or negative;
        gradient descent's first-order relation ``Delta L = -||Delta w||^2
        / lr`` gives every weight ``-1 / lr``.
    scores : ndarray of shape (n_weights,)
        How much each weight explains of the loss decrease, to rank them:
        the lasso's gradient ``x_i . (y - X b) / n_rows`` (scaled data),
        which is the L1 strength for every selected weight and below it
        for the others (at most the L1 strength by the optimality
        conditions), capped at the L1 strength; ties among the selected
        weights are broken by ``effects``.
    effects : ndarray of shape (n_weights,)
        The loss decrease the fit attributes to each weight's updates,
        ``b_i * sum_t (Delta w_{i,t}) ** 2`` (scaled data; 0 when not
        selected).
    """
    X = np.asarray(squared_changes)
    y = -np.asarray(loss_changes, dtype=np.float64)
    n_rows, n_weights = X.shape
    x_scale = float(np.max(X)) if X.size else 0.0
    y_scale = float(np.max(np.abs(y))) if y.size else 0.0
    coefs = np.zeros(n_weights)
    if x_scale <= 0.0 or y_scale <= 0.0 or not n_rows:
        return coefs, np.zeros(n_weights), np.zeros(n_weights)
    X = np.asfortranarray(X / np.asarray(x_scale, dtype=X.dtype))
    y = (y / y_scale).astype(X.dtype)
    grad = np.asarray(y @ X, dtype=np.float64) / n_rows
    alpha_max = float(grad.max())
    b = np.zeros(n_weights)
    if alpha_max > 0.0:
        alpha = lasso_alpha * alpha_max
        if lasso_alpha < 1.0:
            lasso = Lasso(alpha=alpha, fit_intercept=False, positive=True,
                          selection="cyclic", max_iter=1000, tol=1e-4)
            with warnings.catch_warnings():
                # An unconverged fit still ranks (the scores are recomputed
                # from its coefficients).
                warnings.simplefilter("ignore", ConvergenceWarning)
                lasso.fit(X, y)
            b = np.asarray(lasso.coef_, dtype=np.float64)
            residual = y - np.asarray(X @ b.astype(X.dtype), dtype=np.float64)
            grad = np.asarray(residual.astype(X.dtype) @ X, dtype=np.float64) / n_rows
        selected = b > 0.0
        grad = np.where(selected, alpha, np.minimum(grad, alpha))
    effects = b * np.asarray(X.sum(axis=0), dtype=np.float64)
    coefs = -b * (y_scale / x_scale)
    return coefs, grad, effects


def prune_first(scores, effects, weights):
    """Indices in the order they are pruned: lowest ``scores`` first, then
    lowest ``effects``, then smallest ``|weights|``, then by position."""
    n = np.asarray(scores).shape[0]
    return np.lexsort((np.arange(n), np.abs(weights), effects, scores))


class TrajectoryCausalPruning(PruningStrategy):
    """Prune the weights whose updates do not explain the loss decrease,
    over rounds on a cubic schedule with rewinding (experimental).

    The successor of the chaos-causal method by the same group (Shah,
    Challa, Danda, Mathur and Saha, "A Granger-causal perspective on
    gradient descent with application to pruning", arXiv:2412.03035): every
    update of gradient descent is an intervention on the weights, and a
    lasso of each update's loss change on the squared weight changes
    finds the weights whose changes go with the loss decrease; the others
    are pruned.  Gradient descent's first-order relation, ``Delta L ~
    -||Delta w||^2 / lr``, is what the fit makes explicit.

    Each round retrains the masked network from the dense run's initial
    weights, in its data order (rewinding, ``context.retrain``), recording
    for every update the squared change of every kept weight and the
    change of the update's batch loss on that same batch (the compiled
    trainer's one extra forward pass per update; the trained weights are
    the same, bit for bit).  The lasso of that round's recording
    (:func:`update_effects`) ranks the weights still kept, and the round
    prunes the lowest ranked up to its sparsity; the masks nest.  After the
    last round the final mask is retrained once more from the initial
    weights: the estimator's ``retrain='rewind'`` keeps that network
    (``retrain='finetune'`` fine-tunes it).

    What this implementation fixes, where the paper leaves a choice:

    - the batch: the loss change of an update is measured on that update's
      own batch, before and after it (not on the next batch, whose change
      would mix in the difference between batches);
    - the rounds: ``rounds`` rounds (10, as the paper) on the cubic
      schedule ``s_k = s_f (1 - (1 - k / T) ** 3)`` (Zhu and Gupta 2017),
      the last reaching exactly ``round(sparsity * n_weights)`` pruned
      weights;
    - the L1 strength: a fraction ``lasso_alpha`` of the smallest strength
      that selects no weight, so that it does not depend on the loss's or
      the weights' scale; the default 0.1 (one decade down the lasso path)
      was set before any measurement and was not tuned;
    - the ranking: only loss-decreasing effects are fitted (coefficients
      on the loss change constrained to be <= 0, as the first-order
      relation says); weights are pruned in the order of the lasso's
      gradient (its correlation with what the fit leaves unexplained), so
      that the weights not selected are ranked too: a round usually keeps
      more weights than the lasso can select (at most one per row);
    - the memory: a recording keeps at most ``max_rows`` rows (default
      2048, fewer when 64 MB of float32 rows over the kept weights would
      be exceeded); each update has its own row until they are full, then
      consecutive updates are summed in pairs (the linear model holds for
      sums of updates), so every update counts whatever the run's length.

    Parameters
    ----------
    sparsity : float, default=0.9
        The final fraction of the weights pruned, in [0, 1]
        (``round(sparsity * n_weights)`` of them).
    rounds : int, default=10
        Rounds of recording, ranking and pruning (the paper's 10).  Each
        costs one recorded retraining (about the time of the dense run plus
        one forward pass per update and the recording); a round whose
        schedule prunes no new weight is skipped.
    lasso_alpha : float, default=0.1
        The L1 strength as a fraction of the smallest that selects no
        weight, in (0, 1]; 1 ranks by the marginal correlation alone.
    max_rows : int or None, default=None
        The rows a recording keeps at most (None: 2048, fewer when 64 MB
        of float32 rows bind).
    keep_connected : bool, default=False
        Never cut all inputs of a unit that still has outputs, nor all
        inputs of an output: each round, such a unit gets back its
        best-ranked input still kept before the round, in exchange for the
        next weight of the round's ranking
        (:func:`~skchaosprune.pruning.connected_keep_mask`; the masks still
        nest).

    Attributes
    ----------
    The estimator gets ``pruning_rounds_`` (the keep masks after each
    round, one list of per-layer arrays per round) and ``lasso_coefs_``
    (per layer, each kept weight's lasso coefficient on the loss change in
    the last round that ranked: 0 or negative; 0 for the pruned weights).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skchaosprune import DenseMLPClassifier
    >>> from skchaosprune.pruning.trajectory import TrajectoryCausalPruning
    >>> X, y = load_iris(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> clf = DenseMLPClassifier((8,), solver="sgd", learning_rate_init=0.05, max_iter=40,
    ...                          n_iter_no_change=np.inf, random_state=0,
    ...                          pruning=TrajectoryCausalPruning(0.8, rounds=4)).fit(X, y)
    >>> len(clf.pruning_rounds_), int((~clf.masks_[0]).sum() + (~clf.masks_[1]).sum())
    (4, 45)
    >>> bool(all(c.max() <= 0.0 for c in clf.lasso_coefs_))
    True
    """

    needs_data = True

    _parameter_constraints: dict = {
        "sparsity": [Interval(Real, 0, 1, closed="both")],
        "rounds": [Interval(Integral, 1, None, closed="left")],
        "lasso_alpha": [Interval(Real, 0, 1, closed="right")],
        "max_rows": [None, Interval(Integral, 2, None, closed="left")],
        "keep_connected": ["boolean"],
    }

    def __init__(self, sparsity=0.9, *, rounds=10, lasso_alpha=0.1, max_rows=None,
                 keep_connected=False):
        self.sparsity = sparsity
        self.rounds = rounds
        self.lasso_alpha = lasso_alpha
        self.max_rows = max_rows
        self.keep_connected = keep_connected

    def schedule(self):
        """The cumulative sparsity after each round (:func:`cubic_schedule`)."""
        return cubic_schedule(self.sparsity, self.rounds)

    def decide(self, context):
        """Record, rank and prune in rounds (see the class).

        Parameters
        ----------
        context : PruningContext
            With the training data (``context.retrain``).

        Returns
        -------
        result : PruningResult
            The final masks and the network retrained with them from the
            initial weights, ``pruning_rounds_`` and ``lasso_coefs_``.
        """
        n_weights = context.n_weights
        keep = np.ones(n_weights, dtype=bool)
        coefs = np.zeros(n_weights)
        rounds = []
        for target in self.schedule():
            extra = n_to_prune(n_weights, target) - int((~keep).sum())
            if extra > 0:
                trained, _, record = context.retrain(
                    context.unflat(keep), record_updates=True, max_rows=self.max_rows)
                kept = record.kept
                round_coefs, scores, effects = update_effects(
                    record.squared_changes, record.loss_changes, self.lasso_alpha)
                coefs[kept] = round_coefs
                order = prune_first(scores, effects, context.flat(trained)[kept])
                if self.keep_connected:  # this round's ranking, earlier pruning locked
                    ranks = np.full(n_weights, -1.0)
                    ranks[kept[order]] = np.arange(kept.size)
                    keep = connected_keep_mask(ranks, context.shapes, target, locked=~keep)
                else:
                    keep[kept[order[:extra]]] = False
            rounds.append([m.copy() for m in context.unflat(keep)])
        coefs[~keep] = 0.0
        attributes = {"pruning_rounds_": rounds,
                      "lasso_coefs_": [c.copy() for c in context.unflat(coefs)]}
        if keep.all():  # nothing pruned: the dense run is the network
            return PruningResult(context.unflat(keep), attributes)
        final, intercepts = context.retrain(context.unflat(keep))
        return PruningResult(context.unflat(keep), attributes, coefs=final,
                             intercepts=intercepts, retrained=True)
