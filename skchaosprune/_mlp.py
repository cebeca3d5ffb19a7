"""Dense MLP estimators trained by compiled SGD that record their own training
and can prune themselves by chaos and causality (LEGCNet-FT/PT).

The estimators are thin: they validate input, lay the network out in flat
arrays and call :func:`skchaosprune._kernels.mlp.train_batches` once per
epoch (or per chunk of updates while the dynamics are streamed); the maths
live in :mod:`skchaosprune.lyapunov`, :mod:`skchaosprune.causality` and
:mod:`skchaosprune._pruning`.
"""

import time
import warnings
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

from . import _docstrings, _progress, _pruning
from ._kernels import mlp as _k

_ACTIVATIONS = {
    "identity": _k.IDENTITY,
    "sigmoid": _k.SIGMOID,
    "logistic": _k.SIGMOID,
    "tanh": _k.TANH,
    "relu": _k.RELU,
}

_MULTITEST = {
    "bonferroni", "sidak", "holm-sidak", "holm", "simes-hochberg", "hommel",
    "fdr_bh", "fdr_by", "fdr_tsbh", "fdr_tsbky",
}

# Rows of float64 weights streamed per chunk while tracking dynamics: about
# 32 MB whatever the network, so memory does not grow with the epochs.
_CHUNK_BYTES = 2**25


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


class ConstantRiskWarning(UserWarning):
    """The risk series never changed, so no Granger test was possible."""


