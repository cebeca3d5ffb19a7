"""The faster Lyapunov kernel (issue 15) is bit-identical to the one before.

The oracle is ``tests/_lyapunov_reference_kernel.py``, a frozen copy of
``skchaosprune/_kernels/lyapunov.py`` as it was before the speed work; no
expectation here is computed by the new code.  Exponents are compared bit
for bit (their int64 views, so even -0.0 against 0.0 would fail), status
codes and pair counts exactly, divergence curves bit for bit (NaN where
the reference has NaN).

The generated trajectories mix, column by column, the series that exercise
every rule of docs/method.md section 2: continuous walks, noise and chaos;
tie-rich integer and plateau series (the largest-index tie rule); periodic
series (exact repeats, D = 0); grids of a few levels whose distances reach
exactly 1 (the 0 < D < 1 bound); static, nearly static and constant
windows (min_range); huge (1e300) and tiny (1e-300) magnitudes; with every
dim, delay, steps, Theiler window and fit_steps.
"""

import json

import _lyapunov_reference_kernel as ref
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skchaosprune._kernels import lyapunov as new
from skchaosprune._kernels import read_only
from skchaosprune.lyapunov import (
    WindowedLyapunov,
    divergence_curve,
    lyapunov_min_length,
    window_exponents,
    windowed_lyapunov,
)

