"""Pruning orchestration: the dense phase, the mask decision, the checks
that no model is silently destroyed, and the retraining
(docs/method.md sections 5, 6).

:class:`PruningMixin` runs a pruning strategy (:mod:`skchaosprune.pruning`)
on a fitted estimator; the estimator provides the network engine
(:class:`~skchaosprune._network.NetworkMixin`).
"""

import copy
import time

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from ._kernels import codes
from ._network import atomic, data_fingerprint, flatten, updates_per_epoch
from ._recording import Recorder, check_run_length
from ._warn import warn_user
from ._windows import n_windows
from .causality import auto_maxlag
from .pruning import (
    ChaosCausalPruning,
    PrunedModelWarning,
    PruningContext,
    PruningStrategy,
    reached_outputs,
    reaching_features,
    resolve_strategy,
    unit_keep_masks,
)
from .pruning._base import check_masks

# The context's names for the output layer and the loss (kernel codes).
_OUTPUT_NAMES = {codes.SIGMOID: "logistic", codes.SOFTMAX: "softmax",
                 codes.IDENTITY: "identity"}
_LOSS_NAMES = {codes.LOG_LOSS: "log_loss", codes.SQUARED: "squared_error",
               codes.SQUARED_MEAN: "half_mean_squared_error"}

# Fitted attributes of a pruning (or of a tracked dense run) that a new fit
# clears before it sets its own (with those the last decision's strategy
# set: _forget_pruning).
PRUNING_ATTRIBUTES = (
    "lyapunov_exponents_", "risk_series_", "window_ends_", "dense_coefs_",
    "dense_intercepts_", "dense_loss_curve_", "dense_train_score_curve_",
    "sparsity_", "pruning_cost_", "pruning_params_", "pruned_units_", "compaction_",
    "_dynamics", "weight_trajectory_", "retrained_trajectory_",
)
# Fitted attributes that _prune itself sets beside the strategy's (cleared
# before a new decision).
DECISION_ATTRIBUTES = ("pruned_units_", "retrained_trajectory_")
# What the tracked dense run recorded: a strategy may set them again (the
# risk of its choice), but a new decision never clears them.
RECORD_ATTRIBUTES = ("lyapunov_exponents_", "risk_series_", "window_ends_")


class PruningMixin:
    """Dense phase, pruning and retraining of the MLP estimators."""

    def _strategy(self):
        return resolve_strategy(self.pruning)

    def _forget_decision(self):
        """Clear the attributes of the last decision: those its strategy set
        (its ``PruningResult.attributes``) and those ``_prune`` sets."""
        for name in (*DECISION_ATTRIBUTES, *self.__dict__.pop("_decision_attributes", ())):
            if name not in RECORD_ATTRIBUTES:
                self.__dict__.pop(name, None)

    def _forget_pruning(self):
        """Clear everything a previous dense run and its pruning left (a new
        network is trained)."""
        self._forget_decision()
        for name in PRUNING_ATTRIBUTES:
            self.__dict__.pop(name, None)

    def _recording_strategy(self):
        """The strategy whose settings record the dynamics (the default
        chaos-causal one when tracking is asked for without it)."""
        strategy = self._strategy()
        if strategy is not None and strategy.needs_dynamics:
            return strategy
        return ChaosCausalPruning()

    def _tracks(self):
        if self.track_dynamics == "auto":
            strategy = self._strategy()
            return strategy is not None and strategy.needs_dynamics
        return bool(self.track_dynamics)

    def _updates(self, n_train, epochs):
        return updates_per_epoch(n_train, self._batch(n_train)) * epochs

    # ------------------------------------------------------------------ #
    def _dense_phase(self, data):
        """Dense training on the :class:`~skchaosprune._network.Split`
        ``data`` (with tracked dynamics when needed)."""
        strategy = self._strategy()
        if strategy is not None:
            strategy._validate_params()
        if strategy is not None and strategy.needs_dynamics and not self._tracks():
            raise ValueError(
                "track_dynamics=False, but chaos-causal pruning needs the dynamics "
                "of the dense run: use track_dynamics='auto' (the default).")
        n_train = data.X.shape[0]
        per_epoch = updates_per_epoch(n_train, self._batch(n_train))
        epochs = (self.max_iter if strategy is None
                  else strategy.dense_epochs(self.max_iter, per_epoch))
        start = time.perf_counter()
        self._dynamics_seconds = 0.0
        self._per_epoch = per_epoch
        if self._tracks():
            plan = self._recording_strategy()
            plan._validate_params()
            recorder = self._recorder(plan, per_epoch, epochs)
            # A measurement of planned length: the convergence test does not
            # stop it (docs/method.md section 1).
            self._train(data.X, data.Y, data.Xv, data.Yv, epochs, sw=data.sw,
                        swv=data.swv, recorder=recorder, stopping=False,
                        phase="dense training + Lyapunov exponents")
            self._dynamics_seconds = recorder.seconds
            dynamics = self._dynamics = recorder.dynamics()
            self.lyapunov_exponents_ = dynamics.exponents
            self.window_ends_ = dynamics.window_ends
            self.risk_series_ = dynamics.risk(getattr(plan, "risk", "loss"))
        else:
            self._train(data.X, data.Y, data.Xv, data.Yv, epochs, sw=data.sw,
                        swv=data.swv)
        self._dense_seconds = time.perf_counter() - start

    def _recorder(self, plan, per_epoch, epochs):
        """The :class:`~skchaosprune._recording.Recorder` of a tracked run of
        ``epochs`` epochs from the current weights, with the recording
        settings of the strategy ``plan`` (a clear error when the run is too
        short for its Granger tests)."""
        n_updates = per_epoch * epochs
        settings = plan.recording_plan(self.max_iter, per_epoch)[1]
        maxlag = getattr(plan, "_maxlag", auto_maxlag)(
            n_windows(n_updates + 1, settings["window"], settings["overlap"]))
        what = f"partial_epochs={epochs}" if epochs < self.max_iter else f"max_iter={epochs}"
        check_run_length(settings, maxlag, n_updates, what, per_epoch, epochs)
        return Recorder(settings, self._n_updates, n_updates, flatten(self.coefs_), epochs,
                        self._regression)

    # ------------------------------------------------------------------ #
    @atomic  # a failed prune changes nothing, its pruning parameter included
    def prune(self, X=None, y=None, *, pruning=None, sample_weight=None):
        """Re-decide the mask on the same dense run and retrain (docs/method.md
        sections 5, 6).

        The mask comes from what the last ``fit`` recorded: the tracked
        dynamics for chaos-causal pruning, the dense weights for the
        baselines.  The dense run is never repeated; when only the decision
        parameters of a :class:`~skchaosprune.ChaosCausalPruning` change
        (``alpha``, ``lyapunov_threshold``, ``multitest``, ``sparsity``,
        ``on_infeasible``), the stored Granger p-values are reused too.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), default=None
            Training data for the retraining; pass the data given to ``fit``
            (the same validation split is held out again).  Not needed with
            ``retrain=None``.
        y : array-like of shape (n_samples,), default=None
            Targets of ``X``.
        pruning : strategy, str or None, default=None
            A pruning strategy (or 'chaos_causal', 'magnitude', 'random');
            it becomes the estimator's ``pruning``.  None: the estimator's
            current ``pruning``.
        sample_weight : array-like of shape (n_samples,), default=None
            The sample weights given to ``fit`` with ``X``, for the
            retraining.

        Returns
        -------
        self : estimator
            With ``masks_``, ``sparsity_``, ``granger_pvalues_`` (chaos-causal)
            and the retrained sparse weights in ``coefs_``.

        Raises
        ------
        ValueError
            When the strategy's recording settings (window, Lyapunov
            parameters, mode) differ from those of the dense run (a new
            ``fit`` is needed), or when the decided mask leaves no path from
            any input to any output without a sparsity asked for.
        """
        check_is_fitted(self)
        self._check_trainable("prune")
        if pruning is not None:
            if not isinstance(pruning, (str, PruningStrategy)):
                raise ValueError(
                    "pruning must be a pruning strategy (ChaosCausalPruning, "
                    "MagnitudePruning, RandomPruning) or one of 'chaos_causal', "
                    f"'magnitude', 'random'; got {pruning!r}.")
            self.set_params(pruning=pruning)
        self._validate_params()
        if self.pruning is None:
            raise ValueError(
                "prune() needs a pruning strategy: pass pruning=ChaosCausalPruning(), "
                "MagnitudePruning(sparsity) or RandomPruning(sparsity).")
        if self.retrain is not None and (X is None or y is None):
            raise ValueError(
                f"retrain={self.retrain!r} retrains the pruned network: pass the "
                "training data, prune(X, y), or set retrain=None.")
        strategy = self._strategy()
        if (strategy.needs_data or strategy.needs_validation) and (X is None or y is None):
            raise ValueError(
                f"{type(self._strategy()).__name__} decides on the training data: pass "
                "the data given to fit, prune(X, y).")
        data = None
        if X is not None:
            X, y = self._validate_train(X, y, reset=False)
            if isinstance(self, ClassifierMixin):
                check_classification_targets(y)
            Y = self._encode_targets(y)
            self._check_same_data(X, Y)
            data = self._split(X, Y, y, self._sample_weight(sample_weight, X))
        self._prune(data)
        return self

    def _check_same_data(self, X, Y):
        """``prune`` retrains on the data of ``fit`` (the same validation
        split, the same batches): other data are an error, not a silently
        different model."""
        expected = getattr(self, "_fit_fingerprint", None)
        if expected is not None and data_fingerprint(X, Y) != expected:
            raise ValueError(
                f"prune(X, y) was given other data than fit ({X.shape[0]} rows now): it "
                "retrains the pruned network on fit's data, with the same validation "
                "split and data order as the dense run. Pass the X and y given to fit, "
                "or fit(X, y) with this pruning strategy to train and prune on new data.")

    def _dense_state(self):
        """The dense run's weights, saved before the first pruning."""
        if not hasattr(self, "dense_coefs_"):
            self.dense_coefs_ = [c.copy() for c in self.coefs_]
            self.dense_intercepts_ = [b.copy() for b in self.intercepts_]
            self.dense_loss_curve_ = list(self.loss_curve_)
            self.dense_train_score_curve_ = list(self.train_score_curve_)
            self._dense_updates = self._n_updates
            self._dense_epochs = len(self.loss_curve_)  # partial_fit calls included
            self._dense_rng_state = copy.deepcopy(self._rng_state)
        return self.dense_coefs_, self.dense_intercepts_

    def _check_fits_run(self, strategy):
        """A strategy that needs the dynamics must describe the recorded
        dense run (its recording parameters: the strategy's one table)."""
        dynamics = getattr(self, "_dynamics", None)
        if dynamics is None:
            raise ValueError(
                "chaos-causal pruning needs the dynamics of the dense run: fit with "
                "pruning=ChaosCausalPruning(...) or track_dynamics=True first.")
        strategy.check_recording(dynamics.settings, self.max_iter, self._per_epoch)

    def _context(self, data=None, strategy=None):
        """The :class:`~skchaosprune.pruning.PruningContext` of the dense run
        (with the training data and a retraining function when the strategy
        needs them).  Reads the estimator only: the dense weights are those
        saved at the first pruning, else the current ones."""
        needs_data = (strategy is not None and data is not None
                      and (strategy.needs_data or strategy.needs_validation))
        out_code, loss_code, _ = self._output_layer()
        return PruningContext(
            initial_coefs=self.initial_coefs_, initial_intercepts=self.initial_intercepts_,
            dense_coefs=self.__dict__.get("dense_coefs_", self.coefs_),
            dense_intercepts=self.__dict__.get("dense_intercepts_", self.intercepts_),
            dynamics=getattr(self, "_dynamics", None),
            data=data if needs_data else None,
            trainer=self._trainer(data) if needs_data else None,
            scorer=self._scorer(data) if needs_data else None,
            rewinder=self._rewinder(data) if needs_data else None,
            is_classifier=isinstance(self, ClassifierMixin),
            random_state=self.random_state,
            activation=self.activation, output_activation=_OUTPUT_NAMES[out_code],
            loss=_LOSS_NAMES[loss_code], alpha=float(self.alpha))

    def _twin(self, coefs, intercepts):
        """A copy of this network for a strategy's own training (its own
        ``__dict__``, without the recorded run), starting from the given
        weights with the dense run's first data order and a fresh solver."""
        twin = copy.copy(self)
        for name in (*PRUNING_ATTRIBUTES, *RECORD_ATTRIBUTES, "_decision_attributes"):
            twin.__dict__.pop(name, None)
        twin.keep_trajectory = False
        twin.coefs_ = [np.array(c, dtype=np.float64) for c in coefs]
        twin.intercepts_ = [np.array(b, dtype=np.float64) for b in intercepts]
        twin._rng_state = copy.deepcopy(self._initial_rng_state)
        twin._order = None
        twin._reset_progress()
        return twin

    def _trainer(self, data):
        """``context.retrain``: trains a copy of this network (the same
        solver, the dense run's data order and split) from given weights,
        or from a saved rewind point, with a mask, and returns its weights;
        this estimator is untouched."""
        def train(masks, coefs, intercepts, epochs, state, recorder=None,
                  record_dynamics=False):
            # recorder: a _recording.UpdateRecorder of the run's updates
            # (context.retrain(record_updates=True)), fed as training goes.
            if record_dynamics:  # a tracked run, as the dense one (its length)
                twin = self._twin(coefs, intercepts)
                twin._set_masks(masks)
                plan = self._recording_strategy()
                per_epoch = updates_per_epoch(data.X.shape[0], self._batch(data.X.shape[0]))
                epochs = plan.dense_epochs(self.max_iter, per_epoch)
                tracked = twin._recorder(plan, per_epoch, epochs)
                twin._train(data.X, data.Y, data.Xv, data.Yv, epochs, sw=data.sw,
                            swv=data.swv, recorder=tracked, stopping=False,
                            phase="retraining + Lyapunov exponents (strategy)")
                return twin.coefs_, twin.intercepts_, tracked.dynamics()
            if state is None:
                twin, resume = self._twin(coefs, intercepts), False
                epochs = self.max_iter if epochs is None else int(epochs)
            else:  # late rewinding: go on from where the dense run was
                twin, resume = copy.deepcopy(state), True
                epochs = (max(self.max_iter - state._rewind_epochs, 0) if epochs is None
                          else int(epochs))
            twin._set_masks(masks)
            if resume:
                twin._reset_convergence()  # the pruned network is judged anew
            twin._train(data.X, data.Y, data.Xv, data.Yv, epochs, sw=data.sw, swv=data.swv,
                        phase="retraining (strategy)", convergence_warning=False,
                        resume=resume, recorder=recorder)
            return twin.coefs_, twin.intercepts_
        return train

    def _rewinder(self, data):
        """``context.rewind_point``: replays the dense run's first epochs
        (unmasked, as it trained) and keeps the whole training state."""
        def rewind(epoch):
            if epoch > self.max_iter:
                raise ValueError(
                    f"Cannot rewind to epoch {epoch}: the dense run trains max_iter="
                    f"{self.max_iter} epochs. Rewind to an epoch below max_iter (late "
                    "rewinding uses one of the first few).")
            twin = self._twin(self.initial_coefs_, self.initial_intercepts_)
            if epoch > 0:
                # As the dense run trained: a tracked run has a planned length.
                twin._train(data.X, data.Y, data.Xv, data.Yv, epoch, sw=data.sw,
                            swv=data.swv, phase="rewind point", convergence_warning=False,
                            stopping=not self._tracks(), resume=True)
            twin._rewind_epochs = twin.n_iter_ if epoch > 0 else 0
            return ([c.copy() for c in twin.coefs_], [b.copy() for b in twin.intercepts_],
                    twin._rewind_epochs, twin)
        return rewind

    def _scorer(self, data):
        """``context.score``: the estimator's score of given weights on the
        validation rows."""
        def score(coefs, intercepts):
            out = self._forward_coefs(data.Xv, [np.asarray(c, dtype=np.float64) for c in coefs],
                                      [np.asarray(b, dtype=np.float64) for b in intercepts])
            return self._score_outputs(out, data.Yv, data.swv)
        return score

    def _prune(self, data):
        strategy = self._strategy()
        strategy._validate_params()
        dense_coefs, dense_intercepts = self._dense_state()
        start = time.perf_counter()
        if strategy.needs_dynamics:
            self._check_fits_run(strategy)
        result = strategy.decide(self._context(data, strategy))
        info = dict(result.attributes)
        granger_seconds = time.perf_counter() - start
        masks = check_masks(result.masks, [c.shape for c in dense_coefs])
        removed = None
        if self.prune_units is not None:
            masks, removed = unit_keep_masks(masks, dense_coefs, self.prune_units)
        keep = np.concatenate([m.ravel() for m in masks])
        cut = self._check_connected(masks, strategy, warn_cut=data is None)
        self._forget_decision()
        for name, value in info.items():
            setattr(self, name, value)
        self._decision_attributes = tuple(info)
        if info.get("repaired_weights_"):
            warn_user(repair_message(strategy, info, self), PrunedModelWarning)
        if removed is not None:
            self.pruned_units_ = removed
        self.masks_ = masks
        self.sparsity_ = float(1.0 - keep.mean())
        self.pruning_params_ = self._resolved_params(strategy, info)
        # The strategy's own weights (e.g. an OBS update), else the dense run's.
        decided_coefs = dense_coefs if result.coefs is None else result.coefs
        decided_intercepts = (dense_intercepts if result.intercepts is None
                              else result.intercepts)
        start = time.perf_counter()
        # No retraining, or the strategy's own rewinding already did it.
        retrains = not (self.retrain is None or (self.retrain == "rewind" and result.retrained))
        if not retrains:
            self.coefs_ = [np.where(m, np.asarray(c, dtype=np.float64), 0.0)
                           for m, c in zip(masks, decided_coefs)]
            self.intercepts_ = [np.array(b, dtype=np.float64) for b in decided_intercepts]
        else:
            if self.retrain == "rewind":
                # Same initial weights and the same data order as the dense run.
                self.coefs_ = [c.copy() for c in self.initial_coefs_]
                self.intercepts_ = [b.copy() for b in self.initial_intercepts_]
                self._rng_state = copy.deepcopy(self._initial_rng_state)
            else:
                self.coefs_ = [np.array(c, dtype=np.float64) for c in decided_coefs]
                self.intercepts_ = [np.array(b, dtype=np.float64) for b in decided_intercepts]
                self._rng_state = copy.deepcopy(self._dense_rng_state)
            self._reset_progress()
            self._set_masks(masks)
            self._start_trajectory()
            self._train(data.X, data.Y, data.Xv, data.Yv, self.max_iter, sw=data.sw,
                        swv=data.swv, phase="retraining")
        retrain_seconds = time.perf_counter() - start
        retrain_updates = self._n_updates if retrains else 0
        self.pruning_cost_ = {
            "dense_epochs": self._dense_epochs,
            "dense_updates": self._dense_updates,
            "dense_seconds": self._dense_seconds,
            "dynamics_seconds": self._dynamics_seconds,
            "granger_seconds": granger_seconds,
            "retrain_epochs": self.n_iter_ if retrains else 0,
            "retrain_updates": retrain_updates,
            "retrain_seconds": retrain_seconds,
            "total_updates": self._dense_updates + retrain_updates,
            "total_seconds": self._dense_seconds + granger_seconds + retrain_seconds,
        }
        if data is not None:
            self._check_pruned_model(data, cut)

    def _resolved_params(self, strategy, info):
        """The strategy's parameters with 'auto' values resolved."""
        params = strategy.get_params()
        if strategy.needs_dynamics:
            settings = self._dynamics.settings
            params.update(window=settings["window"], dense_epochs=settings["epochs"])
            if "risk_series_" in info:
                params["maxlag"] = getattr(strategy, "_maxlag", auto_maxlag)(
                    info["risk_series_"].shape[0])
            if getattr(strategy, "mode", "full") == "partial":
                params["partial_epochs"] = settings["epochs"]
        return params

    # ------------------------------------------------------------------ #
    # No silent collapse (docs/method.md section 5).
    def _check_connected(self, masks, strategy, warn_cut=True):
        """Raise on (or, for an explicit sparsity, warn of) a mask that joins
        no input to any output.  Returns the output units cut off every
        input; a regressor's are reported here (each predicts its bias), a
        classifier's only where no data can show what they cost
        (``warn_cut``): a class whose score is a constant can still be
        predicted, so :meth:`_check_pruned_model` judges it on the data."""
        n_weights = sum(m.size for m in masks)
        n_pruned = int(sum((~m).sum() for m in masks))
        outputs = reached_outputs(masks)
        if not reaching_features(masks).any():
            what = (f"The mask prunes {n_pruned} of {n_weights} weights and leaves no "
                    "path from any input to any output: the network would be a "
                    "constant predictor.")
            if strategy.asked_sparsity() is not None:
                warn_user(f"{what} This is the sparsity={strategy.asked_sparsity()} asked for.",
                          PrunedModelWarning)
                return np.flatnonzero(~outputs)
            raise ValueError(
                f"{what} {_remedy(strategy, self, connect=True)} Or ask for a sparsity "
                "explicitly, ChaosCausalPruning(sparsity=...), to accept such a mask.")
        cut = np.flatnonzero(~outputs)
        if cut.size and (self._regression or warn_cut):
            if self._regression:
                effect = "each of them predicts a constant (its bias)"
            else:
                effect = (f"the scores of classes {self.classes_[cut].tolist()} are "
                          "constants (their biases)")
            warn_user(
                f"The mask prunes {n_pruned} of {n_weights} weights and cuts output "
                f"units {cut.tolist()} off every input: {effect}. "
                f"{_remedy(strategy, self, connect=True)}", PrunedModelWarning)
        return cut

    def _check_pruned_model(self, data, cut=()):
        """Warn when the pruned network lost what the dense one had, judged
        on every row the fit saw (training and validation rows), and on the
        validation rows alone as well where there are any: a class it never
        predicts, a single class for every row, or most of the score."""
        held_out = data.Xv is not data.X
        X = np.concatenate([data.X, data.Xv]) if held_out else data.X
        Y = np.concatenate([data.Y, data.Yv]) if held_out else data.Y
        dense_out = self._forward_coefs(X, self.dense_coefs_, self.dense_intercepts_)
        pruned_out = self._forward_coefs(X, self.coefs_, self.intercepts_)
        dense_all = self._score_outputs(dense_out, Y)
        pruned_all = self._score_outputs(pruned_out, Y)
        def remedy():  # tries the strategy's settings: only for a warning
            return _remedy(self._strategy(), self)

        rows = f"the {X.shape[0]} rows it was fitted on"
        if isinstance(self, ClassifierMixin):
            truth = _predicted_classes(Y)
            dense_classes = _predicted_classes(dense_out)
            pruned_classes = _predicted_classes(pruned_out)
            if truth.size > 1 and pruned_classes.size == 1:
                label = self.classes_[pruned_classes].tolist()[0]
                dense = ("the dense network did too (it is undertrained: train longer or "
                         "with a larger learning rate)" if dense_classes.size == 1 else
                         f"the dense one predicts {dense_classes.size} classes, accuracy "
                         f"{dense_all:.3f}")
                warn_user(
                    f"The pruned network predicts the single class {label!r} for all of "
                    f"{rows} (accuracy {pruned_all:.3f}); {dense}. {remedy()}",
                    PrunedModelWarning)
                return
            lost = np.setdiff1d(dense_classes, pruned_classes)
            if lost.size:
                why = (" (their output units are cut off every input)"
                       if np.isin(lost, cut).all() and len(cut) else "")
                warn_user(
                    f"The pruned network never predicts classes "
                    f"{self.classes_[lost].tolist()} on {rows}{why}, which the dense one "
                    f"predicts (accuracy {pruned_all:.3f} against {dense_all:.3f}). "
                    f"{remedy()}", PrunedModelWarning)
                return
            chance = float(np.max(np.bincount(_labels(Y), minlength=2)) / Y.shape[0])
            name = "accuracy"
        else:
            chance, name = 0.0, "R^2"

        def lost_most(dense, pruned):
            return dense > chance and pruned < chance + 0.5 * (dense - chance)

        if not lost_most(dense_all, pruned_all):
            return
        detail = ""
        if held_out:
            dense_val = self._score_outputs(
                self._forward_coefs(data.Xv, self.dense_coefs_, self.dense_intercepts_),
                data.Yv)
            pruned_val = self._score_outputs(
                self._forward_coefs(data.Xv, self.coefs_, self.intercepts_), data.Yv)
            if not lost_most(dense_val, pruned_val):
                return
            detail = f"; on the validation rows {pruned_val:.3f} against {dense_val:.3f}"
        warn_user(
            f"The pruned network lost most of the dense one's {name}: {pruned_all:.3f} "
            f"against {dense_all:.3f} on {rows} (chance {chance:.3f}){detail}. {remedy()}",
            PrunedModelWarning)


