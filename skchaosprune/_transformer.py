"""CausalPruningTransformer: chaos-causality pruning as a Pipeline step."""

import copy

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, _fit_context, clone
from sklearn.feature_selection import SelectorMixin
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.validation import check_is_fitted, check_memory, validate_data

from ._mlp import DenseMLPClassifier
from ._network import atomic, unflatten
from ._orchestration import _remedy, repair_message
from ._warn import warn_user
from .pruning import (
    DECISION_PARAMS,
    ChaosCausalPruning,
    PrunedModelWarning,
    _Strategy,
    nested_pruning_params,
    reaching_features,
    resolve_strategy,
    shortcut_params,
)


def _dense_run(estimator, X, y):
    """The dense run with its recorded dynamics (cached by ``memory``)."""
    return estimator._record(X, y)


class CausalPruningTransformer(SelectorMixin, MetaEstimatorMixin, BaseEstimator):
    """Keep the input features that survive chaos-causality pruning.

    A meta-transformer in the style of ``SelectFromModel``: ``fit`` trains a
    clone of ``estimator`` densely while recording its dynamics and keeps it
    as ``estimator_``; the selected features are those that still reach an
    output through weights the pruning strategy keeps.  As
    ``SelectFromModel`` applies its ``threshold`` when asked, the mask is
    decided from the stored Granger p-values whenever the support is needed,
    with the strategy's current decision parameters; the network is not
    retrained unless ``retrain=True``.

    The strategy lives in one place: the transformer's ``pruning``, or, when
    that is None, its estimator's ``pruning``; setting both raises.  With the
    defaults, the causality threshold is tuned as ``prune__pruning__alpha``
    (the step named 'prune'); with a strategy on the estimator, as
    ``prune__estimator__pruning__alpha``.

    Parameters
    ----------
    estimator : DenseMLPClassifier or DenseMLPRegressor, default=None
        The network to prune (its training parameters are used).  None:
        ``DenseMLPClassifier(hidden_layer_sizes=(16,), activation='sigmoid',
        solver='sgd', momentum=0.0, alpha=0.0, batch_size=1,
        learning_rate_init=0.05, max_iter=50, n_iter_no_change=np.inf,
        random_state=0)`` (plain one-sample SGD for a fixed 50 epochs), sized
        for small tables.
    pruning : strategy, str or None, default=None
        The pruning strategy; None: the estimator's, or
        ``ChaosCausalPruning()`` if it has none.  Its parameters are exposed
        as ``pruning__<name>`` even while it is None.
    prefit : bool, default=False
        ``estimator`` is already fitted with recorded dynamics (fitted with a
        chaos-causal strategy or ``track_dynamics=True``): only the mask is
        decided.
    memory : str, joblib.Memory or None, default=None
        Cache of the dense runs (a directory path or a ``joblib.Memory``):
        a grid over the decision parameters then makes one dense run per
        data split.
    retrain : bool, default=False
        Also prune and retrain ``estimator_`` (per its ``retrain``) with the
        fit-time strategy, to use it as a model.  Feature selection does not
        need it.

    Attributes
    ----------
    estimator_ : estimator
        The fitted network (dense with its dynamics; pruned and retrained
        with ``retrain=True``).
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
    >>> selector = CausalPruningTransformer().fit(X, y)
    >>> selector.get_support().shape
    (4,)
    >>> "pruning__alpha" in selector.get_params()
    True
    >>> bool(selector.set_params(pruning__alpha=1.0).get_support().all())  # keep every weight
    True
    """

    _parameter_constraints: dict = {
        "estimator": [None, HasMethods(["fit", "prune"])],
        "pruning": [None, str, _Strategy],
        "prefit": ["boolean"],
        "memory": [None, str, HasMethods(["cache"])],
        "retrain": ["boolean"],
    }

    def __init__(self, estimator=None, *, pruning=None, prefit=False, memory=None,
                 retrain=False):
        self.estimator = estimator
        self.pruning = pruning
        self.prefit = prefit
        self.memory = memory
        self.retrain = retrain

    # ------------------------------------------------------------------ #
    # One source of truth for the strategy.
    def _base_estimator(self):
        if self.estimator is not None:
            return self.estimator
        return DenseMLPClassifier(
            hidden_layer_sizes=(16,), activation="sigmoid", solver="sgd", momentum=0.0,
            alpha=0.0, batch_size=1, learning_rate_init=0.05, max_iter=50,
            n_iter_no_change=np.inf, random_state=0,
        )

    def _estimator_strategy(self):
        return resolve_strategy(getattr(self._base_estimator(), "pruning", None))

    def _strategy(self):
        own, theirs = resolve_strategy(self.pruning), self._estimator_strategy()
        if own is not None and theirs is not None:
            if repr(own) != repr(theirs) or type(own) is not type(theirs):
                raise ValueError(
                    f"Two pruning strategies: the transformer's pruning={own!r} and its "
                    f"estimator's pruning={theirs!r}. Set one of them (the other None): "
                    "tune prune__pruning__alpha or prune__estimator__pruning__alpha.")
        return own if own is not None else (theirs if theirs is not None
                                            else ChaosCausalPruning())

    def get_params(self, deep=True):
        """Parameters; with ``deep``, the strategy's as ``pruning__<name>``,
        also while ``pruning`` is None and the estimator has no strategy
        (then those of ``ChaosCausalPruning()``)."""
        params = super().get_params(deep=deep)
        if deep and self.pruning is None and self._estimator_strategy() is None:
            for name, value in ChaosCausalPruning().get_params().items():
                params[f"pruning__{name}"] = value
        return shortcut_params(self, params) if deep else params

    def set_params(self, **params):
        """Set parameters; ``pruning__<name>`` while ``pruning`` is None
        (and the estimator has no strategy) sets it on a new
        ``ChaosCausalPruning()``."""
        if (self.pruning is None and "pruning" not in params
                and any(k.startswith("pruning__") for k in params)
                and self._estimator_strategy() is None):
            self.pruning = ChaosCausalPruning()
        return super().set_params(**nested_pruning_params(self, params))

    # ------------------------------------------------------------------ #
    @_fit_context(prefer_skip_nested_validation=False)
    @atomic  # an interrupted fit leaves the transformer as it was
    def fit(self, X, y):
        """Train a clone of the estimator densely on (X, y), recording its
        dynamics, and select the features.

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

        Raises
        ------
        ValueError
            When the strategy selects no feature, or two strategies are set.
        """
        X, y = validate_data(self, X, y, dtype=np.float64, multi_output=True,
                             y_numeric=False)
        strategy = self._strategy()
        strategy._validate_params()
        if self.prefit:
            check_is_fitted(self.estimator)
            fitted = getattr(self.estimator, "n_features_in_", X.shape[1])
            if fitted != X.shape[1]:
                raise ValueError(
                    f"X has {X.shape[1]} features, but the prefit estimator was fitted "
                    f"on {fitted}: pass the data it was fitted on (prefit=True selects "
                    "its inputs), or prefit=False to fit a new network on X.")
            estimator = copy.deepcopy(self.estimator)
        else:
            # The dense run is the same for every value of the decision
            # parameters: with them at their defaults, the cache key is too.
            recording = clone(strategy).set_params(
                **{k: v for k, v in type(strategy)().get_params().items()
                   if k in DECISION_PARAMS})
            base = clone(self._base_estimator()).set_params(pruning=recording)
            run = _dense_run if self.memory is None else check_memory(self.memory).cache(_dense_run)
            estimator = run(base, X, y)
        estimator.set_params(pruning=strategy)
        if strategy.needs_dynamics:
            estimator._check_fits_run(strategy)
        self.estimator_ = estimator
        self._get_support_mask()  # raises when no feature is selected
        info = self._decision()[1]
        if info.get("repaired_weights_"):
            warn_user(repair_message(strategy, info, estimator), PrunedModelWarning)
        if self.retrain:
            estimator.prune(X, y)
        return self

    def _decision(self):
        """The current strategy's (flat keep mask, fitted information) on
        the stored dense run."""
        check_is_fitted(self)
        est = self.estimator_
        dense = est.dense_coefs_ if hasattr(est, "dense_coefs_") else est.coefs_
        return self._strategy()._decide(dense, getattr(est, "_dynamics", None))

    def _masks(self):
        keep = self._decision()[0]
        est = self.estimator_
        dense = est.dense_coefs_ if hasattr(est, "dense_coefs_") else est.coefs_
        return [m.astype(bool) for m in unflatten(keep.astype(np.float64),
                                                  [c.shape for c in dense])]

    @property
    def masks_(self):
        """Keep masks of the current strategy, one per weight matrix."""
        return self._masks()

    def _get_support_mask(self):
        masks = self._masks()
        support = reaching_features(masks)
        if not support.any():
            n_pruned = int(sum((~m).sum() for m in masks))
            n_weights = sum(m.size for m in masks)
            key = "pruning" if self.pruning is not None or self._estimator_strategy() is None \
                else "estimator__pruning"
            raise ValueError(
                f"The pruning strategy selects no feature: its mask prunes {n_pruned} "
                f"of {n_weights} weights and leaves no input joined to an output. "
                f"{_remedy(self._strategy(), self.estimator_)} (as a step named 'prune', tune "
                f"prune__{key}__alpha).")
        return support

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags
