"""Tests for the ADF p-values and the differencing rule in skchaosprune.stationarity.

``statsmodels.tsa.stattools.adfuller`` is the oracle (test-only): every
p-value of :func:`adf_pvalues` must equal ``adfuller(x, ...)[1]`` to 1e-8
absolute, column by column.

The generated series are well defined for statsmodels: degenerate series
(constant, or with an ADF regression that fits perfectly), where ``adfuller``
raises or returns rounding noise, are tested separately against the
documented values. Offsets stay within ``1e4`` times the series' scale, so
statsmodels' own (uncentred) design stays well conditioned.
"""

import inspect
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from statsmodels.tsa.stattools import adfuller

import skchaosprune.stationarity as stationarity
from skchaosprune.stationarity import StationarityResult, adf_pvalues, make_stationary

TOL = 1e-8
# statsmodels 0.15 added result_object (False: the tuple); 0.14 returns the tuple.
ADF_TUPLE = ({"result_object": False}
             if "result_object" in inspect.signature(adfuller).parameters else {})
KINDS = ["walk", "ar1", "trend", "heavy", "white", "walk_drift"]


def oracle(x, maxlag=None, autolag="AIC"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return adfuller(x, maxlag=maxlag, regression="c", autolag=autolag, **ADF_TUPLE)[1]


def make_series(kind, T, seed, phi, scale, offset):
    rng = np.random.default_rng(seed)
    e = rng.standard_t(1.5, size=T) if kind == "heavy" else rng.normal(size=T)
    if kind == "walk":
        x = np.cumsum(e)
    elif kind == "walk_drift":
        x = np.cumsum(e + 0.3)
    elif kind == "white":
        x = e
    else:  # AR(1), heavy-tailed AR(1), AR(1) around a linear trend
        x = np.empty(T)
        x[0] = e[0]
        for t in range(1, T):
            x[t] = phi * x[t - 1] + e[t]
        if kind == "trend":
            x = x + 0.05 * np.arange(T)
    return offset * scale + scale * x


series_params = st.tuples(
    st.sampled_from(KINDS),
    st.integers(0, 2**32 - 1),
    st.floats(-0.999, 0.999),
    st.sampled_from([1e-6, 1e-2, 1.0, 1e3, 1e8]),
    st.floats(-1e4, 1e4),
)


@settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    T=st.one_of(st.integers(4, 12), st.integers(13, 400)),
    params=st.lists(series_params, min_size=1, max_size=6),
    autolag=st.sampled_from(["AIC", "AIC", "BIC", None]),
    explicit=st.booleans(),
    force_exact=st.sampled_from([False, False, True]),
)
def test_matches_statsmodels(T, params, autolag, explicit, force_exact):
    X = np.column_stack([make_series(k, T, s, phi, sc, off) for k, s, phi, sc, off in params])
    maxlag = min(T // 2 - 2, 1 + T % 7) if explicit else None
    saved = stationarity._ADF_RAW_TOL
    try:
        if force_exact:  # every series through the exact (statsmodels' own) path
            stationarity._ADF_RAW_TOL = -1.0
        p = adf_pvalues(X, maxlag=maxlag, autolag=autolag)
    finally:
        stationarity._ADF_RAW_TOL = saved
    assert p.shape == (X.shape[1],)
    ref = np.array([oracle(X[:, j], maxlag, autolag) for j in range(X.shape[1])])
    np.testing.assert_allclose(p, ref, rtol=0, atol=TOL)


def test_many_series_and_blocks_match_statsmodels():
    rng = np.random.default_rng(7)
    T = 150
    phis = rng.uniform(-0.95, 1.0, size=40)
    E = rng.normal(size=(T, 40))
    X = np.empty((T, 40))
    X[0] = E[0]
    for t in range(1, T):
        X[t] = phis * X[t - 1] + E[t]
    ref = np.array([oracle(X[:, j]) for j in range(40)])
    for block_size in (1, 7, 1024):
        np.testing.assert_allclose(adf_pvalues(X, block_size=block_size), ref, rtol=0, atol=TOL)
    np.testing.assert_allclose(adf_pvalues(X[:, 3]), ref[3:4], rtol=0, atol=TOL)  # 1-D


def test_constant_and_degenerate_columns():
    rng = np.random.default_rng(0)
    T = 80
    walk = np.cumsum(rng.normal(size=T))
    X = np.column_stack([
        np.zeros(T),
        np.full(T, -3.5),
        5.0 + 1e-14 * rng.normal(size=T),  # near-constant: range ~1e-13 of the level
        walk,
        np.arange(T, dtype=float),  # exact linear trend: a perfect fit
        2.0 - 0.25 * np.arange(T),
    ])
    p = adf_pvalues(X)
    assert not np.isnan(p).any()
    assert p[0] == 0.0 and p[1] == 0.0 and p[2] == 0.0
    assert p[3] == pytest.approx(oracle(walk), abs=TOL)
    assert p[4] == 1.0 and p[5] == 1.0
    for autolag in ("AIC", None):
        assert not np.isnan(adf_pvalues(X, autolag=autolag, maxlag=3)).all()
    assert adf_pvalues(np.zeros((4, 2))).tolist() == [0.0, 0.0]
    assert adf_pvalues(np.zeros((10, 0))).shape == (0,)


def test_near_tied_and_rank_deficient_go_through_the_exact_path():
    rng = np.random.default_rng(3)
    T = 60
    x = np.cumsum(rng.normal(size=T))
    x_rep = np.repeat(x[:30], 2)  # differences alternate with zeros
    cols = [x_rep, x + 1e-9 * rng.normal(size=T)]
    X = np.column_stack(cols)
    ref = np.array([oracle(c) for c in cols])
    np.testing.assert_allclose(adf_pvalues(X), ref, rtol=0, atol=TOL)


def test_errors():
    X = np.cumsum(np.random.default_rng(0).normal(size=(50, 2)), axis=0)
    with pytest.raises(ValueError, match="NaN or inf"):
        adf_pvalues(np.r_[X[:-1], [[np.nan, 0.0]]])
    with pytest.raises(ValueError, match="NaN or inf"):
        adf_pvalues(np.r_[X[:-1], [[np.inf, 0.0]]])
    with pytest.raises(ValueError, match="at least 4"):
        adf_pvalues(X[:3])
    with pytest.raises(ValueError, match="2 \\* maxlag \\+ 4 = 14"):
        adf_pvalues(X[:13], maxlag=5)
    adf_pvalues(X[:14], maxlag=5)  # the minimum for maxlag=5
    with pytest.raises(ValueError, match="maxlag"):
        adf_pvalues(X, maxlag=-1)
    with pytest.raises(ValueError, match="2-D"):
        adf_pvalues(X[None])
    with pytest.raises(ValueError, match="autolag"):
        adf_pvalues(X, autolag="hqic")
    with pytest.raises(NotImplementedError, match="regression"):
        adf_pvalues(X, regression="ct")
    with pytest.raises(NotImplementedError, match="t-stat"):
        adf_pvalues(X, autolag="t-stat")
    with pytest.raises(ValueError, match="block_size"):
        adf_pvalues(X, block_size=0)


def ar1(rng, T, phi):
    e = rng.normal(size=T)
    x = np.empty(T)
    x[0] = e[0]
    for t in range(1, T):
        x[t] = phi * x[t - 1] + e[t]
    return x


def test_make_stationary_random_walk_source_differences_all_sources():
    rng = np.random.default_rng(11)
    T = 200
    y = ar1(rng, T, 0.3)  # stationary target: kept
    X = np.column_stack([ar1(rng, T, 0.2), np.cumsum(rng.normal(size=T)), ar1(rng, T, -0.5)])
    res = make_stationary(y, X)
    assert isinstance(res, StationarityResult)
    assert res.target_pvalue == pytest.approx(oracle(y), abs=TOL) and res.target_pvalue <= 0.05
    assert res.sources_max_pvalue == pytest.approx(max(oracle(X[:, j]) for j in range(3)), abs=TOL)
    assert res.sources_differenced and not res.target_differenced
    np.testing.assert_array_equal(res.sources, np.diff(X, axis=0))  # all three
    np.testing.assert_array_equal(res.target, y[1:])  # aligned: row i is time i + 1
    assert res.target.shape == (T - 1,) and res.sources.shape == (T - 1, 3)


def test_make_stationary_other_cases():
    rng = np.random.default_rng(5)
    T = 150
    walk = np.cumsum(rng.normal(size=T))
    X = np.column_stack([ar1(rng, T, 0.1), ar1(rng, T, 0.5)])
    # non-stationary target, stationary sources: sources lose their first row
    res = make_stationary(walk, X)
    assert res.target_differenced and not res.sources_differenced
    np.testing.assert_array_equal(res.target, np.diff(walk))
    np.testing.assert_array_equal(res.sources, X[1:])
    # both stationary: unchanged
    res = make_stationary(X[:, 0], X)
    assert not res.target_differenced and not res.sources_differenced
    np.testing.assert_array_equal(res.target, X[:, 0])
    np.testing.assert_array_equal(res.sources, X)
    # both non-stationary: both differenced, nothing dropped
    res = make_stationary(walk, np.column_stack([walk[::-1], X[:, 0]]))
    assert res.target_differenced and res.sources_differenced
    assert res.target.shape == (T - 1,) and res.sources.shape == (T - 1, 2)
    # alpha is the threshold on p (p > alpha differences)
    res = make_stationary(X[:, 0], X, alpha=min(0.999, res.target_pvalue))
    # a 1-D source is one column; constant sources count as stationary
    res = make_stationary(X[:, 0], np.zeros(T))
    assert res.sources.shape == (T, 1) and res.sources_max_pvalue == 0.0
    assert not res.sources_differenced


def test_make_stationary_threshold_is_strict():
    rng = np.random.default_rng(2)
    T = 120
    y = np.cumsum(rng.normal(size=T))
    p = oracle(y)
    X = ar1(rng, T, 0.0)[:, None]
    assert make_stationary(y, X, alpha=p + 1e-6).target_differenced is False
    assert make_stationary(y, X, alpha=p - 1e-6).target_differenced is True


def test_make_stationary_errors():
    y = np.random.default_rng(0).normal(size=30)
    with pytest.raises(ValueError, match="alpha"):
        make_stationary(y, y, alpha=0.0)
    with pytest.raises(ValueError, match="alpha"):
        make_stationary(y, y, alpha=1.5)
    with pytest.raises(ValueError, match="one row per time step"):
        make_stationary(y, y[:-1])
    with pytest.raises(ValueError, match="1-D"):
        make_stationary(y[:, None], y)
    with pytest.raises(ValueError, match="no columns"):
        make_stationary(y, np.zeros((30, 0)))
    with pytest.raises(ValueError, match="NaN"):
        make_stationary(np.r_[y[:-1], np.nan], y)
    with pytest.raises(ValueError, match="at least 4"):
        make_stationary(y[:3], y[:3])


# ----------------------------------------------------------------------------
# Scale: series of extreme magnitude are rescaled (exactly, by a power of two)
# before the test; the t-statistic does not depend on the scale
# ----------------------------------------------------------------------------


def scale_series(T=150, seed=0):
    rng = np.random.default_rng(seed)
    e = rng.normal(size=(T, 4))
    return np.column_stack([np.cumsum(e[:, 0]), e[:, 1], ar1(rng, T, 0.8),
                            np.cumsum(e[:, 3] + 0.3)])


def unit(X):
    return X / np.abs(X).max(axis=0)


@pytest.mark.parametrize("scale", [1e14, 1e50, 1e155, 1e200, 1e300, 1e-10, 1e-14, 1e-50,
                                   1e-200, 1e-300, 2.0**-1060])
@pytest.mark.parametrize("autolag, maxlag", [("AIC", None), ("BIC", 4), (None, 3)])
def test_extreme_magnitudes_equal_the_rescaled_series_and_statsmodels(scale, autolag, maxlag):
    X = scale_series()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no overflow, no NaN
        p = adf_pvalues(X * scale, autolag=autolag, maxlag=maxlag)
    assert np.isfinite(p).all()
    np.testing.assert_allclose(p, adf_pvalues(unit(X * scale), autolag=autolag, maxlag=maxlag),
                               rtol=0, atol=1e-9)
    ref = np.array([oracle(unit(X * scale)[:, j], maxlag, autolag) for j in range(X.shape[1])])
    np.testing.assert_allclose(p, ref, rtol=0, atol=TOL)


def test_mixed_scales_and_exact_rescaling():
    X = scale_series(seed=1)
    factors = np.array([1e300, 1e-300, 1.0, 1e-12])
    p = adf_pvalues(X * factors)
    np.testing.assert_allclose(p, adf_pvalues(X), rtol=0, atol=1e-9)
    # powers of two (down to the smallest subnormal) change nothing at all
    ints = np.cumsum(np.random.default_rng(2).integers(-5, 6, size=(120, 2)), axis=0)
    ints = ints.astype(float)
    ints[0] = 1.0
    for factor in [2.0**-1074, 2.0**-1000, 2.0**1000]:
        np.testing.assert_array_equal(adf_pvalues(ints * factor), adf_pvalues(ints))
    # constant and perfect-fit columns keep their documented values
    T = 60
    deg = np.column_stack([np.full(T, 3.0), np.arange(T, dtype=float)])
    for factor in [1e300, 1e-300]:
        assert adf_pvalues(deg * factor).tolist() == [0.0, 1.0]


def test_normal_range_is_statsmodels_on_the_series_as_given():
    X = scale_series(seed=3)
    for scale in [1e-7, 1e11]:  # largest absolute values within [1e-8, 1e13]
        assert np.all((np.abs(X * scale).max(axis=0) >= 1e-8)
                      & (np.abs(X * scale).max(axis=0) <= 1e13))
        p = adf_pvalues(X * scale)
        ref = np.array([oracle(X[:, j] * scale) for j in range(X.shape[1])])
        np.testing.assert_allclose(p, ref, rtol=0, atol=TOL)


def test_make_stationary_at_extreme_magnitudes():
    rng = np.random.default_rng(4)
    T = 120
    y = ar1(rng, T, 0.3)
    X = np.column_stack([ar1(rng, T, 0.2), np.cumsum(rng.normal(size=T))])
    ref = make_stationary(y, X)
    res = make_stationary(y * 1e300, X * [1e-300, 1e200])
    assert (res.target_differenced, res.sources_differenced) == (False, True)
    assert res.target_pvalue == pytest.approx(ref.target_pvalue, abs=1e-9)
    assert res.sources_max_pvalue == pytest.approx(ref.sources_max_pvalue, abs=1e-9)
    np.testing.assert_array_equal(res.sources, np.diff(X * [1e-300, 1e200], axis=0))
    # differences beyond float64 cannot be returned
    swing = np.where(np.arange(T) % 2, 1.5e308, -1.5e308) + 1e306 * rng.normal(size=T)
    with pytest.raises(ValueError, match="overflow"):
        make_stationary(np.cumsum(rng.normal(size=T)) * 1e307, swing)
