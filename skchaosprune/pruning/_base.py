"""The strategy protocol: what a pruning strategy declares, what it is
given, and what it returns (docs/extending.md).

A strategy is a scikit-learn-style object (``get_params``, ``set_params``,
``clone``) that subclasses :class:`PruningStrategy` and implements
:meth:`PruningStrategy.decide`.  The estimators build one
:class:`PruningContext` from their dense run and read one
:class:`PruningResult` back; nothing else of theirs is visible to a
strategy.
"""

import copy
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
    retrained : bool
        True when ``coefs`` and ``intercepts`` are the pruned network
        already retrained the strategy's own way (e.g. late or
        learning-rate rewinding): the estimator's ``retrain='rewind'`` then
        keeps them instead of retraining from the initial weights
        (``retrain='finetune'`` still fine-tunes them).
    """

    masks: list
    attributes: dict = {}
    coefs: list | None = None
    intercepts: list | None = None
    retrained: bool = False


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
    activation : str
        The hidden layers' activation: 'identity', 'logistic', 'tanh' or
        'relu'.
    output_activation : str
        The output layer's: 'logistic', 'softmax' or 'identity'.
    loss : str
        The training loss per sample, averaged over the samples:
        'log_loss' (cross-entropy), 'squared_error' (``0.5 * sum_j (o_j -
        y_j) ** 2``, the classifier's ``loss='squared_error'``) or
        'half_mean_squared_error' (``0.5 * mean_j (o_j - y_j) ** 2``, the
        regressor's, as scikit-learn's).
    alpha : float
        The L2 penalty of training.
    """

    def __init__(self, *, initial_coefs, initial_intercepts, dense_coefs, dense_intercepts,
                 dynamics=None, data=None, trainer=None, is_classifier=False,
                 random_state=None, activation="logistic", output_activation="logistic",
                 loss="squared_error", alpha=0.0, scorer=None, rewinder=None):
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
        self.activation = activation
        self.output_activation = output_activation
        self.loss = loss
        self.alpha = alpha
        self._trainer = trainer
        self._scorer = scorer
        self._rewinder = rewinder
        self._rewind_points = {}
        #: Whether ``data``'s validation rows are held out (else they are
        #: the training rows).
        self.held_out = data is not None and data.Xv is not data.X

    def derived(self, dense_coefs, dense_intercepts=None, dynamics=None):
        """A copy of this context whose "dense" weights are ``dense_coefs``
        (e.g. the network a previous round retrained), and whose dynamics
        are ``dynamics`` when given, everything else shared: how a strategy
        that works in rounds asks another strategy to decide on its current
        network."""
        new = copy.copy(self)
        new.dense_coefs = list(dense_coefs)
        if dense_intercepts is not None:
            new.dense_intercepts = list(dense_intercepts)
        if dynamics is not None:
            new.dynamics = dynamics
        return new

    def predict(self, X, coefs, intercepts):
        """The network's outputs for ``X`` with the given weights and biases
        (``predict_proba``'s values for a classifier, ``predict``'s for a
        regressor; 2-D)."""
        from .._network import forward_numpy

        return forward_numpy(np.asarray(X, dtype=np.float64), coefs, intercepts,
                             self.activation, self.output_activation)

    def score(self, coefs, intercepts):
        """The estimator's score (accuracy, or R^2 for a regressor) of the
        network with these weights on the validation rows of ``data`` (the
        estimator's held-out split; the training rows when it holds none
        out).  Only with ``needs_data``."""
        if self._scorer is None:
            raise ValueError(
                "context.score needs the data: the strategy must declare needs_data = True "
                "(and prune() be given X and y).")
        return self._scorer(coefs, intercepts)

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

    def retrain(self, masks, coefs=None, intercepts=None, epochs=None, start=None,
                record_updates=False, max_rows=None, record_dynamics=False):
        """Train the masked network with the estimator's solver and compiled
        engine, and return its weights.

        Only with ``needs_data``.  By default training starts from the
        initial weights with the dense run's data order and validation
        split (rewinding), for the estimator's ``max_iter`` epochs with its
        convergence test; the pruned weights stay at 0.  The estimator is
        not changed.

        Parameters
        ----------
        masks : list of ndarray of bool
            Keep masks of the shapes ``context.shapes``.
        coefs, intercepts : list of ndarray, default=None
            Where training starts, with the dense run's first data order and
            a fresh solver (learning-rate rewinding when they are trained
            weights); None: ``initial_coefs`` / ``initial_intercepts``.
        epochs : int, default=None
            Epochs to train (None: ``max_iter``, or what remains of it after
            ``start``).
        start : RewindPoint, default=None
            Resume the dense run where :meth:`rewind_point` saved it (its
            weights, the solver's state, the learning-rate schedule and the
            data order there): late rewinding.  Exclusive with ``coefs``.
        record_dynamics : bool, default=False
            Record this training as the dense run was recorded (every
            weight's windowed Lyapunov exponents and the risk series, with
            the strategy's recording settings and the dense run's length,
            the convergence test not stopping it), and return the
            :class:`~skchaosprune._recording.Dynamics` third: how a
            strategy in rounds gives a chaos-causal base the dynamics of
            each round's network.  Not with ``start``, ``epochs`` or
            ``record_updates``.
        record_updates : bool, default=False
            Also record every update of this training: the squared change
            of each kept weight and the change of the update's batch loss
            on its own batch (one more forward pass per update; the trained
            weights are the same, bit for bit), in bounded memory
            (:class:`skchaosprune._recording.UpdateRecorder`).
        max_rows : int, default=None
            With ``record_updates``, the rows kept at most (consecutive
            updates are summed into a row once there are more updates; None:
            2048, fewer when 64 MB of float32 rows bind).

        Returns
        -------
        coefs, intercepts : list of ndarray
        record : UpdateRecord
            Only with ``record_updates``
            (:class:`skchaosprune._recording.UpdateRecord`:
            ``squared_changes``, ``loss_changes``, ``updates``, ``kept``).
        """
        self._needs_trainer("context.retrain")
        masks = check_masks(masks, self.shapes)
        if record_dynamics:
            if start is not None or record_updates or epochs is not None:
                raise ValueError("context.retrain(record_dynamics=True) records a run as "
                                 "the dense one: from coefs (default: the initial weights), "
                                 "for the dense run's epochs.")
            return self._trainer(
                masks, self.initial_coefs if coefs is None else coefs,
                self.initial_intercepts if intercepts is None else intercepts, None, None,
                record_dynamics=True)
        if start is not None:
            if coefs is not None or intercepts is not None:
                raise ValueError("context.retrain takes start or coefs/intercepts, not both.")
            coefs = start.coefs
        else:
            coefs = self.initial_coefs if coefs is None else coefs
            intercepts = self.initial_intercepts if intercepts is None else intercepts
        recorder = None
        if record_updates:
            from .._recording import UpdateRecorder

            keep = self.flat(masks)
            recorder = UpdateRecorder(np.where(keep, self.flat(coefs), 0.0), keep, max_rows)
        # (A trainer is called with a recorder only when recording.)
        extra = {} if recorder is None else {"recorder": recorder}
        if start is not None:
            trained = self._trainer(masks, None, None, epochs, start._state, **extra)
        else:
            trained = self._trainer(masks, coefs, intercepts, epochs, None, **extra)
        return trained if recorder is None else (*trained, recorder.record())

    def rewind_point(self, epoch):
        """The dense run as it was after ``epoch`` epochs, to rewind to
        (Frankle et al. 2020; Renda et al., ICLR 2020).

        Only with ``needs_data``.  The dense run's first ``epoch`` epochs are
        replayed from the initial weights with its data order (the same
        arithmetic, so the same weights); the result is kept, so asking
        again costs nothing.  ``epoch=0`` is the initial weights.

        Parameters
        ----------
        epoch : int
            Epochs of the dense run, from 0 to ``max_iter``.

        Returns
        -------
        point : RewindPoint
            ``coefs``, ``intercepts`` and ``epoch`` (the epochs actually
            trained: fewer when the dense run's convergence test stopped it
            earlier), for ``retrain(masks, start=point)``.
        """
        self._needs_trainer("context.rewind_point")
        epoch = int(epoch)
        if epoch < 0:
            raise ValueError(f"A rewind point is an epoch >= 0; got {epoch}.")
        if epoch not in self._rewind_points:
            coefs, intercepts, trained, state = self._rewinder(epoch)
            self._rewind_points[epoch] = RewindPoint(coefs, intercepts, trained, state)
        return self._rewind_points[epoch]

    def _needs_trainer(self, what):
        if self._trainer is None:
            raise ValueError(
                f"{what} needs the training data: the strategy must declare "
                "needs_data = True (and prune() be given X and y).")