class _BaseDenseMLP(BaseEstimator):
    """Shared fitting, recording and pruning machinery."""

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
        "trajectory_dtype": [StrOptions({"float32", "float64"})],
        "record_train_score": ["boolean"],
        "pruning": [None, StrOptions({"chaos_causal", "magnitude", "random"})],
        "pruning_mode": [StrOptions({"full", "partial"})],
        "partial_epochs": [Interval(Integral, 1, None, closed="left")],
        "track_dynamics": ["boolean", StrOptions({"auto"})],
        "window": [Interval(Integral, 2, None, closed="left")],
        "overlap": [Interval(Real, 0, 1, closed="left")],
        "lyapunov_dim": [Interval(Integral, 1, None, closed="left")],
        "lyapunov_delay": [Interval(Integral, 1, None, closed="left")],
        "lyapunov_steps": [Interval(Integral, 1, None, closed="left")],
        "lyapunov_theiler": [Interval(Integral, 0, None, closed="left")],
        "lyapunov_fit_steps": [Interval(Integral, 1, None, closed="left")],
        "min_range": [Interval(Real, 0, None, closed="left")],
        "maxlag": [Interval(Integral, 1, None, closed="left")],
        "granger_test": [StrOptions({"ssr_chi2test", "ssr_ftest"})],
        "stationarity": [None, StrOptions({"adf"})],
        "causality_alpha": [Interval(Real, 0, 1, closed="both")],
        "lyapunov_threshold": [None, Interval(Real, None, None, closed="neither")],
        "multitest": [None, StrOptions(_MULTITEST)],
        "target_sparsity": [None, Interval(Real, 0, 1, closed="both")],
        "on_infeasible": [StrOptions({"prune", "keep"})],
        "retrain": [None, StrOptions({"rewind", "finetune"})],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        hidden_layer_sizes,
        activation,
        *,
        loss,
        learning_rate_init,
        batch_size,
        max_iter,
        shuffle,
        init_std,
        validation_fraction,
        risk_every,
        keep_trajectory,
        trajectory_dtype,
        record_train_score,
        pruning,
        pruning_mode,
        partial_epochs,
        track_dynamics,
        window,
        overlap,
        lyapunov_dim,
        lyapunov_delay,
        lyapunov_steps,
        lyapunov_theiler,
        lyapunov_fit_steps,
        min_range,
        maxlag,
        granger_test,
        stationarity,
        causality_alpha,
        lyapunov_threshold,
        multitest,
        target_sparsity,
        on_infeasible,
        retrain,
        random_state,
        verbose,
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
        self.trajectory_dtype = trajectory_dtype
        self.record_train_score = record_train_score
        self.pruning = pruning
        self.pruning_mode = pruning_mode
        self.partial_epochs = partial_epochs
        self.track_dynamics = track_dynamics
        self.window = window
        self.overlap = overlap
        self.lyapunov_dim = lyapunov_dim
        self.lyapunov_delay = lyapunov_delay
        self.lyapunov_steps = lyapunov_steps
        self.lyapunov_theiler = lyapunov_theiler
        self.lyapunov_fit_steps = lyapunov_fit_steps
        self.min_range = min_range
        self.maxlag = maxlag
        self.granger_test = granger_test
        self.stationarity = stationarity
        self.causality_alpha = causality_alpha
        self.lyapunov_threshold = lyapunov_threshold
        self.multitest = multitest
        self.target_sparsity = target_sparsity
        self.on_infeasible = on_infeasible
        self.retrain = retrain
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ #
    # Hooks the subclasses provide.
    def _encode_targets(self, y):  # pragma: no cover - abstract
        raise NotImplementedError

    def _output_layer(self):  # pragma: no cover - abstract
        """(output activation code, loss code, risk code)."""
        raise NotImplementedError

    def _score_outputs(self, out, Y):  # pragma: no cover - abstract
        raise NotImplementedError

    # ------------------------------------------------------------------ #
    # Network layout and state.
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
        self._dense_seconds = self._dynamics_seconds = 0.0
        self._reset_progress()

    def _reset_progress(self):
        """Counters and curves of a new training phase."""
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_curve_ = []
        self.train_score_curve_ = []
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
            self.weight_trajectory_ = _flatten(self.coefs_).astype(self.trajectory_dtype)[None, :]

    # ------------------------------------------------------------------ #
    # Training.
    def _train(self, X, Y, Xv, Yv, n_epochs, risk_at=None, tracker=None,
               phase="training"):
        """Run n_epochs of SGD through the compiled kernel, recording.

        ``risk_at``: global update indices at which to measure the risk
        (default: every ``risk_every`` updates).  ``tracker``: a
        :class:`~skchaosprune._dynamics.DynamicsTracker` fed with the weight
        rows in bounded chunks as training produces them.
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
            full = np.empty((kept.shape[0] + total, n_weights), dtype=kept.dtype)
            full[:kept.shape[0]] = kept
            traj = full[kept.shape[0]:]
        else:
            traj = np.empty((0, n_weights), dtype=self.trajectory_dtype)
        if tracker is not None:
            chunk = max(1, min(per_epoch, _CHUNK_BYTES // (8 * n_weights)))
            rows = np.empty((chunk, n_weights))
        else:
            chunk = per_epoch
            rows = traj
        risk_ptr = 0
        done = 0
        order = np.arange(n)
        _progress.report(phase, 0, n_epochs)
        for epoch in range(n_epochs):
            order[:] = np.arange(n)
            if self.shuffle:
                _k.shuffle_in_place(order, self._rng_state)
            first = 0
            epoch_loss = 0.0
            while first < n:
                target = rows if tracker is not None else traj[done:]
                loss_sum, n_updates, status, risk_ptr = _k.train_batches(
                    X, Y, order, first, chunk, weights, biases, self._sizes,
                    self._w_off, self._b_off, float(self.learning_rate_init),
                    int(self.batch_size), hidden, out_act, loss, mask, use_mask,
                    target, tracker is not None or keep, Xv, Yv, risk_kind,
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
                if tracker is not None:
                    if keep:
                        traj[done:done + n_updates] = rows[:n_updates]
                    tracker.update(rows[:n_updates])
                done += n_updates
                first = min(n, first + n_updates * int(self.batch_size))
            self.n_iter_ += 1
            self.loss_curve_.append(epoch_loss / n)
            if self.record_train_score:
                self.train_score_curve_.append(
                    self._score_outputs(self._forward(X, weights, biases), Y)
                )
            if self.verbose:
                print(f"Iteration {self.n_iter_}, loss = {self.loss_curve_[-1]:.8f}")
            _progress.report(phase, epoch + 1, n_epochs)
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

    def _forward(self, X, weights, biases):
        out_act, _, _ = self._output_layer()
        return _k.forward_all(X, weights, biases, self._sizes, self._w_off,
                              self._b_off, _ACTIVATIONS[self.activation], out_act)

    def _tracks(self):
        if self.track_dynamics == "auto":
            return self.pruning == "chaos_causal"
        return bool(self.track_dynamics)

    def _split(self, X, Y, y):
        """Hold out the validation split used for the risk series.

        Whether to hold out is decided once, by ``fit`` (``_holds_out``), so
        that ``prune`` retrains on exactly the samples the dense run used.
        """
        if not self._holds_out:
            return X, Y, X, Y
        stratify = y if isinstance(self, ClassifierMixin) else None
        try:
            try:
                X_tr, X_val, Y_tr, Y_val = train_test_split(
                    X, Y, test_size=self.validation_fraction,
                    random_state=self._split_seed, stratify=stratify,
                )
            except ValueError:
                if stratify is None:
                    raise
                # Too few samples of some class to stratify: split plainly.
                X_tr, X_val, Y_tr, Y_val = train_test_split(
                    X, Y, test_size=self.validation_fraction,
                    random_state=self._split_seed,
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

    def _check_run_length(self, n_train, epochs, what):
        """Fail early when the dense run is too short for the dynamics."""
        from ._dynamics import min_updates

        need = min_updates(
            self.window, self.overlap, self.maxlag, dim=self.lyapunov_dim,
            delay=self.lyapunov_delay, steps=self.lyapunov_steps,
            theiler=self.lyapunov_theiler,
        )
        per_epoch = -(-n_train // min(self.batch_size, n_train))
        have = per_epoch * epochs
        if have < need:
            raise ValueError(
                f"The dense run is too short for chaos-causal pruning: {what} "
                f"gives {have} updates ({epochs} epochs x {per_epoch} updates), "
                f"but window={self.window}, overlap={self.overlap} and "
                f"maxlag={self.maxlag} need at least {need} updates "
                f"({3 * self.maxlag + 2} windows). Train longer, use a smaller "
                "batch_size, window or maxlag."
            )

    def _fit(self, X, y, coefs_init, intercepts_init, masks):
        rng = check_random_state(self.random_state)
        Y = self._encode_targets(y)
        self._split_seed = rng.randint(np.iinfo(np.int32).max)
        self._rng_state = np.array([rng.randint(1, np.iinfo(np.int64).max)], dtype=np.uint64)
        self._initial_rng_state = self._rng_state.copy()
        measures_risk = self.risk_every is not None or self._tracks()
        self._holds_out = measures_risk and self.validation_fraction > 0
        X_tr, Y_tr, X_val, Y_val = self._split(X, Y, y)
        self._initialize(X.shape[1], Y.shape[1], rng)
        self._set_initial_weights(coefs_init, intercepts_init)
        self._set_masks(masks)
        self._start_trajectory()
        partial = self.pruning is not None and self.pruning_mode == "partial"
        epochs = self.partial_epochs if partial else self.max_iter
        for name in ("lyapunov_exponents_", "risk_series_", "window_ends_",
                     "dense_coefs_", "dense_intercepts_", "dense_loss_curve_",
                     "dense_train_score_curve_", "granger_pvalues_", "sparsity_",
                     "pruning_cost_", "differenced_"):
            self.__dict__.pop(name, None)
        start = time.perf_counter()
        if self._tracks():
            what = f"partial_epochs={epochs}" if partial else f"max_iter={epochs}"
            self._check_run_length(X_tr.shape[0], epochs, what)
            self._train_tracked(X_tr, Y_tr, X_val, Y_val, epochs)
        else:
            self._train(X_tr, Y_tr, X_val, Y_val, epochs)
        self._dense_seconds = time.perf_counter() - start
        if self.pruning is not None:
            self._prune(X_tr, Y_tr, X_val, Y_val)
        return self

    def _train_tracked(self, X, Y, Xv, Yv, epochs):
        """Dense training with the dynamics streamed into exponents."""
        from ._dynamics import DynamicsTracker

        tracker = DynamicsTracker(
            window=self.window, overlap=self.overlap, dim=self.lyapunov_dim,
            delay=self.lyapunov_delay, steps=self.lyapunov_steps,
            theiler=self.lyapunov_theiler, fit_steps=self.lyapunov_fit_steps,
            min_range=self.min_range,
        )
        n = X.shape[0]
        total = -(-n // min(self.batch_size, n)) * epochs
        ends = tracker.risk_schedule(self.t_, total)
        risk_at = np.union1d(ends, self._risk_schedule(total)).astype(np.int64)
        tracker.start(_flatten(self.coefs_))
        timed = _TimedTracker(tracker)
        self._train(X, Y, Xv, Yv, epochs, risk_at=risk_at, tracker=timed,
                    phase="dense training + Lyapunov exponents")
        self._dynamics_seconds = timed.seconds
        exps = tracker.exponents
        at_end = np.isin(self.risk_updates_, ends)
        self.lyapunov_exponents_ = exps
        self.risk_series_ = self.risk_curve_[at_end][: exps.shape[0]]
        self.window_ends_ = ends[: exps.shape[0]]
        if self.risk_every is None:
            self.risk_curve_ = self.risk_curve_[~at_end]
            self.risk_updates_ = self.risk_updates_[~at_end]

    # ------------------------------------------------------------------ #
    # Pruning.
    def prune(self, X=None, y=None, **params):
        """Prune the fitted network and retrain it (ALGORITHM.md sections 5, 6).

        The mask is decided from what the last ``fit`` recorded: the tracked
        dynamics for 'chaos_causal', the dense weights for 'magnitude'.
        Calling ``prune`` again with other thresholds re-decides the mask
        from the same dense run, without repeating it.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), default=None
            Training data for the retraining; pass the data given to ``fit``
            (the same validation split is held out again).  Not needed with
            ``retrain=None``.
        y : array-like of shape (n_samples,), default=None
            Targets of ``X``.
        **params : dict
            Estimator parameters to set first (e.g. ``causality_alpha``,
            ``lyapunov_threshold``, ``pruning``, ``target_sparsity``).

        Returns
        -------
        self : estimator
            With ``masks_``, ``sparsity_``, ``granger_pvalues_`` (chaos-causal)
            and the retrained sparse weights in ``coefs_``.
        """
        check_is_fitted(self)
        if params:
            self.set_params(**params)
        self._validate_params()
        if self.pruning is None:
            raise ValueError(
                "prune() needs a pruning method: pass pruning='chaos_causal', "
                "'magnitude' or 'random'."
            )
        if self.retrain is not None and (X is None or y is None):
            raise ValueError(
                f"retrain={self.retrain!r} retrains the pruned network: pass the "
                "training data, prune(X, y), or set retrain=None."
            )
        X_tr = Y_tr = X_val = Y_val = None
        if X is not None:
            X, y = self._validate_train(X, y, reset=False)
            if isinstance(self, ClassifierMixin):
                check_classification_targets(y)
            X_tr, Y_tr, X_val, Y_val = self._split(X, self._encode_targets(y), y)
        self._prune(X_tr, Y_tr, X_val, Y_val)
        return self

    def _dense_state(self):
        """The dense run's weights, saved before the first pruning."""
        if not hasattr(self, "dense_coefs_"):
            self.dense_coefs_ = [c.copy() for c in self.coefs_]
            self.dense_intercepts_ = [b.copy() for b in self.intercepts_]
            self.dense_loss_curve_ = list(self.loss_curve_)
            self.dense_train_score_curve_ = list(self.train_score_curve_)
            self._dense_updates = self.t_
            self._dense_epochs = self.n_iter_
            self._dense_rng_state = self._rng_state.copy()
        return self.dense_coefs_, self.dense_intercepts_

    def _keep_mask(self, dense_coefs):
        """Flat keep mask of the configured pruning rule."""
        n_weights = sum(c.size for c in dense_coefs)
        if self.pruning != "chaos_causal" and self.target_sparsity is None:
            raise ValueError(
                f"pruning={self.pruning!r} needs target_sparsity (the fraction of "
                "weights to prune), e.g. the sparsity_ of a chaos-causal fit."
            )
        if self.pruning == "magnitude":
            return _pruning.magnitude_keep_mask(_flatten(dense_coefs), self.target_sparsity)
        if self.pruning == "random":
            rng = check_random_state(self.random_state)
            return _pruning.random_keep_mask(n_weights, self.target_sparsity, rng)
        if not hasattr(self, "lyapunov_exponents_"):
            raise ValueError(
                "chaos-causal pruning needs the dynamics of the dense run: fit with "
                "pruning='chaos_causal' or track_dynamics=True first."
            )
        from .causality import granger_pvalues, make_stationary

        start = time.perf_counter()
        risk, exponents = self.risk_series_, self.lyapunov_exponents_
        self.differenced_ = (False, False)
        if self.stationarity == "adf":
            stationary = make_stationary(risk, exponents)
            risk, exponents = stationary.target, stationary.sources
            self.differenced_ = (stationary.target_differenced,
                                 stationary.sources_differenced)
        if np.ptp(risk) == 0:
            # statsmodels finds every test infeasible against a constant
            # target: no weight shows evidence of causality.
            p_infeasible = 1.0 if self.on_infeasible == "prune" else 0.0
            warnings.warn(
                f"The validation risk was constant ({risk[0]:.4g}) over all "
                f"{risk.size} windows, so no weight's exponents can Granger-cause "
                f"it: every test is infeasible and on_infeasible="
                f"{self.on_infeasible!r} gives every weight p = {p_infeasible:g}. "
                "Use a larger validation_fraction, a shorter window or fewer "
                "epochs so that the risk still changes.",
                ConstantRiskWarning,
            )
            self.granger_pvalues_ = np.full(self.lyapunov_exponents_.shape[1], p_infeasible)
        else:
            _progress.report("Granger tests", 0, 1)
            result = granger_pvalues(
                risk, exponents, maxlag=self.maxlag,
                test=self.granger_test, on_infeasible=self.on_infeasible,
                multitest=self.multitest,
            )
            self.granger_pvalues_ = np.asarray(result.pvalues, dtype=np.float64)
            _progress.report("Granger tests", 1, 1)
        self._granger_seconds = time.perf_counter() - start
        return _pruning.causal_keep_mask(
            self.granger_pvalues_, self.lyapunov_exponents_.max(axis=0),
            causality_alpha=self.causality_alpha,
            lyapunov_threshold=self.lyapunov_threshold,
            target_sparsity=self.target_sparsity,
        )

    def _prune(self, X_tr, Y_tr, X_val, Y_val):
        dense_coefs, dense_intercepts = self._dense_state()
        self._granger_seconds = 0.0
        keep = self._keep_mask(dense_coefs)
        masks = [m.astype(bool) for m in _unflatten(keep.astype(np.float64),
                                                    [c.shape for c in dense_coefs])]
        self.masks_ = masks
        self.sparsity_ = float(1.0 - keep.mean())
        start = time.perf_counter()
        if self.retrain is None:
            self.coefs_ = [np.where(m, c, 0.0) for m, c in zip(masks, dense_coefs)]
            self.intercepts_ = [b.copy() for b in dense_intercepts]
        else:
            if self.retrain == "rewind":
                # Same initial weights and the same data order as the dense run.
                self.coefs_ = [c.copy() for c in self.initial_coefs_]
                self.intercepts_ = [b.copy() for b in self.initial_intercepts_]
                self._rng_state = self._initial_rng_state.copy()
            else:
                self.coefs_ = [c.copy() for c in dense_coefs]
                self.intercepts_ = [b.copy() for b in dense_intercepts]
                self._rng_state = self._dense_rng_state.copy()
            self._reset_progress()
            self._set_masks(masks)
            self._start_trajectory()
            self._train(X_tr, Y_tr, X_val, Y_val, self.max_iter, phase="retraining")
        retrain_seconds = time.perf_counter() - start
        retrain_updates = 0 if self.retrain is None else self.t_
        self.pruning_cost_ = {
            "dense_epochs": self._dense_epochs,
            "dense_updates": self._dense_updates,
            "dense_seconds": self._dense_seconds,
            "dynamics_seconds": self._dynamics_seconds,
            "granger_seconds": self._granger_seconds,
            "retrain_epochs": 0 if self.retrain is None else self.n_iter_,
            "retrain_updates": retrain_updates,
            "retrain_seconds": retrain_seconds,
            "total_updates": self._dense_updates + retrain_updates,
            "total_seconds": self._dense_seconds + self._granger_seconds + retrain_seconds,
        }

    # ------------------------------------------------------------------ #
    def _partial_fit(self, X, y, masks, first_call):
        if first_call:
            rng = check_random_state(self.random_state)
            Y = self._encode_targets(y)
            self._split_seed = rng.randint(np.iinfo(np.int32).max)
            self._rng_state = np.array([rng.randint(1, np.iinfo(np.int64).max)], dtype=np.uint64)
            self._initial_rng_state = self._rng_state.copy()
            self._holds_out = False  # partial_fit measures the risk on its data
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
        return self._forward(X, _flatten(self.coefs_), _flatten(self.intercepts_))

    def _validate_train(self, X, y, reset):
        regression = not isinstance(self, ClassifierMixin)
        return validate_data(self, X, y, reset=reset, dtype=np.float64, order="C",
                             multi_output=regression, y_numeric=regression)


