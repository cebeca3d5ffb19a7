"""Granger-causality p-values for thousands of sources at once.

:func:`granger_pvalues` answers, for every column ``x`` of ``sources``,
"does ``x`` Granger-cause ``target``?" with exactly the numbers that
``statsmodels.tsa.stattools.grangercausalitytests`` gives on the two-column
array ``[target, x]`` (see docs/method.md section 4), but without a Python
loop over sources:

* the restricted model (``target`` on its own lags and a constant) depends
  only on the target, so it is fitted once per lag;
* by Frisch-Waugh-Lovell, the unrestricted model of each source reduces to
  an ``l x l`` problem on the source's lags residualised on the restricted
  design;
* a fast path builds those small problems from lagged cross-products (BLAS
  and a compiled kernel, :mod:`skchaosprune._kernels.granger`) and solves
  them by Cholesky with an a-posteriori bound on the error of every
  p-value (first order, with a probabilistic ``sqrt(n) eps`` rounding
  model and safety factors; measured errors are over 1,000 times smaller
  than the bound); every (source, lag) whose bound exceeds ``1e-9``, or
  whose Cholesky shows a (near) rank deficiency, is recomputed by the exact
  path: statsmodels' own algorithm (pinv of the joint design by SVD, its
  cut-offs and rank rule), batched over sources.

With ``lags='usable'``, lags at which the target's own lagged design is
degenerate (:func:`usable_lags`) are skipped instead of making every source
infeasible, and so are the lags too short for a meaningful test (fewer than
``2 l + 1`` residual degrees of freedom, ``T < 5 l + 2``:
:func:`granger_min_length` with ``rule='dof'``, the one home of that rule),
as docs/method.md section 4 describes; :func:`adjust_pvalues`
is the last step (infeasible sources, multiple-testing correction) on its
own, to re-decide from stored raw p-values.

The statistics do not depend on the scale of the target or of any source
(OLS with a constant term); statsmodels' computation does, and at extreme
magnitudes it returns NaN. A target or source of extreme magnitude is
rescaled by a power of two first, exactly; inputs in the normal range are
used as given (see "Scale" in :func:`granger_pvalues`).

The optional stationarity step that may precede the tests (augmented
Dickey-Fuller p-values and the reference code's differencing rule) is in
:mod:`skchaosprune.stationarity`.

statsmodels' regression code is not called here (the test suite uses it as
the oracle).
"""

import numbers
import warnings
from typing import NamedTuple

import numpy as np
from scipy import special

from ._ols import EPS as _EPS
from ._ols import ols_pinv

__all__ = [
    "GrangerResult",
    "auto_maxlag",
    "granger_pvalues",
    "granger_min_length",
    "usable_lags",
    "adjust_pvalues",
]

_TESTS = ("ssr_chi2test", "ssr_ftest", "lrtest")
_LAG_MODES = ("all", "usable")
#: the fast path's result is used only where its p-value error bound is below this
_FAST_PTOL = 1e-9
#: sources per chunk of the compiled kernel (the unit of parallel work)
_CHUNK = 64
#: magnitude range left as given: a target or source whose largest absolute
#: value lies outside [_SCALE_MIN, _SCALE_MAX] is rescaled by a power of two
#: to a largest absolute value in [0.5, 1) (see "Scale" in granger_pvalues)
_SCALE_MIN = 1e-10
_SCALE_MAX = 1e10
#: a source whose largest absolute value is below this fraction of
#: max(1, the target's) is rescaled too: statsmodels' pinv cut-off
#: (1e-15 * s_max) would drop its columns from the joint design
_SOURCE_RATIO_MIN = 1e-16


class GrangerResult(NamedTuple):
    """Result of :func:`granger_pvalues`.

    With ``reduce='min'`` every per-source field has shape ``(n_sources,)``;
    with ``reduce=None`` ``pvalues``, ``uncorrected_pvalues``, ``statistics``
    and ``df_resid`` have shape ``(n_sources, maxlag)`` (column ``l - 1`` is
    lag ``l``) and ``lags`` is ``arange(1, maxlag + 1)``.

    With ``lags='usable'`` the lags where ``usable_lags`` is False are
    skipped: ``reduce='min'`` reduces over the usable lags only, and with
    ``reduce=None`` their columns hold p = 1.0 (after any correction too)
    and NaN statistics and ``df_resid``, for every source.

    Attributes
    ----------
    pvalues : ndarray of float
        The p-value of each source (after the ``multitest`` correction, if
        any). Never NaN: infeasible sources get 1.0 (``on_infeasible='prune'``)
        or 0.0 (``'keep'``).
    statistics : ndarray of float
        The test statistic behind each p-value (at the lag in ``lags`` when
        reduced); NaN for infeasible sources.
    lags : ndarray of int
        ``reduce='min'``: the lag (1-based) achieving the minimum p-value
        (the smallest such lag on ties; a usable lag with
        ``lags='usable'``), 0 for infeasible sources.
        ``reduce=None``: the lags of the columns, ``1 .. maxlag``.
    df_resid : ndarray of float
        Residual degrees of freedom of the unrestricted model
        (``nobs - rank``), the denominator degrees of freedom of
        ``ssr_ftest``; NaN for infeasible sources.
    infeasible : ndarray of bool, shape (n_sources,)
        Sources for which statsmodels would raise ``InfeasibleTestError`` at
        some lag (a constant lagged column, or a perfect fit); with
        ``lags='usable'``, at some usable lag, because of the source's own
        series.
    uncorrected_pvalues : ndarray of float
        The p-values before the ``multitest`` correction (infeasible sources
        already filled in; the same values as ``pvalues`` when
        ``multitest is None``). With ``reduce='min'``,
        ``adjust_pvalues(uncorrected_pvalues, infeasible, ...)`` recomputes
        ``pvalues`` for other ``on_infeasible`` or ``multitest`` choices.
    usable_lags : ndarray of bool, shape (maxlag,)
        Entry ``l - 1`` is False where the target's own lagged design is
        degenerate at lag ``l``, or where the series is too short for a
        meaningful test at lag ``l`` (``T < 5 l + 2``: fewer than
        ``2 l + 1`` residual degrees of freedom) (:func:`usable_lags`), in
        either mode; with ``lags='all'`` a degenerate lag makes statsmodels
        raise for (practically) every source, and a too short one is tested
        as statsmodels tests it.
    test, maxlag, reduce, on_infeasible, multitest
        The arguments used.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> y, X = rng.normal(size=60), rng.normal(size=(60, 4))
    >>> res = granger_pvalues(y, X, maxlag=2, multitest="fdr_bh")
    >>> res.pvalues.shape, res.lags.shape, res.test, res.multitest
    ((4,), (4,), 'ssr_chi2test', 'fdr_bh')
    >>> bool(np.all(res.pvalues >= res.uncorrected_pvalues))
    True
    >>> granger_pvalues(y, X, maxlag=2, reduce=None).statistics.shape
    (4, 2)
    >>> res.usable_lags
    array([ True,  True])
    """

    pvalues: np.ndarray
    statistics: np.ndarray
    lags: np.ndarray
    df_resid: np.ndarray
    infeasible: np.ndarray
    uncorrected_pvalues: np.ndarray
    usable_lags: np.ndarray
    test: str
    maxlag: int
    reduce: object
    on_infeasible: str
    multitest: object


