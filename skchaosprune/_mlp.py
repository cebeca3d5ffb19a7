"""Dense MLP estimators trained by compiled SGD that record their own training.

The estimators are thin: they validate input, lay the network out in flat
arrays and call :func:`skchaosprune._kernels.mlp.train_epoch` once per epoch.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    _fit_context,
)
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call,
    check_classification_targets,
)
from sklearn.utils.validation import check_is_fitted, validate_data

from ._kernels import mlp as _k

_ACTIVATIONS = {
    "identity": _k.IDENTITY,
    "sigmoid": _k.SIGMOID,
    "logistic": _k.SIGMOID,
    "tanh": _k.TANH,
    "relu": _k.RELU,
}


def _layout(sizes):
    """Offsets of each layer's weights and biases in the flat arrays."""
    sizes = np.asarray(sizes, dtype=np.int64)
    fan_in, fan_out = sizes[:-1], sizes[1:]
    w_off = np.concatenate([[0], np.cumsum(fan_in * fan_out)[:-1]]).astype(np.int64)
    b_off = np.concatenate([[0], np.cumsum(fan_out)[:-1]]).astype(np.int64)
    return sizes, w_off, b_off


def _flatten(arrays):
    return np.ascontiguousarray(
        np.concatenate([np.asarray(a, dtype=np.float64).ravel() for a in arrays])
    )


def _unflatten(flat, shapes):
    out, start = [], 0
    for shape in shapes:
        size = int(np.prod(shape))
        out.append(flat[start:start + size].reshape(shape).copy())
        start += size
    return out