def _labels(Y):
    """Class indices of one-hot (or single-column binary) targets/outputs."""
    if Y.shape[1] == 1:
        return (Y[:, 0] > 0.5).astype(np.int64)
    return np.argmax(Y, axis=1)


def _predicted_classes(out):
    return np.unique(_labels(out))


def repair_message(strategy, info, est):
    """The warning of an ``on_collapse='repair'`` on ``est``'s dense run."""
    return (
        f"The alpha={strategy.alpha} mask left output units {info['_repaired_outputs']} "
        f"with no path from any input, so the {info['repaired_weights_']} pruned "
        "weight(s) with the smallest p-values that give every output one were kept "
        "(on_collapse='repair'; 'raise' makes such a mask an error). "
        f"{_remedy(strategy, est)}")


#: The values of ``alpha`` a remedy may name, smallest first.
_ALPHA_LADDER = (0.1, 0.2, 0.5, 1.0)


def _unscaled_target(est):
    """(mean, sd) of a regressor's training target when it is far from
    standardised (some column with ``|mean| > 1`` or an sd outside [0.5, 2]),
    else None."""
    stats = getattr(est, "_target_stats", None)
    if stats is None:
        return None
    mean, sd = stats
    if np.any(np.abs(mean) > 1.0) or np.any(sd < 0.5) or np.any(sd > 2.0):
        return float(np.max(np.abs(mean))), float(np.max(sd))
    return None


def _remedy(strategy, est=None, connect=False):
    """What would keep more weights, naming only settings that help here:
    for a chaos-causal mask decided by ``alpha`` on ``est``'s dense run,
    each named setting was tried on the stored p-values and keeps more
    weights (``connect``: gives every output a path from an input); for a
    regressor whose target is far from standardised, scaling it (measured
    on friedman1: docs/user_guide.md)."""
    options = []
    if est is not None and getattr(est, "_regression", False):
        scale = _unscaled_target(est)
        if scale is not None:
            options.append(
                f"scale the target (its mean is {scale[0]:.3g} and sd {scale[1]:.3g}): "
                "TransformedTargetRegressor(regressor=..., transformer=StandardScaler())")
    sparsity = strategy.asked_sparsity()
    if sparsity == "auto":
        options.append(f"a smaller max_drop (now {strategy.max_drop})")
        return "Remedies: " + "; ".join(options) + "."
    if not isinstance(strategy, ChaosCausalPruning) or sparsity is not None:
        options.append(f"a lower sparsity (now {sparsity})" if sparsity is not None
                       else "a strategy that keeps more weights")
        return "Remedies: " + "; ".join(options) + "."
    options += _tried_remedies(strategy, est, connect)
    if not options:
        return ("No setting of the strategy keeps more weights on this run: use "
                "MagnitudePruning(sparsity) for a sparse network.")
    return "Remedies: " + "; ".join(options) + "."