#: the length rules of granger_min_length; the one home of both (docs/method.md
#: section 4, "Length and degrees of freedom"): lag ``l`` needs
#: ``_LENGTH_FACTOR[rule] * l + 2`` time steps
_LENGTH_FACTOR = {"statsmodels": 3, "dof": 5}


def granger_min_length(maxlag=14, *, rule="statsmodels"):
    """Smallest series length for Granger tests at every lag up to ``maxlag``.

    At lag ``l`` the regressions use ``nobs = T - l`` rows and the
    unrestricted model has ``2 l + 1`` coefficients, so ``nobs - 2 l - 1 =
    T - 3 l - 1`` residual degrees of freedom are left.

    * ``rule='statsmodels'``: statsmodels' minimum, ``T > 3 maxlag + 1``
      (at least 1 residual degree of freedom at the largest lag); the
      shortest series :func:`granger_pvalues` accepts.
    * ``rule='dof'``: the package's rule for a meaningful test, at least
      ``2 l + 1`` residual degrees of freedom at every lag ``l`` used, i.e.
      ``T >= 5 l + 2``. The chi-square statistic is ``nobs / dof`` times
      ``l`` times the F statistic, so with 1 residual degree of freedom it
      calls (practically) every source causal; the rule bounds that
      factor by 2. ``granger_pvalues(..., lags='usable')`` skips the lags
      that break it, and a chaos-causal run records at least this many
      windows (docs/method.md section 4).

    Parameters
    ----------
    maxlag : int, default=14
        The largest lag tested.
    rule : {'statsmodels', 'dof'}, default='statsmodels'
        Which minimum.

    Returns
    -------
    int
        ``3 * maxlag + 2`` (``'statsmodels'``) or ``5 * maxlag + 2``
        (``'dof'``).

    Examples
    --------
    >>> granger_min_length(14)
    44
    >>> granger_min_length(1)
    5
    >>> granger_min_length(14, rule="dof"), granger_min_length(1, rule="dof")
    (72, 7)
    """
    maxlag = _check_maxlag(maxlag)
    if not isinstance(rule, str) or rule not in _LENGTH_FACTOR:
        raise ValueError(
            f"rule must be 'statsmodels' (3 * maxlag + 2) or 'dof' (5 * maxlag + 2: at "
            f"least 2 lag + 1 residual degrees of freedom at every lag), got {rule!r}."
        )
    return _LENGTH_FACTOR[rule] * maxlag + 2


