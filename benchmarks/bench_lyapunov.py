"""Windowed Lyapunov exponents: speed against nolds and NumPy, and a
digits-sized streaming run.

What is measured, all in the same run:

1. Seconds per 200-point window, for random walks, SGD-like
   mean-reverting walks and logistic-map stretches, each kind and the mix:

   - **skchaosprune**: ``lyap_r -m2 -d1 -s3`` with the paper's first-step
     slope (``dim=2, delay=1, steps=3, theiler=0, fit_steps=1``), timed
     (a) batched, 4,000 distinct windows of each kind in one
     ``window_exponents`` call, with 1 thread and with every thread, and
     (b) one ``lyapunov_exponent`` call per window on 20 of each kind
     (Python validation included).  Distinct windows, because a few
     windows repeated over and over let the branch predictor learn them
     (random walks came out 1.18x faster that way).
   - **the kernel before issue 15** (``tests/_lyapunov_reference_kernel.py``,
     a frozen copy, bit-identical results), batched, 1 thread: the "before"
     of the speed work, measured in the same run.
   - **nolds**, on the first 20 windows of each kind: ``lyap_r(x,
     emb_dim=2, lag=1, min_tsep=0, trajectory_len=4, fit="poly")``, the
     closest nolds settings (2-D delay vectors of lag 1, only the point
     itself excluded as neighbour, the divergence followed
     for 3 steps, an ordinary least-squares line through the 4 curve
     points).  nolds differs in details that barely change its cost: no
     rescaling (which shifts the curve but not its slope), no ``D < 1``
     bound, ties to the smallest index, a slope fitted over all 4 points.
   - **NumPy brute force**: a vectorised O(L^2) transcription of the same
     definition (full distance matrix, masked argmin with ties to the
     largest index); it also checks our values (to 1e-9).

   A fourth row, outside the mix, times the same on windows of real
   weight trajectories (4,000 distinct, nolds on 20 of them;
   ``digits_weight_windows``: a 64-32-10 network trained on digits by
   one-sample SGD, float32 records, the workload of
   ``bench_end_to_end.py --digits-only``).  They are harder than the
   synthetic walks: ReLU units that a sample leaves inactive leave their
   weights unchanged, so the windows have plateaus (exact copies of delay
   vectors) and jumps.

   Each timing is the best of a few repeats (a shared 2-core machine is
   noisy); JIT compilation is excluded (``warmup()`` first).

2. A digits-sized trajectory: 7,400 weights (a 64-100-10 network) x 72,000
   steps (about 50 epochs of one-sample SGD on 1,437 digits), never held in
   memory: it is generated in float32 chunks of 1,437 rows (one epoch of
   one-sample SGD, as training would produce them) and fed to
   ``WindowedLyapunov(window=200, overlap=0.1)``; 399 windows of 200 steps
   (stride 180), about 3 million windows.  The weights are synthetic:
   random walks (per-weight step sizes from 1e-4 to 1e-2) drifting towards
   a per-weight target, 8 % of them frozen (like the first-layer weights of
   digits' always-blank pixels).
   Reported: seconds spent in ``update`` (the Lyapunov work), seconds to
   generate the data, and peak memory, two ways: tracemalloc's peak of
   Python/NumPy allocations during the run (the buffers, the chunks and
   the exponents; numba's small per-thread scratch is not traced) and the
   process's peak resident set size (``resource.getrusage().ru_maxrss``,
   everything: interpreter, LLVM, libraries).  Eight weights' full
   trajectories are kept aside to check the streamed exponents against
   the batch function.

3. Where one window's time goes (1 thread, the same 4,000 distinct
   random walks, SGD-like walks and digits weight windows): cumulative
   timings of the kernel's own stages, called from a compiled driver on
   the same windows: gathering the window from the
   row-major trajectory and rescaling it, sorting by first coordinate, the
   other coordinates in sorted order, the neighbour search, and the curve
   and slope (the whole kernel).

Targets: at least 200x faster than nolds per window (all threads); issue
15: at least 700x nolds per window on one thread, random walks; the
digits-sized run in under 2 minutes with peak memory under 1 GB.

nolds 0.6.3 fails to import on Python < 3.12 (its issue #80:
``importlib.resources.files(__name__)`` is given the module
``nolds.datasets``, which is not a package).  This script wraps
``importlib.resources.files`` so that a module anchor resolves to its
package, before importing nolds; nothing is modified on disk.

Run from the repository root (the package need not be installed)::

    python benchmarks/bench_lyapunov.py            # about 1 minute
    python benchmarks/bench_lyapunov.py --quick    # 740 weights, fewer repeats

Exit status is 0 whether or not the targets are met (it is a measurement,
not a test).
"""

