"""The chaos-causality strategy, LEGCNet-FT and LEGCNet-PT (docs/method.md
sections 2-5)."""

import math
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from .. import causality
from .._warn import warn_user
from .._windows import AUTO_WINDOWS, auto_window, check_window, window_stride
from ..causality import auto_maxlag, granger_min_length
from . import _base
from ._base import DegenerateRiskWarning, PruningResult, PruningStrategy
from ._masks import (
    causal_keep_mask,
    causal_prune_order,
    connected_keep_mask,
    order_scores,
    reached_outputs,
    repair_collapse,
)
from ._target import MAX_DROP, SPARSITY_OR_AUTO, search_sparsity

#: ``multitest`` methods (statsmodels.stats.multitest.multipletests).
MULTITEST_METHODS = {
    "bonferroni", "sidak", "holm-sidak", "holm", "simes-hochberg", "hommel",
    "fdr_bh", "fdr_by", "fdr_tsbh", "fdr_tsbky",
}

#: The one table of ChaosCausalPruning's parameters: each one's kind
#: ('recording': fixed by the dense run, a new ``fit``; 'test': the Granger
#: tests are repeated on the stored exponents; 'decision': the stored
#: p-values are reused) and, for a recording parameter, the setting of the
#: recorded run it fixes ('epochs': the dense epochs).
_PARAMETERS = {
    "mode": ("recording", "epochs"),
    "partial_epochs": ("recording", "epochs"),
    "window": ("recording", "window"),
    "overlap": ("recording", "overlap"),
    "lyapunov_dim": ("recording", "dim"),
    "lyapunov_delay": ("recording", "delay"),
    "lyapunov_steps": ("recording", "steps"),
    "lyapunov_theiler": ("recording", "theiler"),
    "lyapunov_fit_steps": ("recording", "fit_steps"),
    "min_range": ("recording", "min_range"),
    "maxlag": ("test", None),
    "test": ("test", None),
    "stationarity": ("test", None),
    "risk": ("test", None),
    "alpha": ("decision", None),
    "lyapunov_threshold": ("decision", None),
    "multitest": ("decision", None),
    "sparsity": ("decision", None),
    "max_drop": ("decision", None),
    "keep_connected": ("decision", None),
    "on_infeasible": ("decision", None),
    "on_collapse": ("decision", None),
}
#: The parameters of each kind (read from the table).
RECORDING_PARAMS = tuple(n for n, (k, _) in _PARAMETERS.items() if k == "recording")
TEST_PARAMS = tuple(n for n, (k, _) in _PARAMETERS.items() if k == "test")
DECISION_PARAMS = tuple(n for n, (k, _) in _PARAMETERS.items() if k == "decision")