def _max_lag(T, rule):
    """The largest lag ``granger_min_length(lag, rule=rule) <= T`` allows (may be 0)."""
    return max((int(T) - 2) // _LENGTH_FACTOR[rule], 0)


def _dof_lags(T, maxlag):
    """Boolean (maxlag,): lag ``l`` keeps at least ``2 l + 1`` residual
    degrees of freedom on ``T`` time steps (``rule='dof'``)."""
    return np.arange(1, maxlag + 1) <= _max_lag(T, "dof")


def _check_dof_length(T):
    """ValueError when not even lag 1 meets the 'dof' rule."""
    need = granger_min_length(1, rule="dof")
    if T < need:
        raise ValueError(
            f"Too few time steps for a meaningful Granger test at any lag: {T}, but "
            f"even lag 1 needs {need} (at least 2 lag + 1 residual degrees of freedom, "
            f"T >= 5 lag + 2; with fewer the chi-square test calls practically every "
            f"source causal; docs/method.md section 4). Use a longer series (more "
            f"windows: a longer run or a smaller window)."
        )


#: The ``maxlag='auto'`` rule's cap: the paper's maxlag.
AUTO_MAX_LAG = 14


def auto_maxlag(n_windows):
    """The largest lag ``maxlag='auto'`` tests on ``n_windows`` windows.

    Half of the largest lag statsmodels allows (it needs ``3 * maxlag + 2``
    observations), at most the paper's 14 and at least 1:
    ``min(14, max(1, (n_windows - 2) // 6))``; from 7 windows on, every lag
    it tests keeps the package's degrees-of-freedom rule (``5 * maxlag + 2``
    windows, :func:`granger_min_length`).

    Examples
    --------
    >>> from skchaosprune.causality import auto_maxlag
    >>> auto_maxlag(20), auto_maxlag(45), auto_maxlag(438)
    (3, 7, 14)
    """
    return int(min(AUTO_MAX_LAG, max(1, (int(n_windows) - 2) // 6)))


def _check_maxlag(maxlag):
    if isinstance(maxlag, bool) or not isinstance(maxlag, numbers.Integral):
        raise ValueError(
            f"maxlag must be a positive integer, got {maxlag!r}; "
            "pass e.g. maxlag=14 (the reference value)."
        )
    maxlag = int(maxlag)
    if maxlag < 1:
        raise ValueError(f"maxlag must be a positive integer (>= 1), got {maxlag}.")
    return maxlag


def _multitest_methods():
    try:  # statsmodels' table of method names and aliases (private)
        from statsmodels.stats.multitest import _alias_list
    except ImportError:  # pragma: no cover - other statsmodels versions
        return None
    return sorted(name for names in _alias_list for name in names)


def _as_target(target):
    """float64 target (T,), with clear errors."""
    try:
        y = np.asarray(target, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"target must be a numeric array: {exc}") from exc
    if y.ndim != 1:
        raise ValueError(f"target must be 1-D of shape (T,), got shape {y.shape}.")
    return y


def _as_columns(values, name, columns):
    """float64 2-D (T, n) array of one series per column (1-D: one series),
    with clear errors naming ``name`` and its ``columns``."""
    try:
        X = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a numeric array: {exc}") from exc
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D of shape (T, {columns}), got shape {X.shape}.")
    return X


def _check_finite_columns(X, name, needs):
    """ValueError naming the first columns of ``X`` with NaN or inf."""
    if not np.isfinite(X).all():
        bad = np.flatnonzero(~np.isfinite(X).all(axis=0))
        raise ValueError(
            f"{name} contain NaN or inf values (columns {bad[:10].tolist()}"
            f"{'...' if bad.size > 10 else ''}); {needs} finite series."
        )


def _as_target_sources(target, sources):
    """float64 target (T,) and sources (T, n_sources), with clear errors."""
    y = _as_target(target)
    X = _as_columns(sources, "sources", "n_sources")
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            f"sources must have one row per time step of target: target has "
            f"{y.shape[0]} time steps, sources has shape {X.shape} (transpose it?)."
        )
    return y, X


def _check_target(y, maxlag):
    """The target's checks shared by granger_pvalues and usable_lags."""
    T = y.shape[0]
    need = granger_min_length(maxlag)
    if T < need:
        raise ValueError(
            f"Insufficient observations: {T} time steps, but maxlag={maxlag} needs "
            f"at least 3 * maxlag + 2 = {need} (statsmodels' rule). Use a longer "
            f"series (more windows) or maxlag <= {_max_lag(T, 'statsmodels')}."
        )
    if not np.isfinite(y).all():
        raise ValueError("target contains NaN or inf values; Granger tests need finite series.")
    if T and np.all(y == y[0]):
        raise ValueError(
            "target is constant: no Granger test is possible (statsmodels raises "
            "InfeasibleTestError for every source). A constant risk series means "
            "the network's error never changed over the windows; check the run."
        )


def _check_adjust(on_infeasible, multitest, alpha):
    """The options shared by granger_pvalues and adjust_pvalues."""
    if on_infeasible not in ("prune", "keep"):
        raise ValueError(
            f"on_infeasible must be 'prune' (p = 1) or 'keep' (p = 0), got {on_infeasible!r}."
        )
    known = _multitest_methods() if multitest is not None else None
    if known is not None and multitest not in known:
        raise ValueError(
            f"multitest must be None or a statsmodels.stats.multitest.multipletests "
            f"method ({', '.join(known)}), got {multitest!r}."
        )
    if multitest is not None and (
        isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not 0.0 < alpha < 1.0
    ):
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}.")


def _validate(target, sources, maxlag, test, reduce, on_infeasible, multitest, alpha, lags):
    maxlag = _check_maxlag(maxlag)
    if test not in _TESTS:
        raise ValueError(f"test must be one of {_TESTS}, got {test!r}.")
    if reduce not in ("min", None):
        raise ValueError(f"reduce must be 'min' or None, got {reduce!r}.")
    if not isinstance(lags, str) or lags not in _LAG_MODES:
        raise ValueError(
            f"lags must be 'all' (statsmodels: every lag 1..maxlag) or 'usable' "
            f"(skip lags where the target alone is degenerate), got {lags!r}."
        )
    _check_adjust(on_infeasible, multitest, alpha)
    y, X = _as_target_sources(target, sources)
    _check_target(y, maxlag)
    _check_finite_columns(X, "sources", "Granger tests need")
    return y, X, maxlag


def _max_abs(X):
    """Largest absolute value of each column of a 2-D array (no temporary |X|)."""
    if X.shape[0] == 0:
        return np.zeros(X.shape[1])
    return np.maximum(X.max(axis=0), -X.min(axis=0))


def _rescale_columns(X, cols):
    """A copy of ``X`` whose columns ``cols`` (bool) are divided by the power
    of two ``2**e`` with ``max |column| = f * 2**e``, ``0.5 <= f < 1``
    (``np.frexp``): exact, no rounding, so equal values stay equal and
    the largest absolute value becomes ``f``. ``X`` itself when no column
    is selected."""
    if not cols.any():
        return X
    X = X.copy()
    _, e = np.frexp(_max_abs(X[:, cols]))
    X[:, cols] = np.ldexp(X[:, cols], -e)
    return X


def _target_scaled(y):
    """The target, rescaled when its magnitude is outside the normal range."""
    m = _max_abs(y[:, None])[0]
    if _SCALE_MIN <= m <= _SCALE_MAX or m == 0.0:
        return y
    return _rescale_columns(y[:, None], np.ones(1, dtype=bool))[:, 0]


def _scaled(y, X):
    """Target and sources with the extreme ones rescaled (docs: "Scale").

    The Granger statistics are exactly invariant to multiplying the target,
    or any one source, by a constant (OLS with a constant term); statsmodels'
    computation is not, outside a moderate range of magnitudes. The target,
    and each source on its own, is divided by a power of two (exact) when
    its largest absolute value is outside ``[1e-10, 1e10]``, and so is a
    source below ``1e-16 * max(1, target's)``. Inputs in the normal range
    are returned as they are (the very same arrays)."""
    y = _target_scaled(y)
    m = _max_abs(X)
    ref = max(1.0, float(_max_abs(y[:, None])[0]))
    cols = (m > 0.0) & ((m < _SCALE_MIN) | (m > _SCALE_MAX) | (m < _SOURCE_RATIO_MIN * ref))
    return y, _rescale_columns(X, cols)


# ----------------------------------------------------------------------------
# Shared (target-only) part of one lag
# ----------------------------------------------------------------------------


class _Restricted(NamedTuple):
    lag: int
    nobs: int
    ssr: float
    tss: float
    rank: int
    smax: float
    infeasible: bool  # statsmodels' checks fail on the target alone (every source)
    degenerate: bool  # infeasible, or a perfect restricted fit: not usable


def _restricted(y, lag):
    """Fit the restricted model at ``lag`` the way statsmodels' OLS does (pinv)."""
    T = y.shape[0]
    nobs = T - lag
    yv = y[lag:]
    Xr = np.empty((nobs, lag + 1))
    for k in range(1, lag + 1):
        Xr[:, k - 1] = y[lag - k : T - k]
    Xr[:, lag] = 1.0
    fit = ols_pinv(Xr[None], yv)
    ssr, s = float(fit.ssr[0]), fit.singular_values[0]
    centered = yv - yv.mean()
    tss = float(np.dot(centered, centered))
    # statsmodels: InfeasibleTestError on a constant lagged target column, or
    # (perfect fit) when the target rows are constant (tss == 0).
    const_col = any(np.all(Xr[:, k] == Xr[0, k]) for k in range(lag))
    infeasible = bool(const_col or tss == 0.0 or np.all(yv == yv[0]))
    # (the fast path's full-rank check: at the unrestricted design's
    # tolerance, 2 lag + 1 columns, stricter than statsmodels' own rank rule)
    rank = int(np.count_nonzero(s > s.max() * max(2 * lag + 1, 1) * _EPS))
    # statsmodels' perfect-fit rule, applied to the restricted fit: the
    # target's own lags explain it (then so does every unrestricted model)
    perfect = tss == 0.0 or ssr == 0.0 or ssr / tss < _EPS
    degenerate = bool(infeasible or perfect)
    return _Restricted(lag, nobs, ssr, tss, rank, float(s.max()), infeasible, degenerate)


def usable_lags(target, maxlag=14):
    """Which lags, from 1 to ``maxlag``, can test any source for ``target``.

    A lag is not usable when the target's own lagged (restricted) design is
    degenerate there, whatever the source: a lagged target column is
    constant over the rows used (``t = l .. T-1``), the target rows are
    constant (total sum of squares 0), or the target's own lags fit it
    perfectly (``SSR_r / TSS < eps``, statsmodels' perfect-fit rule). At such
    a lag statsmodels' ``grangercausalitytests`` raises
    ``InfeasibleTestError`` for every source, or (where its own rounding
    keeps the unrestricted SSR or the centred TSS of constant rows just
    above its cut-offs) reports a statistic made of rounding noise; the
    lag says nothing about any source.

    Nor is a lag usable where the series is too short for a meaningful test
    there: fewer than ``2 l + 1`` residual degrees of freedom, i.e.
    ``T < 5 l + 2`` (``granger_min_length(l, rule='dof')``; statsmodels
    tests such a lag, and its chi-square test then calls practically every
    source causal). ``granger_pvalues(..., lags='usable')`` skips the lags
    that are not usable (docs/method.md section 4).

    Parameters
    ----------
    target : array-like of shape (T,)
        The series to be explained (the risk series).
    maxlag : int, default=14
        Largest lag; needs ``T >= 3 * maxlag + 2`` (:func:`granger_min_length`),
        and only lags ``l`` with ``T >= 5 l + 2`` can be usable.

    Returns
    -------
    ndarray of bool, shape (maxlag,)
        Entry ``l - 1`` is True where lag ``l`` is usable.

    Raises
    ------
    ValueError
        As :func:`granger_pvalues` for the target: NaN or inf, ``maxlag < 1``,
        too few time steps, not 1-D, or a constant target; and when
        ``T < 7``, too short for a meaningful test even at lag 1.

    Examples
    --------
    A risk series that stops moving after its first 4 windows can only be
    tested at lags 1 to 3: from lag 4 on, the target rows (or a lagged
    column) are constant.

    >>> import numpy as np
    >>> risk = np.r_[0.9, 0.5, 0.4, 0.3, np.full(40, 0.2)]
    >>> usable_lags(risk, maxlag=6)
    array([ True,  True,  True, False, False, False])

    A quadratic trend is a perfect autoregression of order 2 (its second
    differences are constant):

    >>> usable_lags((np.arange(50.0) - 20.0) ** 2, maxlag=4)
    array([ True, False, False, False])

    On 20 time steps, lags above 3 leave too few residual degrees of freedom
    (``20 < 5 * 4 + 2``), whatever the series:

    >>> usable_lags(np.random.default_rng(0).normal(size=20), maxlag=6)
    array([ True,  True,  True, False, False, False])

    Notes
    -----
    A target whose largest absolute value is above ``1e10`` or below
    ``1e-10`` is first divided by a power of two, as in
    :func:`granger_pvalues` ("Scale"): the answer does not depend on the
    scale.

    The perfect-fit rule is applied to statsmodels' own fit (pinv by SVD
    with the cut-off ``1e-15 * s_max``). Where the target is an exact
    autoregression of order ``p``, its design at lags above ``p`` is rank
    deficient, and whether the fit there comes out perfect depends on
    whether a rounding-level singular value falls below that cut-off (for
    a sinusoid, an AR(2), the lag-3 fit can leave ``SSR_r / TSS`` near
    ``1e-6``): such a lag then counts as usable, as statsmodels tests it.
    """
    maxlag = _check_maxlag(maxlag)
    y = _as_target(target)
    _check_target(y, maxlag)
    _check_dof_length(y.shape[0])
    y = _target_scaled(y)
    return _usable(y, [_restricted(y, lag) for lag in range(1, maxlag + 1)])


def _usable(y, restricted):
    """The usable lags (:func:`usable_lags`) from the restricted fits of every lag."""
    not_degenerate = np.array([not rr.degenerate for rr in restricted], dtype=bool)
    return not_degenerate & _dof_lags(y.shape[0], len(restricted))


# ----------------------------------------------------------------------------
# Exact path: statsmodels' own algorithm, batched over sources
# ----------------------------------------------------------------------------


def _exact_lag(S, rr, y, chunk=256):
    """statsmodels' own unrestricted fit at one lag, batched over sources.

    ``S`` is (T, m), the raw sources. For each source the joint design
    ``[target lags 1..l, source lags 1..l, 1]`` goes through the same
    algorithm as ``OLS(...).fit()`` (:func:`skchaosprune._ols.ols_pinv`:
    pinv by SVD with statsmodels' cut-off ``1e-15 * s_max``; rank by
    ``matrix_rank`` of the singular values), so that nearly collinear or
    rank-deficient designs get statsmodels' answer, rounding included as far
    as LAPACK allows. Returns (explained, SSR_u,
    rank of the joint design), each of shape (m,), with
    ``explained = SSR_r - SSR_u`` as statsmodels computes it.
    """
    lag, nobs = rr.lag, rr.nobs
    T, m = S.shape
    ncol = 2 * lag + 1
    yv = y[lag:]
    ssr_u = np.empty(m)
    rank = np.empty(m, dtype=np.int64)
    for j0 in range(0, m, chunk):
        j1 = min(j0 + chunk, m)
        A = np.empty((j1 - j0, nobs, ncol))
        for k in range(1, lag + 1):
            A[:, :, k - 1] = y[lag - k : T - k]
            A[:, :, lag + k - 1] = S[lag - k : T - k, j0:j1].T
        A[:, :, 2 * lag] = 1.0
        fit = ols_pinv(A, yv)
        ssr_u[j0:j1] = fit.ssr
        rank[j0:j1] = fit.rank
    explained = rr.ssr - ssr_u
    return explained, ssr_u, rank


# ----------------------------------------------------------------------------
# Feasibility: constant lagged columns (statsmodels' first check)
# ----------------------------------------------------------------------------


def _constant_lag_columns(S, maxlag):
    """Boolean (maxlag, m): does lag ``l`` have a constant lagged source column?

    The lag-``k`` column at lag ``l`` is ``S[l-k : T-k]``; it is constant when
    no value changes inside that range. Every range contains the middle rows
    ``maxlag-1 .. T-1-maxlag``, so only sources constant there need the full
    check.
    """
    T, m = S.shape
    out = np.zeros((maxlag, m), dtype=bool)
    mid = np.all(S[maxlag : T - maxlag] == S[maxlag - 1 : T - maxlag - 1], axis=0)
    cand = np.flatnonzero(mid)
    if cand.size == 0:
        return out
    Sc = S[:, cand]
    change = np.zeros((T, cand.size), dtype=np.int32)
    change[1:] = Sc[1:] != Sc[:-1]
    cum = np.cumsum(change, axis=0)
    for lag in range(1, maxlag + 1):
        for k in range(1, lag + 1):
            a, b = lag - k, T - k  # column covers S[a:b]
            out[lag - 1, cand] |= (cum[b - 1] - cum[a]) == 0
    return out


# ----------------------------------------------------------------------------
# Statistics
# ----------------------------------------------------------------------------


def _statistic(test, explained, ssr_u, nobs, lag, df_resid):
    """Statistic and p-value; the survival functions are scipy.stats' own
    (``chi2.sf`` is ``chdtrc``, ``f.sf`` is ``fdtrc``) without the
    per-call argument handling, with ``sf(x < 0) = 1`` as in scipy.stats."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if test == "ssr_chi2test":
            stat = nobs * explained / ssr_u
            return stat, special.chdtrc(lag, np.maximum(stat, 0.0))
        if test == "ssr_ftest":
            stat = explained / ssr_u / lag * df_resid
            return stat, special.fdtrc(lag, df_resid, np.maximum(stat, 0.0))
        stat = nobs * np.log1p(explained / ssr_u)  # lrtest
        return stat, special.chdtrc(lag, np.maximum(stat, 0.0))


class _Fast(NamedTuple):
    """Shared, target-only inputs of the compiled fast path (all lags)."""

    yt: np.ndarray  # centred, scaled target
    W: np.ndarray  # (rows, T): lagged cross-sum rows, then b rows per lag
    rinvt: np.ndarray  # (maxlag, maxlag+1, maxlag+1), R^-T per lag
    ssr_r: np.ndarray
    tss: np.ndarray
    nrinv: np.ndarray
    nxr: np.ndarray
    de: np.ndarray
    ok: np.ndarray  # (maxlag,) bool: restricted design well conditioned


def _fast_shared(y, maxlag):
    T = y.shape[0]
    M = maxlag
    yt = y - y.mean()
    yt = yt / np.sqrt(np.mean(yt * yt))
    rows = 2 * M - 1 + M * (M + 1) // 2
    W = np.zeros((rows, T))
    for dd in range(-(M - 1), M):
        lo, hi = max(0, -dd), T - 1 - max(0, dd)
        W[dd + M - 1, lo : hi + 1] = yt[lo + dd : hi + dd + 1]
    rinvt = np.zeros((M, M + 1, M + 1))
    ssr_r, tss, nrinv, nxr, de = (np.zeros(M) for _ in range(5))
    ok = np.zeros(M, dtype=bool)
    row = 2 * M - 1
    for lag in range(1, M + 1):
        nobs = T - lag
        Xr = np.empty((nobs, lag + 1))
        for k in range(1, lag + 1):
            Xr[:, k - 1] = yt[lag - k : T - k]
        Xr[:, lag] = 1.0
        yv = yt[lag:]
        Q, R = np.linalg.qr(Xr)
        d = np.abs(np.diag(R))
        e = yv - Q @ (Q.T @ yv)
        e -= Q @ (Q.T @ e)
        if d.min() > 1e-8 * d.max():
            ok[lag - 1] = True
            Ri = np.linalg.solve(R, np.eye(lag + 1))
            rinvt[lag - 1, : lag + 1, : lag + 1] = np.triu(Ri).T
            nrinv[lag - 1] = np.linalg.norm(Ri)
        ssr_r[lag - 1] = e @ e
        yc = yv - yv.mean()
        tss[lag - 1] = yc @ yc
        nxr[lag - 1] = np.linalg.norm(Xr)
        # e is reorthogonalised: its error is about eps * ||yv|| (probabilistic
        # model, with safety factors); an ill-conditioned restricted design
        # (cond > 1e8) is not used by the fast path at all
        de[lag - 1] = 4.0 * (lag + 2) * np.sqrt(T) * _EPS * np.linalg.norm(yv)
        for k in range(1, lag + 1):  # b_k = sum_t e[t-lag] x[t-k]
            W[row, lag - k : T - k] = e
            row += 1
    return _Fast(yt, W, rinvt, ssr_r, tss, nrinv, nxr, de, ok)


def _use_parallel_kernel():
    """Parallel kernel only where :func:`skchaosprune._parallel.parallel_allowed`
    says it is safe (main thread, not a forked child) and with at least 4
    Numba threads: on 2 cores, shared with BLAS threads, the one-thread
    kernel measured as fast or faster."""
    from ._parallel import parallel_allowed

    return parallel_allowed(min_threads=4)


def _fast_block(S, maxlag, fast, restricted):
    """Compiled fast path for a block: (maxlag, m) explained, SSR_u, bounds, flag."""
    from ._kernels.granger import fast_granger, fast_granger_serial

    kernel = fast_granger if _use_parallel_kernel() else fast_granger_serial
    T, m = S.shape
    xs = S - S.mean(axis=0)
    scale = np.sqrt(np.einsum("tm,tm->m", xs, xs) / T)
    tiny = scale * np.sqrt(T) < 1e-8 * max(rr.smax for rr in restricted)
    scale[scale == 0] = 1.0
    xs /= scale
    F = fast.W @ xs
    out = [np.zeros((maxlag, m)) for _ in range(4)]
    flag = np.zeros((maxlag, m), dtype=np.int8)
    kernel(xs, fast.yt, F, fast.rinvt, fast.ssr_r, fast.tss, fast.nrinv,
           fast.nxr, fast.de, maxlag, *out, flag, max(1, -(-m // _CHUNK)))
    flag = flag.astype(bool) | tiny[None, :] | ~fast.ok[:, None]
    return (*out, flag)


def _block(y, S, maxlag, restricted, test, fast=None, skip=None):
    """Per-lag statistics for one block of sources: arrays of shape (maxlag, m).

    Lags where ``skip`` (maxlag,) is True are not computed (NaN) and make no
    source infeasible."""
    m = S.shape[1]
    stat = np.full((maxlag, m), np.nan)
    pval = np.full((maxlag, m), np.nan)
    dfr = np.full((maxlag, m), np.nan)
    infeasible = _constant_lag_columns(S, maxlag)
    if fast is not None:
        f_expl, f_ssru, f_dexpl, f_dssr, f_flag = _fast_block(S, maxlag, fast, restricted)
    for lag in range(1, maxlag + 1):
        rr = restricted[lag - 1]
        if skip is not None and skip[lag - 1]:
            infeasible[lag - 1] = False
            continue
        if rr.infeasible:
            infeasible[lag - 1] = True
            continue
        ok = ~infeasible[lag - 1]
        if fast is not None and rr.rank == lag + 1:
            good = ok & ~f_flag[lag - 1]
            e, su = f_expl[lag - 1, good], f_ssru[lag - 1, good]
            de, ds = f_dexpl[lag - 1, good], f_dssr[lag - 1, good]
            df_resid = float(rr.nobs - 2 * lag - 1)
            s, p = _statistic(test, e, su, rr.nobs, lag, df_resid)
            # |dp| <= (x f(x))_max * (relative error of the statistic), and
            # x f(x) <= 0.5 sqrt(l) for the chi-square (l <= 14 checked; F and
            # LR statistics are no more peaked on a log scale); where that
            # cheap bound is not enough, evaluate the p-value at both ends
            with np.errstate(divide="ignore", invalid="ignore"):
                rel = de / e + ds / su
            sure = 0.5 * np.sqrt(lag) * 1.5 * rel <= _FAST_PTOL
            if not sure.all():
                unsure = ~sure
                e_, su_, de_, ds_ = e[unsure], su[unsure], de[unsure], ds[unsure]
                _, p_hi = _statistic(test, np.maximum(e_ - de_, 0.0), su_ + ds_, rr.nobs, lag,
                                     df_resid)
                _, p_lo = _statistic(test, e_ + de_, su_ - ds_, rr.nobs, lag, df_resid)
                sure[unsure] = (p_hi - p_lo) <= _FAST_PTOL
            idx = np.flatnonzero(good)[sure]
            stat[lag - 1, idx] = s[sure]
            pval[lag - 1, idx] = p[sure]
            dfr[lag - 1, idx] = df_resid
            ok[idx] = False  # done
        if not ok.any():
            continue
        idx = np.flatnonzero(ok)
        explained, ssr_u, rank_x = _exact_lag(S[:, idx], rr, y)
        perfect = (ssr_u == 0.0) | (ssr_u / rr.tss < _EPS)
        df_resid = (rr.nobs - rank_x).astype(np.float64)
        s, p = _statistic(test, explained, ssr_u, rr.nobs, lag, df_resid)
        infeasible[lag - 1, idx[perfect]] = True
        good = idx[~perfect]
        stat[lag - 1, good] = s[~perfect]
        pval[lag - 1, good] = p[~perfect]
        dfr[lag - 1, good] = df_resid[~perfect]
    return stat, pval, dfr, infeasible.any(axis=0)


def granger_pvalues(
    target,
    sources,
    maxlag=14,
    test="ssr_chi2test",
    reduce="min",
    *,
    on_infeasible="prune",
    multitest=None,
    alpha=0.05,
    lags="all",
    block_size=2048,
    method="auto",
):
    """Granger-causality p-values of many sources for one target.

    For each column ``x`` of ``sources`` and each lag ``l = 1 .. maxlag``,
    compares the restricted model (``target`` on its own ``l`` lags and a
    constant) with the unrestricted one (adding ``x``'s ``l`` lags), on rows
    ``l .. T-1``, exactly as ``statsmodels.tsa.stattools.
    grangercausalitytests(np.column_stack([target, x]), maxlag)`` does.

    Parameters
    ----------
    target : array-like of shape (T,)
        The series to be explained (the risk series).
    sources : array-like of shape (T, n_sources)
        One candidate cause per column (the windowed-Lyapunov series of each
        weight). A 1-D array is one source.
    maxlag : int, default=14
        Largest lag tested; needs ``T >= 3 * maxlag + 2``
        (:func:`granger_min_length`), statsmodels' minimum. With
        ``lags='usable'`` only the lags ``l`` with ``T >= 5 l + 2``
        (``granger_min_length(l, rule='dof')``) are tested.
    test : {'ssr_chi2test', 'ssr_ftest', 'lrtest'}, default='ssr_chi2test'
        The statsmodels test whose p-value is reported.
    reduce : {'min', None}, default='min'
        ``'min'``: the minimum p-value over lags (the reference method).
        ``None``: every lag, shape ``(n_sources, maxlag)``.
    on_infeasible : {'prune', 'keep'}, default='prune'
        Where statsmodels raises ``InfeasibleTestError`` (at any lag: a
        constant lagged column, e.g. an all-zero source, or a perfect fit)
        the source gets p = 1 (``'prune'``: no evidence of causality) or
        p = 0 (``'keep'``: the reference code's behaviour).
    multitest : str or None, default=None
        A ``statsmodels.stats.multitest.multipletests`` method (e.g.
        ``'fdr_bh'``, ``'bonferroni'``, ``'holm'``) applied across sources
        after the reduction over lags (with ``reduce=None``: across sources,
        separately for each lag). Infeasible sources take part with their
        assigned p-value.
    alpha : float, default=0.05
        Passed to ``multipletests``; only the two-stage FDR methods' corrected
        p-values depend on it.
    lags : {'all', 'usable'}, default='all'
        ``'all'``: every lag ``1 .. maxlag``, as statsmodels (which raises
        for the whole call when any lag fails): a lag at which the target's
        own lagged columns or rows are constant makes every source
        infeasible, with a ``RuntimeWarning``, and a perfect fit by the
        target's own lags makes (practically) every source's unrestricted
        fit perfect, hence infeasible. ``'usable'``: such lags
        (:func:`usable_lags`) are skipped; they make no source infeasible,
        a source's p-value is the minimum over the usable lags only, and a
        source is infeasible only where its own series makes a usable lag
        infeasible (a constant lagged source column, a perfect unrestricted
        fit). The lags with too few residual degrees of freedom for a
        meaningful test (``T < 5 l + 2``; see :func:`granger_min_length`,
        ``rule='dof'``) are skipped too, with a ``RuntimeWarning`` naming
        them. With ``reduce=None`` the skipped lags' columns hold p = 1.0
        and NaN statistics and ``df_resid`` (for every source, infeasible
        ones included). No warning about a degenerate target; ``ValueError``
        if no lag is usable, or if ``T < 7`` (not even lag 1 can be tested
        meaningfully).
    block_size : int, default=2048
        Sources processed at once: working memory is about
        ``block_size * (3 T + 3 maxlag^2) * 8`` bytes, plus up to
        ``256 * T * (2 maxlag + 1) * 24`` bytes when the exact path runs.
    method : {'auto', 'exact'}, default='auto'
        ``'auto'``: the compiled Cholesky fast path wherever its a-posteriori
        bound on the p-value error is below ``1e-9`` (and the problem is
        clearly full rank and clearly not a perfect fit), statsmodels'
        own algorithm (pinv by SVD), batched, for everything else.
        ``'exact'``: the latter for every source (about 100 times slower;
        for checking).

    Returns
    -------
    GrangerResult
        Named tuple: ``pvalues``, ``statistics``, ``lags``, ``df_resid``,
        ``infeasible``, ``uncorrected_pvalues``, ``usable_lags`` and the
        arguments used.

    Raises
    ------
    ValueError
        On NaN or inf, ``maxlag < 1``, too few time steps for ``maxlag``,
        mismatched shapes, a constant target, an unknown option, or (with
        ``lags='usable'``) no usable lag or ``T < 7``. (Extreme magnitudes
        are not an error: see "Scale" in the Notes.)

    Warns
    -----
    RuntimeWarning
        With ``lags='all'``, when the target's own lagged columns are
        constant at some lag (every source is then infeasible); with
        ``lags='usable'``, when lags are skipped because ``T < 5 l + 2``.

    Notes
    -----
    Infeasibility follows statsmodels: a source is infeasible when any of
    its lagged columns is constant over the rows used at some lag, or when
    the unrestricted fit is perfect (``SSR_u == 0`` or
    ``SSR_u / TSS < eps``) at some lag. With ``lags='all'``, a target whose
    own lagged columns (or rows) are constant at some lag makes every source
    infeasible (a warning says so); with ``lags='usable'`` that lag is
    skipped. A target constant over the whole series is an error in both
    modes. The reduction, the infeasible sources' p-values and the
    ``multitest`` correction (``reduce='min'``) are :func:`adjust_pvalues`.

    Degrees of freedom: at lag ``l`` the chi-square statistic is
    ``nobs / df_resid`` times ``l`` times the F statistic. On statsmodels'
    shortest series (``T = 3 maxlag + 2``) the largest lag keeps 1 residual
    degree of freedom, and the chi-square test rejects at 0.05 for 50 % of
    independent white-noise sources at lag 1 and 88 % at lag 4 (measured,
    500 sources x 20 draws); the F test keeps its size (4-5 %). The
    package's rule, ``T >= 5 l + 2`` (``df_resid >= 2 l + 1``, an
    inflation factor of at most 2), removes that degenerate case:
    ``lags='usable'`` skips the lags that break it. The chi-square test stays
    liberal on short series (26 % at lag 1 with ``T = 7``, 37 % at lag 4
    with ``T = 22``); ``test='ssr_ftest'`` is the one with the stated size
    (docs/method.md section 4).

    Two paths compute the same numbers. The compiled fast path (FWL with
    lagged sums and a Cholesky solve) is used only where the design is
    clearly full rank (every pivot keeps more than ``1e-8`` of its column's
    squared norm), clearly not a perfect fit, and its a-posteriori bound on
    the p-value error is below ``1e-9`` (measured errors are about
    ``1e-14``). Everything else goes through statsmodels' own algorithm,
    batched: pinv of the joint design by SVD with the cut-off
    ``1e-15 * s_max``, residual degrees of freedom from ``matrix_rank`` of
    the singular values, ``SSR_r - SSR_u`` as a difference. Rank decisions
    therefore agree with statsmodels except where a singular value lies
    within rounding of a cut-off (a source *exactly* collinear with the
    target's lags or with its own lags), where statsmodels' own answer is
    decided by its rounding; so is a statistic that is zero in exact
    arithmetic, whose computed value is rounding noise of order
    ``nobs * eps`` (moving a lag-1 chi-square p-value by up to ~1e-7).

    Scale: the statistics are exactly invariant to multiplying the target
    by a constant and each source by its own constant; statsmodels'
    computation is not (its joint design mixes the target's columns, the
    source's and a constant column of ones: rounding and its pinv cut-off
    ``1e-15 * s_max`` lose the smaller ones, and from about ``1e154`` its
    sums of squares overflow and it returns NaN). Before computing,

    * the target is divided by a power of two ``2**e`` (exact: no rounding;
      its largest absolute value becomes ``f`` in ``[0.5, 1)``) when its
      largest absolute value is above ``1e10`` or below ``1e-10``;
    * each source likewise, by its own power of two, when its largest
      absolute value is above ``1e10``, below ``1e-10``, or below
      ``1e-16 * max(1, target's largest absolute value)`` (after the
      target's rescaling), where statsmodels' cut-off drops the source's
      columns and reports no causality because of the scale alone.

    The result is then the one of the rescaled series (statistics,
    p-values, infeasibility), and equals the result on the series divided
    by their largest absolute values to rounding (measured: about
    ``1e-15``). Inputs inside
    those ranges are used as given, bit for bit as before, with
    statsmodels' own result, including where that result depends on the
    scale: a source between about ``1e-16`` and ``1e-11`` times a target
    larger than 1 (there statsmodels' p-value is dominated by rounding:
    measured off by up to 1e-7 .. 1e-5 at 1e-12 and by up to 1 at 1e-15;
    this function reproduces it, as the statsmodels comparisons require;
    divide such a source, or the target, by its largest absolute value to
    test it properly). All-zero sources are infeasible at any scale. The
    p-values are never NaN.

    The compiled kernel runs on all of Numba's threads when called from the
    main thread with at least 4 of them, and on one thread otherwise
    (Numba's default threading layer must not be entered from two threads
    at once; on 2 cores the one-thread kernel is as fast). The results do
    not depend on the choice.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> T = 200
    >>> x = rng.normal(size=T)
    >>> y = np.r_[0.0, 0.8 * x[:-1]] + 0.5 * rng.normal(size=T)
    >>> sources = np.column_stack([x, rng.normal(size=T), np.zeros(T)])
    >>> res = granger_pvalues(y, sources, maxlag=3)
    >>> bool(res.pvalues[0] < 1e-10), bool(res.pvalues[1] > 0.01)
    (True, True)
    >>> res.infeasible
    array([False, False,  True])
    >>> float(res.pvalues[2]), int(res.lags[0])
    (1.0, 1)
    >>> granger_pvalues(y, sources, maxlag=3, reduce=None).pvalues.shape
    (3, 3)

    Magnitudes do not matter, even where statsmodels returns NaN:

    >>> huge = granger_pvalues(1e200 * y, sources * [1e-300, 1e300, 1.0], maxlag=3)
    >>> bool(np.allclose(huge.pvalues, res.pvalues, rtol=0, atol=1e-12))
    True

    A target that stops moving early is degenerate at the larger lags:
    statsmodels (``lags='all'``) cannot test any source, ``lags='usable'``
    tests at the lags that remain.

    >>> risk = np.r_[0.9, 0.6, 0.5, 0.45, 0.3, np.full(T - 5, 0.25)]
    >>> res = granger_pvalues(risk, sources, maxlag=8, lags="usable")
    >>> res.usable_lags
    array([ True,  True,  True,  True, False, False, False, False])
    >>> res.infeasible
    array([False, False,  True])
    >>> bool(res.lags.max() <= 4)
    True
    """
    y, X, maxlag = _validate(target, sources, maxlag, test, reduce, on_infeasible, multitest,
                             alpha, lags)
    if method not in ("auto", "exact"):
        raise ValueError(f"method must be 'auto' or 'exact', got {method!r}.")
    if (isinstance(block_size, bool) or not isinstance(block_size, numbers.Integral)
            or block_size < 1):
        raise ValueError(f"block_size must be a positive integer, got {block_size!r}.")
    y, X = _scaled(y, X)
    T, n = X.shape
    restricted = [_restricted(y, lag) for lag in range(1, maxlag + 1)]
    usable = _usable(y, restricted)
    skip = None
    if lags == "usable":
        _check_dof_length(T)
        short = ~_dof_lags(T, maxlag)
        if not usable.any():
            few = (f" and lags {_lag_list(short)} leave too few residual degrees of "
                   f"freedom on {T} time steps (T >= 5 lag + 2 is needed)"
                   if short.any() else "")
            raise ValueError(
                f"No lag can be tested: the target's own lagged design is degenerate "
                f"at lags {_lag_list(~short)} (constant lagged columns or rows, or a "
                f"perfect fit by its own lags){few}, so no source can be judged. Use a "
                f"longer or more varied target series (a risk that keeps changing), "
                f"fewer lags (a smaller maxlag), or a continuous risk (e.g. the "
                f"loss instead of the error rate)."
            )
        if short.any():
            _warn_few_dof(T, maxlag, short, usable)
        skip = ~usable
    else:
        bad_lags = [rr.lag for rr in restricted if rr.infeasible]
        if bad_lags:
            warnings.warn(
                f"The target's own lagged columns are constant (or its rows are) at "
                f"lags {bad_lags}: every source is infeasible there, so every source "
                f"is reported as infeasible (on_infeasible={on_infeasible!r}). "
                f"lags='usable' skips such lags instead.",
                RuntimeWarning,
                stacklevel=2,
            )
    fast = _fast_shared(y, maxlag) if (method == "auto" and n) else None
    stat = np.empty((maxlag, n))
    pval = np.empty((maxlag, n))
    dfr = np.empty((maxlag, n))
    infeasible = np.empty(n, dtype=bool)
    for start in range(0, n, int(block_size)):
        stop = min(start + int(block_size), n)
        S = np.ascontiguousarray(X[:, start:stop])
        (stat[:, start:stop], pval[:, start:stop], dfr[:, start:stop],
         infeasible[start:stop]) = _block(y, S, maxlag, restricted, test, fast, skip)
    tested = np.ones(maxlag, dtype=bool) if skip is None else usable
    lost = np.isnan(pval[tested][:, ~infeasible]).any(axis=0)
    if lost.any():  # pragma: no cover - not reached by any known input
        bad = np.flatnonzero(~infeasible)[lost]
        raise ValueError(
            f"The Granger p-values of sources {bad[:10].tolist()}"
            f"{'...' if bad.size > 10 else ''} could not be computed (a non-finite "
            f"intermediate result). Check the sources' values, or rescale them."
        )
    fill = 1.0 if on_infeasible == "prune" else 0.0
    stat[:, infeasible] = np.nan
    pval[:, infeasible] = fill
    dfr[:, infeasible] = np.nan
    if reduce == "min":
        if n:
            best = np.argmin(np.where(tested[:, None], pval, np.inf), axis=0)
        else:
            best = np.zeros(0, dtype=np.intp)
        cols = np.arange(n)
        raw = pval[best, cols]
        s = stat[best, cols]
        d = dfr[best, cols]
        lag_of = np.where(infeasible, 0, best + 1).astype(np.int64)
        p = adjust_pvalues(raw, infeasible, on_infeasible=on_infeasible,
                           multitest=multitest, alpha=alpha)
    else:
        pval[~tested] = 1.0
        raw, s, d = pval.T.copy(), stat.T.copy(), dfr.T.copy()
        lag_of = np.arange(1, maxlag + 1, dtype=np.int64)
        p = raw
        if multitest is not None and n:
            p = raw.copy()
            for j in np.flatnonzero(tested):
                p[:, j] = _multipletests(raw[:, j], multitest, alpha)
    return GrangerResult(
        pvalues=p,
        statistics=s,
        lags=lag_of,
        df_resid=d,
        infeasible=infeasible,
        uncorrected_pvalues=raw,
        usable_lags=usable,
        test=test,
        maxlag=maxlag,
        reduce=reduce,
        on_infeasible=on_infeasible,
        multitest=multitest,
    )


def _lag_list(mask):
    """The 1-based lags where ``mask`` is True, as a list."""
    return (np.flatnonzero(mask) + 1).tolist()


def _warn_few_dof(T, maxlag, short, usable):
    """RuntimeWarning: the lags ``short`` are skipped for too few residual
    degrees of freedom (``rule='dof'`` of :func:`granger_min_length`)."""
    from ._warn import warn_user

    warn_user(
        f"Granger lags {_lag_list(short)} skipped: on {T} time steps the "
        f"unrestricted model at lag l keeps T - 3 l - 1 residual degrees of freedom, "
        f"fewer than 2 l + 1 at these lags (the rule T >= 5 l + 2; with fewer, the "
        f"chi-square test calls practically every source causal; docs/method.md "
        f"section 4). The p-values are the minimum over lags {_lag_list(usable)}. "
        f"To test every lag up to maxlag={maxlag}, use at least "
        f"{granger_min_length(maxlag, rule='dof')} time steps (windows: a longer "
        f"run or a smaller window), or maxlag <= {_max_lag(T, 'dof')}.",
        RuntimeWarning,
    )


def _multipletests(p, method, alpha):
    from statsmodels.stats.multitest import multipletests

    return multipletests(p, alpha=alpha, method=method)[1]


def adjust_pvalues(pvalues, infeasible, *, on_infeasible="prune", multitest=None, alpha=0.05):
    """Final p-values from raw ones: fill in infeasible sources, then correct.

    The last step of :func:`granger_pvalues` (``reduce='min'``) on its own,
    so that another ``on_infeasible`` or ``multitest`` choice can be applied
    to stored raw p-values (``GrangerResult.uncorrected_pvalues`` and
    ``GrangerResult.infeasible``) without recomputing the tests.

    Parameters
    ----------
    pvalues : array-like of shape (n_sources,)
        Raw p-values, one per source, in [0, 1]; the entries of infeasible
        sources are ignored (they may be NaN).
    infeasible : array-like of bool, shape (n_sources,)
        The sources no test was possible for.
    on_infeasible : {'prune', 'keep'}, default='prune'
        Infeasible sources get p = 1 (``'prune'``: no evidence of causality)
        or p = 0 (``'keep'``: the reference code's behaviour).
    multitest : str or None, default=None
        A ``statsmodels.stats.multitest.multipletests`` method (e.g.
        ``'fdr_bh'``, ``'bonferroni'``, ``'holm'``) applied across all
        sources, the infeasible ones with their assigned p-value.
    alpha : float, default=0.05
        Passed to ``multipletests``; only the two-stage FDR methods' corrected
        p-values depend on it.

    Returns
    -------
    ndarray of float, shape (n_sources,)
        The p-values; never NaN (a new array).

    Raises
    ------
    ValueError
        On mismatched or non-1-D shapes, a feasible p-value that is NaN or
        outside [0, 1], or an unknown option.

    Examples
    --------
    >>> import numpy as np
    >>> raw = np.array([0.01, 0.04, np.nan, 0.3])
    >>> infeasible = np.array([False, False, True, False])
    >>> adjust_pvalues(raw, infeasible)
    array([0.01, 0.04, 1.  , 0.3 ])
    >>> adjust_pvalues(raw, infeasible, on_infeasible="keep")
    array([0.01, 0.04, 0.  , 0.3 ])
    >>> adjust_pvalues(raw, infeasible, multitest="bonferroni")
    array([0.04, 0.16, 1.  , 1.  ])
    """
    _check_adjust(on_infeasible, multitest, alpha)
    try:
        p = np.array(pvalues, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"pvalues must be a numeric array: {exc}") from exc
    bad = np.asarray(infeasible)
    if p.ndim != 1:
        raise ValueError(f"pvalues must be 1-D of shape (n_sources,), got shape {p.shape}.")
    if bad.shape != p.shape:
        raise ValueError(
            f"infeasible must have the shape of pvalues {p.shape}, got shape {bad.shape}."
        )
    if bad.dtype != bool:
        raise ValueError(f"infeasible must be a boolean array, got dtype {bad.dtype}.")
    feasible = p[~bad]
    if not np.all((feasible >= 0.0) & (feasible <= 1.0)):  # also catches NaN
        raise ValueError(
            "pvalues of feasible sources must be in [0, 1] (not NaN); mark sources "
            "without a test in infeasible."
        )
    p[bad] = 1.0 if on_infeasible == "prune" else 0.0
    if multitest is not None and p.size:
        p = _multipletests(p, multitest, alpha)
    return p