def _tried_remedies(strategy, est, connect):
    """The chaos-causal settings that, on ``est``'s stored p-values, keep
    more weights than ``strategy`` (with ``connect``: that join every
    output to an input), each with what it keeps."""
    import warnings

    if getattr(est, "_dynamics", None) is None:
        return [f"a larger alpha (now {strategy.alpha})"]
    context = est._context()

    def outcome(changes):
        candidate = copy.deepcopy(strategy).set_params(**changes)
        if "on_collapse" not in changes:
            candidate.set_params(on_collapse="raise")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                masks = candidate.decide(context).masks
        except ValueError:
            return None
        return int(sum(np.sum(m) for m in masks)), bool(reached_outputs(masks).all())

    now = outcome({})
    if now is None:
        return []
    n_weights = context.n_weights

    def helps(result):
        if result is None:
            return False
        return result[1] if connect else result[0] > now[0]

    def share(result):
        return f"keeps {result[0]} of {n_weights} weights, now {now[0]}"

    named = []
    ladder = [a for a in _ALPHA_LADDER if a > strategy.alpha]
    tried = [(a, outcome({"alpha": a})) for a in ladder]
    useful = [(a, r) for a, r in tried if helps(r)]
    if useful:
        # The smallest alpha that halves the pruned weights (connect: the
        # smallest that joins every output), else the most generous tried.
        halved = [(a, r) for a, r in useful
                  if connect or n_weights - r[0] <= (n_weights - now[0]) / 2]
        alpha, result = halved[0] if halved else useful[-1]
        named.append(f"alpha={alpha} ({share(result)})")
    for changes, label in (
        ({"risk": "loss"}, "risk='loss'"),
        ({"lyapunov_threshold": None}, "lyapunov_threshold=None"),
        ({"on_infeasible": "keep"}, "on_infeasible='keep' (static weights kept)"),
        ({"multitest": None}, "multitest=None"),
        ({"on_collapse": "repair"}, "on_collapse='repair'"),
    ):
        key, value = next(iter(changes.items()))
        if getattr(strategy, key) == value:
            continue
        result = outcome(changes)
        if helps(result):
            named.append(f"{label} ({share(result)})")
    return named