SETTINGS = dict(deadline=None, max_examples=60,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

KINDS = ["walk", "noise", "logistic", "ints", "plateaus", "periodic", "levels",
         "rounded_walk", "constant", "near_static", "huge", "tiny", "step",
         "clustered", "hover"]


def column(kind, n, rng):
    """One series of length n of the given kind (finite, |x| <= 1e300)."""
    if kind == "walk":
        return np.cumsum(rng.normal(size=n))
    if kind == "noise":
        return rng.normal(size=n)
    if kind == "logistic":
        x = np.empty(n)
        x[0] = rng.uniform(0.05, 0.95)
        for i in range(n - 1):
            x[i + 1] = 4.0 * x[i] * (1.0 - x[i])
        return x
    if kind == "ints":
        return rng.integers(0, int(rng.integers(2, 7)), size=n).astype(float)
    if kind == "plateaus":
        return np.repeat(rng.normal(size=n), rng.integers(1, 5, size=n))[:n]
    if kind == "periodic":
        period = int(rng.integers(2, 9))
        base = rng.normal(size=period)
        return np.tile(base, n // period + 1)[:n]
    if kind == "levels":  # {0, 1/2, 1} after rescaling: D hits 1 and 1/4 exactly
        x = rng.integers(0, 3, size=n).astype(float)
        x[0], x[-1] = 0.0, 2.0
        return x
    if kind == "rounded_walk":
        return np.round(np.cumsum(rng.normal(size=n)) * 2.0) / 2.0
    if kind == "constant":
        return np.full(n, rng.normal())
    if kind == "near_static":  # range about min_range = 1e-5, either side
        return 3.0 + rng.uniform(0.3e-5, 3e-5) * rng.uniform(size=n)
    if kind == "huge":
        return 1e300 * (1.0 + 1e-3 * np.cumsum(rng.normal(size=n)) / n)
    if kind == "tiny":
        return 1e-300 * np.cumsum(rng.normal(size=n))
    if kind == "step":  # static halves: whether a window is static depends on it
        x = np.zeros(n)
        x[n // 2:] = 1.0
        x[n // 2:] += 1e-3 * np.cumsum(rng.normal(size=n - n // 2))
        return x
    if kind == "clustered":  # most values within 1e-7 of each other, a few far:
        # one bucket of the sort holds most of them, all distinct
        x = 1e-7 * rng.normal(size=n)
        far = rng.uniform(size=n) < 0.1
        x[far] += rng.normal(size=int(far.sum()))
        return x
    if kind == "hover":  # a ReLU net's weight: plateaus, small steps, jumps (float32)
        steps = 1e-4 * rng.normal(size=n) * (rng.uniform(size=n) < 0.5)
        steps[rng.uniform(size=n) < 0.03] += 1e-2 * rng.normal()
        return (0.1 + np.cumsum(steps)).astype(np.float32).astype(float)
    raise AssertionError(kind)


@st.composite
def lyap_params(draw, max_dim=5):
    dim = draw(st.integers(1, max_dim))
    delay = draw(st.integers(1, 3))
    steps = draw(st.integers(1, 8))
    theiler = draw(st.sampled_from([0, 0, 1, 2, 5, 13, 20]))
    fit_steps = draw(st.integers(1, steps))
    return dim, delay, steps, theiler, fit_steps


@st.composite
def cases(draw, max_rows=420, max_series=40):
    """(trajectory, starts, window, params, min_range)."""
    p = draw(lyap_params())
    dim, delay, steps, theiler, _ = p
    need = (dim - 1) * delay + steps + theiler + 2
    window = draw(st.integers(need, max(need, 260)))
    n_rows = draw(st.integers(window, max(window, max_rows)))
    n_series = draw(st.integers(1, max_series))
    seed = draw(st.integers(0, 2**32 - 1))
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=n_series, max_size=n_series))
    rng = np.random.default_rng(seed)
    traj = np.empty((n_rows, n_series))
    for s, kind in enumerate(kinds):
        traj[:, s] = column(kind, n_rows, rng)
    n_win = draw(st.integers(1, 6))
    starts = np.sort(rng.integers(0, n_rows - window + 1, size=n_win)).astype(np.int64)
    min_range = draw(st.sampled_from([0.0, 1e-5, 1e-5, 1e-3, 1e-320]))
    return traj, starts, window, p, min_range


def bits(a):
    return np.ascontiguousarray(a, dtype=np.float64).view(np.int64)


def assert_same_windows(data, starts, window, p, min_range):
    dim, delay, steps, theiler, fit_steps = p
    shape = (starts.shape[0], data.shape[1])
    want, want_st = np.empty(shape), np.empty(shape, dtype=np.int8)
    ref.window_exponents_serial(data, starts, window, dim, delay, steps, theiler,
                                fit_steps, min_range, want, want_st)
    # The data read-only, as the library passes it (the warmed-up specialization).
    (frozen,) = read_only(data)
    for kernel in (new.window_exponents, new.window_exponents_serial):
        got, got_st = np.full(shape, np.nan), np.full(shape, -1, dtype=np.int8)
        kernel(frozen, starts, window, dim, delay, steps, theiler, fit_steps,
               min_range, got, got_st)
        np.testing.assert_array_equal(got_st, want_st)
        np.testing.assert_array_equal(bits(got), bits(want))
    return want, want_st


def assert_same_curve(x, dim, delay, steps, theiler):
    want_c, want_n = ref.divergence_curve(x, dim, delay, steps, theiler)
    got_c, got_n = new.divergence_curve(*read_only(x), dim, delay, steps, theiler)
    np.testing.assert_array_equal(got_n, want_n)
    np.testing.assert_array_equal(bits(got_c), bits(want_c))


# ---------------------------------------------------------------------------


@settings(**SETTINGS)
@given(case=cases())
def test_window_kernels_bit_identical(case):
    traj, starts, window, p, min_range = case
    assert_same_windows(np.ascontiguousarray(traj), starts, window, p, min_range)


@settings(**SETTINGS)
@given(case=cases(max_series=3))
def test_divergence_curve_bit_identical(case):
    traj, _, _, p, _ = case
    dim, delay, steps, theiler, _ = p
    for s in range(traj.shape[1]):
        x = np.ascontiguousarray(traj[:, s])
        if x.max() > x.min() and x.shape[0] >= lyapunov_min_length(dim, delay, steps, theiler):
            assert_same_curve(x, dim, delay, steps, theiler)


@settings(**SETTINGS)
@given(case=cases(max_rows=700, max_series=24),
       overlap=st.sampled_from([0.0, 0.1, 0.5, 0.9]),
       cuts=st.lists(st.integers(0, 700), max_size=6),
       dtype=st.sampled_from([np.float64, np.float32]))
def test_public_functions_bit_identical(case, overlap, cuts, dtype):
    """windowed_lyapunov, window_exponents and the streaming accumulator
    (fed in chunks, float32 or float64) against the frozen kernel."""
    traj, _, window, p, min_range = case
    dim, delay, steps, theiler, fit_steps = p
    if dtype == np.float32:  # the huge columns, brought into float32's range
        traj[:, np.abs(traj).max(axis=0) > 1e30] *= 1e-290
    traj = traj.astype(dtype)
    kw = dict(dim=dim, delay=delay, steps=steps, theiler=theiler,
              fit_steps=fit_steps, min_range=min_range)
    h = max(1, int(round(window * (1.0 - overlap))))
    n_win = (traj.shape[0] - window) // h + 1
    starts = np.arange(n_win, dtype=np.int64) * h
    data = np.ascontiguousarray(traj, dtype=np.float64)
    want, want_st = assert_same_windows(data, starts, window, p, min_range)
    got, got_st = windowed_lyapunov(traj, window=window, overlap=overlap,
                                    return_status=True, **kw)
    np.testing.assert_array_equal(bits(got), bits(want))
    np.testing.assert_array_equal(got_st, want_st)
    got = window_exponents(traj, starts, window, **kw)
    np.testing.assert_array_equal(bits(got), bits(want))
    acc = WindowedLyapunov(window=window, overlap=overlap, **kw)
    bounds = [0] + sorted(c for c in cuts if c <= traj.shape[0]) + [traj.shape[0]]
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        acc.update(traj[lo:hi])
    np.testing.assert_array_equal(bits(acc.exponents_), bits(want))
    np.testing.assert_array_equal(acc.status_, want_st)


@settings(deadline=None, max_examples=6)
@given(seed=st.integers(0, 2**32 - 1),
       kind=st.sampled_from(["walk", "ints", "rounded_walk", "noise", "plateaus"]),
       p=lyap_params())
def test_long_windows_bit_identical(seed, kind, p):
    """Windows of 2,000 points (the neighbour search must stay exact)."""
    rng = np.random.default_rng(seed)
    traj = np.ascontiguousarray(np.stack([column(kind, 2000, rng) for _ in range(3)], 1))
    assert_same_windows(traj, np.zeros(1, dtype=np.int64), 2000, p, 1e-5)
    dim, delay, steps, theiler, _ = p
    assert_same_curve(np.ascontiguousarray(traj[:, 0]), dim, delay, steps, theiler)


def test_ties_and_bounds_bit_identical():
    """Hand-built tie cases of test_lyapunov, every small parameter set."""
    x = np.array([0, 1, 0, 1, 0.5, 0, 1, 0, 1, 0.25, 0.75, 0.5])
    for dim in (1, 2, 3):
        for delay in (1, 2):
            for steps in (1, 2, 3):
                for theiler in (0, 1, 2):
                    if len(x) >= lyapunov_min_length(dim, delay, steps, theiler):
                        assert_same_curve(x, dim, delay, steps, theiler)
    traj = np.ascontiguousarray(np.stack([x, x[::-1], np.zeros(12), 2 * x], axis=1))
    for p in [(1, 1, 1, 0, 1), (2, 1, 2, 0, 2), (2, 2, 1, 1, 1), (3, 1, 2, 1, 1)]:
        assert_same_windows(traj, np.zeros(1, dtype=np.int64), 12, p, 0.0)


def test_reference_cases_bit_identical(reference_dir):
    """Every TISEAN reference case, curve and windowed exponent."""
    with open(reference_dir / "lyapunov_cases.json") as f:
        cases_ = json.load(f)["cases"]
    assert cases_
    for c in cases_:
        x = np.array(c["series"], dtype=np.float64)
        dim, delay, steps, theiler = c["dim"], c["delay"], c["steps"], c["theiler"]
        assert_same_curve(x, dim, delay, steps, theiler)
        data = np.ascontiguousarray(x[:, None])
        for fit_steps in range(1, steps + 1):
            assert_same_windows(data, np.zeros(1, dtype=np.int64), x.shape[0],
                                (dim, delay, steps, theiler, fit_steps), 1e-5)
        got = divergence_curve(x, dim, delay, steps, theiler)[1]
        assert got.shape == (steps + 1,)


@pytest.mark.parametrize("n_series", [1, 15, 16, 17, 33, 100])
def test_block_edges_bit_identical(n_series):
    """Series counts around the kernels' block sizes."""
    rng = np.random.default_rng(n_series)
    traj = np.cumsum(rng.normal(size=(600, n_series)), axis=0)
    traj[:, ::3] = np.round(traj[:, ::3])
    traj[:, 1::5] = 2.0
    starts = np.array([0, 180, 360, 400], dtype=np.int64)
    for p in [(2, 1, 3, 0, 1), (3, 2, 5, 4, 3), (1, 1, 1, 0, 1), (4, 1, 8, 10, 2)]:
        assert_same_windows(np.ascontiguousarray(traj), starts, 200, p, 1e-5)


@pytest.mark.parametrize("kind", ["clustered", "hover", "plateaus", "ints", "walk"])
def test_paper_settings_bit_identical(kind):
    """The copy of the window loop compiled for the paper's settings (dim
    2, Theiler 0, first-step slope), on 200-point windows of the series
    that take each branch of its sort and search: clustered values (the
    radix sort's merge-sort fallback, a crowded bucket of distinct values
    searched by the band), weight-like plateaus and jumps, few levels (the
    block scan)."""
    rng = np.random.default_rng(15)
    traj = np.stack([column(kind, 2000, rng) for _ in range(40)], axis=1)
    starts = np.arange(0, 1801, 180, dtype=np.int64)
    for p in [(2, 1, 3, 0, 1), (2, 2, 3, 0, 1), (2, 1, 5, 0, 1)]:
        assert_same_windows(np.ascontiguousarray(traj), starts, 200, p, 1e-5)
