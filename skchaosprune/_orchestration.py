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

from ._network import atomic, unflatten, updates_per_epoch
from ._recording import check_run_length, train_tracked
from .pruning import (
    RECORDING_PARAMS,
    ChaosCausalPruning,
    PrunedModelWarning,
    _n_windows,
    _Strategy,
    reached_outputs,
    reaching_features,
    resolve_strategy,
    unit_keep_masks,
    warn_user,
)

# Fitted attributes of a pruning (or of a tracked dense run) that a new fit
# clears before it sets its own.
PRUNING_ATTRIBUTES = (
    "lyapunov_exponents_", "risk_series_", "window_ends_", "dense_coefs_",
    "dense_intercepts_", "dense_loss_curve_", "dense_train_score_curve_",
    "granger_pvalues_", "sparsity_", "pruning_cost_", "differenced_",
    "usable_lags_", "pruning_params_", "pruned_units_", "compaction_", "_dynamics",
)


class PruningMixin:
    """Dense phase, pruning and retraining of the MLP estimators."""

    def _strategy(self):
        return resolve_strategy(self.pruning)

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
                  else strategy._dense_epochs(self.max_iter, per_epoch))
        start = time.perf_counter()
        self._dynamics_seconds = 0.0
        self._per_epoch = per_epoch
        if self._tracks():
            recorder = self._recording_strategy()
            recorder._validate_params()
            n_updates = per_epoch * epochs
            settings = recorder._plan(self.max_iter, per_epoch)[1]
            maxlag = recorder._maxlag(
                _n_windows(n_updates + 1, settings["window"], settings["overlap"]))
            partial = strategy is not None and getattr(strategy, "mode", "full") == "partial"
            what = f"partial_epochs={epochs}" if partial else f"max_iter={epochs}"
            check_run_length(settings, maxlag, n_updates, what, per_epoch, epochs)
            # A measurement of planned length: the convergence test does not
            # stop it (docs/method.md section 1).
            dynamics, self._dynamics_seconds = train_tracked(self, data, epochs, settings)
            self._dynamics = dynamics
            self.lyapunov_exponents_ = dynamics.exponents
            self.window_ends_ = dynamics.window_ends
            self.risk_series_ = dynamics.risk(recorder.risk)
        else:
            self._train(data.X, data.Y, data.Xv, data.Yv, epochs, sw=data.sw,
                        swv=data.swv)
        self._dense_seconds = time.perf_counter() - start

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
            if not isinstance(pruning, (str, _Strategy)):
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
        data = None
        if X is not None:
            X, y = self._validate_train(X, y, reset=False)
            if isinstance(self, ClassifierMixin):
                check_classification_targets(y)
            data = self._split(X, self._encode_targets(y), y,
                               self._sample_weight(sample_weight, X))
        self._prune(data)
        return self

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
        """A chaos-causal strategy must describe the recorded dense run."""
        dynamics = getattr(self, "_dynamics", None)
        if dynamics is None:
            raise ValueError(
                "chaos-causal pruning needs the dynamics of the dense run: fit with "
                "pruning=ChaosCausalPruning(...) or track_dynamics=True first.")
        recorded = dynamics.settings
        epochs, settings = strategy._plan(self.max_iter, self._per_epoch)
        wanted = dict(settings, epochs=epochs)
        names = {"window": "window", "overlap": "overlap", "dim": "lyapunov_dim",
                 "delay": "lyapunov_delay", "steps": "lyapunov_steps",
                 "theiler": "lyapunov_theiler", "fit_steps": "lyapunov_fit_steps",
                 "min_range": "min_range", "epochs": "mode/partial_epochs"}
        differ = [f"{names[k]} ({recorded[k]} recorded, {wanted[k]} asked)"
                  for k in names if recorded[k] != wanted[k]]
        if differ:
            raise ValueError(
                f"The dense run was recorded with other settings: {', '.join(differ)}. "
                f"These recording parameters ({', '.join(RECORDING_PARAMS)}) need a "
                "new dense run: call fit with this pruning strategy instead of prune.")

    def _prune(self, data):
        strategy = self._strategy()
        strategy._validate_params()
        dense_coefs, dense_intercepts = self._dense_state()
        start = time.perf_counter()
        dynamics = None
        if strategy.needs_dynamics:
            self._check_fits_run(strategy)
            dynamics = self._dynamics
        keep, info = strategy._decide(dense_coefs, dynamics)
        granger_seconds = time.perf_counter() - start
        masks = [m.astype(bool) for m in unflatten(keep.astype(np.float64),
                                                  [c.shape for c in dense_coefs])]
        removed = None
        if self.prune_units is not None:
            masks, removed = unit_keep_masks(masks, dense_coefs, self.prune_units)
            keep = np.concatenate([m.ravel() for m in masks])
        self._check_connected(masks, strategy)
        for name in ("granger_pvalues_", "differenced_", "usable_lags_", "pruned_units_"):
            self.__dict__.pop(name, None)
        for name, value in info.items():
            setattr(self, name, value)
        if removed is not None:
            self.pruned_units_ = removed
        self.masks_ = masks
        self.sparsity_ = float(1.0 - keep.mean())
        self.pruning_params_ = self._resolved_params(strategy, info)
        start = time.perf_counter()
        if self.retrain is None:
            self.coefs_ = [np.where(m, c, 0.0) for m, c in zip(masks, dense_coefs)]
            self.intercepts_ = [b.copy() for b in dense_intercepts]
        else:
            if self.retrain == "rewind":
                # Same initial weights and the same data order as the dense run.
                self.coefs_ = [c.copy() for c in self.initial_coefs_]
                self.intercepts_ = [b.copy() for b in self.initial_intercepts_]
                self._rng_state = copy.deepcopy(self._initial_rng_state)
            else:
                self.coefs_ = [c.copy() for c in dense_coefs]
                self.intercepts_ = [b.copy() for b in dense_intercepts]
                self._rng_state = copy.deepcopy(self._dense_rng_state)
            self._reset_progress()
            self._set_masks(masks)
            self._start_trajectory()
            self._train(data.X, data.Y, data.Xv, data.Yv, self.max_iter, sw=data.sw,
                        swv=data.swv, phase="retraining")
        retrain_seconds = time.perf_counter() - start
        retrain_updates = 0 if self.retrain is None else self._n_updates
        self.pruning_cost_ = {
            "dense_epochs": self._dense_epochs,
            "dense_updates": self._dense_updates,
            "dense_seconds": self._dense_seconds,
            "dynamics_seconds": self._dynamics_seconds,
            "granger_seconds": granger_seconds,
            "retrain_epochs": 0 if self.retrain is None else self.n_iter_,
            "retrain_updates": retrain_updates,
            "retrain_seconds": retrain_seconds,
            "total_updates": self._dense_updates + retrain_updates,
            "total_seconds": self._dense_seconds + granger_seconds + retrain_seconds,
        }
        if data is not None:
            self._check_pruned_model(data.X, data.Y, data.Xv, data.Yv)

    def _resolved_params(self, strategy, info):
        """The strategy's parameters with 'auto' values resolved."""
        params = strategy.get_params()
        if strategy.needs_dynamics:
            settings = self._dynamics.settings
            params.update(window=settings["window"], dense_epochs=settings["epochs"])
            params["maxlag"] = strategy._maxlag(info["risk_series_"].shape[0])
            if strategy.mode == "partial":
                params["partial_epochs"] = settings["epochs"]
        return params

    # ------------------------------------------------------------------ #
    # No silent collapse (docs/method.md section 5).
    def _check_connected(self, masks, strategy):
        n_weights = sum(m.size for m in masks)
        n_pruned = int(sum((~m).sum() for m in masks))
        outputs = reached_outputs(masks)
        explicit = strategy._explicit_sparsity()
        if not reaching_features(masks).any():
            what = (f"The mask prunes {n_pruned} of {n_weights} weights and leaves no "
                    "path from any input to any output: the network would be a "
                    "constant predictor.")
            if explicit:
                warn_user(f"{what} This is the sparsity={strategy.sparsity} asked for.",
                              PrunedModelWarning)
                return
            raise ValueError(
                f"{what} {_remedy(strategy)} Or ask for a sparsity explicitly, "
                "ChaosCausalPruning(sparsity=...), to accept such a mask.")
        if not outputs.all():
            warn_user(
                f"The mask prunes {n_pruned} of {n_weights} weights and cuts outputs "
                f"{np.flatnonzero(~outputs).tolist()} off every input: they predict "
                f"a constant. {_remedy(strategy)}", PrunedModelWarning)

    def _check_pruned_model(self, X_tr, Y_tr, X_val, Y_val):
        """Warn when the pruned network lost what the dense one had."""
        dense = self._forward_coefs(X_tr, self.dense_coefs_, self.dense_intercepts_)
        pruned = self._forward_coefs(X_tr, self.coefs_, self.intercepts_)
        dense_train = self._score_outputs(dense, Y_tr)
        pruned_train = self._score_outputs(pruned, Y_tr)
        if isinstance(self, ClassifierMixin):
            classes = _predicted_classes
            if len(classes(pruned)) == 1 and len(classes(dense)) > 1:
                warn_user(
                    "The pruned network predicts a single class on its training data "
                    f"(training accuracy {pruned_train:.3f}, dense {dense_train:.3f}). "
                    f"{_remedy(self._strategy())}", PrunedModelWarning)
                return
            chance = float(np.max(Y_tr.mean(axis=0))) if Y_tr.shape[1] > 1 else float(
                max(Y_tr.mean(), 1 - Y_tr.mean()))
        else:
            chance = 0.0
        dense_val = self._score_outputs(
            self._forward_coefs(X_val, self.dense_coefs_, self.dense_intercepts_), Y_val)
        pruned_val = self._score_outputs(
            self._forward_coefs(X_val, self.coefs_, self.intercepts_), Y_val)
        if dense_val > chance and pruned_val < chance + 0.5 * (dense_val - chance):
            name = "accuracy" if isinstance(self, ClassifierMixin) else "R^2"
            warn_user(
                f"The pruned network lost most of the dense one's validation {name}: "
                f"{pruned_val:.3f} against {dense_val:.3f} (chance {chance:.3f}; training "
                f"{pruned_train:.3f} against {dense_train:.3f}). "
                f"{_remedy(self._strategy())}", PrunedModelWarning)


def _predicted_classes(out):
    if out.shape[1] == 1:
        return np.unique(out[:, 0] > 0.5)
    return np.unique(np.argmax(out, axis=1))


def _remedy(strategy):
    """What would keep more weights, naming only settings not already in force."""
    if not isinstance(strategy, ChaosCausalPruning) or strategy.sparsity is not None:
        return f"Ask for a lower sparsity (now {strategy.sparsity})."
    options = [f"a larger alpha (now {strategy.alpha})"]
    if strategy.risk != "loss":
        options.append(f"risk='loss' (now {strategy.risk!r})")
    if strategy.lyapunov_threshold is not None:
        options.append(f"lyapunov_threshold=None (now {strategy.lyapunov_threshold})")
    if strategy.on_infeasible != "keep":
        options.append("on_infeasible='keep' (static weights kept)")
    if strategy.multitest is not None:
        options.append(f"multitest=None (now {strategy.multitest!r})")
    return "Keep more weights: " + ", ".join(options) + "."
