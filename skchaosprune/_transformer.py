"""CausalPruningTransformer: chaos-causality pruning as a Pipeline step."""

import copy

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, _fit_context, clone
from sklearn.feature_selection import SelectorMixin
from sklearn.utils._param_validation import HasMethods, StrOptions
from sklearn.utils.validation import check_is_fitted, check_memory, validate_data

from ._mlp import DenseMLPClassifier
from ._network import atomic
from ._orchestration import _remedy, repair_message
from ._warn import warn_user
from .pruning import (
    ChaosCausalPruning,
    PrunedModelWarning,
    PruningStrategy,
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

    The strategy has one home, the transformer's ``pruning`` (tuned as
    ``prune__pruning__alpha`` in a step named 'prune'); the strategy a fit
    used is ``pruning_``.  The estimator's own ``pruning`` is read only with
    ``prefit=True``, where it recorded the run (``pruning=None`` then
    decides with it); otherwise it must be None.

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
        The pruning strategy; None: ``ChaosCausalPruning()`` (with
        ``prefit=True``, the strategy the estimator was fitted with).  Its
        parameters are exposed as ``pruning__<name>`` even while it is None.
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
    pruning_ : strategy
        The strategy of the last ``fit`` (a copy).  The support is decided
        when asked, with the current ``pruning`` when one is set (so that
        ``set_params(pruning__alpha=...)`` needs no new fit), else with
        this one.
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
        "pruning": [None, StrOptions({"chaos_causal", "magnitude", "random"}),
                    PruningStrategy],
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

    def _default_strategy(self):
        """The strategy ``pruning=None`` stands for: the prefit estimator's,
        else ``ChaosCausalPruning()``."""
        if self.prefit:
            theirs = resolve_strategy(getattr(self.estimator, "pruning", None))
            if theirs is not None:
                return clone(theirs)
        return ChaosCausalPruning()

    def _strategy(self):
        """The strategy that decides now: the current ``pruning`` parameter,
        else the one of the last fit (else the default)."""
        if self.pruning is not None:
            return resolve_strategy(self.pruning)
        return getattr(self, "pruning_", None) or self._default_strategy()

    def get_params(self, deep=True):
        """Parameters; with ``deep``, the strategy's as ``pruning__<name>``,
        also while ``pruning`` is None (those of the strategy it stands
        for) or a string shortcut.

        Parameters
        ----------
        deep : bool, default=True
            Also the nested parameters.

        Returns
        -------
        params : dict
        """
        params = super().get_params(deep=deep)
        if deep and self.pruning is None:
            for name, value in self._default_strategy().get_params().items():
                params[f"pruning__{name}"] = value
        return shortcut_params(self, params) if deep else params

    def set_params(self, **params):
        """Set parameters; ``pruning__<name>`` while ``pruning`` is None sets
        it on the strategy None stands for, which becomes ``pruning``.

        Parameters
        ----------
        **params : dict
            Parameters, nested ones as ``pruning__<name>``.

        Returns
        -------
        self : CausalPruningTransformer
        """
        if (self.pruning is None and "pruning" not in params
                and any(k.startswith("pruning__") for k in params)):
            self.pruning = self._default_strategy()
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
            When the strategy selects no feature, or (without ``prefit``) the
            estimator has a strategy of its own.
        """
        X, y = validate_data(self, X, y, dtype=np.float64, multi_output=True,
                             y_numeric=False)
        strategy = clone(resolve_strategy(self.pruning) if self.pruning is not None
                         else self._default_strategy())
        strategy._validate_params()
        if not self.prefit and getattr(self._base_estimator(), "pruning", None) is not None:
            raise ValueError(
                "The transformer's pruning is the strategy's one home: pass it as "
                "CausalPruningTransformer(estimator, pruning=...) and leave the "
                f"estimator's pruning None (it is {self._base_estimator().pruning!r}).")
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
            defaults = type(strategy)().get_params()
            recording = clone(strategy).set_params(
                **{k: defaults[k] for k in strategy.params_of_kind("decision")
                   if k in defaults})
            base = clone(self._base_estimator()).set_params(pruning=recording)
            run = _dense_run if self.memory is None else check_memory(self.memory).cache(_dense_run)
            estimator = run(base, X, y)
        estimator.set_params(pruning=strategy)
        if strategy.needs_dynamics:
            estimator._check_fits_run(strategy)
        self.pruning_ = strategy
        self.estimator_ = estimator
        result = self._decision()
        self._support(result.masks)  # raises when no feature is selected
        if result.attributes.get("repaired_weights_"):
            warn_user(repair_message(strategy, result.attributes, estimator),
                      PrunedModelWarning)
        if self.retrain:
            estimator.prune(X, y)
        return self

    def _decision(self):
        """The current strategy's :class:`~skchaosprune.pruning.PruningResult`
        on the stored dense run (its context, as the estimator builds it)."""
        check_is_fitted(self)
        return self._strategy().decide(self.estimator_._context())

    @property
    def masks_(self):
        """Keep masks of the current strategy, one per weight matrix."""
        return [np.asarray(m, dtype=bool) for m in self._decision().masks]

    def _get_support_mask(self):
        return self._support(self.masks_)

    def _support(self, masks):
        """The features that ``masks`` join to an output; none is an error."""
        support = reaching_features(masks)
        if not support.any():
            n_pruned = int(sum((~m).sum() for m in masks))
            n_weights = sum(m.size for m in masks)
            raise ValueError(
                f"The pruning strategy selects no feature: its mask prunes {n_pruned} "
                f"of {n_weights} weights and leaves no input joined to an output. "
                f"{_remedy(self._strategy(), self.estimator_)} (As a step named 'prune', "
                "its parameters are tuned as prune__pruning__<name>.)")
        return support

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags
