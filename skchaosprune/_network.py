"""The network engine: layout, initial weights, the compiled SGD loop and
the forward pass of the MLP estimators.

The network lives in flat float64 arrays (see
:mod:`skchaosprune._kernels.mlp`); :class:`NetworkMixin` lays it out, draws
the initial weights, and runs :func:`~skchaosprune._kernels.mlp.train_batches`
once per epoch, or once per chunk of updates while a recorder consumes the
weight rows (:mod:`skchaosprune._recording`).

Prediction needs no compilation: ``predict``, ``predict_proba`` and
``score`` run :func:`forward_numpy` (one BLAS product per layer, the same
operations as scikit-learn's MLP), and the compiled kernels are imported
only when training starts (:func:`kernels`), so that loading a fitted model
and predicting never imports Numba.  The kernel's ``forward_all`` stays for
what training measures (training scores, the no-collapse checks).
"""

import copy
import os
import threading
from contextlib import contextmanager
from functools import wraps
from numbers import Integral
from types import SimpleNamespace
from typing import NamedTuple

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from . import _progress
from ._kernels import codes as _c
from ._kernels import read_only
from ._optimizers import make_optimizer
from ._warn import warn_user

ACTIVATIONS = {
    "identity": _c.IDENTITY,
    "sigmoid": _c.SIGMOID,
    "logistic": _c.SIGMOID,
    "tanh": _c.TANH,
    "relu": _c.RELU,
}


def kernels():
    """The compiled MLP kernels (:mod:`skchaosprune._kernels.mlp`), imported
    on first use: training imports Numba, prediction does not."""
    from ._kernels import mlp

    return mlp


def _inplace_logistic(Z):
    from scipy.special import expit

    expit(Z, out=Z)


def _inplace_tanh(Z):
    np.tanh(Z, out=Z)


def _inplace_relu(Z):
    np.maximum(Z, 0, out=Z)


def _inplace_exp(Z):
    np.exp(Z, out=Z)


def _inplace_softmax(Z):
    tmp = Z - Z.max(axis=1)[:, np.newaxis]
    np.exp(tmp, out=Z)
    Z /= Z.sum(axis=1)[:, np.newaxis]


#: In-place NumPy activations by kernel code, written with the operations of
#: scikit-learn's ``sklearn.neural_network._base.ACTIVATIONS``.
_NUMPY_ACTIVATIONS = {
    _c.IDENTITY: lambda Z: None,
    _c.SIGMOID: _inplace_logistic,
    _c.TANH: _inplace_tanh,
    _c.RELU: _inplace_relu,
    _c.SOFTMAX: _inplace_softmax,
    _c.EXP: _inplace_exp,
}
_CODES = {**ACTIVATIONS, "softmax": _c.SOFTMAX, "exp": _c.EXP}
#: ``out_activation_`` by output code, with scikit-learn's names.
_OUTPUT_NAMES = {_c.IDENTITY: "identity", _c.SIGMOID: "logistic", _c.SOFTMAX: "softmax",
                 _c.EXP: "exp"}

#: What scikit-learn's MLP raises when the solver produced non-finite weights
#: (its tests match it); ours goes on with advice.
NONFINITE_MESSAGE = ("Solver produced non-finite parameter weights. The input data may "
                     "contain large values and need to be preprocessed.")


def _activation_code(kind):
    if isinstance(kind, str):
        if kind not in _CODES:
            raise ValueError(f"Unknown activation {kind!r}; expected one of {sorted(_CODES)}.")
        return _CODES[kind]
    if int(kind) not in _NUMPY_ACTIVATIONS:
        raise ValueError(f"Unknown activation code {kind!r}.")
    return int(kind)


def forward_numpy(X, coefs, intercepts, activation, output):
    """Network outputs in plain NumPy: ``X @ W + b`` then the activation,
    layer by layer (one BLAS product per layer), shape (n_samples, n_outputs).

    The same operations, in the same order, as scikit-learn's
    ``MLPClassifier``/``MLPRegressor`` forward pass, so that a network
    exported by :func:`skchaosprune.export.to_sklearn` computes bit for bit
    the same outputs; it equals the compiled kernel's ``forward_all`` to
    rounding (about 1e-12).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    coefs, intercepts : list of ndarray
        Weight matrices ``(fan_in, fan_out)`` and bias vectors.
    activation, output : str or int
        Hidden and output activations: 'identity', 'sigmoid' (or
        'logistic'), 'tanh', 'relu', 'softmax' and 'exp' (outputs only), or the kernel
        codes of :mod:`skchaosprune._kernels.codes`.
    """
    hidden = _NUMPY_ACTIVATIONS[_activation_code(activation)]
    last = _NUMPY_ACTIVATIONS[_activation_code(output)]
    n_layers = len(coefs)
    out = X
    for layer, (w, b) in enumerate(zip(coefs, intercepts)):
        out = out @ w
        out += b
        (last if layer == n_layers - 1 else hidden)(out)
    return out

# Updates per compiled call while a recorder consumes the weight rows: at
# most about 32 MB of float64 rows whatever the network (written into the
# recorder's own bounded buffer), so memory does not grow with the epochs.
CHUNK_BYTES = 2**25
# The kernel's loss_change argument when the loss changes are not recorded.
_NO_LOSS_CHANGES = np.empty(0)


def layout(sizes):
    """Offsets of each layer's weights and biases in the flat arrays."""
    sizes = np.asarray(sizes, dtype=np.int64)
    fan_in, fan_out = sizes[:-1], sizes[1:]
    w_off = np.concatenate([[0], np.cumsum(fan_in * fan_out)[:-1]]).astype(np.int64)
    b_off = np.concatenate([[0], np.cumsum(fan_out)[:-1]]).astype(np.int64)
    return sizes, w_off, b_off


def flatten(arrays):
    """One contiguous float64 vector of the arrays, in order, C order."""
    return np.ascontiguousarray(
        np.concatenate([np.asarray(a, dtype=np.float64).ravel() for a in arrays])
    )


def unflatten(flat, shapes):
    """The inverse of :func:`flatten` (copies)."""
    out, start = [], 0
    for shape in shapes:
        size = int(np.prod(shape))
        out.append(np.asarray(flat[start:start + size]).reshape(shape).copy())
        start += size
    return out


class _StopTraining(Exception):
    """Raised in L-BFGS's callback when ``on_update`` asks to stop."""


#: The estimators inside an all_or_nothing block, per thread (by id).
_ACTIVE = threading.local()


@contextmanager
def all_or_nothing(est):
    """Restore ``est``'s state if the block raises (even KeyboardInterrupt):
    a fit, ``partial_fit`` or ``prune`` interrupted half-way leaves the
    estimator as it was before the call (fitted or not), never half-updated.

    Attributes are replaced, not mutated, by training, except the lists of
    curves (appended to) and the shuffling state (advanced in place): those
    are copied; the rest is kept by reference.

    When the outermost such block ends well, the weights take the dtype of
    the training data (:func:`keep_input_dtype`).
    """
    saved = {name: (list(value) if isinstance(value, list)
                    else copy.deepcopy(value) if name == "_rng_state" else value)
             for name, value in est.__dict__.items()}
    active = _ACTIVE.__dict__.setdefault("ids", set())
    outermost = id(est) not in active
    active.add(id(est))
    try:
        yield
    except BaseException:
        est.__dict__.clear()
        est.__dict__.update(saved)
        raise
    finally:
        if outermost:
            active.discard(id(est))
    if outermost:
        keep_input_dtype(est)


def keep_input_dtype(est):
    """float32 training data gives float32 ``coefs_`` and ``intercepts_``
    (and so float32 predictions for float32 input), as scikit-learn's MLP;
    training itself runs in float64 on the data cast to float64."""
    if est.__dict__.get("_input_dtype") == np.float32 and "coefs_" in est.__dict__:
        est.coefs_ = [np.asarray(c, dtype=np.float32) for c in est.coefs_]
        est.intercepts_ = [np.asarray(b, dtype=np.float32) for b in est.intercepts_]


def atomic(method):
    """Decorator: run ``method`` under :func:`all_or_nothing`."""
    @wraps(method)
    def wrapper(self, *args, **kwargs):
        with all_or_nothing(self):
            return method(self, *args, **kwargs)

    return wrapper


def data_fingerprint(X, Y):
    """A cheap fingerprint of training data (validated float64 arrays): the
    shapes, the column sums and up to 64 evenly spaced rows, hashed; what
    ``prune`` compares to tell the data given to ``fit`` from other data."""
    import hashlib

    rows = np.unique(np.linspace(0, X.shape[0] - 1, min(X.shape[0], 64)).astype(np.int64))
    digest = hashlib.blake2b(digest_size=16)
    for part in (np.asarray(X.shape + Y.shape, dtype=np.int64), X.sum(axis=0),
                 Y.sum(axis=0), X[rows], Y[rows]):
        digest.update(np.ascontiguousarray(part).tobytes())
    return digest.hexdigest()


def trajectory_bytes(n_rows, n_weights, dtype):
    """Bytes of a kept trajectory: ``n_rows * n_weights * itemsize``."""
    return int(n_rows) * int(n_weights) * np.dtype(dtype).itemsize


def available_memory():
    """Bytes the machine can still allocate (Linux ``MemAvailable``; else
    the physical memory), or None when unknown."""
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def check_trajectory_memory(n_rows, n_weights, dtype):
    """Raise before allocating a trajectory the machine cannot hold."""
    need = trajectory_bytes(n_rows, n_weights, dtype)
    have = available_memory()
    if have is not None and need > have:
        raise ValueError(
            f"keep_trajectory=True needs {need / 2**30:.2f} GB for {n_rows} rows x "
            f"{n_weights} weights in {np.dtype(dtype).name} "
            f"(rows x weights x {np.dtype(dtype).itemsize} bytes), but only "
            f"{have / 2**30:.2f} GB are available. Chaos-causal pruning does not need "
            "the trajectory (track_dynamics streams it); otherwise use "
            "trajectory_dtype='float32', fewer epochs (max_iter) or a larger batch_size.")


class Split(NamedTuple):
    """Training rows, validation rows and their sample weights (None: all
    1).  Without a held-out split the validation rows are the training
    rows."""

    X: np.ndarray
    Y: np.ndarray
    sw: np.ndarray | None
    Xv: np.ndarray
    Yv: np.ndarray
    swv: np.ndarray | None


def updates_per_epoch(n_samples, batch_size):
    """SGD updates of one epoch over ``n_samples``."""
    return -(-n_samples // min(batch_size, n_samples))


class NetworkMixin:
    """Layout, initialisation, training and prediction of the MLP estimators.

    The estimator provides ``_output_layer()`` -> (output activation,
    loss, risk kind), ``_score_outputs(out, Y)`` and ``_encode_targets``.
    """

    # ------------------------------------------------------------------ #
    # Layout and state.
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
        self.out_activation_ = _OUTPUT_NAMES[self._output_layer()[0]]
        self._sizes, self._w_off, self._b_off = layout(sizes)
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
        self._reset_progress()

    def _reset_progress(self):
        """Counters, curves, convergence state and optimizer of a new
        training phase (a warm start and ``partial_fit`` keep them)."""
        self.n_iter_ = 0
        self.t_ = 0
        self._n_updates = 0
        self.loss_curve_ = []
        self.train_score_curve_ = []
        self.risk_curve_ = np.empty(0)
        self.risk_updates_ = np.empty(0, dtype=np.int64)
        self._risk_pairs = np.empty((0, 2))
        self._reset_convergence()
        self._optimizer = None

    def _reset_convergence(self):
        """The convergence test's state: a new network to judge (its best
        weights so far are the current ones)."""
        self._no_improvement_count = 0
        if self._early_stopping():
            self.validation_scores_ = []
            self.best_validation_score_ = -np.inf
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_loss_ = np.inf
        self._best_coefs = [c.copy() for c in self.coefs_]
        self._best_intercepts = [b.copy() for b in self.intercepts_]

    def _class_weighted(self, y, sample_weight, partial=False):
        """The sample weights times the class weights (a classifier's
        ``class_weight``; here: as they are)."""
        return sample_weight

    def _early_stopping(self):
        """Whether early stopping is on: ``early_stopping``, which L-BFGS
        ignores (as scikit-learn's MLP)."""
        return bool(self.early_stopping) and self.solver != "lbfgs"

    def _new_optimizer(self):
        """A fresh solver object (:mod:`skchaosprune._optimizers`) with its
        state in flat arrays beside the weights."""
        return make_optimizer(self.get_params(deep=False),
                              sum(c.size for c in self.coefs_),
                              sum(b.size for b in self.intercepts_))

    def _batch(self, n_samples):
        """The batch size of an epoch over ``n_samples`` ('auto': as
        scikit-learn, ``min(200, n_samples)``; L-BFGS: all of them, one
        update per iteration)."""
        if self.solver == "lbfgs":
            return n_samples
        if self.batch_size == "auto":
            return min(200, n_samples)
        return min(int(self.batch_size), n_samples)

    def _check_trainable(self, what):
        """A compact copy (``compact()``) keeps no training state, and a
        network whose parameters now describe another architecture
        (``set_params(hidden_layer_sizes=...)`` after ``fit``) cannot go on
        training as if they did not."""
        if "compaction_" in self.__dict__:
            made_by = self.__dict__["compaction_"].get("made_by", "compact()")
            raise ValueError(
                f"{what} cannot train a compact copy (made by {made_by} for prediction: "
                "its hidden units were removed after training, and it keeps no training "
                "state of the smaller network). Train the original estimator, or "
                "clone(model).fit(X, y) for a new network of this size.")
        fitted = [int(n) for n in self._sizes[1:-1]]
        if self._hidden_sizes() != fitted:
            raise ValueError(
                f"{what} would train the fitted network, whose hidden layers have "
                f"{tuple(fitted)} units, but hidden_layer_sizes is now "
                f"{self.hidden_layer_sizes!r}. Call fit(X, y) (warm_start=False) to "
                f"train a new network of that size, or set_params(hidden_layer_sizes="
                f"{tuple(fitted)!r}) to keep this one.")

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

    def _trajectory_name(self):
        """Where training appends its weight rows: ``weight_trajectory_``
        for the dense run (the one whose exponents decide a chaos-causal
        mask), ``retrained_trajectory_`` once a mask was decided and the
        pruned network is retrained (or trained on)."""
        return "retrained_trajectory_" if "dense_coefs_" in self.__dict__ else \
            "weight_trajectory_"

    def _start_trajectory(self):
        """Row 0 of the trajectory: the weights training starts from."""
        if self.keep_trajectory:
            setattr(self, self._trajectory_name(),
                    flatten(self.coefs_).astype(self.trajectory_dtype)[None, :])

    # ------------------------------------------------------------------ #
    # Training.
    def _train(self, X, Y, Xv, Yv, n_epochs, *, sw=None, swv=None,
               recorder=None, phase="training", incremental=False, stopping=True,
               convergence_warning=True, resume=False):
        """Run up to ``n_epochs`` epochs of the solver through the compiled
        kernel, recording; stop early as scikit-learn's MLP does.

        ``sw``/``swv``: sample weights of the training and validation rows
        (None: all 1).  The risk is measured every ``risk_every`` updates
        (``risk_curve_``) and at the updates of ``recorder.risk_at``.
        ``recorder`` (a :class:`~skchaosprune._recording.Recorder`): its
        ``reserve(n)`` returns where training writes its next 1 to n weight
        rows (a C-contiguous float64 array of shape (k, n_weights)) and its
        ``commit(k)`` then takes the first k written, in bounded chunks as
        training produces them; ``take_risks`` gets the risks measured on
        its schedule.
        ``incremental``: one epoch of ``partial_fit`` (the optimizer state
        is kept between calls, no early stopping, no ConvergenceWarning).
        ``stopping=False``: a measurement of planned length (a tracked dense
        run): the convergence test is kept up to date but never stops it,
        and there is no ConvergenceWarning.  ``convergence_warning=False``:
        none either (a strategy's own retraining rounds).  ``resume``: go
        on from the solver state and data order the last call with
        ``resume`` left (a strategy's late rewinding), and leave them for
        the next.

        After every epoch, as ``sklearn.neural_network.MLPClassifier``: the
        training loss ``loss_`` (or, with ``early_stopping``, the score on
        the held-out split ``(Xv, Yv)``) must improve by ``tol`` within
        ``n_iter_no_change`` epochs, else training stops (SGD with
        ``learning_rate='adaptive'`` divides the learning rate by 5 instead,
        until it is below 1e-6).

        L-BFGS (``solver='lbfgs'``) runs :meth:`_train_lbfgs` instead, with
        ``n_epochs`` its iterations.
        """
        if self.solver == "lbfgs":
            return self._train_lbfgs(X, Y, Xv, Yv, n_epochs, sw=sw, swv=swv,
                                     recorder=recorder, phase=phase, stopping=stopping,
                                     convergence_warning=convergence_warning)
        _k = kernels()
        out_act, loss, risk_kind = self._output_layer()
        hidden = ACTIVATIONS[self.activation]
        weights, biases, mask = self._flat_network()
        use_mask = not mask.all()
        n = X.shape[0]
        n_weights = weights.shape[0]
        batch = self._batch(n)
        if self.batch_size != "auto" and self.batch_size > n:
            warn_user("Got `batch_size` larger than the sample size "
                      f"({self.batch_size} > {n}). It is going to be clipped.", UserWarning)
        per_epoch = updates_per_epoch(n, batch)
        total = per_epoch * n_epochs
        use_sw = sw is not None
        if not use_sw:
            sw = np.empty(0)
        if swv is None:
            swv = np.ones(Xv.shape[0]) if use_sw else np.empty(0)
        X, Y, sw, Xv, Yv, swv = read_only(X, Y, sw, Xv, Yv, swv)
        if self._optimizer is None or not (incremental or resume):
            self._optimizer = self._new_optimizer()
        # Replaced, not mutated, so that an interrupted call leaves it as it was.
        opt = self._optimizer.copy()
        opt.apply_mask(mask)
        early_stopping = self._early_stopping() and not incremental
        own = self._risk_schedule(total)
        # The recorder's schedule (its window ends) and the estimator's own
        # (risk_every): one measurement where they meet.
        risk_at = own if recorder is None else np.union1d(
            own, recorder.risk_at).astype(np.int64)
        risk_out = np.full((risk_at.shape[0], 2), np.nan)
        keep = bool(self.keep_trajectory)
        if keep:
            # One allocation for the rows kept so far and the new ones.
            kept = getattr(self, self._trajectory_name())
            check_trajectory_memory(kept.shape[0] + total, n_weights, kept.dtype)
            full = np.empty((kept.shape[0] + total, n_weights), dtype=kept.dtype)
            full[:kept.shape[0]] = kept
            traj = full[kept.shape[0]:]
        else:
            traj = np.empty((0, n_weights), dtype=self.trajectory_dtype)
        on_update = getattr(self, "on_update", None)
        if recorder is not None or on_update is not None:
            chunk = max(1, min(per_epoch, CHUNK_BYTES // (8 * n_weights)))
        else:
            chunk = per_epoch
        # on_update without a trajectory to write into: a bounded buffer.
        rows = (np.empty((chunk, n_weights)) if on_update is not None and recorder is None
                and not keep else None)
        stopped = False
        risk_ptr = 0
        done = 0
        # The sample order, shuffled from the previous epoch's (as
        # scikit-learn's); partial_fit carries it from call to call.
        order = getattr(self, "_order", None) if incremental or resume else None
        if order is None or order.shape[0] != n:
            order = np.arange(n)
        converged = diverged = False
        self.n_iter_ = 0  # epochs of this call, as scikit-learn counts them
        _progress.report(phase, 0, n_epochs)
        for epoch in range(n_epochs):
            if self.shuffle:
                # scikit-learn's sklearn.utils.shuffle of the previous order,
                # from the same stream: the same batches for the same seed.
                perm = np.arange(n)
                self._rng_state.shuffle(perm)
                order = order[perm]
            first = 0
            epoch_loss = 0.0
            hyper = opt.hyper()
            while first < n:
                if recorder is not None:
                    target = recorder.reserve(chunk)
                    max_batches = target.shape[0]
                    # A recorder of the updates' own loss changes (the
                    # _recording.UpdateRecorder) gives where they go.
                    loss_change = (recorder.reserve_loss_changes(max_batches)
                                   if getattr(recorder, "records_loss_changes", False)
                                   else _NO_LOSS_CHANGES)
                else:
                    loss_change = _NO_LOSS_CHANGES
                    target = traj[done:] if rows is None else rows
                    max_batches = chunk
                loss_sum, n_updates, status, risk_ptr = _k.train_batches(
                    X, Y, sw, use_sw, order, first, max_batches, weights, biases,
                    self._sizes, self._w_off, self._b_off, opt.code, hyper, opt.w,
                    opt.b, opt.t, batch, hidden, out_act, loss, mask, use_mask,
                    target, recorder is not None or keep or rows is not None, Xv, Yv,
                    swv, risk_kind, risk_at, risk_out, risk_ptr, self._n_updates,
                    loss_change,
                )
                self._n_updates += n_updates
                epoch_loss += loss_sum
                if status != _k.OK and early_stopping and stopping and self.validation_scores_:
                    # As scikit-learn's: the epoch scores NaN, and the weights of
                    # the best validation score so far are what the fit keeps.
                    diverged = True
                    break
                if status != _k.OK:
                    raise ValueError(
                        f"{NONFINITE_MESSAGE} Training diverged: the weights or the loss "
                        "became NaN or "
                        f"infinite in epoch {self.n_iter_ + 1}, after {self._n_updates} "
                        f"updates. Lower learning_rate_init (now {self.learning_rate_init}) "
                        "or standardise X (e.g. with sklearn's StandardScaler)."
                    )
                if on_update is not None:
                    stopped = self._call_on_update(
                        on_update, self._n_updates, target[:n_updates], loss_sum,
                        min(n, first + n_updates * batch) - first)
                if recorder is not None:
                    if keep:
                        traj[done:done + n_updates] = target[:n_updates]
                    recorder.commit(n_updates)
                done += n_updates
                first = min(n, first + n_updates * batch)
                if stopped:
                    break
            self.n_iter_ += 1
            self.t_ += first if stopped else n
            if stopped:
                # on_update asked to stop: this epoch's loss over its samples.
                self.loss_ = epoch_loss / max(first, 1)
                self.loss_curve_.append(self.loss_)
                converged = True
                break
            if diverged:
                self._record_divergence(phase)
                break
            self.loss_ = epoch_loss / n
            self.loss_curve_.append(self.loss_)
            if self.record_train_score:
                self.train_score_curve_.append(
                    self._score_outputs(self._forward(X, weights, biases), Y)
                )
            if self.verbose:
                print(f"Iteration {self.n_iter_}, loss = {self.loss_:.8f}")
            _progress.report(phase, epoch + 1, n_epochs)
            self._count_no_improvement(early_stopping, Xv, Yv, swv if use_sw else None,
                                       weights, biases)
            if early_stopping and stopping and np.isnan(self.validation_scores_[-1]):
                diverged = True
                self._warn_divergence(phase)
                break
            opt.end_epoch(self.t_)
            if stopping and self._no_improvement_count > self.n_iter_no_change:
                what = ("Validation score" if early_stopping else "Training loss")
                msg = (f"{what} did not improve more than tol={self.tol:f} for "
                       f"{self.n_iter_no_change} consecutive epochs.")
                if opt.on_plateau(msg, self.verbose):
                    converged = True
                    break
                self._no_improvement_count = 0
            if incremental:
                break
        self._optimizer = opt
        self._order = order if incremental or resume else None
        shapes = [c.shape for c in self.coefs_]
        if early_stopping:
            self.coefs_ = [c.copy() for c in self._best_coefs]
            self.intercepts_ = [b.copy() for b in self._best_intercepts]
        else:
            self.coefs_ = unflatten(weights, shapes)
            self.intercepts_ = unflatten(biases, [b.shape for b in self.intercepts_])
        self._store_risks(risk_at[:risk_ptr], risk_out[:risk_ptr], own, recorder)
        if keep:
            setattr(self, self._trajectory_name(), full[:kept.shape[0] + done])
        if (stopping and convergence_warning and not incremental and not converged
                and not diverged and n_epochs == self.max_iter):
            warn_user(
                f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached "
                f"and the optimization hasn't converged yet ({phase}).",
                ConvergenceWarning)

    def _train_lbfgs(self, X, Y, Xv, Yv, n_iter, *, sw=None, swv=None, recorder=None,
                     phase="training", stopping=True, convergence_warning=True):
        """Up to ``n_iter`` iterations of L-BFGS-B over the whole data, as
        scikit-learn's ``_fit_lbfgs``: SciPy minimises the compiled loss and
        gradient (:func:`~skchaosprune._kernels.mlp.loss_grad`, one call
        over every row) of the packed weights and biases (the kept weights
        only when a mask is set, so that the pruned ones stay exactly 0).

        One iteration is one update: after each, SciPy's callback takes the
        weights as a row of the trajectory (``keep_trajectory``) and of
        ``recorder`` and measures the risks at the recorder's window ends
        and every ``risk_every`` iterations; ``loss_curve_`` gets the loss
        of each iterate.  ``stopping=False`` (a recorded run of planned
        length): the tolerances are 0, so the run stops only at ``n_iter``,
        ``max_fun`` or where the line search can go no further, and
        without a ``ConvergenceWarning``.
        """
        from sklearn.utils.optimize import _check_optimize_result

        _k = kernels()
        out_act, loss, risk_kind = self._output_layer()
        hidden = ACTIVATIONS[self.activation]
        weights, biases, mask = self._flat_network()
        kept = np.flatnonzero(mask)
        dense = kept.shape[0] == weights.shape[0]
        n_kept = kept.shape[0]
        use_sw = sw is not None
        sw_arr = sw if use_sw else np.empty(0)
        swv_arr = (swv if swv is not None else np.ones(Xv.shape[0])) if use_sw else np.empty(0)
        X, Y, sw_arr, Xv, Yv, swv_arr = read_only(X, Y, sw_arr, Xv, Yv, swv_arr)
        grad_w = np.empty_like(weights)
        grad_b = np.empty_like(biases)
        opt = self._new_optimizer()
        opt.max_iter = int(n_iter)
        alpha = float(self.alpha)
        args = (self._sizes, self._w_off, self._b_off, hidden, out_act, loss)

        def unpack(x):
            if dense:
                weights[:] = x[:n_kept]
            else:
                weights[kept] = x[:n_kept]
            biases[:] = x[n_kept:]

        last = {"x": None, "loss": np.nan}

        def fun(x):
            unpack(x)
            value = _k.loss_grad(X, Y, sw_arr, use_sw, weights, biases, *args, alpha,
                                 grad_w, grad_b)
            last["x"], last["loss"] = x.copy(), value
            return value, np.concatenate([grad_w if dense else grad_w[kept], grad_b])

        own = self._risk_schedule(n_iter)
        risk_at = own if recorder is None else np.union1d(own, recorder.risk_at)
        risk_at = risk_at.astype(np.int64)
        risk_out = np.full((risk_at.shape[0], 2), np.nan)
        keep = bool(self.keep_trajectory)
        rows = []
        state = {"done": 0, "risk_ptr": 0, "stopped": None}
        on_update = getattr(self, "on_update", None)

        def callback(xk, *_):
            xk = np.asarray(getattr(xk, "x", xk))
            unpack(xk)
            if not np.array_equal(xk, last["x"]):
                fun(xk)
            self.loss_curve_.append(float(last["loss"]))
            state["done"] += 1
            if recorder is not None:
                recorder.reserve(1)[0] = weights
                recorder.commit(1)
            if keep:
                rows.append(weights.astype(self.trajectory_dtype))
            ptr = state["risk_ptr"]
            if ptr < risk_at.shape[0] and risk_at[ptr] == self._n_updates + state["done"]:
                _k.risks(Xv, Yv, swv_arr, use_sw, weights, biases, *args, risk_kind,
                         risk_out[ptr])
                state["risk_ptr"] = ptr + 1
            if self.verbose:
                print(f"Iteration {len(self.loss_curve_)}, loss = {last['loss']:.8f}")
            if on_update is not None:
                if self._call_on_update(on_update, self._n_updates + state["done"],
                                        weights[None, :], last["loss"], 1):
                    state["stopped"] = xk.copy()
                    raise _StopTraining

        x0 = np.concatenate([weights if dense else weights[kept], biases])
        _progress.report(phase, 0, n_iter)
        with np.errstate(over="ignore", invalid="ignore"):
            try:
                result = opt.minimize(fun, x0, callback=callback, measure=not stopping)
            except _StopTraining:  # on_update asked to stop, after an iteration
                x = state["stopped"]
                result = SimpleNamespace(x=x, fun=fun(x)[0], nit=state["done"])
        unpack(result.x)
        if not (np.isfinite(weights).all() and np.isfinite(biases).all()):
            raise ValueError(
                f"{NONFINITE_MESSAGE} L-BFGS diverged ({phase}): standardise X (e.g. "
                "with sklearn's StandardScaler).")
        if stopping and convergence_warning and state["stopped"] is None:
            self.n_iter_ = _check_optimize_result("lbfgs", result, opt.max_iter)
        else:
            self.n_iter_ = min(int(result.nit), opt.max_iter)
        _progress.report(phase, n_iter, n_iter)
        self.loss_ = float(result.fun)
        self._n_updates += state["done"]
        self._optimizer = opt
        self._order = None
        self.coefs_ = unflatten(weights, [c.shape for c in self.coefs_])
        self.intercepts_ = unflatten(biases, [b.shape for b in self.intercepts_])
        self._store_risks(risk_at[:state["risk_ptr"]], risk_out[:state["risk_ptr"]], own,
                          recorder)
        if keep and rows:
            kept_rows = getattr(self, self._trajectory_name())
            setattr(self, self._trajectory_name(),
                    np.concatenate([kept_rows, np.asarray(rows, dtype=kept_rows.dtype)]))

    def _loss_grad_lbfgs(self, packed, X, Y, sample_weight=None, *buffers):
        """The loss and gradient L-BFGS minimises, at the packed weights and
        biases ``packed`` (scikit-learn's ``_loss_grad_lbfgs``, whose
        signature it keeps; the work buffers are not needed): ``(loss,
        gradient)``, from :func:`~skchaosprune._kernels.mlp.loss_grad`."""
        out_act, loss, _ = self._output_layer()
        packed = np.asarray(packed, dtype=np.float64)
        n_weights = int(self._w_off[-1] + self._sizes[-2] * self._sizes[-1])
        weights = np.ascontiguousarray(packed[:n_weights])
        biases = np.ascontiguousarray(packed[n_weights:])
        Y = np.asarray(Y, dtype=np.float64)
        Y = np.ascontiguousarray(Y.reshape(Y.shape[0], -1))
        use_sw = sample_weight is not None
        sw = (np.ascontiguousarray(sample_weight, dtype=np.float64) if use_sw
              else np.empty(0))
        grad_w, grad_b = np.empty_like(weights), np.empty_like(biases)
        X, Y, sw = read_only(np.ascontiguousarray(X, dtype=np.float64), Y, sw)
        value = kernels().loss_grad(
            X, Y, sw, use_sw, weights, biases,
            self._sizes, self._w_off, self._b_off, ACTIVATIONS[self.activation],
            out_act, loss, float(self.alpha), grad_w, grad_b)
        return value, np.concatenate([grad_w, grad_b])

    def _call_on_update(self, on_update, step, rows, loss_sum, n_samples):
        """``on_update(step, loss, weights)`` after a chunk of updates:
        ``step`` the updates done so far (all phases), ``loss`` the chunk's
        mean batch loss per sample, ``weights`` a read-only array of the
        flat weights after each update of the chunk, shape (k, n_weights)
        (the layout of ``coefs_`` flattened one after the other).  True
        from it stops training."""
        (view,) = read_only(rows)
        loss = loss_sum / n_samples if n_samples else np.nan
        return bool(on_update(int(step), float(loss), view))

    def _flat_network(self):
        """The weights (the pruned ones at 0), the biases and the keep mask
        as the flat arrays the kernels train."""
        weights = flatten(self.coefs_)
        mask = flatten(self.masks_).astype(np.bool_)
        weights[~mask] = 0.0
        return weights, flatten(self.intercepts_), mask

    def _store_risks(self, measured, pairs, own, recorder):
        """The risks measured in a training call (at the updates
        ``measured``): the recorder's to it, the estimator's own schedule
        (``own``) appended to ``risk_curve_`` and ``risk_updates_``."""
        if recorder is not None:
            recorder.take_risks(measured, pairs)
            mine = np.isin(measured, own)
            measured, pairs = measured[mine], pairs[mine]
        self._risk_pairs = np.concatenate([self._risk_pairs, pairs])
        self.risk_curve_ = self._risk_pairs[:, 0].copy()
        self.risk_updates_ = np.concatenate([self.risk_updates_, measured])

    def _record_divergence(self, phase):
        """An early-stopping epoch in which the weights became NaN or
        infinite: NaN loss and validation score recorded, as scikit-learn's
        MLP records them."""
        self.loss_ = np.nan
        self.loss_curve_.append(np.nan)
        self.validation_scores_.append(np.nan)
        self._warn_divergence(phase)

    def _warn_divergence(self, phase):
        epoch = len(self.validation_scores_)
        what = (f"Training diverged in epoch {epoch} ({phase}): the weights or the "
                "outputs became NaN or infinite")
        advice = (f"Lower learning_rate_init (now {self.learning_rate_init}) or "
                  "standardise X (e.g. with sklearn's StandardScaler).")
        if not np.isfinite(self.validation_scores_).any():
            raise ValueError(f"{what}, and no epoch had a finite validation score. {advice}")
        best = int(np.nanargmax(self.validation_scores_)) + 1
        warn_user(
            f"{what}, so its validation score is NaN. Training stopped there and, as "
            f"early_stopping does, kept the weights of epoch {best} (validation score "
            f"{self.best_validation_score_:.4g}). {advice}", ConvergenceWarning)

    def _count_no_improvement(self, early_stopping, Xv, Yv, swv, weights, biases):
        """scikit-learn's ``_update_no_improvement_count`` after an epoch (a
        validation score of non-finite outputs is NaN, as scikit-learn's)."""
        if early_stopping:
            out = self._forward(Xv, weights, biases)
            if not np.isfinite(out).all():
                score = np.nan
            elif getattr(self, "scoring", None) is None:
                score = self._score_outputs(out, Yv, swv)
            else:
                score = self._scorer_score(Xv, Yv, swv, weights, biases)
            self.validation_scores_.append(score)
            if self.verbose:
                print(f"Validation score: {score:f}")
            if score < self.best_validation_score_ + self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                shapes = [c.shape for c in self.coefs_]
                self._best_coefs = unflatten(weights, shapes)
                self._best_intercepts = unflatten(biases, [b.shape for b in self.intercepts_])
        else:
            if self.loss_curve_[-1] > self.best_loss_ - self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if self.loss_curve_[-1] < self.best_loss_:
                self.best_loss_ = self.loss_curve_[-1]

    def _scorer_score(self, Xv, Yv, swv, weights, biases):
        """The validation score by ``scoring`` (a scorer name or callable,
        ``sklearn.metrics.check_scoring``), on the estimator holding the
        weights of this epoch."""
        import warnings

        from sklearn.metrics import check_scoring

        scorer = check_scoring(self, scoring=self.scoring)
        saved = self.coefs_, self.intercepts_
        self.coefs_ = unflatten(weights, [c.shape for c in saved[0]])
        self.intercepts_ = unflatten(biases, [b.shape for b in saved[1]])
        try:
            with warnings.catch_warnings():
                # The held-out rows are an array (fit's feature names are known).
                warnings.filterwarnings("ignore", message="X does not have valid feature")
                y = self._decode_targets(Yv)
                if swv is None:
                    return float(scorer(self, Xv, y))
                return float(scorer(self, Xv, y, sample_weight=swv))
        finally:
            self.coefs_, self.intercepts_ = saved

    def _risk_schedule(self, total):
        """Update indices of the next ``total`` updates that are multiples
        of ``risk_every``."""
        if self.risk_every is None:
            return np.empty(0, dtype=np.int64)
        done = self._n_updates
        first = done + self.risk_every - done % self.risk_every
        return np.arange(first, done + total + 1, self.risk_every, dtype=np.int64)

    def _split(self, X, Y, y, sample_weight=None, stream=None):
        """Hold out the validation split of the risk series and of early
        stopping (one split serves both), as a :class:`Split`.

        Whether to hold out is decided once, by ``fit`` (``_holds_out``), so
        that ``prune`` retrains on exactly the samples the dense run used:
        the split draws from ``stream`` (``fit``'s random stream after the
        initial weights, as scikit-learn's early-stopping split), or, by
        default, from a copy of that stream's saved state.  The sample
        weights are split with the rows.
        """
        sample_weight = self._class_weighted(y, sample_weight)
        if stream is None:
            stream = np.random.RandomState()
            stream.set_state(self._split_state)
        if not self._holds_out:
            return Split(X, Y, sample_weight, X, Y, sample_weight)
        classifier = isinstance(self, ClassifierMixin)
        # A one-output problem (two classes, or one) with early stopping is
        # split as scikit-learn splits it: stratified by the encoded target,
        # an error when a class is too small for it.  More classes are
        # stratified by class (scikit-learn does not stratify them), falling
        # back to a plain split; a multilabel y is not stratified.
        sklearns = classifier and self._early_stopping() and Y.shape[1] == 1
        if sklearns:
            stratify = Y.astype(bool)
        else:
            stratify = y if classifier and np.ndim(y) == 1 else None
        arrays = [X, Y] if sample_weight is None else [X, Y, sample_weight]
        try:
            try:
                parts = train_test_split(
                    *arrays, test_size=self.validation_fraction,
                    random_state=stream, stratify=stratify,
                )
            except ValueError:
                if stratify is None or sklearns:
                    raise
                # Too few samples of some class to stratify: split plainly.
                parts = train_test_split(
                    *arrays, test_size=self.validation_fraction,
                    random_state=stream,
                )
        except ValueError as exc:
            raise ValueError(
                f"Cannot hold out validation_fraction={self.validation_fraction} "
                f"of {X.shape[0]} samples for the validation split ({exc}). Use more "
                "samples, a larger validation_fraction, or (without early_stopping) "
                "validation_fraction=0 to measure the risk on the training data."
            ) from None
        parts = [np.ascontiguousarray(p) for p in parts]
        if self._early_stopping() and parts[1].shape[0] < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' "
                "or the size of your dataset.")
        if sample_weight is None:
            X_tr, X_val, Y_tr, Y_val = parts
            return Split(X_tr, Y_tr, None, X_val, Y_val, None)
        X_tr, X_val, Y_tr, Y_val, sw_tr, sw_val = parts
        if not sw_val.any() or not sw_tr.any():
            raise ValueError(
                "The held-out validation split (validation_fraction="
                f"{self.validation_fraction}) or the rest of the data has only zero "
                "sample weights, so it cannot be measured or trained on: give more "
                "samples a non-zero weight or change validation_fraction.")
        return Split(X_tr, Y_tr, sw_tr, X_val, Y_val, sw_val)

    # ------------------------------------------------------------------ #
    # Prediction.
    def _forward(self, X, weights, biases):
        """Outputs of the flat network by the compiled kernel (training-time
        measures)."""
        out_act, _, _ = self._output_layer()
        (X,) = read_only(X)
        return kernels().forward_all(X, weights, biases, self._sizes, self._w_off,
                                     self._b_off, ACTIVATIONS[self.activation], out_act)

    def _forward_coefs(self, X, coefs, intercepts):
        return self._forward(X, flatten(coefs), flatten(intercepts))

    def _outputs(self, X):
        """Outputs of the fitted network for ``predict``: plain NumPy, no
        compilation (:func:`forward_numpy`)."""
        check_is_fitted(self)
        # The memory layout is kept, as sklearn's MLP keeps it: the same
        # arrays reach the same BLAS calls.
        # float32 input stays float32 (with float32 weights, float32 outputs).
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32),
                          accept_sparse=["csr", "csc"])
        return forward_numpy(X, self.coefs_, self.intercepts_, self.activation,
                             self._output_layer()[0])

    def _validate_train(self, X, y, reset):
        """Validated training data: X as contiguous float64 (sparse X
        densified; a fit on float32 X keeps its dtype for the fitted weights,
        :func:`keep_input_dtype`) and y (a classifier's one-column y raveled
        with scikit-learn's ``DataConversionWarning``; an indicator matrix
        is a multilabel y)."""
        regression = not isinstance(self, ClassifierMixin)
        X, y = validate_data(self, X, y, reset=reset, dtype=(np.float64, np.float32),
                             accept_sparse=["csr", "csc"], multi_output=True,
                             y_numeric=regression)
        if not regression and y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if reset:
            self._input_dtype = X.dtype
        if hasattr(X, "toarray"):
            X = X.toarray()
        return np.ascontiguousarray(X, dtype=np.float64), y
