"""The magnitude and random baselines (docs/method.md section 7)."""

from numbers import Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import PruningResult, PruningStrategy
from ._masks import lamp_scores, magnitude_keep_mask, random_keep_mask


class MagnitudePruning(PruningStrategy):
    """Prune the weights of smallest absolute value after dense training.

    The paper's first baseline (docs/method.md section 7).

    Parameters
    ----------
    sparsity : float, default=0.5
        Fraction of the weights to prune, in [0, 1]
        (``round(sparsity * n_weights)`` of them).
    scope : {'global', 'layer', 'lamp'}, default='global'
        'global': rank all weights together by ``|w|`` (the paper's
        baseline); 'layer': prune that fraction of every weight matrix;
        'lamp': rank all weights together by their LAMP score
        (:func:`~skchaosprune.pruning.lamp_scores`), which chooses each
        layer's sparsity and never empties a layer.

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
        "scope": [StrOptions({"global", "layer", "lamp"})],
    }

    def __init__(self, sparsity=0.5, scope="global"):
        self.sparsity = sparsity
        self.scope = scope

    def decide(self, context):
        """Keep the largest weights of the dense run (see the class).

        Parameters
        ----------
        context : PruningContext

        Returns
        -------
        result : PruningResult
        """
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

    def decide(self, context):
        """Keep a uniformly random set of weights (see the class).

        Parameters
        ----------
        context : PruningContext

        Returns
        -------
        result : PruningResult
        """
        keep = random_keep_mask(context.n_weights, self.sparsity, self.random_state)
        return PruningResult(context.unflat(keep))
