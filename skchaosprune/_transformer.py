"""CausalPruningTransformer: chaos-causality pruning as a Pipeline step."""

import copy
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, _fit_context, clone
from sklearn.feature_selection import SelectorMixin
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted, check_memory, validate_data

from ._mlp import DenseMLPClassifier
from ._network import atomic
from ._orchestration import _remedy, repair_message
from ._warn import warn_user
from .pruning import (
    ChaosCausalPruning,
    PrunedModelWarning,
    PruningResult,
    PruningStrategy,
    nested_pruning_params,
    reaching_features,
    resolve_strategy,
    shortcut_params,
)


def _dense_run(estimator, X, y):
    """The dense run with its recorded dynamics (cached by ``memory``)."""
    return estimator._record(X, y)


def _pruned_run(estimator, X, y):
    """The estimator's own ``fit``: dense run, decision on the training data
    and retraining (cached by ``memory``), for a strategy that decides on the
    data."""
    return estimator.fit(X, y)


def _decides_on_data(strategy):
    """A strategy whose decision needs the training data (``context.data``,
    a retraining, or held-out rows for ``sparsity='auto'``): decided in
    ``fit``, not lazily."""
    return bool(strategy.needs_data or strategy.needs_validation)


def _same_strategy(a, b):
    """Same class and parameters, nested strategies compared the same way."""
    if type(a) is not type(b):
        return False
    pa, pb = a.get_params(deep=False), b.get_params(deep=False)
    for name, value in pa.items():
        other = pb.get(name)
        if isinstance(value, BaseEstimator) or isinstance(other, BaseEstimator):
            if not _same_strategy(value, other):
                return False
        elif not (value is other or _equal(value, other)):
            return False
    return True


def _equal(a, b):
    try:
        return bool(np.all(a == b))
    except Exception:  # noqa: BLE001 - values that do not compare are different
        return False


#: p-values below this count as it (a p-value of 0 would give an infinite
#: score): the smallest normal double, a score of 307.65.
_P_FLOOR = np.finfo(np.float64).tiny


def _causal_feature_scores(pvalues, shape):
    """Each feature's evidence that its input weights Granger-cause the risk:
    ``-log10`` of the smallest (corrected) p-value among the feature's
    first-layer weights (Tippett's combination; ``pvalues`` over all weights,
    first layer first and row-major, ``shape`` the first layer's
    ``(n_features, n_hidden)``).  A feature scores above ``-log10(alpha)``
    exactly when one of its input weights passes the test at ``alpha``."""
    first = np.asarray(pvalues, dtype=np.float64)[: shape[0] * shape[1]].reshape(shape)
    return 0.0 - np.log10(np.maximum(first.min(axis=1), _P_FLOOR))


