"""The strategy protocol: what a pruning strategy declares, what it is
given, and what it returns (docs/extending.md).

A strategy is a scikit-learn-style object (``get_params``, ``set_params``,
``clone``) that subclasses :class:`PruningStrategy` and implements
:meth:`PruningStrategy.decide`.  The estimators build one
:class:`PruningContext` from their dense run and read one
:class:`PruningResult` back; nothing else of theirs is visible to a
strategy.
"""

from typing import NamedTuple

import numpy as np
from sklearn.base import BaseEstimator

#: The kinds of a strategy's parameters (:attr:`PruningStrategy.parameter_kinds`).
PARAMETER_KINDS = ("recording", "test", "decision")

#: The strategy whose recording settings a strategy that ``needs_dynamics``
#: gets by default (:meth:`PruningStrategy.recording_plan`):
#: ``ChaosCausalPruning``, set by its module (which subclasses
#: PruningStrategy, so this module does not import it).
_DEFAULT_RECORDING = None


class DegenerateRiskWarning(UserWarning):
    """The risk series left no lag at which a Granger test is possible."""


class PrunedModelWarning(UserWarning):
    """The pruned network lost what the dense one had (a class, most of its
    accuracy, or some outputs' inputs)."""


class PruningResult(NamedTuple):
    """What :meth:`PruningStrategy.decide` returns.

    Attributes
    ----------
    masks : list of ndarray of bool
        One keep mask per weight matrix, of its shape
        (``context.shapes``): True keeps a weight.
    attributes : dict
        Fitted attributes to set on the estimator (names ending in ``_``,
        e.g. ``{"granger_pvalues_": p}``); private names (``_x``) are kept
        too, for the strategy's own later use.
    coefs, intercepts : list of ndarray or None
        New values for the network's weights and biases (e.g. Optimal Brain
        Surgeon's update of the kept weights, or a network the strategy
        retrained itself); None keeps the dense run's.  They are what
        ``retrain=None`` keeps and what ``retrain='finetune'`` starts from;
        ``retrain='rewind'`` starts from the initial weights either way.
    """

    masks: list
    attributes: dict = {}
    coefs: list | None = None
    intercepts: list | None = None


class PruningContext:
    """What a strategy is given to decide on: one fitted dense run.

    Built by the estimators (``fit``, ``prune``) and by
    :class:`~skchaosprune.CausalPruningTransformer`; a strategy reads it and
    never changes the estimator.

    Attributes
    ----------
    initial_coefs, initial_intercepts : list of ndarray
        The weights and biases the dense run started from.
    dense_coefs, dense_intercepts : list of ndarray
        The dense run's final weights and biases.
    shapes : list of tuple
        ``(fan_in, fan_out)`` of each weight matrix, first layer first.
    n_weights : int
        All weights (biases are never pruned).
    dynamics : Dynamics or None
        With ``needs_dynamics``: what the dense run recorded
        (:class:`skchaosprune._recording.Dynamics`: ``exponents`` of shape
        (n_windows, n_weights), ``risk(kind)``, ``window_ends``,
        ``settings``, and a ``tests`` cache a strategy may use).
    data : Split or None
        With ``needs_data``: the training rows and the validation rows of
        the dense run (``X``, ``Y`` one-hot or targets, ``sw``; ``Xv``,
        ``Yv``, ``swv``), the same split as ``fit``'s.
    is_classifier : bool
    random_state : int, RandomState instance or None
        The estimator's.
    """

    def __init__(self, *, initial_coefs, initial_intercepts, dense_coefs, dense_intercepts,
                 dynamics=None, data=None, trainer=None, is_classifier=False,
                 random_state=None):
        self.initial_coefs = initial_coefs
        self.initial_intercepts = initial_intercepts
        self.dense_coefs = dense_coefs
        self.dense_intercepts = dense_intercepts
        self.shapes = [tuple(np.shape(c)) for c in dense_coefs]
        self.n_weights = int(sum(np.size(c) for c in dense_coefs))
        self.dynamics = dynamics
        self.data = data
        self.is_classifier = is_classifier
        self.random_state = random_state
        self._trainer = trainer

    def flat(self, arrays):
        """One flat vector of per-layer arrays (layer by layer, C order)."""
        return np.concatenate([np.ravel(a) for a in arrays])

    def unflat(self, flat):
        """Per-layer views of a flat per-weight vector (``context.shapes``)."""
        out, start = [], 0
        for shape in self.shapes:
            size = int(np.prod(shape))
            out.append(np.asarray(flat[start:start + size]).reshape(shape))
            start += size
        return out

    def retrain(self, masks, coefs=None, intercepts=None, epochs=None):
        """Train the masked network with the estimator's solver and compiled
        engine, and return its weights.

        Only with ``needs_data``.  Training starts from ``coefs`` and
        ``intercepts`` (default: the initial weights, i.e. rewinding) with
        the dense run's data order and validation split, for ``epochs``
        epochs (default: the estimator's ``max_iter``, with its convergence
        test); the pruned weights stay at 0.  The estimator is not changed.

        Parameters
        ----------
        masks : list of ndarray of bool
            Keep masks of the shapes ``context.shapes``.
        coefs, intercepts : list of ndarray, default=None
            Where training starts (None: ``initial_coefs`` /
            ``initial_intercepts``).
        epochs : int, default=None
            Epochs to train (None: ``max_iter``).

        Returns
        -------
        coefs, intercepts : list of ndarray
        """
        if self._trainer is None:
            raise ValueError(
                "context.retrain needs the training data: the strategy must declare "
                "needs_data = True (and prune() be given X and y).")
        masks = check_masks(masks, self.shapes)
        return self._trainer(masks,
                             self.initial_coefs if coefs is None else coefs,
                             self.initial_intercepts if intercepts is None else intercepts,
                             epochs)