class _TimedTracker:
    """Wraps a tracker's ``update`` to add up the seconds it takes."""

    def __init__(self, tracker):
        self.tracker = tracker
        self.seconds = 0.0

    def update(self, rows):
        start = time.perf_counter()
        self.tracker.update(rows)
        self.seconds += time.perf_counter() - start


def _doc(text, lr):
    return text.strip().replace("LR_DEFAULT", lr)


class DenseMLPClassifier(ClassifierMixin, _BaseDenseMLP):
    __doc__ = f"""Dense multi-layer perceptron classifier trained by compiled SGD.

    The whole epoch loop runs inside compiled Numba code; the estimator can
    record every weight after every update and the validation
    misclassification rate, and prune itself by chaos and causality
    (LEGCNet-FT/PT) or by the magnitude and random baselines.

    Parameters
    ----------
    {_doc(_docstrings.TRAINING_PARAMS, "0.01")}
    loss : {{'log_loss', 'squared_error'}}, default='log_loss'
        'log_loss': softmax outputs (one logistic output for two classes).
        'squared_error': sigmoid outputs trained on one-hot targets with
        loss ``0.5 * sum((output - target) ** 2)`` per sample, the paper's
        setting.
    {_doc(_docstrings.PRUNING_PARAMS, "0.01")}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    {_doc(_docstrings.ATTRIBUTES, "0.01")}

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
        trajectory_dtype="float32",
        record_train_score=False,
        pruning=None,
        pruning_mode="full",
        partial_epochs=10,
        track_dynamics="auto",
        window=200,
        overlap=0.1,
        lyapunov_dim=2,
        lyapunov_delay=1,
        lyapunov_steps=3,
        lyapunov_theiler=0,
        lyapunov_fit_steps=1,
        min_range=1e-5,
        maxlag=14,
        granger_test="ssr_chi2test",
        stationarity=None,
        causality_alpha=0.05,
        lyapunov_threshold=None,
        multitest=None,
        target_sparsity=None,
        on_infeasible="prune",
        retrain="rewind",
        random_state=None,
        verbose=False,
    ):
        super().__init__(
            hidden_layer_sizes, activation, loss=loss,
            learning_rate_init=learning_rate_init, batch_size=batch_size,
            max_iter=max_iter, shuffle=shuffle, init_std=init_std,
            validation_fraction=validation_fraction, risk_every=risk_every,
            keep_trajectory=keep_trajectory, trajectory_dtype=trajectory_dtype,
            record_train_score=record_train_score,
            pruning=pruning, pruning_mode=pruning_mode, partial_epochs=partial_epochs,
            track_dynamics=track_dynamics, window=window, overlap=overlap,
            lyapunov_dim=lyapunov_dim, lyapunov_delay=lyapunov_delay,
            lyapunov_steps=lyapunov_steps, lyapunov_theiler=lyapunov_theiler,
            lyapunov_fit_steps=lyapunov_fit_steps, min_range=min_range,
            maxlag=maxlag, granger_test=granger_test, stationarity=stationarity,
            causality_alpha=causality_alpha, lyapunov_threshold=lyapunov_threshold,
            multitest=multitest, target_sparsity=target_sparsity,
            on_infeasible=on_infeasible, retrain=retrain,
            random_state=random_state, verbose=verbose,
        )

    def _output_layer(self):
        if self.loss == "squared_error":
            return _k.SIGMOID, _k.SQUARED, _k.RISK_MISCLASSIFICATION
        out = _k.SIGMOID if len(self.classes_) == 2 else _k.SOFTMAX
        return out, _k.LOG_LOSS, _k.RISK_MISCLASSIFICATION

    def _score_outputs(self, out, Y):
        if out.shape[1] == 1:
            return float(np.mean((out[:, 0] > 0.5) == (Y[:, 0] == 1.0)))
        return float(np.mean(np.argmax(out, axis=1) == np.argmax(Y, axis=1)))

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
        """Train the network from scratch, then prune it if ``pruning`` is set.

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
        not on a held-out split; ``partial_fit`` never prunes.
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
    {_doc(_docstrings.TRAINING_PARAMS, "0.001")}
    loss : {{'squared_error'}}, default='squared_error'
        The only loss.
    {_doc(_docstrings.PRUNING_PARAMS, "0.001")}

    Attributes
    ----------
    {_doc(_docstrings.ATTRIBUTES, "0.001")}

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
        trajectory_dtype="float32",
        record_train_score=False,
        pruning=None,
        pruning_mode="full",
        partial_epochs=10,
        track_dynamics="auto",
        window=200,
        overlap=0.1,
        lyapunov_dim=2,
        lyapunov_delay=1,
        lyapunov_steps=3,
        lyapunov_theiler=0,
        lyapunov_fit_steps=1,
        min_range=1e-5,
        maxlag=14,
        granger_test="ssr_chi2test",
        stationarity=None,
        causality_alpha=0.05,
        lyapunov_threshold=None,
        multitest=None,
        target_sparsity=None,
        on_infeasible="prune",
        retrain="rewind",
        random_state=None,
        verbose=False,
    ):
        super().__init__(
            hidden_layer_sizes, activation, loss=loss,
            learning_rate_init=learning_rate_init, batch_size=batch_size,
            max_iter=max_iter, shuffle=shuffle, init_std=init_std,
            validation_fraction=validation_fraction, risk_every=risk_every,
            keep_trajectory=keep_trajectory, trajectory_dtype=trajectory_dtype,
            record_train_score=record_train_score,
            pruning=pruning, pruning_mode=pruning_mode, partial_epochs=partial_epochs,
            track_dynamics=track_dynamics, window=window, overlap=overlap,
            lyapunov_dim=lyapunov_dim, lyapunov_delay=lyapunov_delay,
            lyapunov_steps=lyapunov_steps, lyapunov_theiler=lyapunov_theiler,
            lyapunov_fit_steps=lyapunov_fit_steps, min_range=min_range,
            maxlag=maxlag, granger_test=granger_test, stationarity=stationarity,
            causality_alpha=causality_alpha, lyapunov_threshold=lyapunov_threshold,
            multitest=multitest, target_sparsity=target_sparsity,
            on_infeasible=on_infeasible, retrain=retrain,
            random_state=random_state, verbose=verbose,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _output_layer(self):
        return _k.IDENTITY, _k.SQUARED, _k.RISK_MSE

    def _score_outputs(self, out, Y):
        residual = ((Y - out) ** 2).sum(axis=0)
        total = ((Y - Y.mean(axis=0)) ** 2).sum(axis=0)
        total[total == 0] = 1.0
        return float(np.mean(1.0 - residual / total))

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
        """Train the network from scratch, then prune it if ``pruning`` is set.

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
