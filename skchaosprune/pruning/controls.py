"""Controls: a strategy's mask with its choice of weights taken away
(docs/method.md section 7)."""

import numpy as np
from sklearn.utils import check_random_state

from ._base import NestedBaseMixin, PruningResult, PruningStrategy
from .chaos_causal import ChaosCausalPruning


class LayerShuffledPruning(NestedBaseMixin, PruningStrategy):
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
        "base": [None, PruningStrategy],
        "random_state": ["random_state"],
    }

    def __init__(self, base=None, random_state=None):
        self.base = base
        self.random_state = random_state

    def _base(self):
        if self.base is None:
            return ChaosCausalPruning()
        if not isinstance(self.base, PruningStrategy):
            self._validate_params()  # the constraint's InvalidParameterError
        return self.base

    @property
    def needs_data(self):
        """Whether the base needs the training data."""
        return self._base().needs_data

    def asked_sparsity(self):
        """The base's explicit sparsity."""
        return self._base().asked_sparsity()

    @property
    def sparsity(self):
        """The base's ``sparsity`` (None when it decides by a threshold)."""
        return getattr(self._base(), "sparsity", None)

    def decide(self, context):
        """The base's masks, each permuted within its weight matrix.

        Parameters
        ----------
        context : PruningContext

        Returns
        -------
        result : PruningResult
            The shuffled masks and the base's attributes (no new weights).
        """
        result = self._base().decide(context)
        rng = check_random_state(self.random_state)
        shuffled = [np.asarray(m, dtype=bool).ravel()[rng.permutation(np.size(m))]
                    .reshape(np.shape(m)) for m in result.masks]
        return PruningResult(shuffled, dict(result.attributes))
