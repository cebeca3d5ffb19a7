"""Stationarity: augmented Dickey-Fuller p-values for many series at once.

:func:`adf_pvalues` gives, for every column of an array, exactly the p-value
of ``statsmodels.tsa.stattools.adfuller`` (augmented Dickey-Fuller, constant
only, lags chosen by AIC or BIC), without a Python loop over series: one
batched Householder QR per block of series for all candidate lags, and
statsmodels' own algorithm (pinv by SVD, batched) where the QR path could
differ from statsmodels' rounding (ill-conditioned, near-perfect or
near-tied cases).

Series of extreme magnitude (largest absolute value above ``1e13`` or below
``1e-8``, where ``adfuller``'s own result depends on the scale, and from
about ``1e154`` is NaN or an error) are rescaled by a power of two first: the
t-statistic does not depend on the scale.

:func:`make_stationary` applies the reference code's differencing rule with
it (docs/method.md section 4, "Stationarity"): before the Granger tests of
:mod:`skchaosprune.causality`, difference all sources once if any is
non-stationary, and the target once if it is.

statsmodels' regression code is not called here (the test suite uses it as
the oracle); the p-values use its MacKinnon tables (``mackinnonp``).
"""

import numbers
from typing import NamedTuple

import numpy as np

from ._ols import EPS as _EPS
from ._ols import ols_pinv
from .causality import (
    _as_columns,
    _as_target_sources,
    _check_finite_columns,
    _max_abs,
    _rescale_columns,
)

__all__ = ["StationarityResult", "adf_pvalues", "make_stationary"]


#: a series whose range is at most this fraction of its largest magnitude is
#: treated as constant (trivially stationary, p = 0)
_ADF_CONST_RTOL = 1e-12
#: fast (QR) path: a design column keeping less than this fraction of its norm
#: after the previous columns are projected out sends the series to the exact path
_ADF_COND = 1e-7
#: fast path: a fit with SSR below this fraction of the squared norm of the
#: differences (nearly perfect) sends the series to the exact path
_ADF_NEAR_PERFECT = 1e-8
#: statsmodels' own rounding error on a raw series, estimated as
#: ``_ADF_RAW_ERR * cond(raw design) * |y| / |resid|``; where this exceeds
#: ``_ADF_RAW_TOL`` the series goes to the exact path. Measured on 1,038
#: series (scales 1e-8 .. 1e3, levels up to 100, T = 4 .. 300) the fast
#: path's difference from adfuller was at most 0.22 times the estimate
_ADF_RAW_ERR = 10 * _EPS
_ADF_RAW_TOL = 1e-9
#: a fit with SSR below this fraction of the squared norm of the differences is
#: perfect: the statistic is 0 / 0 and the p-value is reported as 1.0
_ADF_PERFECT = 1e-16
#: magnitude range left as given: a series whose largest absolute value lies
#: outside [_ADF_SCALE_MIN, _ADF_SCALE_MAX] is divided by a power of two (to a
#: largest absolute value in [0.5, 1)) first. The t-statistic is invariant to
#: scaling, statsmodels' adfuller is not (see "Scale" in adf_pvalues); inside
#: this range its own answer is kept (the tests' series reach 1.1e-7 and 1.1e12)
_ADF_SCALE_MIN = 1e-8
_ADF_SCALE_MAX = 1e13


class StationarityResult(NamedTuple):
    """Result of :func:`make_stationary`.

    Attributes
    ----------
    target : ndarray of shape (T',)
        The target, differenced once if ``target_differenced``, else as given
        (without its first value when only the sources were differenced).
    sources : ndarray of shape (T', n_sources)
        The sources, all differenced once if ``sources_differenced``, else as
        given (without their first row when only the target was differenced).
    target_differenced : bool
        Whether the target's ADF p-value exceeded ``alpha``.
    sources_differenced : bool
        Whether any source's ADF p-value exceeded ``alpha``.
    target_pvalue : float
        ADF p-value of the (original) target.
    sources_max_pvalue : float
        Largest ADF p-value over the (original) sources.

    Notes
    -----
    ``T' = T - 1`` when either was differenced, else ``T``. Row ``i`` of both
    arrays belongs to time step ``i + 1`` of the input in the first case
    (a differenced row ``i`` is ``x[i + 1] - x[i]``; an undifferenced series
    loses its row 0), to time step ``i`` in the second.
    """

    target: np.ndarray
    sources: np.ndarray
    target_differenced: bool
    sources_differenced: bool
    target_pvalue: float
    sources_max_pvalue: float


def _adf_check(series, maxlag, regression, autolag):
    if regression != "c":
        raise NotImplementedError(
            f"adf_pvalues supports regression='c' (constant only, statsmodels' "
            f"default) only, got {regression!r}."
        )
    if autolag is not None:
        if not isinstance(autolag, str) or autolag.lower() not in ("aic", "bic", "t-stat"):
            raise ValueError(f"autolag must be 'AIC', 'BIC' or None, got {autolag!r}.")
        autolag = autolag.lower()
        if autolag == "t-stat":
            raise NotImplementedError(
                "autolag='t-stat' is not supported; use 'AIC', 'BIC' or None.")
    X = _as_columns(series, "series", "n_series")
    T = X.shape[0]
    if maxlag is None:
        if T < 4:
            raise ValueError(
                f"Insufficient observations: {T} time steps, but the ADF test needs "
                f"at least 4 (statsmodels' rule with regression='c')."
            )
        # statsmodels (Schwert 1989): ceil(12 (nobs / 100)^(1/4)), at most nobs // 2 - 2
        maxlag = min(T // 2 - 2, int(np.ceil(12.0 * np.power(T / 100.0, 1 / 4.0))))
    else:
        if isinstance(maxlag, bool) or not isinstance(maxlag, numbers.Integral) or maxlag < 0:
            raise ValueError(f"maxlag must be None or a non-negative integer, got {maxlag!r}.")
        maxlag = int(maxlag)
        if maxlag > T // 2 - 2:
            raise ValueError(
                f"Insufficient observations: {T} time steps, but maxlag={maxlag} needs "
                f"at least 2 * maxlag + 4 = {2 * maxlag + 4} (statsmodels' rule "
                f"maxlag <= T // 2 - 2 with regression='c')."
            )
    _check_finite_columns(X, "series", "the ADF test needs")
    return X, maxlag, autolag


def _mackinnonp(stat, regression="c"):
    """statsmodels' ``mackinnonp`` (N=1) on a vector, with its own tables."""
    from statsmodels.tsa import adfvalues

    stat = np.asarray(stat, dtype=np.float64)
    try:
        tmax = adfvalues._tau_maxs[regression][0]
        tmin = adfvalues._tau_mins[regression][0]
        tstar = adfvalues._tau_stars[regression][0]
        small = adfvalues._tau_smallps[regression][0]
        large = adfvalues._tau_largeps[regression][0]
    except (AttributeError, KeyError, IndexError):  # pragma: no cover - other versions
        return np.array([adfvalues.mackinnonp(float(s), regression=regression, N=1) for s in stat])
    with np.errstate(invalid="ignore", over="ignore"):
        p = np.where(
            stat <= tstar,
            adfvalues.norm.cdf(adfvalues.polyval(small[::-1], stat)),
            adfvalues.norm.cdf(adfvalues.polyval(large[::-1], stat)),
        )
    p = np.where(stat > tmax, 1.0, np.where(stat < tmin, 0.0, p))
    return np.asarray(p, dtype=np.float64)


def _adf_ic(ssr, rank, nobs, autolag):
    """statsmodels' AIC / BIC of an OLS fit from its SSR and rank (with a constant)."""
    nobs2 = nobs / 2.0
    with np.errstate(divide="ignore"):
        llf = -np.log(ssr) * nobs2
    llf -= (1 + np.log(np.pi / nobs2)) * nobs2
    penalty = 2.0 if autolag == "aic" else np.log(nobs)
    return -2 * llf + penalty * rank


def _raw_cond(R, level, mu, sd):
    """2-norm condition numbers of statsmodels' raw designs from the R factors
    (m, K, K) of the standardised ones: the raw columns are the standardised
    ones times ``sd`` (the level also plus ``mu`` times the constant column
    0); the other columns are the constant (column 0) and differences."""
    m, K, _ = R.shape
    Tm = np.zeros((m, K, K))
    idx = np.arange(1, K)
    Tm[:, 0, 0] = 1.0
    Tm[:, idx, idx] = sd[:, None]
    Tm[:, 0, level] = mu
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        sv = np.linalg.svd(np.matmul(R, Tm), compute_uv=False)
        return sv[:, 0] / sv[:, -1]


def _adf_fast(Z, maxlag, autolag, mu, sd):
    """QR path on standardised series ``Z`` (T, m): (statistic, needs_exact).

    ``mu`` and ``sd`` (m,) are the mean and standard deviation of the raw
    series: statsmodels fits the raw series, and where the condition number
    of its raw design (times ``|y| / |resid|``) makes its own result
    uncertain (see ``_ADF_RAW_TOL``) the series goes to the exact path,
    which reproduces statsmodels' rounding."""
    T, m = Z.shape
    D = np.diff(Z, axis=0)
    stat = np.zeros(m)
    exact = np.zeros(m, dtype=bool)
    if autolag is not None:
        nobs, K = T - 1 - maxlag, 2 + maxlag
        A = np.empty((m, nobs, K + 1))
        A[:, :, 0] = 1.0
        A[:, :, 1] = Z[maxlag : T - 1].T
        for j in range(1, maxlag + 1):
            A[:, :, 1 + j] = D[maxlag - j : T - 1 - j].T
        A[:, :, K] = D[maxlag:].T
        norms = np.sqrt(np.einsum("mtk,mtk->mk", A, A))
        R = np.linalg.qr(A, mode="r")
        diag = np.abs(np.diagonal(R, axis1=1, axis2=2))
        with np.errstate(divide="ignore", invalid="ignore"):
            exact |= ~(diag[:, :K] >= _ADF_COND * norms[:, :K]).all(axis=1)
        qy = R[:, :K, K] ** 2
        # SSR with the first 2 + p columns: the tail of Q'y plus the full residual
        tail = np.cumsum(qy[:, ::-1], axis=1)[:, ::-1]  # tail[:, i] = sum_{j >= i}
        ssr = R[:, K, K, None] ** 2 + np.concatenate([tail[:, 2:], np.zeros((m, 1))], axis=1)
        yy = norms[:, K] ** 2
        kappa = _raw_cond(R[:, :K, :K], 1, mu, sd)
        with np.errstate(divide="ignore", invalid="ignore"):
            amp = np.sqrt(yy / ssr.min(axis=1))
            exact |= ~(amp <= 1.0 / np.sqrt(_ADF_NEAR_PERFECT))
            exact |= ~(_ADF_RAW_ERR * kappa * amp <= _ADF_RAW_TOL)
        ic = _adf_ic(ssr, np.arange(2, K + 1)[None, :], nobs, autolag)
        best = np.argmin(ic, axis=1)
        if maxlag > 0:
            srt = np.sort(ic, axis=1)
            gap = srt[:, 1] - srt[:, 0]
            with np.errstate(invalid="ignore"):
                tol = nobs * np.maximum(1e-9, 1e3 * _EPS * kappa) * amp
            exact |= ~(gap > tol)
    else:
        best = np.full(m, maxlag)
    for lag in np.unique(best[~exact]):
        idx = np.flatnonzero((best == lag) & ~exact)
        nobs, K = T - 1 - lag, 2 + lag
        A = np.empty((idx.size, nobs, K + 1))
        A[:, :, 0] = 1.0
        for j in range(1, lag + 1):
            A[:, :, j] = D[lag - j : T - 1 - j, idx].T
        A[:, :, K - 1] = Z[lag : T - 1, idx].T  # the lagged level, last
        A[:, :, K] = D[lag:, idx].T
        norms = np.sqrt(np.einsum("mtk,mtk->mk", A, A))
        R = np.linalg.qr(A, mode="r")
        diag = np.abs(np.diagonal(R, axis1=1, axis2=2))
        ssr = R[:, K, K] ** 2
        kappa = _raw_cond(R[:, :K, :K], K - 1, mu[idx], sd[idx])
        with np.errstate(divide="ignore", invalid="ignore"):
            amp = np.sqrt(norms[:, K] ** 2 / ssr)
            bad = ~(diag[:, :K] >= _ADF_COND * norms[:, :K]).all(axis=1)
            bad |= ~(amp <= 1.0 / np.sqrt(_ADF_NEAR_PERFECT))
            bad |= ~(_ADF_RAW_ERR * kappa * amp <= _ADF_RAW_TOL)
            # t of the last column: (Q'y)_K / |R_KK| / (s / |R_KK|)
            t = R[:, K - 1, K] * np.sign(R[:, K - 1, K - 1]) / np.sqrt(ssr / (nobs - K))
        exact[idx[bad]] = True
        stat[idx[~bad]] = t[~bad]
    return stat, exact


def _adf_exact(X, maxlag, autolag):
    """statsmodels' own algorithm on raw series ``X`` (T, m), batched over series:
    (statistic, perfect fit)."""
    T, m = X.shape
    D = np.diff(X, axis=0)
    if autolag is not None:
        nobs = T - 1 - maxlag
        y = D[maxlag:].T
        ic = np.empty((m, maxlag + 1))
        for lag in range(maxlag + 1):  # fullRHS[:, :2 + lag]: const, level, lags
            A = np.empty((m, nobs, 2 + lag))
            A[:, :, 0] = 1.0
            A[:, :, 1] = X[maxlag : T - 1].T
            for j in range(1, lag + 1):
                A[:, :, 1 + j] = D[maxlag - j : T - 1 - j].T
            fit = ols_pinv(A, y)
            ic[:, lag] = _adf_ic(fit.ssr, fit.rank, nobs, autolag)
        best = np.argmin(ic, axis=1)  # min((ic, lag)): the smallest lag on ties
    else:
        best = np.full(m, maxlag)
    stat = np.zeros(m)
    perfect = np.zeros(m, dtype=bool)
    for lag in np.unique(best):
        idx = np.flatnonzero(best == lag)
        nobs = T - 1 - lag
        A = np.empty((idx.size, nobs, 2 + lag))  # level, lags, const (appended)
        A[:, :, 0] = X[lag : T - 1, idx].T
        for j in range(1, lag + 1):
            A[:, :, j] = D[lag - j : T - 1 - j, idx].T
        A[:, :, 1 + lag] = 1.0
        y = D[lag:, idx].T
        params, pinv, ssr, rank, _ = ols_pinv(A, y)
        with np.errstate(divide="ignore", invalid="ignore"):
            bse = np.sqrt(np.sum(pinv[:, 0, :] ** 2, axis=1) * ssr / (nobs - rank))
            stat[idx] = params[:, 0] / bse
        perfect[idx] = ~(ssr > _ADF_PERFECT * np.sum(y**2, axis=1))
    return stat, perfect


def adf_pvalues(series, *, maxlag=None, regression="c", autolag="AIC", block_size=1024):
    """Augmented Dickey-Fuller p-values of many series at once.

    For every column ``x`` of ``series`` returns
    ``statsmodels.tsa.stattools.adfuller(x, maxlag=maxlag,
    regression=regression, autolag=autolag)[1]`` (MacKinnon's approximate
    p-value; the null hypothesis is a unit root, so a small p-value means
    stationary), without a Python loop over series.

    Parameters
    ----------
    series : array-like of shape (T, n_series)
        One series per column (a 1-D array is one series).
    maxlag : int or None, default=None
        Largest number of lagged differences; ``None`` is statsmodels'
        default ``ceil(12 (T / 100)^(1/4))``, at most ``T // 2 - 2``.
    regression : {'c'}, default='c'
        Deterministic terms: a constant only (statsmodels' default). Others
        raise ``NotImplementedError``.
    autolag : {'AIC', 'BIC', None}, default='AIC'
        ``'AIC'``/``'BIC'``: the number of lags ``0 .. maxlag`` minimising the
        criterion, compared on the common sample of the largest lag, then
        refitted on all the rows it allows (statsmodels' procedure);
        ``None``: ``maxlag`` lags. ``'t-stat'`` raises ``NotImplementedError``.
    block_size : int, default=1024
        Series processed at once (working memory about
        ``block_size * T * (maxlag + 3) * 8`` bytes).

    Returns
    -------
    ndarray of shape (n_series,)
        The p-values; never NaN, whatever the magnitude of the series (see
        "Scale" in the Notes).

    Raises
    ------
    ValueError
        On NaN or inf, fewer than 4 time steps (``maxlag=None``) or fewer than
        ``2 * maxlag + 4`` (an explicit ``maxlag``), a bad shape or option.
    NotImplementedError
        For ``regression`` other than ``'c'`` or ``autolag='t-stat'``.

    Notes
    -----
    Two paths compute statsmodels' numbers. A fast path fits every candidate
    lag from one Householder QR per series (the candidate designs are
    nested: the sum of squared residuals with the first ``k`` columns is the
    tail of ``Q'y``), then refits the chosen lag by QR with the lagged level
    last (its t-statistic is read off ``R``); the series is first centred
    and scaled, which changes neither the t-statistic nor the lag choice.
    Series for which statsmodels' own result may carry a rounding error
    that matters (estimated as ``10 eps cond(raw design) |y| / |resid|``,
    above ``1e-9``: a series of a very large or small
    scale, a level far from zero relative to its spread, a nearly perfect
    fit), series whose designs are nearly rank deficient
    (a column keeping less than ``1e-7`` of its norm after projection),
    whose fit is nearly perfect (SSR below ``1e-8`` of the squared
    differences), and series whose two best criteria are within rounding of
    each other go through statsmodels' own
    algorithm instead (pinv by SVD, its cut-offs and rank rule, on the raw
    series), batched over series. The p-value is statsmodels' ``mackinnonp``
    (its tables, vectorised).

    Scale: the t-statistic does not depend on the scale of the series, but
    ``adfuller``'s result does, because its design has a constant column of
    ones: for small series the constant swamps the differences (measured
    on series scaled to a largest absolute value of ``10**k``: off by up to
    1e-8 at 1e-6, 1e-6 at 1e-8 and 1e-4 at 1e-10 for a series far from
    zero, by up to 1 from about 1e-13); for large ones the level swamps the
    constant (by up to 1 from about 1e13, or from 1e12 for a level 1e4
    times the series' spread); from about ``1e154`` or ``1e-160`` its sums
    of squares overflow or underflow and it returns NaN or raises
    ``LinAlgError``. A series whose largest absolute value is above
    ``1e13`` or below ``1e-8`` is therefore divided by a power of two
    first (exact: its largest absolute value becomes ``f`` in
    ``[0.5, 1)``), and its p-value is the one of the rescaled series; the
    p-value of ``adfuller`` on the series divided by its largest absolute
    value is the same to about ``1e-15``. Series inside that range are
    tested as given (bit for bit as before: ``adfuller``'s own result,
    including where it depends on the scale as above). Never NaN, never
    ``LinAlgError``.

    Degenerate series, where ``adfuller`` raises or returns rounding noise:

    * a constant series (statsmodels raises), or one whose range is at most
      ``1e-12`` of its largest magnitude, gets p = 0.0 (trivially
      stationary);
    * a series whose ADF regression fits perfectly (SSR at most ``1e-16`` of
      the squared differences, e.g. an exact linear trend, whose differences
      are constant; the statistic is 0 / 0) gets p = 1.0 (no evidence
      against a unit root: such a series is differenced by
      :func:`make_stationary`, which makes a linear trend constant).

    The exact path reproduces ``adfuller``'s rounding as well as LAPACK
    allows, including where that rounding dominates (a level ``1e6`` times
    the spread or more); the fast path alone would be more accurate there,
    but would not match ``adfuller``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> e = rng.normal(size=(300, 2))
    >>> X = np.column_stack([np.cumsum(e[:, 0]), e[:, 1], np.full(300, 3.0)])
    >>> p = adf_pvalues(X)
    >>> bool(p[0] > 0.05), bool(p[1] < 1e-6), float(p[2])
    (True, True, 0.0)

    The scale does not matter, even where ``adfuller`` fails (1e300):

    >>> bool(np.allclose(adf_pvalues(X * 1e300), p, rtol=0, atol=1e-12))
    True
    """
    X, maxlag, autolag = _adf_check(series, maxlag, regression, autolag)
    if (isinstance(block_size, bool) or not isinstance(block_size, numbers.Integral)
            or block_size < 1):
        raise ValueError(f"block_size must be a positive integer, got {block_size!r}.")
    T, n = X.shape
    pvalues = np.zeros(n)
    if n == 0:
        return pvalues
    m = _max_abs(X)
    X = _rescale_columns(X, (m > 0.0) & ((m < _ADF_SCALE_MIN) | (m > _ADF_SCALE_MAX)))
    lo, hi = X.min(axis=0), X.max(axis=0)
    scale = np.maximum(np.abs(lo), np.abs(hi))
    constant = (hi - lo) <= _ADF_CONST_RTOL * scale
    cols = np.flatnonzero(~constant)
    for start in range(0, cols.size, int(block_size)):
        idx = cols[start : start + int(block_size)]
        S = X[:, idx]
        mu = S.mean(axis=0)
        Z = S - mu
        sd = np.sqrt(np.mean(Z * Z, axis=0))
        Z /= sd
        try:
            stat, exact = _adf_fast(Z, maxlag, autolag, mu, sd)
            perfect = np.zeros(idx.size, dtype=bool)
            if exact.any():
                stat[exact], perfect[exact] = _adf_exact(S[:, exact], maxlag, autolag)
        except np.linalg.LinAlgError as exc:  # pragma: no cover - no known input
            raise ValueError(
                f"The ADF regression of series {idx[:10].tolist()}"
                f"{'...' if idx.size > 10 else ''} could not be computed ({exc}). "
                f"Check the series' values, or rescale them."
            ) from exc
        p = _mackinnonp(stat, regression)
        p[perfect | np.isnan(p)] = 1.0
        pvalues[idx] = p
    return pvalues


def make_stationary(target, sources, *, alpha=0.05):
    """Difference the target and/or the sources where an ADF test says so.

    The reference code's rule (docs/method.md section 4): an augmented
    Dickey-Fuller test (:func:`adf_pvalues`, statsmodels' defaults) is run on
    the target and on every source; if **any** source has p > ``alpha``,
    **all** sources are differenced once; the target is differenced once if
    its own p > ``alpha``.

    Parameters
    ----------
    target : array-like of shape (T,)
        The target series (the risk series).
    sources : array-like of shape (T, n_sources)
        One source per column (the windowed-Lyapunov series); a 1-D array is
        one source.
    alpha : float, default=0.05
        Significance level of the ADF tests, in (0, 1).

    Returns
    -------
    StationarityResult
        Named tuple: ``target``, ``sources``, ``target_differenced``,
        ``sources_differenced``, ``target_pvalue``, ``sources_max_pvalue``.

    Raises
    ------
    ValueError
        On mismatched shapes, no sources, ``alpha`` outside (0, 1), any
        input :func:`adf_pvalues` rejects (NaN or inf, fewer than 4 time
        steps), or differences that overflow float64 (values near
        ``1.8e308`` of both signs).

    Notes
    -----
    Alignment: when only one of the two is differenced, the other loses its
    first row, so both have ``T - 1`` rows and row ``i`` of each belongs to
    time step ``i + 1`` (the differenced row ``i`` is ``x[i + 1] - x[i]``,
    the change *into* step ``i + 1``). When both or neither are differenced
    nothing else is dropped. Constant series count as stationary (p = 0).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = rng.normal(size=200)                          # stationary
    >>> X = np.column_stack([rng.normal(size=200),
    ...                      np.cumsum(rng.normal(size=200))])  # a random walk
    >>> res = make_stationary(y, X)
    >>> res.target_differenced, res.sources_differenced
    (False, True)
    >>> res.target.shape, res.sources.shape
    ((199,), (199, 2))
    >>> bool(np.all(res.target == y[1:]))
    True
    """
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not (0.0 < alpha < 1.0):
        raise ValueError(f"alpha must be a number in (0, 1), got {alpha!r}.")
    y, X = _as_target_sources(target, sources)
    if X.shape[1] == 0:
        raise ValueError("sources has no columns; at least one source is needed.")
    p_target = float(adf_pvalues(y)[0])
    p_sources = float(adf_pvalues(X).max())
    diff_t, diff_s = p_target > alpha, p_sources > alpha
    with np.errstate(over="ignore", invalid="ignore"):
        new_y = np.diff(y) if diff_t else y.copy()
        new_X = np.diff(X, axis=0) if diff_s else X.copy()
    if not (np.isfinite(new_y).all() and np.isfinite(new_X).all()):
        raise ValueError(
            "The differenced series overflow: a difference of two values exceeds the "
            "largest float64 (about 1.8e308). Rescale the series first (the ADF and "
            "Granger tests do not depend on the scale), e.g. divide each by its "
            "largest absolute value."
        )
    if diff_t and not diff_s:
        new_X = new_X[1:]
    elif diff_s and not diff_t:
        new_y = new_y[1:]
    return StationarityResult(
        target=new_y,
        sources=new_X,
        target_differenced=bool(diff_t),
        sources_differenced=bool(diff_s),
        target_pvalue=p_target,
        sources_max_pvalue=p_sources,
    )
