"""The MLP estimators: thin scikit-learn classes over the network engine
(:mod:`skchaosprune._network`), the recording of a run
(:mod:`skchaosprune._recording`) and the pruning orchestration
(:mod:`skchaosprune._orchestration`); the pruning methods are strategy
objects (:mod:`skchaosprune.pruning`).
"""

import copy
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.metrics import r2_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call,
    check_classification_targets,
    type_of_target,
    unique_labels,
)
from sklearn.utils.validation import _check_sample_weight

from . import _docstrings
from ._kernels import codes as _k
from ._network import NetworkMixin, atomic, data_fingerprint
from ._orchestration import PruningMixin
from ._warn import warn_user
from .pruning import PruningStrategy, nested_pruning_params, shortcut_params


class _BaseDenseMLP(PruningMixin, NetworkMixin, BaseEstimator):
    """Training and recording parameters, ``fit`` and ``partial_fit``."""

    _regression = False

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions({"sigmoid", "logistic", "tanh", "relu", "identity"})],
        "solver": [StrOptions({"lbfgs", "sgd", "adam"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"),
                             Options(Real, {np.inf})],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "init_std": [None, Interval(Real, 0, None, closed="neither")],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "risk_every": [None, Interval(Integral, 1, None, closed="left")],
        "keep_trajectory": ["boolean"],
        "trajectory_dtype": [StrOptions({"float32", "float64"})],
        "record_train_score": ["boolean"],
        "pruning": [None, StrOptions({"chaos_causal", "magnitude", "random"}), PruningStrategy],
        "track_dynamics": ["boolean", StrOptions({"auto"})],
        "retrain": [None, StrOptions({"rewind", "finetune"})],
        "prune_units": [None, StrOptions({"dead"}), Interval(Real, 0, 1, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "scoring": [None, str, callable],
        "on_update": [None, callable],
    }

    def __init__(self, hidden_layer_sizes, activation, *, solver, alpha, batch_size,
                 learning_rate, learning_rate_init, power_t, max_iter, loss, shuffle,
                 random_state, tol, verbose, warm_start, momentum, nesterovs_momentum,
                 early_stopping, validation_fraction, beta_1, beta_2, epsilon,
                 n_iter_no_change, max_fun, init_std, risk_every, keep_trajectory,
                 trajectory_dtype, record_train_score, pruning, track_dynamics, retrain,
                 prune_units, scoring=None, on_update=None):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.loss = loss
        self.shuffle = shuffle
        self.tol = tol
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.init_std = init_std
        self.risk_every = risk_every
        self.keep_trajectory = keep_trajectory
        self.trajectory_dtype = trajectory_dtype
        self.record_train_score = record_train_score
        self.pruning = pruning
        self.track_dynamics = track_dynamics
        self.retrain = retrain
        self.prune_units = prune_units
        self.scoring = scoring
        self.on_update = on_update
        self.random_state = random_state
        self.verbose = verbose

    # Hooks the subclasses provide.
    def _encode_targets(self, y):  # pragma: no cover - abstract
        raise NotImplementedError

    def _output_layer(self):  # pragma: no cover - abstract
        """(output activation code, loss code, risk code)."""
        raise NotImplementedError

    def _score_outputs(self, out, Y):  # pragma: no cover - abstract
        raise NotImplementedError

    def get_params(self, deep=True):
        """Parameters; with ``deep``, a strategy's as ``pruning__<name>``,
        also when ``pruning`` is a string shortcut (the parameters of the
        strategy it stands for).

        Parameters
        ----------
        deep : bool, default=True
            Also the nested parameters of the pruning strategy.

        Returns
        -------
        params : dict
        """
        params = super().get_params(deep=deep)
        return shortcut_params(self, params) if deep else params

    def set_params(self, **params):
        """Set parameters; ``pruning__<name>`` on a string shortcut first
        replaces it by its strategy object (``'chaos_causal'`` by
        ``ChaosCausalPruning()``), so that a grid over
        ``pruning__alpha`` works with either.

        Parameters
        ----------
        **params : dict
            Estimator parameters, nested ones as ``pruning__<name>``.

        Returns
        -------
        self : estimator
        """
        return super().set_params(**nested_pruning_params(self, params))

    def _stream(self):
        """The random stream of a fit, as scikit-learn's MLPs take it: a
        new ``RandomState(seed)`` for an int, and the given instance (or,
        for None, NumPy's global one) itself, which the fit advances, so
        that unseeded fits differ."""
        return check_random_state(self.random_state)

    def _start_stream(self, n_features, n_outputs):
        """The random stream of a new network, scikit-learn's order: the
        initial weights first (the same draws as its MLPs for the same
        ``random_state``), then the state the validation split starts from
        (kept, so that ``prune`` can split again), then the shuffling."""
        rng = self._stream()
        self._initialize(n_features, n_outputs, rng)
        self._split_state = rng.get_state()
        return rng

    def _start_shuffling(self, rng):
        self._rng_state = rng
        self._initial_rng_state = copy.deepcopy(rng)

    @atomic
    def _record(self, X, y, sample_weight=None):
        """``fit``'s dense phase with its recorded dynamics, without the
        pruning decision (the transformer decides lazily)."""
        self._validate_params()
        X, y = self._validate_train(X, y, reset=True)
        sample_weight = self._sample_weight(sample_weight, X)
        self._prepare_targets(y, sample_weight)
        return self._fit(X, y, sample_weight, None, None, None, decide=False)

    def _sample_weight(self, sample_weight, X):
        """Validated sample weights (None stays None): one per row, finite,
        non-negative, not all 0 (scikit-learn's checks and messages)."""
        if sample_weight is None:
            return None
        sample_weight = np.ascontiguousarray(_check_sample_weight(
            sample_weight, X, dtype=np.float64, ensure_non_negative=True))
        if not sample_weight.any():  # scikit-learn >= 1.8 says so itself
            raise ValueError("Sample weights must contain at least one non-zero number.")
        return sample_weight

    def _fit_or_continue(self, X, y, sample_weight, coefs_init, intercepts_init, masks):
        """``fit``: from scratch, or, with ``warm_start`` on a fitted
        network, more training of the current weights."""
        warm = self.warm_start and hasattr(self, "coefs_")
        if warm:
            self._check_trainable("fit with warm_start=True")
            if coefs_init is not None or intercepts_init is not None:
                raise ValueError(
                    "coefs_init and intercepts_init start a new network; with "
                    "warm_start=True fit continues the fitted one. Pass one or the other.")
        X, y = self._validate_train(X, y, reset=not warm)
        sample_weight = self._sample_weight(sample_weight, X)
        if warm:
            self._check_warm_targets(y)
            return self._continue(X, y, sample_weight, masks)
        self._prepare_targets(y, sample_weight)
        return self._fit(X, y, sample_weight, coefs_init, intercepts_init, masks)

    def _fit(self, X, y, sample_weight, coefs_init, intercepts_init, masks, decide=True):
        Y = self._encode_targets(y)
        measures_risk = self.risk_every is not None or self._tracks()
        self._check_early_stopping_split()
        strategy = self._strategy()
        judged = strategy is not None and strategy.needs_validation  # sparsity='auto'
        self._holds_out = ((measures_risk or self._early_stopping() or judged)
                           and self.validation_fraction > 0)
        self._forget_pruning()
        # prune(X, y) must be given these data again (one split, one retraining).
        self._fit_fingerprint = data_fingerprint(X, Y)
        self._target_stats = (Y.mean(axis=0), Y.std(axis=0)) if self._regression else None
        rng = self._start_stream(X.shape[1], Y.shape[1])
        data = self._split(X, Y, y, sample_weight, stream=rng)
        self._start_shuffling(rng)
        self._set_initial_weights(coefs_init, intercepts_init)
        self._set_masks(masks)
        self._start_trajectory()
        self._dense_phase(data)
        if decide and self.pruning is not None:
            self._prune(data)
        return self

    def _check_early_stopping_split(self):
        if self._early_stopping() and self.validation_fraction == 0:
            raise ValueError(
                "early_stopping=True needs a held-out split: set validation_fraction "
                "above 0 (e.g. 0.1).")

    def _continue(self, X, y, sample_weight, masks):
        """A warm-started ``fit``: ``max_iter`` more epochs of the current
        network (its masks kept, a new optimizer, as scikit-learn's MLP),
        without a new pruning decision."""
        self._check_early_stopping_split()
        Y = self._encode_targets(y)
        self._holds_out = ((self.risk_every is not None or self._early_stopping())
                           and self.validation_fraction > 0)
        # As scikit-learn's warm start: the stream of random_state for the
        # split and the shuffling (no initial weights drawn).
        rng = self._stream()
        data = self._split(X, Y, y, sample_weight, stream=rng)
        self._rng_state = rng
        self._fit_fingerprint = None  # trained on more than one data set now
        self._set_masks(masks)
        if self._early_stopping() and self.validation_scores_ is None:
            self.validation_scores_ = []
            self.best_validation_score_ = -np.inf
            self.best_loss_ = None
        if self.keep_trajectory and not hasattr(self, "weight_trajectory_"):
            self._start_trajectory()
        self._train(data.X, data.Y, data.Xv, data.Yv, self.max_iter, sw=data.sw,
                    swv=data.swv)
        return self

    def _partial_fit(self, X, y, sample_weight, masks, first_call):
        if self.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True")
        if first_call and self.pruning is not None:
            warn_user(
                f"partial_fit trains the dense network and never prunes (pruning="
                f"{self.pruning!r} is not applied): call prune(X, y) when training is "
                "done, or fit(X, y) to train and prune in one call.", UserWarning)
        sample_weight = self._class_weighted(y, self._sample_weight(sample_weight, X),
                                             partial=True)
        if first_call:
            Y = self._encode_targets(y)
            self._holds_out = False  # partial_fit measures the risk on its data
            self._forget_pruning()
            self._fit_fingerprint = None  # partial_fit calls may see different data
            # Weights set by hand on an unfitted estimator are where training
            # starts (as scikit-learn's partial_fit takes them).
            given = (self.__dict__.get("coefs_"), self.__dict__.get("intercepts_"))
            self._start_shuffling(self._start_stream(X.shape[1], Y.shape[1]))
            if given[0] is not None:
                self._set_initial_weights(*given)
            self._dense_seconds = self._dynamics_seconds = 0.0
            self._set_masks(masks)
            self._start_trajectory()
        else:
            self._check_trainable("partial_fit")
            Y = self._encode_targets(y)
            self._set_masks(masks)
        self._train(X, Y, X, Y, 1, sw=sample_weight, swv=sample_weight, incremental=True)
        return self

    def _check_solver(self):
        """``partial_fit`` exists for the stochastic solvers only (as in
        scikit-learn: ``hasattr(est, 'partial_fit')`` is False for
        ``solver='lbfgs'``)."""
        if self.solver not in ("sgd", "adam"):
            raise AttributeError(
                "partial_fit is only available for stochastic optimizers. "
                f"{self.solver} is not stochastic.")
        return True

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # densified for training, as a dense array
        return tags

    # ------------------------------------------------------------------ #
    # Out of the training stack (skchaosprune.export).
    def compact(self):
        """A lean copy for deployment: no training diagnostics, no dead
        hidden units, the same predictions (:func:`skchaosprune.export.compact`).

        Returns
        -------
        copy : estimator
            A fitted estimator of the same class.
        """
        from .export import compact

        return compact(self)

    def to_sklearn(self):
        """A fitted ``sklearn.neural_network`` MLP with these weights
        (:func:`skchaosprune.export.to_sklearn`, which says where its
        probabilities may differ).

        Returns
        -------
        model : MLPClassifier or MLPRegressor
        """
        from .export import to_sklearn

        return to_sklearn(self)

    def to_onnx(self, *, dtype="float32", zipmap=False, target_opset=None):
        """An ONNX model of this network (:func:`skchaosprune.export.to_onnx`;
        needs the extra ``skchaosprune[onnx]``).

        Returns
        -------
        model : onnx.ModelProto
        """
        from .export import to_onnx

        return to_onnx(self, dtype=dtype, zipmap=zipmap, target_opset=target_opset)


def _doc(text):
    return text.strip()


class DenseMLPClassifier(ClassifierMixin, _BaseDenseMLP):
    __doc__ = f"""Dense multi-layer perceptron classifier, trained in compiled code,
    that can prune itself.

    A drop-in for :class:`sklearn.neural_network.MLPClassifier`: the same
    parameters with the same meanings and defaults (solvers 'adam' and
    'sgd' with momentum, L2 ``alpha``, learning-rate schedules, the
    convergence test, ``early_stopping``, ``warm_start``, sample weights;
    from the same initial weights and batches it computes the same weights
    to rounding).  The whole epoch loop runs inside compiled Numba code; the
    estimator can record every weight after every update and the validation
    risk, and prune itself by chaos and causality (LEGCNet-FT/PT,
    docs/method.md) or by the magnitude and random baselines.

    Parameters
    ----------
    {_doc(_docstrings.TRAINING_PARAMS)}
    loss : {{'log_loss', 'squared_error'}}, default='log_loss'
        'log_loss': softmax outputs (one logistic output for two classes).
        'squared_error': sigmoid outputs trained on one-hot targets with
        loss ``0.5 * sum((output - target) ** 2)`` per sample, the paper's
        setting (not in scikit-learn's MLPClassifier).
    {_doc(_docstrings.PRUNING_PARAMS)}
    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes (not in scikit-learn's MLPClassifier): each
        row's sample weight is multiplied by its class's weight, exactly as
        ``sample_weight=compute_sample_weight(class_weight, y)`` would
        (``sklearn.utils.class_weight``); 'balanced':
        ``n_samples / (n_classes * np.bincount(y))``, computed on the data
        given to ``fit`` (not available to ``partial_fit``).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    {_doc(_docstrings.ATTRIBUTES)}

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skchaosprune import DenseMLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = make_pipeline(
    ...     StandardScaler(),
    ...     DenseMLPClassifier(hidden_layer_sizes=(6,), learning_rate_init=0.01,
    ...                        random_state=0),
    ... ).fit(X, y)
    >>> clf.predict(X[:3])
    array([0, 0, 0])
    >>> clf.score(X, y) > 0.95
    True
    >>> clf[-1].solver, clf[-1].n_iter_ <= 200
    ('adam', True)
    """

    _parameter_constraints: dict = {
        **_BaseDenseMLP._parameter_constraints,
        "loss": [StrOptions({"log_loss", "squared_error"})],
        "class_weight": [None, StrOptions({"balanced"}), dict],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        loss="log_loss",
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        init_std=None,
        risk_every=None,
        keep_trajectory=False,
        trajectory_dtype="float32",
        record_train_score=False,
        pruning=None,
        track_dynamics="auto",
        retrain="rewind",
        prune_units=None,
        scoring=None,
        on_update=None,
        class_weight=None,
    ):
        self.class_weight = class_weight
        super().__init__(
            hidden_layer_sizes, activation, solver=solver, alpha=alpha,
            batch_size=batch_size, learning_rate=learning_rate,
            learning_rate_init=learning_rate_init, power_t=power_t, max_iter=max_iter,
            loss=loss, shuffle=shuffle, random_state=random_state, tol=tol,
            verbose=verbose, warm_start=warm_start, momentum=momentum,
            nesterovs_momentum=nesterovs_momentum, early_stopping=early_stopping,
            validation_fraction=validation_fraction, beta_1=beta_1, beta_2=beta_2,
            epsilon=epsilon, n_iter_no_change=n_iter_no_change, max_fun=max_fun,
            init_std=init_std,
            risk_every=risk_every, keep_trajectory=keep_trajectory,
            trajectory_dtype=trajectory_dtype, record_train_score=record_train_score,
            pruning=pruning, track_dynamics=track_dynamics, retrain=retrain,
            prune_units=prune_units, scoring=scoring, on_update=on_update,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags

    def _multilabel(self):
        return self._label_binarizer.y_type_.startswith("multilabel")

    def _class_weighted(self, y, sample_weight, partial=False):
        """The sample weights times the ``class_weight`` of each row's class
        (what ``fit``, ``prune`` and ``partial_fit`` train with)."""
        if self.class_weight is None:
            return sample_weight
        if partial and self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' is not available for partial_fit (the "
                "class frequencies of one call are not those of the data): pass "
                "class_weight as a dict, e.g. from "
                "sklearn.utils.class_weight.compute_class_weight('balanced', ...).")
        from sklearn.utils.class_weight import compute_sample_weight

        weights = compute_sample_weight(self.class_weight, y)
        if sample_weight is not None:
            weights = weights * sample_weight
        return np.ascontiguousarray(weights, dtype=np.float64)

    def _decode_targets(self, Y):
        if self._multilabel():
            return Y.astype(int)
        return self._label_binarizer.inverse_transform(Y)

    def _output_layer(self):
        if self.loss == "squared_error":
            return _k.SIGMOID, _k.SQUARED, _k.RISK_MISCLASSIFICATION
        # scikit-learn's: softmax for more than two classes, logistic
        # outputs for two classes (one output), one class and multilabel y.
        multiclass = self._label_binarizer.y_type_ == "multiclass"
        out = _k.SOFTMAX if multiclass else _k.SIGMOID
        return out, _k.LOG_LOSS, _k.RISK_MISCLASSIFICATION

    def _score_outputs(self, out, Y, sample_weight=None):
        """Accuracy of the outputs against the one-hot targets (weighted;
        multilabel: the rows whose every label is right)."""
        if out.shape[1] == 1:
            correct = (out[:, 0] > 0.5) == (Y[:, 0] == 1.0)
        elif self._multilabel():
            correct = ((out > 0.5) == (Y == 1.0)).all(axis=1)
        else:
            correct = np.argmax(out, axis=1) == np.argmax(Y, axis=1)
        return float(np.average(correct, weights=sample_weight))

    def _check_warm_targets(self, y):
        check_classification_targets(y)
        classes = unique_labels(y)
        if set(classes) != set(self.classes_):
            raise ValueError(
                "warm_start can only be used where `y` has the same classes as in the "
                f"previous call to fit. Previously got {self.classes_}, `y` has {classes}")

    def _encode_targets(self, y):
        if self._multilabel():
            if np.ndim(y) != 2 or y.shape[1] != self.classes_.shape[0]:
                raise ValueError(
                    f"y must be an indicator matrix of {self.classes_.shape[0]} labels, "
                    "as in the first call.")
            return np.ascontiguousarray(y, dtype=np.float64)
        unknown = np.setdiff1d(unique_labels(y), self.classes_)
        if unknown.size:
            raise ValueError(
                f"y contains labels {unknown.tolist()} that are not in classes_ "
                f"{self.classes_.tolist()}; pass every label in the first "
                "partial_fit call's `classes`."
            )
        return np.ascontiguousarray(self._label_binarizer.transform(y), dtype=np.float64)

    def _set_classes(self, y):
        """The classes of ``y`` (labels, the list of classes, or a
        multilabel indicator matrix), by scikit-learn's ``LabelBinarizer``:
        one class is fitted as scikit-learn fits it (one logistic output
        trained towards 0, every prediction that class)."""
        self._label_binarizer = LabelBinarizer().fit(y)
        self.classes_ = self._label_binarizer.classes_

    @_fit_context(prefer_skip_nested_validation=True)
    @atomic
    def fit(self, X, y, sample_weight=None, *, coefs_init=None, intercepts_init=None,
            masks=None):
        """Train the network from scratch, then prune it if ``pruning`` is set.

        With ``warm_start=True`` on a fitted network, continue training it
        instead (its masks kept, no new pruning decision).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (dense; NaN and infinity are rejected).
        y : array-like of shape (n_samples,)
            Class labels (strings or integers, two classes or more).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights: each batch's loss is the weighted mean of
            its samples' losses, as scikit-learn's MLP (the L2 term divided
            by the batch's weight sum); the held-out split keeps its
            samples' weights, which weight the risk series and the
            early-stopping score.
        coefs_init, intercepts_init : list of ndarray, default=None
            Start from these weights/biases instead of drawing them (the
            random stream, and so the data order, is the same either way).
        masks : list of ndarray of bool, default=None
            A fixed pruning mask, one per weight matrix: the masked weights
            are set to 0 before training and after every update.

        Returns
        -------
        self : DenseMLPClassifier
            The fitted estimator.
        """
        return self._fit_or_continue(X, y, sample_weight, coefs_init, intercepts_init,
                                     masks)

    def _prepare_targets(self, y, sample_weight=None):
        check_classification_targets(y)
        self._set_classes(y)
        if sample_weight is not None and not self._multilabel() and len(self.classes_) > 1:
            weighted = np.unique(y[sample_weight > 0])
            if weighted.shape[0] < 2:
                raise ValueError(
                    "DenseMLPClassifier needs samples of at least 2 classes with a "
                    f"non-zero sample_weight, but only class {weighted[0]!r} has any.")

    @available_if(lambda est: est._check_solver())
    @atomic
    def partial_fit(self, X, y, sample_weight=None, classes=None, *, masks=None):
        """Run one epoch of the solver over (X, y), starting where training
        stopped (the optimizer state is kept between calls).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels, all in ``classes``.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights (see ``fit``).
        classes : array-like of shape (n_classes,), default=None
            Every label; required on the first call, ignored afterwards.
        masks : list of ndarray of bool, default=None
            A new fixed pruning mask (kept for later calls).

        Returns
        -------
        self : DenseMLPClassifier
            The updated estimator.

        Notes
        -----
        The risk (with ``risk_every``) is measured on the data of the call,
        not on a held-out split; ``partial_fit`` never prunes.
        """
        first_call = not hasattr(self, "classes_")
        self._validate_params()  # every call: set_params may have changed them
        X, y = self._validate_train(X, y, reset=first_call)
        check_classification_targets(y)
        if _check_partial_fit_first_call(self, classes):
            multilabel = type_of_target(y).startswith("multilabel")
            self._set_classes(y if multilabel else self.classes_)
        return self._partial_fit(X, y, sample_weight, masks, first_call)

    def predict_log_proba(self, X):
        """Logarithm of the class probabilities, ``log(predict_proba(X))``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            The log-probability of each class, in the order of ``classes_``.
        """
        proba = self.predict_proba(X)
        return np.log(proba, out=proba)

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes).

        For ``loss='squared_error'`` the sigmoid outputs are normalised to
        sum to 1 (their argmax is the predicted class).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The probability of each class, in the order of ``classes_``.
        """
        out = self._outputs(X)
        if out.shape[1] == 1:
            return np.hstack([1.0 - out, out])
        if self.loss == "squared_error" and not self._multilabel():
            total = out.sum(axis=1, keepdims=True)
            total[total == 0] = 1.0
            return out / total
        return out

    def predict(self, X):
        """Predicted class labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            The predicted classes.
        """
        out = self._outputs(X)
        if self._multilabel():
            return self._label_binarizer.inverse_transform(out)
        if self.classes_.shape[0] == 1:
            return np.repeat(self.classes_[0], out.shape[0])
        if out.shape[1] == 1:
            return self.classes_[(out[:, 0] > 0.5).astype(int)]
        return self.classes_[np.argmax(out, axis=1)]


class DenseMLPRegressor(RegressorMixin, _BaseDenseMLP):
    __doc__ = f"""Dense multi-layer perceptron regressor, trained in compiled code,
    that can prune itself.

    A drop-in for :class:`sklearn.neural_network.MLPRegressor` (the same
    parameters, meanings and defaults; see :class:`DenseMLPClassifier`).
    Identity outputs and scikit-learn's squared-error loss, ``0.5 *
    mean((output - y) ** 2)`` per sample (the mean over the targets); the
    risk series is the validation mean squared error.

    Scale the target before pruning, as for any network trained from small
    initial weights: ``TransformedTargetRegressor(regressor=DenseMLPRegressor(
    pruning=...), transformer=StandardScaler())``.  On friedman1 (target
    mean 14, sd 5) the default chaos-causal mask kept 8-13 % of the output
    weights and retrained to a test R^2 of -2.6 to -4.2 (3 seeds; dense
    0.69-0.71); with the target standardised it kept 25-43 % and reached
    0.83-0.84 (``benchmarks/target_scaling.py``).  A :class:`~skchaosprune.PrunedModelWarning`
    names this remedy when the target is far from standardised.

    Parameters
    ----------
    {_doc(_docstrings.TRAINING_PARAMS)}
    loss : {{'squared_error', 'poisson'}}, default='squared_error'
        'squared_error': identity outputs, ``0.5 * mean((output - y) ** 2)``
        per sample.  'poisson': exponential outputs (the log link) and half
        the Poisson deviance, ``sum(xlogy(y, y / output) - y + output)``
        per sample, as scikit-learn's MLPRegressor; y must be
        non-negative.
    {_doc(_docstrings.PRUNING_PARAMS)}

    Attributes
    ----------
    {_doc(_docstrings.ATTRIBUTES)}

    Examples
    --------
    >>> import numpy as np
    >>> from skchaosprune import DenseMLPRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, size=(200, 2))
    >>> y = X[:, 0] - 2 * X[:, 1]
    >>> reg = DenseMLPRegressor(hidden_layer_sizes=(16,), learning_rate_init=0.01,
    ...                         max_iter=500, random_state=0).fit(X, y)
    >>> reg.score(X, y) > 0.95
    True
    """

    _regression = True

    _parameter_constraints: dict = {
        **_BaseDenseMLP._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson"})],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        loss="squared_error",
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        init_std=None,
        risk_every=None,
        keep_trajectory=False,
        trajectory_dtype="float32",
        record_train_score=False,
        pruning=None,
        track_dynamics="auto",
        retrain="rewind",
        prune_units=None,
        scoring=None,
        on_update=None,
    ):
        super().__init__(
            hidden_layer_sizes, activation, solver=solver, alpha=alpha,
            batch_size=batch_size, learning_rate=learning_rate,
            learning_rate_init=learning_rate_init, power_t=power_t, max_iter=max_iter,
            loss=loss, shuffle=shuffle, random_state=random_state, tol=tol,
            verbose=verbose, warm_start=warm_start, momentum=momentum,
            nesterovs_momentum=nesterovs_momentum, early_stopping=early_stopping,
            validation_fraction=validation_fraction, beta_1=beta_1, beta_2=beta_2,
            epsilon=epsilon, n_iter_no_change=n_iter_no_change, max_fun=max_fun,
            init_std=init_std,
            risk_every=risk_every, keep_trajectory=keep_trajectory,
            trajectory_dtype=trajectory_dtype, record_train_score=record_train_score,
            pruning=pruning, track_dynamics=track_dynamics, retrain=retrain,
            prune_units=prune_units, scoring=scoring, on_update=on_update,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _output_layer(self):
        if self.loss == "poisson":
            return _k.EXP, _k.POISSON, _k.RISK_MSE
        return _k.IDENTITY, _k.SQUARED_MEAN, _k.RISK_MSE

    def _score_outputs(self, out, Y, sample_weight=None):
        """R^2 of the outputs (weighted; the mean over the targets)."""
        return float(r2_score(Y, out, sample_weight=sample_weight))

    def _decode_targets(self, Y):
        return Y[:, 0] if self._y_ndim == 1 else Y

    def _check_warm_targets(self, y):
        if np.ndim(y) != self._y_ndim or (np.ndim(y) == 2 and y.shape[1] != self.n_outputs_):
            raise ValueError(
                "warm_start can only be used where `y` has the shape of the targets in "
                f"the previous call to fit ({self.n_outputs_} target(s)).")

    def _encode_targets(self, y):
        y = np.asarray(y, dtype=np.float64)
        if y.ndim == 1:
            y = y[:, None]
        if hasattr(self, "n_outputs_") and y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {y.shape[1]} targets but the network was fitted with "
                f"{self.n_outputs_}."
            )
        return np.ascontiguousarray(y)

    @_fit_context(prefer_skip_nested_validation=True)
    @atomic
    def fit(self, X, y, sample_weight=None, *, coefs_init=None, intercepts_init=None,
            masks=None):
        """Train the network from scratch, then prune it if ``pruning`` is set.

        With ``warm_start=True`` on a fitted network, continue training it
        instead (its masks kept, no new pruning decision).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights: each batch's loss is the weighted mean of
            its samples' losses, as scikit-learn's MLP; the held-out split
            keeps its samples' weights, which weight the risk series and the
            early-stopping score.
        coefs_init, intercepts_init : list of ndarray, default=None
            Start from these weights/biases instead of drawing them.
        masks : list of ndarray of bool, default=None
            A fixed pruning mask, one per weight matrix.

        Returns
        -------
        self : DenseMLPRegressor
            The fitted estimator.
        """
        return self._fit_or_continue(X, y, sample_weight, coefs_init, intercepts_init,
                                     masks)

    def _prepare_targets(self, y, sample_weight=None):
        self._y_ndim = np.ndim(y)
        if self.loss == "poisson" and np.any(np.asarray(y) < 0):
            raise ValueError("loss='poisson' needs non-negative targets y.")

    @available_if(lambda est: est._check_solver())
    @atomic
    def partial_fit(self, X, y, sample_weight=None, *, masks=None):
        """Run one epoch of the solver over (X, y), starting where training
        stopped (the optimizer state is kept between calls).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights (see ``fit``).
        masks : list of ndarray of bool, default=None
            A new fixed pruning mask (kept for later calls).

        Returns
        -------
        self : DenseMLPRegressor
            The updated estimator.
        """
        # Weights set by hand on an unfitted estimator are not a fit.
        first_call = "_sizes" not in self.__dict__ and "compaction_" not in self.__dict__
        self._validate_params()  # every call: set_params may have changed them
        X, y = self._validate_train(X, y, reset=first_call)
        if first_call:
            self._y_ndim = np.ndim(y)
        return self._partial_fit(X, y, sample_weight, masks, first_call)

    def predict(self, X):
        """Predicted targets.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_targets)
            The predicted values.
        """
        out = self._outputs(X)
        return out[:, 0] if self._y_ndim == 1 else out
