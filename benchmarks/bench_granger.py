"""Benchmark: statsmodels' grangercausalitytests loop vs granger_pvalues.

One run measures, for T = 500 time steps and maxlag = 14 (the reference
settings):

1. the statsmodels loop (``grangercausalitytests`` on ``[target, source]``,
   source by source, as the paper's code did) over 1,000 sources, with one
   BLAS thread (its fastest setting for these tiny fits);
2. :func:`skchaosprune.causality.granger_pvalues` on the same 1,000 sources
   (best of 7 runs, after a warm-up call that loads the compiled kernel; a
   single call takes tens of milliseconds, so the minimum filters out other
   processes on a shared machine);
3. the largest |p-value difference| between the two;
4. ``granger_pvalues`` on 40,000 sources (best of 3), against the
   statsmodels time extrapolated linearly from (1).

Run from the repository root::

    python benchmarks/bench_granger.py [--quick]

``--quick`` uses 100 statsmodels sources and 4,000 for the large run.
"""

import argparse
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from statsmodels.tools.sm_exceptions import InfeasibleTestError  # noqa: E402
from statsmodels.tsa.stattools import grangercausalitytests  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from skchaosprune.causality import granger_pvalues  # noqa: E402


def make_data(rng, T, n):
    """A risk-like target (falling error rate plus noise) and AR(1) sources."""
    t = np.arange(T)
    target = 0.1 + 0.6 * np.exp(-t / (T / 6)) + 0.02 * rng.normal(size=T)
    e = rng.normal(size=(T, n))
    sources = np.empty((T, n))
    sources[0] = e[0]
    for i in range(1, T):
        sources[i] = 0.5 * sources[i - 1] + e[i]
    return target, sources


def statsmodels_loop(target, sources, maxlag):
    """Minimum-over-lags ssr_chi2test p-value per source, as the paper did."""
    out = np.empty(sources.shape[1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for j in range(sources.shape[1]):
            try:
                res = grangercausalitytests(np.column_stack([target, sources[:, j]]), maxlag)
            except InfeasibleTestError:
                out[j] = np.nan
                continue
            out[j] = min(res[lag][0]["ssr_chi2test"][1] for lag in range(1, maxlag + 1))
    return out


def best_of(k, fn):
    best = np.inf
    for _ in range(k):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    args = parser.parse_args(argv)
    T, maxlag = 500, 14
    n_small, n_large = (100, 4_000) if args.quick else (1_000, 40_000)
    rng = np.random.default_rng(0)
    target, sources = make_data(rng, T, n_large)
    small = sources[:, :n_small]

    print(f"T = {T}, maxlag = {maxlag}, test = ssr_chi2test, min over lags")
    # statsmodels fits tiny matrices: one BLAS thread is its fastest setting
    # (and keeps BLAS threads from fighting over the cores)
    with threadpool_limits(1):
        t0 = time.perf_counter()
        p_sm = statsmodels_loop(target, small, maxlag)
        t_sm = time.perf_counter() - t0
    print(f"statsmodels loop, {n_small} sources: {t_sm:.2f} s "
          f"({1e3 * t_sm / n_small:.2f} ms per source)")

    granger_pvalues(target, small[:, :10], maxlag)  # load/compile the kernel
    t_ours, res = best_of(7, lambda: granger_pvalues(target, small, maxlag))
    diff = np.nanmax(np.abs(res.pvalues - p_sm))
    assert np.array_equal(np.isnan(p_sm), res.infeasible)
    print(f"granger_pvalues, {n_small} sources: {t_ours:.4f} s")
    print(f"  speed-up at {n_small} sources: {t_sm / t_ours:.0f}x")
    print(f"  largest |p difference| vs statsmodels: {diff:.2e}")

    t_big, res_big = best_of(3, lambda: granger_pvalues(target, sources, maxlag))
    t_sm_big = t_sm / n_small * n_large
    print(f"granger_pvalues, {n_large} sources: {t_big:.2f} s (measured)")
    print(f"statsmodels loop, {n_large} sources: {t_sm_big:.0f} s "
          f"(extrapolated linearly from {n_small})")
    print(f"  speed-up at {n_large} sources: {t_sm_big / t_big:.0f}x")
    same = np.max(np.abs(res_big.pvalues[:n_small] - res.pvalues))
    print(f"  first {n_small} p-values of the large run vs the small run: max diff {same:.1e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