class RewindPoint:
    """Where :meth:`PruningContext.rewind_point` saved the dense run:
    ``coefs``, ``intercepts`` and ``epoch`` (the training state to resume
    from is private)."""

    def __init__(self, coefs, intercepts, epoch, state):
        self.coefs = coefs
        self.intercepts = intercepts
        self.epoch = epoch
        self._state = state


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
    # scikit-learn's validation of the parameters (none declared: none checked).
    _parameter_constraints: dict = {}

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

    @property
    def needs_validation(self):
        """``sparsity='auto'``: the decision is judged on the estimator's
        held-out validation rows (it then needs the data, as
        ``needs_data``, and ``fit`` holds those rows out)."""
        return self.asked_sparsity() == "auto"

    def asked_sparsity(self):
        """The sparsity asked for explicitly (a mask that cuts the network
        off is then a warning, not an error), or None."""
        return getattr(self, "sparsity", None)


class NestedBaseMixin:
    """What a strategy built around another (its ``base``, returned by
    ``_base()``) takes from it: whether the dense run records dynamics and
    with which settings, and the kinds of the base's parameters, nested as
    ``base__<name>`` (the strategy's own parameters are decisions).
    :class:`LayerShuffledPruning` and :class:`IterativePruning` use it."""

    @property
    def needs_dynamics(self):
        """Whether the dense run must record its dynamics (the base's)."""
        return self._base().needs_dynamics

    @property
    def parameter_kinds(self):
        """The base's kinds, as ``base__<name>``."""
        return {f"base__{name}": kind for name, kind in self._base().parameter_kinds.items()}

    def params_of_kind(self, kind):
        """The base's parameters of ``kind`` as ``base__<name>``, and, for
        'decision', this strategy's own."""
        nested = tuple(f"base__{name}" for name in self._base().params_of_kind(kind))
        own = tuple(name for name in self.get_params(deep=False) if name != "base")
        return nested + (own if kind == "decision" else ())

    @property
    def mode(self):
        """The base's ``mode`` ('full' for a baseline base)."""
        return getattr(self._base(), "mode", "full")

    @property
    def risk(self):
        """The base's ``risk`` ('loss' for a baseline base)."""
        return getattr(self._base(), "risk", "loss")

    def _validate_params(self):
        super()._validate_params()
        self._base()._validate_params()

    def dense_epochs(self, max_iter, per_epoch):
        """The base's dense epochs."""
        return self._base().dense_epochs(max_iter, per_epoch)

    def recording_plan(self, max_iter, per_epoch):
        """The base's recording."""
        return self._base().recording_plan(max_iter, per_epoch)

    def check_recording(self, recorded, max_iter, per_epoch):
        """The base's check of a recorded run."""
        return self._base().check_recording(recorded, max_iter, per_epoch)

    def _maxlag(self, n_windows):
        return self._base()._maxlag(n_windows)

