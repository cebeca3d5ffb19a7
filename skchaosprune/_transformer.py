"""CausalPruningTransformer: chaos-causality pruning as a Pipeline step."""

import copy
from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, _fit_context, clone
from sklearn.feature_selection import SelectorMixin
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, check_memory, validate_data

from ._mlp import _MULTITEST, DenseMLPClassifier

# Parameters that decide the mask but not the dense run: a cached dense run
# is shared by every value of these.
_THRESHOLDS = ("causality_alpha", "lyapunov_threshold", "multitest",
               "target_sparsity", "on_infeasible")


def _dense_run(estimator, X, y):
    """The dense run with its tracked dynamics (cached by ``memory``)."""
    return estimator.fit(X, y)


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


class CausalPruningTransformer(SelectorMixin, MetaEstimatorMixin, BaseEstimator):
    """Keep the input features that survive chaos-causality pruning.

    A meta-transformer in the style of ``SelectFromModel``: ``fit`` prunes a
    clone of ``estimator`` by chaos and causality (ALGORITHM.md sections
    2-5) and keeps it as ``estimator_``; the features that still reach an
    output through unpruned weights are selected.  The thresholds are
    parameters, so ``GridSearchCV`` can tune them; with ``memory``, the
    dense run (the expensive part) is computed once per data split and
    reused across threshold values.

    Parameters
    ----------
    estimator : DenseMLPClassifier or DenseMLPRegressor, default=None
        The network to prune (its training, window and test parameters are
        used).  None: ``DenseMLPClassifier(hidden_layer_sizes=(16,),
        activation='sigmoid', batch_size=1, learning_rate_init=0.05,
        max_iter=50, window=20, maxlag=3)``, sized for small tables.
    causality_alpha : float, default=0.05
        Prune a weight whose Granger p-value is ``>= causality_alpha``.
    lyapunov_threshold : float or None, default=None
        Prune without a test a weight whose largest windowed exponent never
        exceeds this value.
    multitest : str or None, default=None
        Correction of the p-values across weights ('fdr_bh', 'bonferroni', ...).
    target_sparsity : float or None, default=None
        Prune exactly this fraction of the weights, least causal first.
    on_infeasible : {'prune', 'keep'}, default='prune'
        p = 1 or p = 0 for a weight whose test is infeasible.
    prefit : bool, default=False
        ``estimator`` is already fitted with tracked dynamics
        (``track_dynamics=True`` or ``pruning='chaos_causal'``): only the
        mask is decided (and the network retrained, per its ``retrain``).
    memory : str, joblib.Memory or None, default=None
        Cache of the dense runs (a directory path or a ``joblib.Memory``).

    Attributes
    ----------
    estimator_ : estimator
        The pruned (and, per its ``retrain``, retrained) network.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of str
        Feature names seen in ``fit`` (when X has string column names).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skchaosprune import CausalPruningTransformer
    >>> X, y = load_iris(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> selector = CausalPruningTransformer(causality_alpha=0.05).fit(X, y)
    >>> selector.get_support().shape
    (4,)
    >>> 0.0 <= selector.estimator_.sparsity_ <= 1.0
    True
    """

    _parameter_constraints: dict = {
        "estimator": [None, HasMethods(["fit", "prune"])],
        "causality_alpha": [Interval(Real, 0, 1, closed="both")],
        "lyapunov_threshold": [None, Interval(Real, None, None, closed="neither")],
        "multitest": [None, StrOptions(_MULTITEST)],
        "target_sparsity": [None, Interval(Real, 0, 1, closed="both")],
        "on_infeasible": [StrOptions({"prune", "keep"})],
        "prefit": ["boolean"],
        "memory": [None, str, HasMethods(["cache"])],
    }

    def __init__(self, estimator=None, *, causality_alpha=0.05, lyapunov_threshold=None,
                 multitest=None, target_sparsity=None, on_infeasible="prune",
                 prefit=False, memory=None):
        self.estimator = estimator
        self.causality_alpha = causality_alpha
        self.lyapunov_threshold = lyapunov_threshold
        self.multitest = multitest
        self.target_sparsity = target_sparsity
        self.on_infeasible = on_infeasible
        self.prefit = prefit
        self.memory = memory

    def _thresholds(self):
        return {name: getattr(self, name) for name in _THRESHOLDS}

    def _base_estimator(self):
        if self.estimator is not None:
            return self.estimator
        return DenseMLPClassifier(
            hidden_layer_sizes=(16,), activation="sigmoid", batch_size=1,
            learning_rate_init=0.05, max_iter=50, window=20, maxlag=3, random_state=0,
        )

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Prune a clone of the estimator on (X, y) and select the features.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Targets.

        Returns
        -------
        self : CausalPruningTransformer
            The fitted transformer.
        """
        X, y = validate_data(self, X, y, dtype=np.float64,
                             multi_output=True, y_numeric=False)
        thresholds = self._thresholds()
        if self.prefit:
            check_is_fitted(self.estimator)
            estimator = copy.deepcopy(self.estimator)
            retrain = estimator.retrain
            estimator.prune(X if retrain else None, y if retrain else None,
                            pruning="chaos_causal", **thresholds)
        elif self.memory is not None:
            base = clone(self._base_estimator())
            retrain = base.retrain
            # The transformer's thresholds are not passed to the dense run, so
            # its cache key is the same for every threshold value.
            dense = clone(base).set_params(pruning="chaos_causal", retrain=None)
            dense = check_memory(self.memory).cache(_dense_run)(dense, X, y)
            estimator = copy.deepcopy(dense)
            estimator.prune(X if retrain else None, y if retrain else None,
                            retrain=retrain, **thresholds)
        else:
            estimator = clone(self._base_estimator()).set_params(
                pruning="chaos_causal", **thresholds)
            estimator.fit(X, y)
        self.estimator_ = estimator
        return self

    def _get_support_mask(self):
        check_is_fitted(self)
        return reaching_features(self.estimator_.masks_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags
