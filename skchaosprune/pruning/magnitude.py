"""The magnitude and random baselines (docs/method.md section 7)."""

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import StrOptions

from ._base import PruningResult, PruningStrategy
from ._masks import (
    connected_keep_mask,
    lamp_scores,
    magnitude_keep_mask,
    order_scores,
    random_keep_mask,
)
from ._target import MAX_DROP, SPARSITY_OR_AUTO, search_sparsity


class MagnitudePruning(PruningStrategy):
    """Prune the weights of smallest absolute value after dense training.

    The paper's first baseline (docs/method.md section 7).

    Parameters
    ----------
    sparsity : float or 'auto', default=0.5
        Fraction of the weights to prune, in [0, 1]
        (``round(sparsity * n_weights)`` of them); 'auto': the largest
        sparsity within ``max_drop`` of the dense validation score
        (docs/strategies.md; needs ``prune(X, y)``).
    scope : {'global', 'layer', 'lamp'}, default='global'
        'global': rank all weights together by ``|w|`` (the paper's
        baseline); 'layer': prune that fraction of every weight matrix;
        'lamp': rank all weights together by their LAMP score
        (:func:`~skchaosprune.pruning.lamp_scores`), which chooses each
        layer's sparsity and never empties a layer.
    max_drop : float, default=0.01
        With ``sparsity='auto'``: how far below the dense network's score
        on the held-out validation rows the pruned one may fall.
    keep_connected : bool, default=False
        Never cut all inputs of a unit that still has outputs, nor all
        inputs of an output: such a unit gets back its best input in
        exchange for the next weight in the ranking
        (:func:`~skchaosprune.pruning.connected_keep_mask`; the sparsity
        stays exact; with ``scope='layer'`` a layer's count can move by
        the exchanged weights).

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
        "sparsity": SPARSITY_OR_AUTO,
        "scope": [StrOptions({"global", "layer", "lamp"})],
        "max_drop": MAX_DROP,
        "keep_connected": ["boolean"],
    }

    def __init__(self, sparsity=0.5, scope="global", max_drop=0.01, keep_connected=False):
        self.sparsity = sparsity
        self.scope = scope
        self.max_drop = max_drop
        self.keep_connected = keep_connected

    def decide(self, context):
        """Keep the largest weights of the dense run (see the class).

        Parameters
        ----------
        context : PruningContext

        Returns
        -------
        result : PruningResult
        """
        if self.sparsity == "auto":
            return search_sparsity(self, context)
        if self.keep_connected:
            if self.scope == "layer":  # each weight's rank within its layer
                scores = np.concatenate([
                    np.argsort(np.lexsort((np.arange(c.size), np.abs(np.ravel(c)))))
                    / c.size for c in context.dense_coefs])
            else:
                scores = (np.abs(context.flat(context.dense_coefs)) if self.scope == "global"
                          else lamp_scores(context.dense_coefs))
            return PruningResult(context.unflat(
                connected_keep_mask(scores, context.shapes, self.sparsity)))
        if self.scope in ("global", "lamp"):
            scores = (context.flat(context.dense_coefs) if self.scope == "global"
                      else lamp_scores(context.dense_coefs))
            keep = magnitude_keep_mask(scores, self.sparsity)
            return PruningResult(context.unflat(keep))
        return PruningResult([magnitude_keep_mask(np.ravel(c), self.sparsity).reshape(c.shape)
                              for c in context.dense_coefs])


class RandomPruning(PruningStrategy):
    """Prune a uniformly random set of weights (docs/method.md section 7).

    Parameters
    ----------
    sparsity : float or 'auto', default=0.5
        Fraction of the weights to prune, in [0, 1]; 'auto': the largest
        sparsity within ``max_drop`` of the dense validation score.
    random_state : int, RandomState instance or None, default=None
        Seeds the choice (None: a fresh choice each time).
    max_drop : float, default=0.01
        With ``sparsity='auto'``: how far below the dense network's score
        on the held-out validation rows the pruned one may fall.
    keep_connected : bool, default=False
        Never cut all inputs of a unit that still has outputs, nor all
        inputs of an output: such a unit gets back its best input in
        exchange for the next weight in the ranking
        (:func:`~skchaosprune.pruning.connected_keep_mask`; the sparsity
        stays exact; with ``scope='layer'`` a layer's count can move by
        the exchanged weights).

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
        "sparsity": SPARSITY_OR_AUTO,
        "max_drop": MAX_DROP,
        "random_state": ["random_state"],
        "keep_connected": ["boolean"],
    }

    def __init__(self, sparsity=0.5, random_state=None, max_drop=0.01, keep_connected=False):
        self.sparsity = sparsity
        self.random_state = random_state
        self.max_drop = max_drop
        self.keep_connected = keep_connected

    def decide(self, context):
        """Keep a uniformly random set of weights (see the class).

        Parameters
        ----------
        context : PruningContext

        Returns
        -------
        result : PruningResult
        """
        if self.sparsity == "auto":
            return search_sparsity(self, context)
        if self.keep_connected:  # the same random order, repaired
            order = check_random_state(self.random_state).permutation(context.n_weights)
            return PruningResult(context.unflat(
                connected_keep_mask(order_scores(order), context.shapes, self.sparsity)))
        keep = random_keep_mask(context.n_weights, self.sparsity, self.random_state)
        return PruningResult(context.unflat(keep))