def check_masks(masks, shapes):
    """Keep masks as a list of bool arrays of ``shapes``, or a clear error."""
    masks = list(masks)
    if len(masks) != len(shapes) or any(np.shape(m) != tuple(s)
                                        for m, s in zip(masks, shapes)):
        raise ValueError(
            "A strategy's masks must be one boolean array per weight matrix with the "
            f"shapes {[tuple(s) for s in shapes]}; got {[np.shape(m) for m in masks]}.")
    return [np.asarray(m, dtype=bool) for m in masks]


class PruningStrategy(BaseEstimator):
    """Base class of the pruning strategies: the protocol (docs/extending.md).

    A subclass declares its parameters in ``__init__`` (stored as given, as
    in every scikit-learn estimator) and ``_parameter_constraints``, says
    what it needs with the class attributes below, and implements
    :meth:`decide`.  It then works as the ``pruning`` of
    :class:`~skchaosprune.DenseMLPClassifier` and
    :class:`~skchaosprune.DenseMLPRegressor` (``fit``, ``prune()``,
    ``GridSearchCV`` over ``pruning__<name>``) and of
    :class:`~skchaosprune.CausalPruningTransformer`.

    Attributes
    ----------
    needs_dynamics : bool
        The dense run must record every weight's windowed Lyapunov
        exponents and the risk series (``context.dynamics``), with the
        settings :meth:`recording_plan` returns.
    needs_data : bool
        :meth:`decide` is given the training data (``context.data``) and
        may retrain (``context.retrain``); ``prune()`` must then be given
        ``X`` and ``y``.
    parameter_kinds : dict
        Each parameter's kind, the one table ``fit``, ``prune()`` and the
        run checks read: 'recording' (fixed by the dense run: changing it
        needs a new ``fit``), 'test' (statistics recomputed from the
        recording) or 'decision' (only a new decision).  Parameters not
        listed are 'decision'.
    """

    needs_dynamics = False
    needs_data = False
    parameter_kinds: dict = {}

    def decide(self, context):  # pragma: no cover - abstract
        """Decide which weights the dense network keeps.

        Parameters
        ----------
        context : PruningContext
            The dense run.

        Returns
        -------
        result : PruningResult
        """
        raise NotImplementedError(f"{type(self).__name__} must implement decide(context).")

    # -- what the dense run is -------------------------------------------
    def dense_epochs(self, max_iter, per_epoch):
        """Epochs of the dense run the mask is decided from (default: all
        ``max_iter``; LEGCNet-PT decides after fewer)."""
        return max_iter

    def recording_plan(self, max_iter, per_epoch):
        """``(dense epochs, recording settings)`` of a run of ``max_iter``
        epochs of ``per_epoch`` updates, for a strategy that
        ``needs_dynamics`` (default: those of ``ChaosCausalPruning()``)."""
        return _DEFAULT_RECORDING().recording_plan(max_iter, per_epoch)

    def check_recording(self, recorded, max_iter, per_epoch):
        """Raise when a recorded dense run (its settings and ``epochs``) is
        not the one this strategy would record, so that a new ``fit`` is
        needed (default: compare with :meth:`recording_plan`)."""
        epochs, settings = self.recording_plan(max_iter, per_epoch)
        wanted = dict(settings, epochs=epochs)
        differ = [f"{key} ({recorded.get(key)} recorded, {value} asked)"
                  for key, value in wanted.items() if recorded.get(key) != value]
        if differ:
            raise ValueError(
                f"The dense run was recorded with other settings: {', '.join(differ)}. "
                "Call fit with this pruning strategy instead of prune.")

    def params_of_kind(self, kind):
        """The names of this strategy's parameters of ``kind``
        ('recording', 'test' or 'decision')."""
        if kind not in PARAMETER_KINDS:
            raise ValueError(f"kind must be one of {PARAMETER_KINDS}, got {kind!r}.")
        return tuple(name for name in self.get_params(deep=False)
                     if self.parameter_kinds.get(name, "decision") == kind)

    def asked_sparsity(self):
        """The sparsity asked for explicitly (a mask that cuts the network
        off is then a warning, not an error), or None."""
        return getattr(self, "sparsity", None)