import argparse
import importlib.resources
import os
import platform
import resource
import sys
import time
import tracemalloc
import warnings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import numba  # noqa: E402
import numpy as np  # noqa: E402
from numba import njit  # noqa: E402

from skchaosprune._kernels import lyapunov as _kernels  # noqa: E402
from skchaosprune.lyapunov import (  # noqa: E402
    WindowedLyapunov,
    lyapunov_exponent,
    window_exponents,
    windowed_lyapunov,
)

TESTS = os.path.join(ROOT, "tests")
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)
import _lyapunov_reference_kernel as _before  # noqa: E402  (frozen, pre-issue-15)

PARAMS = dict(dim=2, delay=1, steps=3, theiler=0, fit_steps=1)
NOLDS_PARAMS = dict(emb_dim=2, lag=1, min_tsep=0, trajectory_len=4, fit="poly")
WINDOW = 200
OVERLAP = 0.1


def import_nolds():
    """Import nolds, working around its issue #80 on Python < 3.12."""
    original = importlib.resources.files

    def files(anchor=None):
        if isinstance(anchor, str):
            module = sys.modules.get(anchor)
            if module is not None and not hasattr(module, "__path__"):
                anchor = anchor.rpartition(".")[0] or anchor
        return original(anchor)

    importlib.resources.files = files
    import nolds

    return nolds


# ---------------------------------------------------------------------------
# the NumPy brute-force peer


def numpy_lyapunov(x, dim=2, delay=1, steps=3, theiler=0, fit_steps=1):
    """docs/method.md section 2 with a full distance matrix (plain NumPy)."""
    y = (x - x.min()) / (x.max() - x.min())
    n_vec = len(y) - (dim - 1) * delay
    n_cand = n_vec - steps
    n_ref = n_cand - theiler
    vecs = np.stack([y[q * delay:q * delay + n_vec] for q in range(dim)], axis=1)
    dist = np.zeros((n_vec, n_vec))
    for q in range(dim):
        diff = vecs[:, None, q] - vecs[None, :, q]
        dist += diff * diff
    sub = dist[:n_ref, :n_cand].copy()
    n_idx = np.arange(n_ref)[:, None]
    j_idx = np.arange(n_cand)[None, :]
    ok = (np.abs(n_idx - j_idx) > theiler) & (sub > 0) & (sub < 1)
    sub[~ok] = np.inf
    # ties: the largest j, i.e. the first minimum of the reversed rows
    nb = n_cand - 1 - np.argmin(sub[:, ::-1], axis=1)
    has = np.isfinite(sub[np.arange(n_ref), nb])
    n_sel, j_sel = np.arange(n_ref)[has], nb[has]
    curve = np.empty(fit_steps + 1)
    for k in range(fit_steps + 1):
        dk = dist[n_sel + k, j_sel + k]
        dk = dk[dk > 0]
        if dk.size == 0:
            return 0.0
        curve[k] = np.mean(0.5 * np.log(dk))
    if fit_steps == 1:
        return curve[1] - curve[0]
    return np.polyfit(np.arange(fit_steps + 1), curve, 1)[0]


# ---------------------------------------------------------------------------
# data


def comparison_windows(rng, n_each=20):
    """(WINDOW, 3 * n_each) array, one window per column: ``n_each`` random
    walks, then ``n_each`` SGD-like walks (mean-reverting, with noise),
    then ``n_each`` logistic-map stretches (r = 4), all distinct."""
    walk = np.cumsum(rng.normal(size=(WINDOW, n_each)), axis=0)
    sgd = np.empty((WINDOW, n_each))
    sgd[0] = rng.normal(size=n_each)
    target = rng.normal(size=n_each)
    noise = rng.normal(size=(WINDOW, n_each))
    for t in range(1, WINDOW):
        sgd[t] = sgd[t - 1] + 0.05 * (target - sgd[t - 1]) + 0.02 * noise[t]
    logistic = np.empty((WINDOW, n_each))
    logistic[0] = rng.uniform(0.05, 0.95, size=n_each)
    for t in range(WINDOW - 1):
        logistic[t + 1] = 4.0 * logistic[t] * (1.0 - logistic[t])
    return np.ascontiguousarray(np.concatenate([walk, sgd, logistic], axis=1))


def digits_weight_windows(n, seed=0, epochs=5):
    """``n`` non-static 200-point windows of real weight trajectories: a
    64-32-10 ``DenseMLPClassifier`` trained on standardised digits by
    one-sample SGD (learning rate 0.01, no momentum, no L2) for ``epochs``
    epochs with every weight recorded (float32, as the chaos-causal fit
    records them); windows at the stride-180 starts, random weights."""
    from sklearn.datasets import load_digits
    from sklearn.preprocessing import StandardScaler

    from skchaosprune import DenseMLPClassifier

    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    est = DenseMLPClassifier(hidden_layer_sizes=(32,), solver="sgd", batch_size=1,
                             momentum=0.0, alpha=0.0, learning_rate_init=0.01,
                             max_iter=epochs, n_iter_no_change=10**6, tol=0.0,
                             random_state=seed, keep_trajectory=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    traj = est.weight_trajectory_
    starts = np.arange(0, traj.shape[0] - WINDOW + 1, 180)
    rng = np.random.default_rng(seed)
    wins = []
    while len(wins) < n:
        s = rng.choice(starts)
        x = traj[s:s + WINDOW, rng.integers(traj.shape[1])].astype(np.float64)
        if np.ptp(x) > 1e-5:
            wins.append(x)
    return wins


class SyntheticSGD:
    """Float32 chunks of mean-reverting random walks (never the whole)."""

    def __init__(self, n_weights, seed=0, frozen=0.08):
        self.rng = np.random.default_rng(seed)
        self.w = self.rng.normal(scale=0.1, size=n_weights).astype(np.float32)
        self.target = self.rng.normal(scale=0.3, size=n_weights).astype(np.float32)
        self.step = (10.0 ** self.rng.uniform(-4, -2, size=n_weights)).astype(np.float32)
        self.step[self.rng.uniform(size=n_weights) < frozen] = 0.0

    def chunk(self, n_rows):
        noise = self.rng.standard_normal((n_rows, self.w.size), dtype=np.float32)
        noise *= self.step
        noise += 0.0005 * (self.target - self.w)  # drift to the target, per chunk
        np.cumsum(noise, axis=0, out=noise)
        noise += self.w
        self.w = noise[-1].copy()
        return noise


# ---------------------------------------------------------------------------


# not cached: numba's cache does not notice edits to the kernel module it
# calls into, so a cached copy would time an old kernel
@njit
def _stages(data, stage):
    """Cumulative stages of the kernel (dim 2, delay 1, steps 3, theiler 0)
    on every column of ``data`` (one 200-point window each): 0 gather and
    rescale, 1 + sort, 2 + coordinates in sorted order, 3 + neighbour
    search, 4 the whole window (curve and slope included)."""
    k = _kernels
    n = data.shape[0]
    dim, delay, steps, theiler = 2, 1, 3, 0
    (order, rank, bucket, cnt, keys, vecs, band, bbest, bbj, nbr, nbd, sums,
     counts, shifts) = k._scratch(n, dim, steps)
    x = np.empty(n)
    y = np.empty(n)
    n_cand = n - (dim - 1) * delay - steps
    n_ref = n_cand - theiler
    acc = 0.0
    for s in range(data.shape[1]):
        for r in range(n):
            x[r] = data[r, s]
        if stage == 4:
            le, _ = k._window_exponent(
                x, y, n, dim, delay, steps, theiler, 1, 1e-5, order, rank,
                bucket, cnt, keys, vecs, band, bbest, bbj, nbr, nbd, sums,
                counts, shifts)
            acc += le
            continue
        k._rescale(x, y, n)
        if stage == 0:
            acc += y[1]
            continue
        k._sort_keys(y, n_cand, order, keys, bucket, cnt)
        few = k._few_levels(keys, n_cand)
        if stage == 1:
            acc += keys[1]
            continue
        for r in range(n_cand):
            vecs[r] = y[order[r] + delay]
        if stage == 2:
            acc += vecs[1]
            continue
        if few:
            for r in range(n_cand):
                rank[order[r]] = r
            k._nearest_scan(n_ref, n_cand, dim, theiler, order, rank, keys,
                            vecs, band, nbr, nbd)
        else:
            k._nearest(n_ref, n_cand, dim, theiler, order, rank, keys, vecs, band,
                       bbest, bbj, nbr, nbd)
        acc += nbd[1]
    return acc


STAGE_NAMES = ["gather the window + rescale to [0, 1]", "sort by first coordinate",
               "other coordinates in sorted order", "neighbour search (band + beyond)",
               "curve, slope, status"]


def stage_table(data, repeats):
    """Per-window microseconds of each stage (differences of cumulative
    minima over ``repeats``; 1 thread)."""
    for stage in range(5):
        _stages(data, stage)
    cum = np.full(5, np.inf)
    for _ in range(repeats):
        for stage in range(5):
            t0 = time.perf_counter()
            _stages(data, stage)
            cum[stage] = min(cum[stage], time.perf_counter() - t0)
    cum = cum / data.shape[1] * 1e6
    return np.diff(np.concatenate([[0.0], cum])), cum[-1]


def before_exponents(data, starts):
    """The frozen pre-issue-15 kernel on the calling thread."""
    out = np.empty((starts.shape[0], data.shape[1]))
    status = np.empty((starts.shape[0], data.shape[1]), dtype=np.int8)
    _before.window_exponents_serial(data, starts, WINDOW, PARAMS["dim"], PARAMS["delay"],
                                    PARAMS["steps"], PARAMS["theiler"], PARAMS["fit_steps"],
                                    1e-5, out, status)
    return out


def best_time(fn, repeats):
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def run_digits(n_weights, n_steps, chunk_rows):
    gen = SyntheticSGD(n_weights, seed=1)
    acc = WindowedLyapunov(window=WINDOW, overlap=OVERLAP, **PARAMS)
    keep = np.linspace(0, n_weights - 1, 8).astype(int)
    kept = []
    t_update = 0.0
    t_gen = 0.0
    fed = 0
    tracemalloc.start()
    t_all = time.perf_counter()
    while fed < n_steps:
        rows = min(chunk_rows, n_steps - fed)
        t0 = time.perf_counter()
        chunk = gen.chunk(rows)
        kept.append(chunk[:, keep].copy())
        t1 = time.perf_counter()
        acc.update(chunk)
        t2 = time.perf_counter()
        t_gen += t1 - t0
        t_update += t2 - t1
        fed += rows
        del chunk
    t_all = time.perf_counter() - t_all
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    le = acc.exponents_
    kept = np.concatenate(kept)
    check = windowed_lyapunov(kept, window=WINDOW, overlap=OVERLAP, **PARAMS)
    same = bool(np.array_equal(check, le[:, keep]))
    return dict(n_windows=acc.n_windows_, t_update=t_update, t_gen=t_gen,
                t_all=t_all, peak=peak, same=same, le=le,
                static=float(np.mean(acc.status_ == 1)),
                undefined=float(np.mean(acc.status_ == 2)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="740 weights instead of 7,400; fewer repeats")
    args = parser.parse_args()
    repeats = 2 if args.quick else 3
    n_weights = 740 if args.quick else 7400
    n_steps = 72000

    nolds = import_nolds()
    threads = numba.config.NUMBA_NUM_THREADS
    try:
        from importlib.metadata import version
        nolds_version = version("nolds")
    except Exception:  # pragma: no cover - metadata missing
        nolds_version = "?"
    print(f"Python {platform.python_version()}, numpy {np.__version__}, "
          f"numba {numba.__version__}, nolds {nolds_version}, "
          f"{os.cpu_count()} CPUs, numba threads {threads}")
    print(f"skchaosprune parameters: {PARAMS}, window {WINDOW}")
    print(f"nolds.lyap_r parameters: {NOLDS_PARAMS}")
    _kernels.warmup()
    lyapunov_exponent(np.arange(20.0) ** 2 % 7)

    # -- 2. digits-sized streaming run (first, so ru_maxrss is its own peak)
    print(f"\n[digits-sized] {n_weights} weights x {n_steps} steps, float32 "
          f"chunks of 1437 rows, window {WINDOW}, overlap {OVERLAP}")
    dig = run_digits(n_weights, n_steps, 1437)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB -> MiB
    n_win_total = dig["n_windows"] * n_weights
    print(f"  windows: {dig['n_windows']} per weight, {n_win_total:,} in all "
          f"({dig['static']:.1%} static, {dig['undefined']:.2%} undefined)")
    print(f"  Lyapunov work (update calls): {dig['t_update']:.1f} s "
          f"({dig['t_update'] / n_win_total * 1e6:.2f} us per window)")
    print(f"  data generation: {dig['t_gen']:.1f} s; whole loop {dig['t_all']:.1f} s")
    print(f"  peak memory: tracemalloc {dig['peak'] / 2**20:.0f} MiB; "
          f"process peak RSS (ru_maxrss) {rss:.0f} MiB")
    print(f"  streamed == batch on 8 kept weights: {dig['same']}")
    del dig["le"]

    # -- 1. per-window comparison.  nolds (one call per window) runs on
    # n_each windows of each kind; ours and the kernel before run batched on
    # `copies` times as many distinct windows of the same kind, the first
    # n_each of them those of nolds.  Distinct, not repeated: a batch of a
    # few windows tiled over and over lets the branch predictor learn them
    # (random walks came out 1.18x faster that way, measured on 2026-12-02).
    n_each = 20
    copies = 200
    n_many = n_each * copies
    many = comparison_windows(np.random.default_rng(0), n_many)
    blocks = {"random walk": many[:, :n_many], "SGD-like": many[:, n_many:2 * n_many],
              "logistic": many[:, 2 * n_many:]}
    parts = {name: [np.ascontiguousarray(blk[:, i]) for i in range(n_each)]
             for name, blk in blocks.items()}
    wins = [w for part in parts.values() for w in part]
    n = len(wins)
    blocks["all 60"] = many
    parts["all 60"] = wins
    stacked = np.ascontiguousarray(np.stack(wins, axis=1))  # (200, n): one window per column
    starts = np.zeros(1, dtype=np.int64)

    ours = window_exponents(stacked, starts, WINDOW, **PARAMS)[0]
    identical = bool(np.array_equal(ours.view(np.int64),
                                    before_exponents(stacked, starts)[0].view(np.int64)))
    ref = np.array([numpy_lyapunov(w, **PARAMS) for w in wins])
    max_diff = float(np.max(np.abs(ours - ref)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nolds_vals = np.array([nolds.lyap_r(w, **NOLDS_PARAMS) for w in wins])

    previous = numba.get_num_threads()
    rows = []

    def time_windows(big, part):
        """(1 thread, all threads, before on 1 thread, nolds) seconds per
        window: ours and the kernel before batched on the columns of
        ``big``, nolds on the windows of ``part``; and whether ours equals
        the kernel before bit for bit on ``big``."""
        big = np.ascontiguousarray(big)
        n_big = big.shape[1]
        same = bool(np.array_equal(
            window_exponents(big, starts, WINDOW, **PARAMS).view(np.int64),
            before_exponents(big, starts).view(np.int64)))

        def ours_batched():
            window_exponents(big, starts, WINDOW, **PARAMS)

        def before_batched():
            before_exponents(big, starts)

        def nolds_calls():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for w in part:
                    nolds.lyap_r(w, **NOLDS_PARAMS)

        numba.set_num_threads(1)
        t_b1 = t_old = np.inf
        for _ in range(repeats):  # interleaved: the same machine state for both
            t_b1 = min(t_b1, best_time(ours_batched, 1) / n_big)
            t_old = min(t_old, best_time(before_batched, 1) / n_big)
        numba.set_num_threads(threads)
        t_bn = best_time(ours_batched, repeats) / n_big
        numba.set_num_threads(previous)
        t_nolds = best_time(nolds_calls, repeats) / len(part)
        return (t_b1, t_bn, t_old, t_nolds), same

    for name in blocks:
        times, same = time_windows(blocks[name], parts[name])
        identical &= same
        rows.append((name, *times))

    # real weight trajectories (not in the mix "all 60"): distinct windows,
    # for the table above and the per-stage table
    digit_wins = np.stack(digits_weight_windows(n_many), axis=1)
    times, same = time_windows(digit_wins, list(digit_wins[:, :n_each].T))
    identical &= same
    rows.append(("digits wts", *times))

    def ours_calls():
        for w in wins:
            lyapunov_exponent(w, **PARAMS)

    def numpy_calls():
        for w in wins:
            numpy_lyapunov(w, **PARAMS)

    numba.set_num_threads(1)
    t_call = best_time(ours_calls, repeats) / n
    numba.set_num_threads(previous)
    t_np = best_time(numpy_calls, repeats) / n

    print(f"\n[per 200-point window] nolds: {n} windows ({n_each} random walk, {n_each} "
          f"SGD-like, {n_each} logistic) and {n_each} windows of digits 64-32-10 weights "
          f"(one-sample SGD, float32); ours and before: batched, {n_many:,} distinct "
          f"windows of each kind (those {n_each} first); microseconds per window")
    print(f"  {'series':<12} {'ours 1 thr':>10} {'ours ' + str(threads) + ' thr':>10} "
          f"{'before 1 thr':>12} {'nolds':>9} {'nolds/ours 1':>12} "
          f"{'nolds/ours ' + str(threads):>12} "
          f"{'nolds/before 1':>14} {'before/ours 1':>13}")
    for name, t_b1, t_bn, t_old, t_nolds in rows:
        print(f"  {name:<12} {t_b1 * 1e6:10.2f} {t_bn * 1e6:10.2f} {t_old * 1e6:12.2f} "
              f"{t_nolds * 1e6:9.0f} {t_nolds / t_b1:11.0f}x {t_nolds / t_bn:11.0f}x "
              f"{t_nolds / t_old:13.0f}x {t_old / t_b1:12.2f}x")
    print(f"  one lyapunov_exponent call per window: {t_call * 1e6:.2f} us (1 thread); "
          f"NumPy brute force: {t_np * 1e6:.2f} us")
    print(f"  ours == the kernel before, bit for bit (all windows above): {identical}")
    print(f"  ours vs NumPy brute force values: max |diff| = {max_diff:.1e}")
    print(f"  ours vs nolds values (different details): mean |diff| = "
          f"{np.mean(np.abs(ours - nolds_vals)):.3f}, "
          f"means {ours.mean():.3f} vs {nolds_vals.mean():.3f}")

    # -- 3. where a window's time goes
    print("\n[per stage, 1 thread] microseconds per 200-point window (differences of "
          "cumulative minima)")
    numba.set_num_threads(1)
    tables = {}
    for name in ("random walk", "SGD-like"):
        tables[name] = stage_table(np.ascontiguousarray(blocks[name]), max(3, repeats))
    tables["digits wts"] = stage_table(np.ascontiguousarray(digit_wins), max(3, repeats))
    numba.set_num_threads(previous)
    print(f"  {'stage':<40} {'random walk':>12} {'SGD-like':>10} {'digits wts':>11}")
    for i, label in enumerate(STAGE_NAMES):
        cells = [f"{tables[k][0][i]:.2f} ({tables[k][0][i] / tables[k][1]:.0%})"
                 for k in tables]
        print(f"  {label:<40} {cells[0]:>12} {cells[1]:>10} {cells[2]:>11}")
    print(f"  {'whole window':<40} {tables['random walk'][1]:>12.2f} "
          f"{tables['SGD-like'][1]:>10.2f} {tables['digits wts'][1]:>11.2f}")

    walk = rows[0]
    mix = rows[3]
    print("\nRatios (measured above):")
    print(f"  nolds / ours batched {threads} threads, all 60: {mix[4] / mix[2]:8.0f}x   "
          "(target >= 200x)")
    print(f"  nolds / ours batched 1 thread, random walks: {walk[4] / walk[1]:8.0f}x   "
          f"(issue 15 target >= 700x; the kernel before: {walk[4] / walk[3]:.0f}x)")
    digits = rows[4]
    print(f"  nolds / ours batched 1 thread, digits weights: {digits[4] / digits[1]:5.0f}x   "
          f"(the kernel before: {digits[4] / digits[3]:.0f}x)")
    print("  kernel before / ours, 1 thread: " + ", ".join(
        f"{name} {t_old / t_b1:.2f}x" for name, t_b1, _, t_old, _ in rows))
    print(f"  nolds / ours one call per window:{mix[4] / t_call:8.0f}x")
    print(f"  NumPy / ours batched {threads} threads:  {t_np / mix[2]:8.0f}x")
    print(f"  digits-sized run: {dig['t_update']:.1f} s of Lyapunov work "
          f"({dig['t_all']:.1f} s with data generation; target < 120 s), "
          f"peak {dig['peak'] / 2**20:.0f} MiB traced / {rss:.0f} MiB RSS "
          f"(target < 1024 MiB)")
    ok = (mix[4] / mix[2] >= 200 and dig["t_all"] < 120 and rss < 1024
          and dig["same"] and max_diff < 1e-9 and identical)
    print(f"  targets met (200x, 2 min, 1 GB, exact): {ok}; issue 15's 700x on one "
          f"thread: {walk[4] / walk[1] >= 700}")


if __name__ == "__main__":
    main()