class _BaseDenseMLP(BaseEstimator):
    """Shared fitting machinery of the dense MLP estimators."""

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions({"sigmoid", "logistic", "tanh", "relu", "identity"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "init_std": [None, Interval(Real, 0, None, closed="neither")],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "risk_every": [None, Interval(Integral, 1, None, closed="left")],
        "keep_trajectory": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    # ------------------------------------------------------------------ #
    # Hooks the subclasses provide.
    def _encode_targets(self, y):  # pragma: no cover - abstract
        raise NotImplementedError

    def _output_layer(self):  # pragma: no cover - abstract
        """(output activation code, loss code, risk code)."""
        raise NotImplementedError

    # ------------------------------------------------------------------ #
    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, Integral):
            sizes = [sizes]
        sizes = list(sizes)
        if any(not isinstance(s, Integral) or s < 1 for s in sizes):
            raise ValueError(
                "hidden_layer_sizes must hold positive integers, got "
                f"{self.hidden_layer_sizes!r}."
            )
        return [int(s) for s in sizes]

    def _initialize(self, n_features, n_outputs, rng):
        """Set the layout and draw the initial weights and biases."""
        sizes = [n_features, *self._hidden_sizes(), n_outputs]
        self.n_layers_ = len(sizes)
        self.n_outputs_ = n_outputs
        self._sizes, self._w_off, self._b_off = _layout(sizes)
        coefs, intercepts = [], []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            if self.init_std is None:
                # Glorot uniform, with sklearn's factor 2 for the logistic.
                factor = 2.0 if self.activation in ("sigmoid", "logistic") else 6.0
                bound = np.sqrt(factor / (fan_in + fan_out))
                coefs.append(rng.uniform(-bound, bound, (fan_in, fan_out)))
                intercepts.append(rng.uniform(-bound, bound, fan_out))
            else:
                coefs.append(rng.normal(0.0, self.init_std, (fan_in, fan_out)))
                intercepts.append(rng.normal(0.0, self.init_std, fan_out))
        self.coefs_ = coefs
        self.intercepts_ = intercepts
        self.initial_coefs_ = [c.copy() for c in coefs]
        self.initial_intercepts_ = [b.copy() for b in intercepts]
        self.masks_ = [np.ones(c.shape, dtype=bool) for c in coefs]
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_curve_ = []
        self.risk_curve_ = np.empty(0)
        self.risk_updates_ = np.empty(0, dtype=np.int64)

    def _set_masks(self, masks):
        if masks is None:
            return
        masks = list(masks)
        shapes = [c.shape for c in self.coefs_]
        if len(masks) != len(shapes) or any(
            np.shape(m) != s for m, s in zip(masks, shapes)
        ):
            raise ValueError(
                "masks must be one boolean array per weight matrix with the "
                f"shapes {shapes}; got shapes {[np.shape(m) for m in masks]}."
            )
        self.masks_ = [np.asarray(m, dtype=bool).copy() for m in masks]
        self.coefs_ = [np.where(m, c, 0.0) for m, c in zip(self.masks_, self.coefs_)]

    def _set_initial_weights(self, coefs_init, intercepts_init):
        for name, given, current in (
            ("coefs_init", coefs_init, self.coefs_),
            ("intercepts_init", intercepts_init, self.intercepts_),
        ):
            if given is None:
                continue
            given = [np.asarray(a, dtype=np.float64) for a in given]
            expected = [a.shape for a in current]
            if [a.shape for a in given] != expected:
                raise ValueError(
                    f"{name} must hold arrays of the shapes {expected}; got "
                    f"{[a.shape for a in given]}."
                )
            if not all(np.isfinite(a).all() for a in given):
                raise ValueError(f"{name} contains NaN or infinity.")
            current[:] = [a.copy() for a in given]
        self.initial_coefs_ = [c.copy() for c in self.coefs_]
        self.initial_intercepts_ = [b.copy() for b in self.intercepts_]

    def _start_trajectory(self):
        """Row 0 of the trajectory: the weights training starts from."""
        if self.keep_trajectory:
            self.weight_trajectory_ = _flatten(self.coefs_).astype(np.float32)[None, :]

    def _train(self, X, Y, Xv, Yv, n_epochs, risk_at=None, on_rows=None,
               chunk_updates=None):
        """Run n_epochs of SGD through the compiled kernel, recording.

        ``risk_at``: global update indices at which to measure the risk
        (default: every ``risk_every`` updates).  ``on_rows(rows)``: called
        with each chunk of weight rows (float64, at most ``chunk_updates``
        rows) as training produces them.
        """
        out_act, loss, risk_kind = self._output_layer()
        hidden = _ACTIVATIONS[self.activation]
        weights = _flatten(self.coefs_)
        biases = _flatten(self.intercepts_)
        mask = _flatten(self.masks_).astype(np.bool_)
        use_mask = not mask.all()
        weights[~mask] = 0.0
        n = X.shape[0]
        n_weights = weights.shape[0]
        per_epoch = -(-n // min(self.batch_size, n))
        total = per_epoch * n_epochs
        if risk_at is None:
            risk_at = self._risk_schedule(total)
        risk_out = np.full(risk_at.shape[0], np.nan)
        keep = bool(self.keep_trajectory)
        if keep:
            # One allocation for the rows kept so far and the new ones.
            kept = self.weight_trajectory_
            full = np.empty((kept.shape[0] + total, n_weights), dtype=np.float32)
            full[:kept.shape[0]] = kept
            traj = full[kept.shape[0]:]
        else:
            traj = np.empty((0, n_weights), dtype=np.float32)
        if on_rows is not None:
            chunk = per_epoch if chunk_updates is None else max(1, int(chunk_updates))
            rows = np.empty((min(chunk, per_epoch), n_weights))
        else:
            chunk = per_epoch
            rows = np.empty((0, n_weights))
        risk_ptr = 0
        done = 0
        order = np.arange(n)
        for _ in range(n_epochs):
            order[:] = np.arange(n)
            if self.shuffle:
                _k.shuffle_in_place(order, self._rng_state)
            first = 0
            epoch_loss = 0.0
            while first < n:
                # Record into the float32 trajectory, or the streamed chunk.
                target = rows if on_rows is not None else traj[done:]
                loss_sum, n_updates, status, risk_ptr = _k.train_batches(
                    X, Y, order, first, chunk, weights, biases, self._sizes,
                    self._w_off, self._b_off, float(self.learning_rate_init),
                    int(self.batch_size), hidden, out_act, loss, mask, use_mask,
                    target, on_rows is not None or keep, Xv, Yv, risk_kind,
                    risk_at, risk_out, risk_ptr, self.t_,
                )
                self.t_ += n_updates
                epoch_loss += loss_sum
                if status != _k.OK:
                    raise ValueError(
                        "Training diverged: the weights or the loss became NaN or "
                        f"infinite in epoch {self.n_iter_ + 1}, after {self.t_} updates. "
                        f"Lower learning_rate_init (now {self.learning_rate_init}) "
                        "or standardise X (e.g. with sklearn's StandardScaler)."
                    )
                if on_rows is not None:
                    if keep:
                        traj[done:done + n_updates] = rows[:n_updates]
                    on_rows(rows[:n_updates])
                done += n_updates
                first = min(n, first + n_updates * int(self.batch_size))
            self.n_iter_ += 1
            self.loss_curve_.append(epoch_loss / n)
            if self.verbose:
                print(f"Iteration {self.n_iter_}, loss = {self.loss_curve_[-1]:.8f}")
        shapes = [c.shape for c in self.coefs_]
        self.coefs_ = _unflatten(weights, shapes)
        self.intercepts_ = _unflatten(biases, [b.shape for b in self.intercepts_])
        self.risk_curve_ = np.concatenate([self.risk_curve_, risk_out[:risk_ptr]])
        self.risk_updates_ = np.concatenate([self.risk_updates_, risk_at[:risk_ptr]])
        if keep:
            self.weight_trajectory_ = full

    def _risk_schedule(self, total):
        """Update indices of the next ``total`` updates that are multiples
        of ``risk_every``."""
        if self.risk_every is None:
            return np.empty(0, dtype=np.int64)
        first = self.t_ + self.risk_every - self.t_ % self.risk_every
        return np.arange(first, self.t_ + total + 1, self.risk_every, dtype=np.int64)

    def _split(self, X, Y, y, rng):
        """Hold out the validation split used for the risk series."""
        if self.risk_every is None or self.validation_fraction == 0:
            return X, Y, X, Y
        stratify = y if is_classifier_like(self) else None
        try:
            X_tr, X_val, Y_tr, Y_val = train_test_split(
                X, Y, test_size=self.validation_fraction,
                random_state=rng.randint(np.iinfo(np.int32).max), stratify=stratify,
            )
        except ValueError as exc:
            raise ValueError(
                f"Cannot hold out validation_fraction={self.validation_fraction} "
                f"of {X.shape[0]} samples for the risk series ({exc}). Use more "
                "samples, a larger validation_fraction, or validation_fraction=0 "
                "to measure the risk on the training data."
            ) from None
        return (np.ascontiguousarray(X_tr), np.ascontiguousarray(Y_tr),
                np.ascontiguousarray(X_val), np.ascontiguousarray(Y_val))

    def _fit(self, X, y, coefs_init, intercepts_init, masks):
        rng = check_random_state(self.random_state)
        Y = self._encode_targets(y)
        X_tr, Y_tr, X_val, Y_val = self._split(X, Y, y, rng)
        self._rng_state = np.array([rng.randint(1, np.iinfo(np.int64).max)], dtype=np.uint64)
        self._initialize(X.shape[1], Y.shape[1], rng)
        self._set_initial_weights(coefs_init, intercepts_init)
        self._set_masks(masks)
        self._start_trajectory()
        self._train(X_tr, Y_tr, X_val, Y_val, self.max_iter)
        return self

    def _partial_fit(self, X, y, masks, first_call):
        if first_call:
            rng = check_random_state(self.random_state)
            Y = self._encode_targets(y)
            self._rng_state = np.array([rng.randint(1, np.iinfo(np.int64).max)], dtype=np.uint64)
            self._initialize(X.shape[1], Y.shape[1], rng)
            self._set_masks(masks)
            self._start_trajectory()
        else:
            Y = self._encode_targets(y)
            self._set_masks(masks)
        self._train(X, Y, X, Y, 1)
        return self

    def _outputs(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64, order="C")
        out_act, _, _ = self._output_layer()
        return _k.forward_all(
            X, _flatten(self.coefs_), _flatten(self.intercepts_), self._sizes,
            self._w_off, self._b_off, _ACTIVATIONS[self.activation], out_act,
        )

    def _validate_train(self, X, y, reset):
        return validate_data(
            self, X, y, reset=reset, dtype=np.float64, order="C",
            multi_output=not is_classifier_like(self), y_numeric=not is_classifier_like(self),
        )


def is_classifier_like(est):
    return isinstance(est, ClassifierMixin)


_COMMON_DOC_PARAMS = """
    hidden_layer_sizes : array-like of int, default=(100,)
        Units of each hidden layer; any depth.
    activation : {'sigmoid', 'logistic', 'tanh', 'relu', 'identity'}, default='relu'
        Hidden-layer activation ('logistic' is an alias of 'sigmoid').
    learning_rate_init : float, default=LR_DEFAULT
        Constant SGD step size (no momentum, no schedule).
    batch_size : int, default=32
        Samples per update; 1 is the paper's one-sample SGD.
    max_iter : int, default=200
        Epochs of training in ``fit``.
    shuffle : bool, default=True
        Shuffle the samples each epoch (with the estimator's own seeded
        generator, so the same ``random_state`` gives the same order).
    init_std : float or None, default=None
        None: Glorot-uniform initial weights and biases (as sklearn's MLP);
        a float: normal with this standard deviation (the paper used 0.1).
    validation_fraction : float, default=0.1
        Fraction of the training data held out to measure the risk series
        (only when ``risk_every`` is set; ``fit`` then trains on the rest).
        0 measures the risk on the training data.
    risk_every : int or None, default=None
        Record the validation risk every ``risk_every`` updates into
        ``risk_curve_`` (with the update indices in ``risk_updates_``).
    keep_trajectory : bool, default=False
        Keep every weight after every update in ``weight_trajectory_``
        (float32).  Memory: ``4 * (n_updates + 1) * n_weights`` bytes, where
        ``n_updates = max_iter * ceil(n_train / batch_size)``; for 64-100-10
        on 1,437 samples with ``batch_size=1`` that is 42 MB per epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds the validation split, the initial weights and the shuffling.
    verbose : bool, default=False
        Print the loss after each epoch."""

_COMMON_DOC_ATTRS = """
    coefs_ : list of ndarray of shape (fan_in, fan_out)
        Weight matrices after training (pruned weights are exactly 0).
    intercepts_ : list of ndarray of shape (fan_out,)
        Bias vectors.
    initial_coefs_, initial_intercepts_ : list of ndarray
        The weights and biases before training (before any mask is applied),
        for retraining a pruned network from its initialisation.
    masks_ : list of ndarray of bool
        One mask per weight matrix; False marks a pruned weight, kept at 0
        after every update.  All True for a dense fit.
    n_iter_ : int
        Epochs run.
    t_ : int
        Updates run.
    loss_curve_ : list of float
        Mean training loss of each epoch.
    risk_curve_ : ndarray of shape (n_risk,)
        Validation risk recorded every ``risk_every`` updates.
    risk_updates_ : ndarray of int
        The update index (1-based) of each value of ``risk_curve_``.
    weight_trajectory_ : ndarray of shape (n_updates + 1, n_weights), float32
        Only with ``keep_trajectory=True``: row 0 the initial weights (with
        the mask applied), then
        one row after every update; weights only, flattened layer by layer
        in C order.
    n_features_in_ : int
        Number of features seen in ``fit``.
    n_layers_ : int
        Number of layers, input and output included.
    n_outputs_ : int
        Number of output units."""


class DenseMLPClassifier(ClassifierMixin, _BaseDenseMLP):
    __doc__ = f"""Dense multi-layer perceptron classifier trained by compiled SGD.

    The whole epoch loop runs inside one Numba call; the estimator can record
    every weight after every update and the validation misclassification
    rate, the raw material of chaos-causality pruning.

    Parameters
    ----------
    {_COMMON_DOC_PARAMS.strip().replace("LR_DEFAULT", "0.01")}
    loss : {{'log_loss', 'squared_error'}}, default='log_loss'
        'log_loss': softmax outputs (one logistic output for two classes).
        'squared_error': sigmoid outputs trained on one-hot targets with
        loss ``0.5 * sum((output - target) ** 2)`` per sample, the paper's
        setting.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    {_COMMON_DOC_ATTRS.strip()}

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skchaosprune import DenseMLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = make_pipeline(
    ...     StandardScaler(),
    ...     DenseMLPClassifier(hidden_layer_sizes=(6,), activation="sigmoid",
    ...                        learning_rate_init=0.1, random_state=0),
    ... ).fit(X, y)
    >>> clf.predict(X[:3])
    array([0, 0, 0])
    >>> clf.score(X, y) > 0.95
    True
    """

    _parameter_constraints: dict = {
        **_BaseDenseMLP._parameter_constraints,
        "loss": [StrOptions({"log_loss", "squared_error"})],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        loss="log_loss",
        learning_rate_init=0.01,
        batch_size=32,
        max_iter=200,
        shuffle=True,
        init_std=None,
        validation_fraction=0.1,
        risk_every=None,
        keep_trajectory=False,
        random_state=None,
        verbose=False,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.loss = loss
        self.learning_rate_init = learning_rate_init
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.init_std = init_std
        self.validation_fraction = validation_fraction
        self.risk_every = risk_every
        self.keep_trajectory = keep_trajectory
        self.random_state = random_state
        self.verbose = verbose

    def _output_layer(self):
        if self.loss == "squared_error":
            return _k.SIGMOID, _k.SQUARED, _k.RISK_MISCLASSIFICATION
        out = _k.SIGMOID if len(self.classes_) == 2 else _k.SOFTMAX
        return out, _k.LOG_LOSS, _k.RISK_MISCLASSIFICATION

    def _encode_targets(self, y):
        unknown = np.setdiff1d(np.unique(y), self.classes_)
        if unknown.size:
            raise ValueError(
                f"y contains labels {unknown.tolist()} that are not in classes_ "
                f"{self.classes_.tolist()}; pass every label in the first "
                "partial_fit call's `classes`."
            )
        return np.ascontiguousarray(self._label_binarizer.transform(y), dtype=np.float64)

    def _set_classes(self, classes):
        classes = np.asarray(classes)
        if classes.shape[0] < 2:
            raise ValueError(
                "DenseMLPClassifier needs samples of at least 2 classes in the "
                f"data, but the data contains only one class: {classes[0]!r}."
            )
        self.classes_ = classes
        self._label_binarizer = LabelBinarizer().fit(classes)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, *, coefs_init=None, intercepts_init=None, masks=None):
        """Train the network from scratch for ``max_iter`` epochs.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (dense; NaN and infinity are rejected).
        y : array-like of shape (n_samples,)
            Class labels (strings or integers, two classes or more).
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
        X, y = self._validate_train(X, y, reset=True)
        check_classification_targets(y)
        self._set_classes(np.unique(y))
        return self._fit(X, y, coefs_init, intercepts_init, masks)

    def partial_fit(self, X, y, classes=None, *, masks=None):
        """Run one epoch of SGD over (X, y), starting where training stopped.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels, all in ``classes``.
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
        not on a held-out split.
        """
        first_call = not hasattr(self, "classes_")
        if first_call:
            self._validate_params()
        X, y = self._validate_train(X, y, reset=first_call)
        check_classification_targets(y)
        if _check_partial_fit_first_call(self, classes):
            self._set_classes(self.classes_)
        return self._partial_fit(X, y, masks, first_call)

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes).

        For ``loss='squared_error'`` the sigmoid outputs are normalised to
        sum to 1 (their argmax is the predicted class).
        """
        out = self._outputs(X)
        if out.shape[1] == 1:
            return np.hstack([1.0 - out, out])
        if self.loss == "squared_error":
            total = out.sum(axis=1, keepdims=True)
            total[total == 0] = 1.0
            return out / total
        return out

    def predict(self, X):
        """Predicted class labels, shape (n_samples,)."""
        out = self._outputs(X)
        if out.shape[1] == 1:
            return self.classes_[(out[:, 0] > 0.5).astype(int)]
        return self.classes_[np.argmax(out, axis=1)]


class DenseMLPRegressor(RegressorMixin, _BaseDenseMLP):
    __doc__ = f"""Dense multi-layer perceptron regressor trained by compiled SGD.

    Identity outputs and squared-error loss ``0.5 * sum((output - y) ** 2)``
    per sample; the risk series is the validation mean squared error.

    Parameters
    ----------
    {_COMMON_DOC_PARAMS.strip().replace("LR_DEFAULT", "0.001")}
    loss : {{'squared_error'}}, default='squared_error'
        The only loss.

    Attributes
    ----------
    {_COMMON_DOC_ATTRS.strip()}

    Examples
    --------
    >>> import numpy as np
    >>> from skchaosprune import DenseMLPRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, size=(200, 2))
    >>> y = X[:, 0] - 2 * X[:, 1]
    >>> reg = DenseMLPRegressor(hidden_layer_sizes=(16,), learning_rate_init=0.01,
    ...                         random_state=0).fit(X, y)
    >>> reg.score(X, y) > 0.95
    True
    """

    _parameter_constraints: dict = {
        **_BaseDenseMLP._parameter_constraints,
        "loss": [StrOptions({"squared_error"})],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        loss="squared_error",
        learning_rate_init=0.001,
        batch_size=32,
        max_iter=200,
        shuffle=True,
        init_std=None,
        validation_fraction=0.1,
        risk_every=None,
        keep_trajectory=False,
        random_state=None,
        verbose=False,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.loss = loss
        self.learning_rate_init = learning_rate_init
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.init_std = init_std
        self.validation_fraction = validation_fraction
        self.risk_every = risk_every
        self.keep_trajectory = keep_trajectory
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _output_layer(self):
        return _k.IDENTITY, _k.SQUARED, _k.RISK_MSE

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
    def fit(self, X, y, *, coefs_init=None, intercepts_init=None, masks=None):
        """Train the network from scratch for ``max_iter`` epochs.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets.
        coefs_init, intercepts_init : list of ndarray, default=None
            Start from these weights/biases instead of drawing them.
        masks : list of ndarray of bool, default=None
            A fixed pruning mask, one per weight matrix.

        Returns
        -------
        self : DenseMLPRegressor
            The fitted estimator.
        """
        X, y = self._validate_train(X, y, reset=True)
        self._y_ndim = np.ndim(y)
        return self._fit(X, y, coefs_init, intercepts_init, masks)

    def partial_fit(self, X, y, *, masks=None):
        """Run one epoch of SGD over (X, y), starting where training stopped.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets.
        masks : list of ndarray of bool, default=None
            A new fixed pruning mask (kept for later calls).

        Returns
        -------
        self : DenseMLPRegressor
            The updated estimator.
        """
        first_call = not hasattr(self, "coefs_")
        if first_call:
            self._validate_params()
        X, y = self._validate_train(X, y, reset=first_call)
        if first_call:
            self._y_ndim = np.ndim(y)
        return self._partial_fit(X, y, masks, first_call)

    def predict(self, X):
        """Predicted targets, shape (n_samples,) or (n_samples, n_targets)."""
        out = self._outputs(X)
        return out[:, 0] if self._y_ndim == 1 else out