class CausalPruningTransformer(SelectorMixin, MetaEstimatorMixin, BaseEstimator):
    """Keep the input features that survive chaos-causality pruning.

    A meta-transformer in the style of ``SelectFromModel``: ``fit`` trains a
    clone of ``estimator`` densely while recording its dynamics and keeps it
    as ``estimator_``; by default the selected features are those that still
    reach an output through weights the pruning strategy keeps.  Each feature
    also gets a score from the same network (``feature_scores_``: the
    Granger evidence of its input weights for chaos-causal pruning, the norm
    of its kept input weights for any other strategy), on which
    ``threshold`` and ``max_features`` select as ``SelectFromModel``'s do.
    As ``SelectFromModel`` applies its ``threshold`` when asked, the mask is
    decided from the stored run whenever the support is needed, with the
    strategy's current decision parameters; the network is not retrained
    unless ``retrain=True`` or the strategy decides on the training data
    (``IterativePruning``, ``OBSPruning``, ``sparsity='auto'``: decided,
    pruned and retrained in ``fit``).

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
        fit-time strategy, to use it as a model (the feature scores of a
        weight-based strategy then read the retrained weights).  A strategy
        that decides on the training data (``IterativePruning``,
        ``OBSPruning``, ``sparsity='auto'``) always prunes and retrains in
        ``fit``.
    threshold : str, float or None, default=None
        The ``SelectFromModel`` threshold on ``feature_scores_``: the
        features whose score is at least it are kept.  A float, 'mean',
        'median', or a scaled one ('1.25*mean', '0.5*median').  None (with
        ``max_features`` None): the features that reach an output through
        weights the mask keeps (the mask's own rule); None with
        ``max_features``: no threshold.  Applied when the support is asked
        for: changing it needs no new fit.
    max_features : int, callable or None, default=None
        Keep at most this many features, those of largest score (ties: the
        lowest index), as ``SelectFromModel``'s; with ``threshold=None``
        exactly this many.  A callable is given ``X`` in ``fit`` (its value
        is ``max_features_``).  Applied when the support is asked for.

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
    feature_scores_ : ndarray of shape (n_features,)
        One score per feature, larger meaning more important (see the
        property's documentation for each strategy's), read when asked.
    max_features_ : int or None
        ``max_features`` as a count (a callable's value on fit's ``X``).
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
    >>> selector.feature_scores_.shape            # one score per feature
    (4,)
    >>> int(selector.set_params(max_features=2).get_support().sum())   # no new fit
    2
    >>> bool((selector.set_params(max_features=None, threshold="mean").get_support()
    ...       == (selector.feature_scores_ >= selector.feature_scores_.mean())).all())
    True
    """

    _parameter_constraints: dict = {
        "estimator": [None, HasMethods(["fit", "prune"])],
        "pruning": [None, StrOptions({"chaos_causal", "magnitude", "random"}),
                    PruningStrategy],
        "prefit": ["boolean"],
        "memory": [None, str, HasMethods(["cache"])],
        "retrain": ["boolean"],
        "threshold": [None, Real, str],
        "max_features": [None, Interval(Integral, 0, None, closed="left"), callable],
    }

    def __init__(self, estimator=None, *, pruning=None, prefit=False, memory=None,
                 retrain=False, threshold=None, max_features=None):
        self.estimator = estimator
        self.pruning = pruning
        self.prefit = prefit
        self.memory = memory
        self.retrain = retrain
        self.threshold = threshold
        self.max_features = max_features

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
        if self.estimator is None and type_of_target(y).startswith("continuous"):
            raise ValueError(
                "y is a continuous (regression) target, but the default estimator is "
                "a classifier: pass a regressor, e.g. CausalPruningTransformer("
                "DenseMLPRegressor(hidden_layer_sizes=(16,), activation='sigmoid', "
                "solver='sgd', batch_size=1, max_iter=50)).")
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
        elif _decides_on_data(strategy):
            # Decided on the training data, so in fit: the estimator's own fit
            # with the strategy (the whole strategy is the cache key).
            base = clone(self._base_estimator()).set_params(pruning=clone(strategy))
            run = (_pruned_run if self.memory is None
                   else check_memory(self.memory).cache(_pruned_run))
            estimator = run(base, X, y)
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
        if self.prefit and _decides_on_data(strategy):
            own = resolve_strategy(estimator.pruning)
            if not (hasattr(estimator, "masks_") and own is not None
                    and _same_strategy(own, strategy)):
                estimator.prune(X, y, pruning=strategy)  # on the data it was fitted on
        estimator.set_params(pruning=strategy)
        if strategy.needs_dynamics:
            estimator._check_fits_run(strategy)
        self.pruning_ = strategy
        self.estimator_ = estimator
        self._decided_in_fit = _decides_on_data(strategy)
        self.max_features_ = (self.max_features(X) if callable(self.max_features)
                              else self.max_features)
        self._max_features_callable = (self.max_features if callable(self.max_features)
                                       else None)
        result = self._decision()
        self._select(result)  # raises when no feature is selected
        if result.attributes.get("repaired_weights_") and not self._decided_in_fit:
            warn_user(repair_message(strategy, result.attributes, estimator),
                      PrunedModelWarning)
        if self.retrain and not self._decided_in_fit:
            estimator.prune(X, y)
        return self

    def _decision(self):
        """The current strategy's :class:`~skchaosprune.pruning.PruningResult`
        on the stored dense run (its context, as the estimator builds it);
        for a strategy that decides on the data, the one ``fit`` made."""
        check_is_fitted(self)
        strategy = self._strategy()
        if self.__dict__.get("_decided_in_fit") or _decides_on_data(strategy):
            if not (self.__dict__.get("_decided_in_fit")
                    and _same_strategy(strategy, self.pruning_)):
                raise ValueError(
                    f"{type(strategy).__name__} decides on the training data, so its "
                    "mask is decided in fit, with the strategy of that fit "
                    f"({self.pruning_!r}); the current pruning is {strategy!r}. Call "
                    "fit(X, y) again (with memory=, a grid over threshold and "
                    "max_features reuses the fitted network).")
            est = self.estimator_
            names = est.__dict__.get("_decision_attributes", ())
            return PruningResult([np.asarray(m, dtype=bool) for m in est.masks_],
                                 {n: getattr(est, n) for n in names if hasattr(est, n)})
        return strategy.decide(self.estimator_._context())

    @property
    def masks_(self):
        """Keep masks of the current strategy, one per weight matrix."""
        return [np.asarray(m, dtype=bool) for m in self._decision().masks]

    @property
    def feature_scores_(self):
        """One score per input feature, larger meaning more important.

        Read from ``estimator_`` and the current strategy's decision when
        asked (as ``masks_``):

        - :class:`~skchaosprune.ChaosCausalPruning`: ``-log10`` of the
          smallest Granger p-value (``granger_pvalues_``, after
          ``on_infeasible`` and ``multitest``) among the feature's
          first-layer weights: the evidence that some input weight of the
          feature Granger-causes the risk.  A score above ``-log10(alpha)``
          means at least one of its weights passes the test at ``alpha``.
          It does not depend on ``alpha`` or ``sparsity``.
        - any other strategy: the Euclidean norm of the feature's
          first-layer weights that the mask keeps into hidden units that
          still reach an output, in the network ``estimator_`` holds (the
          retrained one after a pruning in ``fit``: ``retrain=True`` or a
          strategy that decides on the data, such as ``IterativePruning`` and
          ``OBSPruning``; else the dense one).  0 for a feature the mask
          cuts off.

        ``threshold`` and ``max_features`` select on these scores as
        ``SelectFromModel`` does on ``feature_importances_``.

        Examples
        --------
        >>> import numpy as np
        >>> from skchaosprune import CausalPruningTransformer, MagnitudePruning
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(200, 4))
        >>> y = (X[:, 0] > 0).astype(int)           # only feature 0 matters
        >>> selector = CausalPruningTransformer(pruning=MagnitudePruning(0.5)).fit(X, y)
        >>> scores = selector.feature_scores_
        >>> scores.shape, int(np.argmax(scores))
        ((4,), 0)
        """
        return self._scores(self._decision())

    def _scores(self, result):
        masks = [np.asarray(m, dtype=bool) for m in result.masks]
        strategy = self._strategy()
        pvalues = result.attributes.get("granger_pvalues_")
        if isinstance(strategy, ChaosCausalPruning) and pvalues is not None:
            return _causal_feature_scores(pvalues, masks[0].shape)
        est = self.estimator_
        fitted_masks = est.__dict__.get("masks_")
        if fitted_masks is not None and all(
                np.array_equal(a, b) for a, b in zip(fitted_masks, masks)):
            weights = est.coefs_[0]  # the network pruned (and retrained) in fit
        elif result.coefs is not None:
            weights = result.coefs[0]  # the strategy's own weights (e.g. OBS's)
        else:
            weights = est.__dict__.get("dense_coefs_", est.coefs_)[0]
        units = (reaching_features(masks[1:]) if len(masks) > 1
                 else np.ones(masks[0].shape[1], dtype=bool))
        kept = np.where(masks[0] & units[None, :], np.asarray(weights, dtype=np.float64), 0.0)
        return np.sqrt((kept ** 2).sum(axis=1))

    def _get_support_mask(self):
        return self._select(self._decision())

    def _max_features(self):
        """``max_features`` as a count (a callable is evaluated on fit's X)."""
        if callable(self.max_features):
            if self.max_features is not self.__dict__.get("_max_features_callable"):
                raise ValueError(
                    "A callable max_features is evaluated on X in fit: call fit(X, y) "
                    "after setting it, or pass an int.")
            value = self.max_features_
        else:
            value = self.max_features
        if value is not None:
            if not isinstance(value, Integral) or isinstance(value, bool) or value < 0:
                raise ValueError(f"max_features must be a non-negative int; got {value!r}.")
            if value > self.n_features_in_:
                raise ValueError(
                    f"max_features == {value}, must be <= {self.n_features_in_} (the "
                    "number of features seen in fit).")
        return value

    def _threshold(self, scores):
        """``threshold`` as a number, with ``SelectFromModel``'s meanings."""
        threshold = self.threshold
        if isinstance(threshold, str):
            references = {"mean": np.mean, "median": np.median}
            scale, _, reference = threshold.rpartition("*")
            reference = reference.strip()
            if reference not in references:
                raise ValueError(
                    "threshold must be a float, 'mean', 'median' or a scaled one such as "
                    f"'1.25*mean'; got {threshold!r}.")
            try:
                factor = float(scale.strip()) if scale else 1.0
            except ValueError:
                raise ValueError(
                    f"threshold={threshold!r}: the scale before '*' must be a number, "
                    "as in '1.25*mean'.") from None
            return factor * float(references[reference](scores))
        return float(threshold)

    def _select(self, result):
        """The support of ``result`` under ``threshold`` and ``max_features``;
        none is an error."""
        masks = [np.asarray(m, dtype=bool) for m in result.masks]
        max_features = self._max_features()
        if self.threshold is None and max_features is None:
            support = reaching_features(masks)
            if not support.any():
                n_pruned = int(sum((~m).sum() for m in masks))
                n_weights = sum(m.size for m in masks)
                raise ValueError(
                    f"The pruning strategy selects no feature: its mask prunes {n_pruned} "
                    f"of {n_weights} weights and leaves no input joined to an output. "
                    f"{_remedy(self._strategy(), self.estimator_)} Or select on the "
                    "feature scores with max_features=k (the k best features). (As a "
                    "step named 'prune', its parameters are tuned as "
                    "prune__pruning__<name>.)")
            return support
        scores = self._scores(result)
        threshold = -np.inf if self.threshold is None else self._threshold(scores)
        if max_features is not None:
            support = np.zeros(scores.shape, dtype=bool)
            support[np.argsort(-scores, kind="mergesort")[:max_features]] = True
        else:
            support = np.ones(scores.shape, dtype=bool)
        support[scores < threshold] = False
        if not support.any():
            raise ValueError(
                f"The selection keeps no feature: threshold={self.threshold!r} "
                f"({threshold:.4g}) is above every feature score (the largest is "
                f"{scores.max():.4g}) or max_features={self.max_features!r}. Lower the "
                "threshold (e.g. 'median' or '0.5*mean'), or pass max_features=k with "
                "threshold=None to keep the k best-scoring features (as a step named "
                "'prune': prune__threshold, prune__max_features).")
        return support

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags
