"""Tests of skchaosprune.lyapunov.

Oracles: TISEAN's own output (../shared/reference/lyapunov_cases.json) and
``brute_curve`` below, a plain NumPy O(L^2) transcription of docs/method.md
section 2 that shares no code with the compiled kernels.  Known exponents
(logistic map, Henon map, a periodic and a converging series) check the
maths end to end.
"""

import json
import math
import warnings

import numba
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from skchaosprune.lyapunov import (
    STATUS_OK,
    STATUS_STATIC,
    STATUS_UNDEFINED,
    WindowedLyapunov,
    divergence_curve,
    lyapunov_exponent,
    lyapunov_min_length,
    window_ends,
    window_exponents,
    window_stride,
    windowed_lyapunov,
)

SETTINGS = dict(deadline=None, max_examples=40,
                suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------------------
# the NumPy twin of the definition


def brute_curve(x, dim, delay, steps, theiler):
    """docs/method.md section 2, literally: every pair distance, then argmin."""
    x = np.asarray(x, dtype=np.float64)
    y = (x - x.min()) / (x.max() - x.min())
    n_vec = len(y) - (dim - 1) * delay
    n_cand = n_vec - steps
    n_ref = n_cand - theiler
    vecs = np.stack([y[q * delay:q * delay + n_vec] for q in range(dim)], axis=1)
    dist = np.zeros((n_vec, n_vec))
    for q in range(dim):  # summed coordinate by coordinate, in order
        diff = vecs[:, None, q] - vecs[None, :, q]
        dist += diff * diff
    sums = np.zeros(steps + 1)
    counts = np.zeros(steps + 1, dtype=np.int64)
    cand = np.arange(n_cand)
    for n in range(n_ref):
        d = dist[n, :n_cand]
        ok = (np.abs(n - cand) > theiler) & (d > 0) & (d < 1)
        if not ok.any():
            continue
        best = d[ok].min()
        j = cand[ok & (d == best)].max()  # ties: the largest j
        for k in range(steps + 1):
            dk = dist[n + k, j + k]
            if dk > 0:
                sums[k] += 0.5 * np.log(dk)
                counts[k] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        curve = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    return curve, counts


def brute_slope(curve, fit_steps):
    if np.isnan(curve[:fit_steps + 1]).any():
        return 0.0
    if fit_steps == 1:
        return curve[1] - curve[0]
    return np.polyfit(np.arange(fit_steps + 1), curve[:fit_steps + 1], 1)[0]


def brute_windowed(traj, window, overlap, dim=2, delay=1, steps=3, theiler=0,
                   fit_steps=1, min_range=1e-5):
    h = max(1, int(round(window * (1 - overlap))))
    n_win = (traj.shape[0] - window) // h + 1
    out = np.zeros((n_win, traj.shape[1]))
    for i in range(n_win):
        for s in range(traj.shape[1]):
            x = np.asarray(traj[i * h:i * h + window, s], dtype=np.float64)
            span = x.max() - x.min()
            if span < min_range or span == 0:
                continue
            curve, _ = brute_curve(x, dim, delay, steps, theiler)
            out[i, s] = brute_slope(curve, fit_steps)
    return out


# ---------------------------------------------------------------------------
# series generators


def logistic(n, x0=0.3, r=4.0):
    x = np.empty(n)
    x[0] = x0
    for i in range(n - 1):
        x[i + 1] = r * x[i] * (1.0 - x[i])
    return x


def henon(n, burn=100, a=1.4, b=0.3):
    x, y = 0.1, 0.1
    out = np.empty(n)
    for i in range(n + burn):
        x, y = 1.0 - a * x * x + y, b * x
        if i >= burn:
            out[i - burn] = x
    return out


@st.composite
def params(draw, max_dim=4):
    dim = draw(st.integers(1, max_dim))
    delay = draw(st.integers(1, 3))
    steps = draw(st.integers(1, 6))
    theiler = draw(st.integers(0, 10))
    return dim, delay, steps, theiler


@st.composite
def series(draw, min_len=60, max_len=260):
    """Continuous (random walk, noise, chaos) or tie-rich integer series."""
    n = draw(st.integers(min_len, max_len))
    seed = draw(st.integers(0, 2**32 - 1))
    kind = draw(st.sampled_from(["walk", "noise", "logistic", "ints", "plateaus"]))
    rng = np.random.default_rng(seed)
    if kind == "walk":
        return np.cumsum(rng.normal(size=n))
    if kind == "noise":
        return rng.normal(size=n)
    if kind == "logistic":
        return logistic(n, x0=rng.uniform(0.05, 0.95))
    if kind == "ints":
        return rng.integers(0, draw(st.integers(2, 6)), size=n).astype(float)
    return np.repeat(rng.normal(size=n), rng.integers(1, 5, size=n))[:n]


# ---------------------------------------------------------------------------
# exactness: TISEAN reference and NumPy twin


def _reference_cases(reference_dir):
    with open(reference_dir / "lyapunov_cases.json") as f:
        cases = json.load(f)["cases"]
    assert cases
    for c in cases:
        c["curve"] = np.array([np.nan if v is None else v for v in c["curve"]])
        c["series"] = np.array(c["series"], dtype=np.float64)
    return cases


def test_reference_curves_and_counts(reference_dir):
    cases = _reference_cases(reference_dir)
    assert len({(c["dim"], c["delay"], c["steps"], c["theiler"]) for c in cases}) >= 4
    for c in cases:
        curve, counts = divergence_curve(c["series"], c["dim"], c["delay"],
                                         c["steps"], c["theiler"])
        assert counts.tolist() == c["counts"], c["name"]
        np.testing.assert_array_equal(np.isnan(curve), np.isnan(c["curve"]),
                                      err_msg=c["name"])
        np.testing.assert_allclose(curve, c["curve"], rtol=0, atol=1e-9,
                                   equal_nan=True, err_msg=c["name"])


def test_twin_matches_reference(reference_dir):
    """The NumPy oracle itself reproduces TISEAN (so it can judge the kernel)."""
    for c in _reference_cases(reference_dir):
        curve, counts = brute_curve(c["series"], c["dim"], c["delay"],
                                    c["steps"], c["theiler"])
        assert counts.tolist() == c["counts"], c["name"]
        np.testing.assert_allclose(curve, c["curve"], atol=1e-9, equal_nan=True,
                                   err_msg=c["name"])


def test_reference_exponents(reference_dir):
    for c in _reference_cases(reference_dir):
        ref = c["curve"]
        args = (c["series"], c["dim"], c["delay"], c["steps"], c["theiler"])
        assert lyapunov_exponent(*args, fit_steps=1) == pytest.approx(
            ref[1] - ref[0], abs=1e-9), c["name"]
        k = c["steps"]
        slope = np.polyfit(np.arange(k + 1), ref, 1)[0]
        assert lyapunov_exponent(*args, fit_steps=k) == pytest.approx(
            slope, abs=1e-9), c["name"]


def test_reference_as_windows(reference_dir):
    """The windowed path (a whole series as one window) agrees too."""
    for c in _reference_cases(reference_dir):
        x = c["series"]
        le = windowed_lyapunov(x, window=len(x), overlap=0.0, dim=c["dim"],
                               delay=c["delay"], steps=c["steps"],
                               theiler=c["theiler"])
        assert le.shape == (1,)
        assert le[0] == pytest.approx(c["curve"][1] - c["curve"][0], abs=1e-9)


@settings(**SETTINGS)
@given(x=series(), p=params())
def test_kernel_matches_numpy_twin(x, p):
    dim, delay, steps, theiler = p
    if len(x) < lyapunov_min_length(dim, delay, steps, theiler) or np.ptp(x) == 0:
        return
    curve, counts = divergence_curve(x, dim, delay, steps, theiler)
    ref_curve, ref_counts = brute_curve(x, dim, delay, steps, theiler)
    np.testing.assert_array_equal(counts, ref_counts)
    np.testing.assert_allclose(curve, ref_curve, rtol=0, atol=1e-12, equal_nan=True)


@settings(deadline=None, max_examples=5)
@given(seed=st.integers(0, 2**32 - 1), kind=st.sampled_from(["walk", "ints"]))
def test_long_window_matches_twin(seed, kind):
    """Window 2,000 (the sorted scan must stay exact at that size)."""
    rng = np.random.default_rng(seed)
    x = (np.cumsum(rng.normal(size=2000)) if kind == "walk"
         else rng.integers(0, 5, size=2000).astype(float))
    curve, counts = divergence_curve(x, 3, 2, 4, 5)
    ref_curve, ref_counts = brute_curve(x, 3, 2, 4, 5)
    np.testing.assert_array_equal(counts, ref_counts)
    np.testing.assert_allclose(curve, ref_curve, rtol=0, atol=1e-12)


def test_ties_largest_index_wins():
    # v_0 = (0, 1) is at distance 0.5 from both v_2 = (0.5, 0.5) and ...
    # built so that several candidates tie; the twin breaks ties by the
    # largest j, and the divergence after one step tells which was chosen.
    x = np.array([0, 1, 0, 1, 0.5, 0, 1, 0, 1, 0.25, 0.75, 0.5])
    for p in [(1, 1, 1, 0), (2, 1, 2, 0), (2, 2, 1, 1)]:
        curve, counts = divergence_curve(x, *p)
        ref_curve, ref_counts = brute_curve(x, *p)
        np.testing.assert_array_equal(counts, ref_counts)
        np.testing.assert_allclose(curve, ref_curve, atol=1e-12, equal_nan=True)


# ---------------------------------------------------------------------------
# properties


@settings(**SETTINGS)
@given(x=series(), p=params(),
       a=st.integers(1, 1000), b=st.integers(-10**6, 10**6))
def test_curve_invariant_to_affine_map_exact(x, p, a, b):
    """Integer data, a > 0, integer b: y is the same float, the curve too."""
    dim, delay, steps, theiler = p
    x = np.round(x * 100)
    if len(x) < lyapunov_min_length(dim, delay, steps, theiler) or np.ptp(x) == 0:
        return
    c1, n1 = divergence_curve(x, dim, delay, steps, theiler)
    c2, n2 = divergence_curve(a * x + b, dim, delay, steps, theiler)
    np.testing.assert_array_equal(n1, n2)
    np.testing.assert_array_equal(c1, c2)


@settings(**SETTINGS)
@given(seed=st.integers(0, 2**32 - 1), p=params(),
       a=st.floats(0.1, 100) | st.floats(-100, -0.1),
       b=st.floats(-100, 100), kind=st.sampled_from(["walk", "noise", "logistic"]))
def test_curve_invariant_to_affine_map(seed, p, a, b, kind):
    """Continuous data, any a != 0 (reflections included): to rounding."""
    rng = np.random.default_rng(seed)
    n = 200
    x = {"walk": lambda: np.cumsum(rng.normal(size=n)),
         "noise": lambda: rng.normal(size=n),
         "logistic": lambda: logistic(n, rng.uniform(0.05, 0.95))}[kind]()
    # "To rounding" holds where the rescaling's rounding (about 1e-16 of the
    # range) stays small against the distances whose logarithms are
    # averaged: two points 1e-11 of the range apart (a logistic series can
    # have them; about 7 % of these draws have a pair closer than 1e-6)
    # turn it into 1e-5 in log d. Integer data: the exact test above.
    y = (x - x.min()) / np.ptp(x)
    assume(np.diff(np.sort(y)).min() > 1e-6)
    c1, n1 = divergence_curve(x, *p)
    c2, n2 = divergence_curve(a * x + b, *p)
    np.testing.assert_array_equal(n1, n2)
    np.testing.assert_allclose(c1, c2, rtol=0, atol=1e-7, equal_nan=True)


@settings(**SETTINGS)
@given(level=st.floats(-1e6, 1e6), wiggle=st.floats(0, 0.99),
       seed=st.integers(0, 2**32 - 1))
def test_static_window_gives_zero(level, wiggle, seed):
    rng = np.random.default_rng(seed)
    min_range = 1e-5
    traj = np.full((500, 3), level)
    traj[:, 1] += wiggle * min_range * rng.uniform(size=500)
    traj[:, 2] += np.cumsum(rng.normal(size=500))
    le, status = windowed_lyapunov(traj, window=200, overlap=0.1,
                                   min_range=min_range, return_status=True)
    assert (le[:, :2] == 0).all()
    assert (status[:, :2] == STATUS_STATIC).all()
    assert lyapunov_exponent(traj[:, 0]) == 0.0
    assert lyapunov_exponent(traj[:200, 1], min_range=min_range) == 0.0


@settings(**SETTINGS)
@given(seed=st.integers(0, 2**32 - 1),
       window=st.integers(20, 90), overlap=st.floats(0, 0.9),
       n_rows=st.integers(0, 400), n_series=st.integers(1, 20),
       cuts=st.lists(st.integers(0, 400), max_size=8),
       dtype=st.sampled_from([np.float64, np.float32]), p=params(max_dim=3))
def test_streaming_equals_batch(seed, window, overlap, n_rows, n_series, cuts,
                                dtype, p):
    dim, delay, steps, theiler = p
    if window < lyapunov_min_length(dim, delay, steps, theiler):
        return
    rng = np.random.default_rng(seed)
    traj = np.cumsum(rng.normal(size=(n_rows, n_series)), axis=0).astype(dtype)
    traj[:, 0] = np.round(traj[:, 0])  # some ties
    kw = dict(window=window, overlap=overlap, dim=dim, delay=delay,
              steps=steps, theiler=theiler)
    acc = WindowedLyapunov(**kw)
    bounds = [0] + sorted(c for c in cuts if c <= n_rows) + [n_rows]
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        acc.update(traj[lo:hi])
    ends = window_ends(n_rows, window, overlap)
    assert acc.n_steps_ == n_rows
    assert acc.n_windows_ == len(ends)
    np.testing.assert_array_equal(acc.window_ends_, ends)
    if n_rows >= window:
        batch, status = windowed_lyapunov(traj, return_status=True, **kw)
        # bit for bit, and also equal to the float64 C-contiguous path
        np.testing.assert_array_equal(acc.exponents_, batch)
        np.testing.assert_array_equal(acc.status_, status)
        batch64 = windowed_lyapunov(np.ascontiguousarray(traj, dtype=np.float64), **kw)
        np.testing.assert_array_equal(acc.exponents_, batch64)
        assert np.isfinite(acc.exponents_).all()


@settings(**SETTINGS)
@given(seed=st.integers(0, 2**32 - 1), window=st.integers(20, 90),
       overlap=st.floats(0, 0.9), n_rows=st.integers(1, 400),
       n_series=st.integers(1, 12), asks=st.lists(st.integers(1, 300), min_size=1,
                                                  max_size=40))
def test_rows_written_in_place_equal_the_batch(seed, window, overlap, n_rows, n_series,
                                               asks):
    # The trainer's path: a first row through update, then rows written into
    # the buffer's reserved views (of at most the size asked) and committed.
    rng = np.random.default_rng(seed)
    traj = np.cumsum(rng.normal(size=(n_rows, n_series)), axis=0)
    acc = WindowedLyapunov(window=window, overlap=overlap)
    acc.update(traj[:1])
    done, i = 1, 0
    while done < n_rows:
        view = acc._reserve(min(asks[i % len(asks)], n_rows - done))
        assert 1 <= view.shape[0] <= asks[i % len(asks)]
        assert view.flags.c_contiguous and view.dtype == np.float64
        k = rng.integers(1, view.shape[0] + 1)  # the trainer may use fewer
        view[:k] = traj[done:done + k]
        acc._commit(k)
        done += k
        i += 1
    assert acc.n_steps_ == n_rows
    ends = window_ends(n_rows, window, overlap)
    np.testing.assert_array_equal(acc.window_ends_, ends)
    if n_rows >= window:
        np.testing.assert_array_equal(acc.exponents_,
                                      windowed_lyapunov(traj, window=window, overlap=overlap))


def test_streaming_matches_numpy_twin():
    rng = np.random.default_rng(3)
    traj = np.cumsum(rng.normal(size=(700, 5)), axis=0)
    traj[:, 3] = rng.integers(0, 3, size=700)  # tie-rich
    traj[300:, 4] = 7.0  # becomes static
    acc = WindowedLyapunov(window=120, overlap=0.25, fit_steps=2)
    for chunk in np.array_split(traj, 13):
        acc.update(chunk)
    ref = brute_windowed(traj, 120, 0.25, fit_steps=2)
    np.testing.assert_allclose(acc.exponents_, ref, rtol=0, atol=1e-12)


def test_one_row_at_a_time_and_bounded_buffer():
    rng = np.random.default_rng(4)
    traj = rng.normal(size=(1000, 3))
    acc = WindowedLyapunov(window=50, overlap=0.1)
    acc.update(traj[0])
    buffer_bytes = acc._buf.nbytes
    for row in traj[1:600]:
        acc.update(row)
    acc.update(traj[600:])  # one chunk longer than the buffer
    assert acc._buf.nbytes == buffer_bytes
    assert acc._buf.shape[0] >= 50
    np.testing.assert_array_equal(acc.exponents_,
                                  windowed_lyapunov(traj, window=50, overlap=0.1))


def test_buffer_is_about_one_window_for_many_series():
    acc = WindowedLyapunov(window=200, overlap=0.1)
    acc.update(np.zeros((1, 7400), dtype=np.float32))
    # at most 3 windows' worth of rows when a window already has ~1.5M values
    assert acc._buf.shape[0] <= 200 + 2 * 180


@settings(**SETTINGS)
@given(seed=st.integers(0, 2**32 - 1), which=st.integers(0, 5),
       overlap=st.sampled_from([0.0, 0.1, 0.3]))
def test_windows_are_independent(seed, which, overlap):
    """Changing the rows that belong to one window only changes that window."""
    rng = np.random.default_rng(seed)
    window = 60
    h = window_stride(window, overlap)
    n_rows = 5 * h + window
    traj = np.cumsum(rng.normal(size=(n_rows, 4)), axis=0)
    before = windowed_lyapunov(traj, window=window, overlap=overlap)
    # rows of window `which` that no other window covers
    lo = which * h + (window - h if which > 0 else 0)
    hi = min(which * h + window, (which + 1) * h)
    changed = traj.copy()
    changed[lo:hi] = rng.normal(size=(hi - lo, 4)) * 10.0
    after = windowed_lyapunov(changed, window=window, overlap=overlap)
    others = np.arange(before.shape[0]) != which
    np.testing.assert_array_equal(before[others], after[others])
    alone = window_exponents(changed, [which * h], window)
    np.testing.assert_array_equal(after[which], alone[0])


@settings(deadline=None, max_examples=20)
@given(pos=st.integers(0, 299), bad=st.sampled_from([np.nan, np.inf, -np.inf]),
       dtype=st.sampled_from([np.float64, np.float32]),
       split=st.integers(1, 299))
def test_nan_and_inf_raise(pos, bad, dtype, split):
    x = np.cumsum(np.random.default_rng(0).normal(size=300))
    y = x.copy()
    y[pos] = bad
    with pytest.raises(ValueError, match="NaN or infinity"):
        divergence_curve(y.astype(dtype))
    with pytest.raises(ValueError, match="NaN or infinity"):
        lyapunov_exponent(y.astype(dtype))
    traj = np.column_stack([x, y]).astype(dtype)
    with pytest.raises(ValueError, match="NaN or infinity"):
        windowed_lyapunov(traj, window=100)
    with pytest.raises(ValueError, match="NaN or infinity"):
        window_exponents(traj, [0, 200], 100)
    # streaming: the chunk holding the bad value is rejected whole, and
    # leaves no trace (feeding good rows afterwards gives the batch result)
    acc = WindowedLyapunov(window=100)
    lo, hi = (0, split) if pos < split else (split, 300)
    if lo > 0:
        acc.update(traj[:lo])
    with pytest.raises(ValueError, match="NaN or infinity"):
        acc.update(traj[lo:hi])
    assert acc.n_steps_ == lo
    good = np.column_stack([x, x]).astype(dtype)
    acc.update(good[lo:])
    np.testing.assert_array_equal(acc.exponents_, windowed_lyapunov(good, window=100))


@settings(deadline=None, max_examples=10)
@given(seed=st.integers(0, 2**32 - 1), n_series=st.integers(1, 70),
       p=st.sampled_from([(2, 1, 3, 0), (2, 2, 3, 4), (3, 1, 4, 2), (1, 1, 5, 0)]))
def test_independent_of_thread_count(seed, n_series, p):
    dim, delay, steps, theiler = p
    kw = dict(window=100, dim=dim, delay=delay, steps=steps, theiler=theiler)
    rng = np.random.default_rng(seed)
    traj = np.cumsum(rng.normal(size=(600, n_series)), axis=0)
    traj[:, ::3] = np.round(traj[:, ::3])
    previous = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = windowed_lyapunov(traj, **kw)
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        many = windowed_lyapunov(traj, **kw)
    finally:
        numba.set_num_threads(previous)
    np.testing.assert_array_equal(one, many)
    np.testing.assert_array_equal(one, windowed_lyapunov(traj, n_jobs=1, **kw))
    np.testing.assert_array_equal(one, windowed_lyapunov(traj, n_jobs=-1, **kw))
    assert numba.get_num_threads() == previous


# ---------------------------------------------------------------------------
# the slope


@settings(**SETTINGS)
@given(x=series(min_len=100), fit_steps=st.integers(1, 6))
def test_slope_definition(x, fit_steps):
    if np.ptp(x) == 0:
        return
    curve, _ = brute_curve(x, 2, 1, 6, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        le = lyapunov_exponent(x, dim=2, delay=1, steps=6, fit_steps=fit_steps)
    assert le == pytest.approx(brute_slope(curve, fit_steps), abs=1e-10)


def test_first_step_slope_is_exact_difference():
    x = logistic(400)
    curve, _ = divergence_curve(x)
    assert lyapunov_exponent(x) == curve[1] - curve[0]


def test_undefined_curve_gives_zero_and_status():
    # values in {0, 1}: every distance is 0, 1 or 2, none in (0, 1)
    x = np.random.default_rng(0).integers(0, 2, size=300).astype(float)
    curve, counts = divergence_curve(x, dim=2)
    assert (counts == 0).all() and np.isnan(curve).all()
    with pytest.warns(RuntimeWarning, match="undefined"):
        assert lyapunov_exponent(x, dim=2) == 0.0
    le, status = windowed_lyapunov(np.column_stack([x, x]), window=100,
                                   return_status=True)
    assert (le == 0).all() and (status == STATUS_UNDEFINED).all()


# ---------------------------------------------------------------------------
# known values


def test_logistic_map_is_ln2():
    for n in (200, 1000):
        assert lyapunov_exponent(logistic(n)) == pytest.approx(math.log(2), abs=0.02)


def test_henon_map():
    le = lyapunov_exponent(henon(3000), dim=2, delay=1, steps=3, fit_steps=3)
    assert le == pytest.approx(0.39, abs=0.03)  # true value 0.42
    assert 0.3 < le < 0.45


def test_periodic_series_is_zero():
    t = np.arange(2000)
    x = np.sin(2 * np.pi * t / (20 * np.sqrt(2)))
    assert abs(lyapunov_exponent(x)) < 0.01
    assert abs(lyapunov_exponent(x[:200])) < 0.05


def test_converging_trajectory_is_negative():
    # w(t) = w* + c exp(-lam t): neighbours converge at exactly rate lam
    t = np.arange(300)
    for lam in (0.01, 0.03, 0.05):
        x = 0.7 - 2.0 * np.exp(-lam * t)
        assert lyapunov_exponent(x) == pytest.approx(-lam, abs=1e-6)
    le = windowed_lyapunov(np.column_stack([0.7 - 2 * np.exp(-0.05 * t)] * 2),
                           window=100, overlap=0.5)
    assert (le < 0).all()


def test_chaotic_windows_positive_status_ok():
    traj = np.column_stack([logistic(1000, x0) for x0 in (0.1, 0.2, 0.3)])
    le, status = windowed_lyapunov(traj, return_status=True)
    assert (status == STATUS_OK).all()
    np.testing.assert_allclose(le, math.log(2), atol=0.1)


# ---------------------------------------------------------------------------
# layout, lengths and errors


def test_window_layout():
    assert window_stride(200, 0.1) == 180
    assert window_stride(160, 0.1) == 144
    assert window_stride(250, 0.1) == 225
    assert window_stride(5, 0.1) == 4  # 4.5: half to even, as numpy.round
    assert window_stride(3, 0.9) == 1
    np.testing.assert_array_equal(window_ends(1000, 200, 0.1),
                                  [199, 379, 559, 739, 919])
    assert window_ends(199, 200).size == 0
    traj = np.random.default_rng(0).normal(size=(1000, 2))
    assert windowed_lyapunov(traj).shape == (5, 2)


@pytest.mark.parametrize("p", [(2, 1, 3, 0), (1, 1, 10, 0), (3, 2, 5, 10),
                               (4, 1, 8, 25)])
def test_min_length_is_tight(p):
    need = lyapunov_min_length(*p)
    rng = np.random.default_rng(1)
    x = rng.normal(size=need)
    curve, counts = divergence_curve(x, *p)  # accepted
    assert counts[0] >= 1  # and a pair exists
    np.testing.assert_array_equal(counts, brute_curve(x, *p)[1])
    with pytest.raises(ValueError, match="lyapunov_min_length"):
        divergence_curve(x[:-1], *p)
    with pytest.raises(ValueError, match="lyapunov_min_length"):
        lyapunov_exponent(x[:-1], *p, fit_steps=1)
    with pytest.raises(ValueError, match="lyapunov_min_length"):
        WindowedLyapunov(window=need - 1, dim=p[0], delay=p[1], steps=p[2],
                         theiler=p[3])


def test_float32_and_int_input_without_warnings():
    rng = np.random.default_rng(5)
    traj = np.cumsum(rng.normal(size=(500, 4)), axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        le32 = windowed_lyapunov(traj.astype(np.float32), window=100)
        acc = WindowedLyapunov(window=100).update(traj.astype(np.float32))
        le_int = windowed_lyapunov(np.round(traj * 100).astype(np.int64), window=100)
    np.testing.assert_array_equal(le32, acc.exponents_)
    np.testing.assert_array_equal(
        le32, windowed_lyapunov(traj.astype(np.float32).astype(np.float64), window=100))
    np.testing.assert_array_equal(
        le_int, windowed_lyapunov(np.round(traj * 100), window=100))


def test_huge_values_raise_instead_of_overflowing():
    x = np.cumsum(np.random.default_rng(0).normal(size=300))
    y = x * 1e307
    with pytest.raises(ValueError, match="overflow"):
        divergence_curve(y)
    with pytest.raises(ValueError, match="overflow"):
        windowed_lyapunov(y[:, None], window=100)
    with pytest.raises(ValueError, match="overflow"):
        WindowedLyapunov(window=100).update(y[:, None])
    # scaled down, the same exponents (1e-300 scale is fine too)
    np.testing.assert_allclose(lyapunov_exponent(x * 1e300), lyapunov_exponent(x),
                               atol=1e-9)


def test_parameter_errors():
    x = np.random.default_rng(0).normal(size=300)
    with pytest.raises(ValueError, match="fit_steps"):
        lyapunov_exponent(x, steps=3, fit_steps=4)
    with pytest.raises(ValueError, match="dim"):
        divergence_curve(x, dim=0)
    with pytest.raises(ValueError, match="delay"):
        divergence_curve(x, delay=1.5)
    with pytest.raises(ValueError, match="constant"):
        divergence_curve(np.ones(50))
    with pytest.raises(ValueError, match="overlap"):
        windowed_lyapunov(x[:, None], overlap=1.0)
    with pytest.raises(ValueError, match="fewer than one window"):
        windowed_lyapunov(x[:100, None], window=200)
    with pytest.raises(ValueError, match="one-dimensional"):
        divergence_curve(np.zeros((10, 10)))
    with pytest.raises(ValueError, match="min_range"):
        windowed_lyapunov(x[:, None], min_range=-1.0)
    with pytest.raises(ValueError, match="n_jobs"):
        windowed_lyapunov(x[:, None], n_jobs=0)
    with pytest.raises(ValueError, match="within"):
        window_exponents(x[:, None], [150], 200)
    acc = WindowedLyapunov(window=50).update(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="series"):
        acc.update(np.zeros((3, 5)))
    with pytest.raises(ValueError, match="numeric"):
        acc.update(np.array([["a"] * 4]))