class ChaosCausalPruning(PruningStrategy):
    """Prune the weights whose Lyapunov exponents do not Granger-cause the risk.

    The method of Sahu et al. (LEGCNet), docs/method.md sections 2-5.  During
    dense training every weight's trajectory is cut into windows, each
    window gets its largest Lyapunov exponent, and the validation risk is
    measured at each window's end.  A weight whose exponent series does not
    Granger-cause the risk series (p-value ``>= alpha``) is pruned.

    Parameters
    ----------
    mode : {'full', 'partial'}, default='full'
        'full' (LEGCNet-FT): the mask comes from the whole dense run of
        ``max_iter`` epochs.  'partial' (LEGCNet-PT): from its first
        ``partial_epochs`` epochs only (cheaper).
    partial_epochs : int or 'auto', default='auto'
        Dense epochs in 'partial' mode (at most ``max_iter``).  'auto': the
        larger of 10 % of ``max_iter`` (rounded up) and the fewest epochs
        that give enough windows (``5 * maxlag + 2`` for an explicit
        ``maxlag``, the degrees-of-freedom rule of
        :func:`skchaosprune.causality.granger_min_length`, else 20), at most
        ``max_iter``: on a run too short to be
        cut, PT is FT.
    window : int or 'auto', default='auto'
        Updates per Lyapunov window.  'auto': :func:`auto_window` of the
        updates of ``max_iter`` epochs (200 when the run allows 20 windows
        of 200, else the longest window that does, never below 20); PT uses
        the same window as FT.  The paper used 160-250
        (:func:`skchaosprune.datasets.paper_pruning` sets them).
    maxlag : int or 'auto', default='auto'
        Largest Granger lag; a weight's p-value is the minimum over the
        usable lags ``1 .. maxlag``.  'auto': :func:`auto_maxlag` of the
        number of windows (at most the paper's 14).
    overlap : float, default=0.1
        Overlap of consecutive windows; the stride is
        ``max(1, round(window * (1 - overlap)))``.
    lyapunov_dim, lyapunov_delay, lyapunov_steps, lyapunov_theiler : int, default=2, 1, 3, 0
        Embedding dimension, delay, divergence steps and Theiler window of
        the Rosenstein exponent (TISEAN ``lyap_r -m2 -d1 -s3``).
    lyapunov_fit_steps : int, default=1
        Slope over ``curve[0..fit_steps]``; 1 is the paper's
        ``curve[1] - curve[0]``.
    min_range : float, default=1e-5
        A window whose weight range is below this is static (exponent 0).
    test : {'ssr_chi2test', 'ssr_ftest'}, default='ssr_chi2test'
        statsmodels' Granger test statistic.
    stationarity : {None, 'adf'}, default=None
        None: test the series as they are (the reference code's recorded
        runs).  'adf': the augmented Dickey-Fuller step first
        (:func:`skchaosprune.stationarity.make_stationary`).
    risk : {'loss', 'error'}, default='loss'
        The risk series: the validation value of the training loss
        ('loss', continuous), or the validation misclassification rate
        ('error', the paper's, which takes few distinct values).  A
        regressor's risk is its validation mean squared error either way.
        The dense run records both, so switching needs no new fit.
    alpha : float, default=0.05
        Prune a weight whose p-value is ``>= alpha``.
    lyapunov_threshold : float or None, default=None
        Prune without a test a weight whose largest windowed exponent never
        exceeds this value.  None: no gate (the reference behaviour).
    multitest : str or None, default=None
        Correction of the p-values across weights, any method of
        ``statsmodels.stats.multitest.multipletests`` ('fdr_bh',
        'bonferroni', ...).
    sparsity : float, 'auto' or None, default=None
        Prune exactly this fraction of the weights, least causal first
        (ranked by p-value); None: decide by ``alpha``.  A mask asked for
        this way is kept as asked, even one that cuts the network off (a
        warning says so); for one decided by ``alpha``, see ``on_collapse``.
        'auto': the largest sparsity within ``max_drop`` of the dense
        validation score (docs/strategies.md; needs ``prune(X, y)``).
    max_drop : float, default=0.01
        With ``sparsity='auto'``: how far below the dense network's score
        on the held-out validation rows the pruned one may fall.
    keep_connected : bool, default=False
        With ``sparsity``: never cut all inputs of a unit that still has
        outputs, nor all inputs of an output; such a unit gets back its
        least-pruned input in exchange for the next weight of the ranking
        (:func:`~skchaosprune.pruning.connected_keep_mask`).
    on_infeasible : {'prune', 'keep'}, default='prune'
        A weight whose own exponent series makes the test infeasible (a
        static weight) gets p = 1 ('prune') or p = 0 ('keep', the reference
        code).  A lag at which the risk series itself is degenerate is
        skipped for every weight and never makes a weight infeasible.
    on_collapse : {'repair', 'raise'}, default='repair'
        What happens when the ``alpha``-decided mask leaves some output with
        no path from any input (a constant output).  'repair': keep, besides
        the causal weights, the fewest pruned weights with the smallest
        p-values that give every output a path
        (:func:`repair_collapse`), with a
        :class:`~skchaosprune.PrunedModelWarning` that says how many; the
        fitted ``repaired_weights_`` counts them.  'raise': a mask that
        cuts every output off is a ``ValueError`` (and one that cuts some
        outputs off a warning).  Not used with ``sparsity``.

    Notes
    -----
    What a change costs once the estimator is fitted (``prune``): the
    decision parameters (``alpha``, ``lyapunov_threshold``, ``multitest``,
    ``sparsity``, ``on_infeasible``, ``on_collapse``) reuse the stored
    p-values; the test
    parameters (``maxlag``, ``test``, ``stationarity``, ``risk``) repeat the
    Granger tests on the stored exponents; the recording parameters
    (``mode``, ``partial_epochs``, ``window``, ``overlap``, the Lyapunov
    parameters, ``min_range``) need a new ``fit``.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skchaosprune import ChaosCausalPruning, DenseMLPClassifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> clf = DenseMLPClassifier((8,), pruning=ChaosCausalPruning(), max_iter=40,
    ...                          batch_size=32, learning_rate_init=0.01,
    ...                          random_state=0).fit(X, y)
    >>> clf.pruning_params_["window"], clf.pruning_params_["maxlag"]
    (34, 3)
    >>> 0.0 <= clf.sparsity_ < 1.0
    True
    >>> clf.prune(X, y, pruning=ChaosCausalPruning(alpha=0.5)).sparsity_ >= 0.0
    True
    """

    needs_dynamics = True
    parameter_kinds = {name: kind for name, (kind, _) in _PARAMETERS.items()}

    _parameter_constraints: dict = {
        "mode": [StrOptions({"full", "partial"})],
        "partial_epochs": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "window": [StrOptions({"auto"}), Interval(Integral, 2, None, closed="left")],
        "maxlag": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "overlap": [Interval(Real, 0, 1, closed="left")],
        "lyapunov_dim": [Interval(Integral, 1, None, closed="left")],
        "lyapunov_delay": [Interval(Integral, 1, None, closed="left")],
        "lyapunov_steps": [Interval(Integral, 1, None, closed="left")],
        "lyapunov_theiler": [Interval(Integral, 0, None, closed="left")],
        "lyapunov_fit_steps": [Interval(Integral, 1, None, closed="left")],
        "min_range": [Interval(Real, 0, None, closed="left")],
        "test": [StrOptions({"ssr_chi2test", "ssr_ftest"})],
        "stationarity": [None, StrOptions({"adf"})],
        "risk": [StrOptions({"loss", "error"})],
        "alpha": [Interval(Real, 0, 1, closed="both")],
        "lyapunov_threshold": [None, Interval(Real, None, None, closed="neither")],
        "multitest": [None, StrOptions(MULTITEST_METHODS)],
        "sparsity": [None, *SPARSITY_OR_AUTO],
        "max_drop": MAX_DROP,
        "keep_connected": ["boolean"],
        "on_infeasible": [StrOptions({"prune", "keep"})],
        "on_collapse": [StrOptions({"repair", "raise"})],
    }

    def __init__(self, *, mode="full", partial_epochs="auto", window="auto",
                 maxlag="auto", overlap=0.1, lyapunov_dim=2, lyapunov_delay=1,
                 lyapunov_steps=3, lyapunov_theiler=0, lyapunov_fit_steps=1,
                 min_range=1e-5, test="ssr_chi2test", stationarity=None, risk="loss",
                 alpha=0.05, lyapunov_threshold=None, multitest=None, sparsity=None,
                 max_drop=0.01, keep_connected=False, on_infeasible="prune",
                 on_collapse="repair"):
        self.mode = mode
        self.partial_epochs = partial_epochs
        self.window = window
        self.maxlag = maxlag
        self.overlap = overlap
        self.lyapunov_dim = lyapunov_dim
        self.lyapunov_delay = lyapunov_delay
        self.lyapunov_steps = lyapunov_steps
        self.lyapunov_theiler = lyapunov_theiler
        self.lyapunov_fit_steps = lyapunov_fit_steps
        self.min_range = min_range
        self.test = test
        self.stationarity = stationarity
        self.risk = risk
        self.alpha = alpha
        self.lyapunov_threshold = lyapunov_threshold
        self.multitest = multitest
        self.sparsity = sparsity
        self.max_drop = max_drop
        self.keep_connected = keep_connected
        self.on_infeasible = on_infeasible
        self.on_collapse = on_collapse

    def _validate_params(self):
        """scikit-learn's parameter validation, then the one check of the
        window against the Lyapunov parameters (the public entry)."""
        super()._validate_params()
        if self.window != "auto":
            check_window(self.window, dim=self.lyapunov_dim, delay=self.lyapunov_delay,
                         steps=self.lyapunov_steps, theiler=self.lyapunov_theiler)

    # -- the dense run -------------------------------------------------------
    def dense_epochs(self, max_iter, per_epoch):
        """Epochs of the dense run: ``max_iter`` in 'full' mode, the
        ``partial_epochs`` rule in 'partial' mode."""
        return self.recording_plan(max_iter, per_epoch)[0]

    def recording_plan(self, max_iter, per_epoch):
        """Dense epochs and recording settings for a run of ``max_iter``
        epochs of ``per_epoch`` updates, with the 'auto' values resolved.

        The settings hold every recording parameter that shapes the
        exponents, under its setting's name in the one parameter table;
        'partial' mode with ``window='auto'`` uses the window the full run
        would get, so that FT and PT windows have the same length.
        """
        window = (auto_window(max_iter * per_epoch, self.overlap) if self.window == "auto"
                  else int(self.window))
        epochs = max_iter
        if self.mode == "partial":
            if self.partial_epochs == "auto":
                n_windows = (AUTO_WINDOWS if self.maxlag == "auto"
                             else granger_min_length(self.maxlag, rule="dof"))
                rows = (n_windows - 1) * window_stride(window, self.overlap) + window
                need = -(-(rows - 1) // per_epoch)
                epochs = int(min(max_iter, max(math.ceil(0.1 * max_iter), need)))
            else:
                epochs = min(int(self.partial_epochs), max_iter)
        settings = {setting: getattr(self, name) for name, (kind, setting)
                    in _PARAMETERS.items() if kind == "recording" and setting != "epochs"}
        settings["window"] = window
        return epochs, settings

    def check_recording(self, recorded, max_iter, per_epoch):
        """Raise when a recorded run (its settings and ``epochs``) is not the
        one this strategy would record: its recording parameters need a new
        ``fit``."""
        epochs, settings = self.recording_plan(max_iter, per_epoch)
        wanted = dict(settings, epochs=epochs)
        differ = [f"{'/'.join(n for n, (_, s) in _PARAMETERS.items() if s == key)} "
                  f"({recorded.get(key)} recorded, {wanted[key]} asked)"
                  for key in wanted if recorded.get(key) != wanted[key]]
        if differ:
            raise ValueError(
                f"The dense run was recorded with other settings: {', '.join(differ)}. "
                f"The recording parameters ({', '.join(self.params_of_kind('recording'))}) "
                "need a new dense run: call fit with this pruning strategy instead of "
                "prune.")

    def _maxlag(self, n_windows):
        return auto_maxlag(n_windows) if self.maxlag == "auto" else int(self.maxlag)

    # -- the decision --------------------------------------------------------
    def _pvalues(self, dynamics):
        """Raw p-values, infeasible flags and what was differenced, for the
        test parameters; cached on ``dynamics`` so that a new decision on
        the same run repeats no test."""
        risk = dynamics.risk(self.risk)
        maxlag = self._maxlag(risk.shape[0])
        # Keyed by the test parameters of the one table ('auto' resolved).
        key = tuple((name, maxlag if name == "maxlag" else getattr(self, name))
                    for name in self.params_of_kind("test"))
        if key in dynamics.tests:
            return dynamics.tests[key]
        exponents = dynamics.exponents
        differenced = (False, False)
        if self.stationarity == "adf":
            from ..stationarity import make_stationary

            stationary = make_stationary(risk, exponents)
            risk, exponents = stationary.target, stationary.sources
            differenced = (stationary.target_differenced, stationary.sources_differenced)
        usable = causality.usable_lags(risk, maxlag) if np.ptp(risk) > 0 else np.zeros(maxlag, bool)
        if not usable.any():
            entry = dict(pvalues=None, infeasible=None, maxlag=maxlag,
                         differenced=differenced, usable=usable)
        else:
            result = causality.granger_pvalues(risk, exponents, maxlag=maxlag, test=self.test,
                                               lags="usable")
            entry = dict(pvalues=np.asarray(result.uncorrected_pvalues, dtype=np.float64),
                         infeasible=np.asarray(result.infeasible), maxlag=maxlag,
                         differenced=differenced, usable=usable)
        dynamics.tests[key] = entry
        return entry

    def decide(self, context):
        """Keep the weights whose exponents Granger-cause the risk (see the
        class), from the stored p-values when the test parameters were
        tested before on this run.

        Parameters
        ----------
        context : PruningContext
            With the dense run's ``dynamics``.

        Returns
        -------
        result : PruningResult
            The masks, and ``granger_pvalues_``, ``usable_lags_``,
            ``differenced_``, ``risk_series_`` and ``repaired_weights_``.
        """
        dynamics = context.dynamics
        if dynamics is None:
            raise ValueError(
                "chaos-causal pruning needs the dynamics of the dense run: fit with "
                "pruning=ChaosCausalPruning(...) (or track_dynamics=True) first.")
        if self.sparsity == "auto":
            return search_sparsity(self, context)
        entry = self._pvalues(dynamics)
        n_weights = dynamics.exponents.shape[1]
        risk = dynamics.risk(self.risk)
        max_exponents = dynamics.exponents.max(axis=0)
        info = {"differenced_": entry["differenced"], "usable_lags_": entry["usable"],
                "risk_series_": risk}
        if entry["pvalues"] is None:
            if self.sparsity is not None:
                raise ValueError(
                    f"No Granger test was possible at any lag 1..{entry['maxlag']}: the "
                    f"{self.risk} risk series {_why_degenerate(risk)}, so "
                    "weights cannot be ranked for sparsity="
                    f"{self.sparsity}. Use risk='loss', a larger validation_fraction, "
                    "or a run whose risk keeps changing (fewer epochs, a smaller "
                    "learning rate).")
            warn_user(
                f"No Granger test was possible at any lag 1..{entry['maxlag']}: the "
                f"{self.risk} risk series {_why_degenerate(risk)}, so the "
                "test prunes no weight (p = 0 for all). Use risk='loss' (continuous), "
                "a larger validation_fraction, or a run whose risk keeps changing.",
                DegenerateRiskWarning)
            pvalues = np.zeros(n_weights)
        else:
            # The two-stage FDR methods depend on the level they control.
            pvalues = causality.adjust_pvalues(entry["pvalues"], entry["infeasible"],
                                               on_infeasible=self.on_infeasible,
                                               multitest=self.multitest, alpha=self.alpha)
        info["granger_pvalues_"] = pvalues
        if self.sparsity is not None and self.keep_connected:
            order = causal_prune_order(pvalues, max_exponents, self.lyapunov_threshold)
            keep = connected_keep_mask(order_scores(order), context.shapes, self.sparsity)
        else:
            keep = causal_keep_mask(pvalues, max_exponents, alpha=self.alpha,
                                    lyapunov_threshold=self.lyapunov_threshold,
                                    sparsity=self.sparsity)
        info["repaired_weights_"] = 0
        masks = context.unflat(keep)
        if self.sparsity is None and self.on_collapse == "repair":
            cut = np.flatnonzero(~reached_outputs(masks))
            if cut.size:
                masks, n_added = repair_collapse(masks, context.unflat(pvalues))
                info["repaired_weights_"] = n_added
                info["_repaired_outputs"] = cut.tolist()
        return PruningResult(masks, info)


def _why_degenerate(risk):
    if np.ptp(risk) == 0:
        return f"was constant ({risk[0]:.4g}) over all {risk.size} windows"
    return (f"took {np.unique(risk).size} distinct values over {risk.size} windows "
            "and was degenerate (a constant stretch or a perfect fit of its own lags)")


_base._DEFAULT_RECORDING = ChaosCausalPruning
