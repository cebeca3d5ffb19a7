"""FROZEN copy of skchaosprune/_kernels/lyapunov.py at commit c8ff2bb (before
issue 15), kept only as the exactness oracle of the faster kernel: the new
kernel must return bit-identical results (tests/test_lyapunov_speed_equivalence.py)
and benchmarks/bench_lyapunov.py times it as the "before" kernel in the same
run.  Do not edit or optimise this file.

Compiled Rosenstein divergence curves, as TISEAN ``lyap_r`` computes them.

Only numpy and numba here.  The definition (docs/method.md section 2), for a
window ``x[0..L-1]`` and parameters dim ``m``, delay ``d``, steps ``s`` and
Theiler window ``t``:

1. ``y = (x - min x) / (max x - min x)``;
2. delay vectors ``v_i = (y_i, y_{i+d}, ..., y_{i+(m-1)d})``, ``D(i, j)`` the
   squared Euclidean distance, summed over the coordinates in order;
3. candidates ``j = 0 .. L-(m-1)d-s-1``, reference points
   ``n = 0 .. L-(m-1)d-s-t-1``;
4. the neighbour of ``n`` is the candidate with ``|n - j| > t`` and
   ``0 < D(n, j) < 1`` of smallest ``D`` (ties: the largest ``j``); reference
   points without one are skipped;
5. for ``k = 0 .. s``, every pair with ``D(n+k, j*+k) > 0`` adds
   ``0.5 ln D`` to ``sums[k]`` and one to ``counts[k]``.

Nearest neighbours are found exactly without the O(L^2) scan: the candidates
are sorted by their first coordinate (a counting sort into L buckets and an
insertion sort; a merge sort when the values are clustered), and from each
reference point the scan runs outwards in that order, on each side, in
blocks of ``_SCAN`` candidates, until a block whose first squared gap in the
first coordinate alone exceeds the best distance found so far.  Floating-
point subtraction and squaring are monotone, and ``D`` is accumulated
starting from that same squared gap, so the stop never skips a candidate
that the brute-force scan would accept.  Every visited distance is kept, and
a last pass over the visited candidates picks, among those at the smallest
distance, the largest index (ties are exact: a tied candidate's gap is at
most the best distance, so it was visited).  The cost per window is
O(L log L) for sorting plus, per reference point, the candidates within the
nearest-neighbour distance in the first coordinate: about 10 per point for
random-walk-like windows, whatever L (tested exact at L = 2,000).

The curve is accumulated as a product of distances per step (exact
power-of-two rescaling keeps it in range) and one logarithm per step, which
agrees with summing ``0.5 ln D`` pair by pair to about 1e-14.

Every series is computed by the same sequential code whatever thread handles
it, so the parallel kernels give bit-identical results for any thread count.
"""

import numpy as np
from numba import njit, prange

# Per-window status codes.
STATUS_OK = 0
STATUS_STATIC = 1  # range below min_range (or zero): exponent 0
STATUS_UNDEFINED = 2  # some curve[k], k <= fit_steps, has no pair: exponent 0

# Series handled together by one parallel task: the window is gathered
# row by row, so a block of adjacent columns reads whole cache lines.
_BLOCK = 16

# Array indices known to be >= 0, cast to unsigned so that numba emits no
# negative-index wraparound code in the hot loops.
_U = np.uint64

# Candidates whose distances are computed together in the neighbour scan.
_SCAN = 8

# Exact power-of-two rescaling of the running products of distances.
_SHIFT = 256
_TINY = 2.0 ** -256
_HUGE = 2.0 ** 256
_SCALE_UP = 2.0 ** 256
_SCALE_DOWN = 2.0 ** -256
_LN2 = 0.6931471805599453


@njit(cache=True)
def _rescale(x, y, n):
    """y[:n] = (x - min) / (max - min); returns max - min (y untouched if 0)."""
    lo = x[0]
    hi = x[0]
    for i in range(1, n):
        v = x[_U(i)]
        if v < lo:
            lo = v
        if v > hi:
            hi = v
    span = hi - lo
    if span > 0.0:
        for i in range(n):
            y[_U(i)] = (x[_U(i)] - lo) / span
    return span


@njit(cache=True)
def _sort_indices(y, n, order, tmp):
    """order[:n] = indices of y[:n] sorted by value (stable merge sort).

    Bottom-up, with insertion-sorted runs of 16 and ``tmp`` as scratch; no
    allocation.
    """
    run = 16
    for i in range(n):
        order[i] = i
    # insertion sort of each run
    for lo in range(0, n, run):
        hi = min(lo + run, n)
        for i in range(lo + 1, hi):
            v = order[i]
            key = y[v]
            k = i - 1
            while k >= lo and y[order[k]] > key:
                order[k + 1] = order[k]
                k -= 1
            order[k + 1] = v
    src = order
    dst = tmp
    width = run
    swapped = False
    while width < n:
        for lo in range(0, n, 2 * width):
            mid = min(lo + width, n)
            hi = min(lo + 2 * width, n)
            a = lo
            b = mid
            o = lo
            while a < mid and b < hi:
                if y[src[b]] < y[src[a]]:
                    dst[o] = src[b]
                    b += 1
                else:
                    dst[o] = src[a]
                    a += 1
                o += 1
            while a < mid:
                dst[o] = src[a]
                a += 1
                o += 1
            while b < hi:
                dst[o] = src[b]
                b += 1
                o += 1
        src, dst = dst, src
        swapped = not swapped
        width *= 2
    if swapped:
        for i in range(n):
            order[i] = tmp[i]


@njit(cache=True)
def _sort_keys(y, n, order, keys, bucket, cnt):
    """order[:n]: indices of y[:n] (values in [0, 1]) by value; keys = y[order].

    A counting sort into n buckets followed by an insertion sort, which is
    linear for spread-out values; when one bucket holds too many values
    (clustered windows) the merge sort is used instead.  The order of equal
    values is irrelevant to the neighbour search.
    """
    for b in range(n + 1):
        cnt[b] = 0
    crowded = False
    for i in range(n):
        b = int(y[_U(i)] * n)
        if b >= n:
            b = n - 1
        bucket[_U(i)] = b
        cnt[_U(b + 1)] += 1
        if cnt[_U(b + 1)] > 32:
            crowded = True
    if crowded:
        _sort_indices(y, n, order, bucket)
        for r in range(n):
            keys[r] = y[order[r]]
        return
    for b in range(n):
        cnt[_U(b + 1)] += cnt[_U(b)]
    for i in range(n):
        b = bucket[_U(i)]
        pos = cnt[_U(b)]
        cnt[_U(b)] = pos + 1
        order[_U(pos)] = i
        keys[_U(pos)] = y[_U(i)]
    for i in range(1, n):
        key = keys[_U(i)]
        if keys[_U(i - 1)] <= key:
            continue
        v = order[_U(i)]
        k = i - 1
        while k >= 0 and keys[_U(k)] > key:
            keys[_U(k + 1)] = keys[_U(k)]
            order[_U(k + 1)] = order[_U(k)]
            k -= 1
        keys[_U(k + 1)] = key
        order[_U(k + 1)] = v


@njit(cache=True)
def _nearest(n_ref, n_cand, dim, theiler, order, rank, keys, vecs, dist,
             nbr, nbd):
    """Neighbour nbr[n] (-1: none) and its distance nbd[n] of every
    reference point, from the candidates sorted by first coordinate
    (``keys``, ``order``, ``rank``) and their other coordinates
    (``vecs[(q - 1) * n_cand + rank]``); ``dist`` is scratch.

    One body for every dim and both sides: a flat dim = 2 copy with
    constant steps measured no faster than this loop (within 2 %).
    """
    for n in range(n_ref):
        p = rank[_U(n)]
        yn = keys[_U(p)]
        v1 = vecs[_U(p)] if dim > 1 else 0.0
        best = 1.0
        # Outwards from p on each side, _SCAN candidates at a time: their
        # distances are independent (no branch on each; invalid ones, D = 0
        # or within the Theiler window, count as infinitely far), and a
        # side stops at a block whose first gap in the first coordinate
        # alone exceeds the best distance so far.
        for side in range(2):
            step = 1 if side == 0 else -1
            r = p + step
            while _U(r) < _U(n_cand):  # 0 <= r < n_cand
                e = keys[_U(r)] - yn
                if e * e > best:
                    break
                m = np.inf
                # a full block, or the last, partial one
                cnt = _SCAN
                if _U(r + (_SCAN - 1) * step) >= _U(n_cand):
                    cnt = n_cand - r if step > 0 else r + 1
                for t in range(cnt):
                    rr = r + t * step
                    e = keys[_U(rr)] - yn
                    d = e * e
                    if dim == 2:  # the usual case, without an inner loop
                        e = vecs[_U(rr)] - v1
                        d += e * e
                    else:
                        for q in range(1, dim):
                            base = (q - 1) * n_cand
                            e = vecs[_U(base + rr)] - vecs[_U(base + p)]
                            d += e * e
                    bad = d == 0.0
                    if theiler > 0:
                        bad = bad | (abs(n - order[_U(rr)]) <= theiler)
                    if bad:
                        d = np.inf
                    dist[_U(rr)] = d
                    m = min(m, d)
                r += cnt * step
                best = min(best, m)
            if side == 0:
                r_hi = r
            else:
                r_lo = r + 1
        # D < 1 strictly; among the candidates at the smallest distance
        # (all of them were visited) the largest index wins
        bj = -1
        if best < 1.0:
            for r in range(r_lo, r_hi):
                if r != p and dist[_U(r)] == best and order[_U(r)] > bj:
                    bj = order[_U(r)]
        nbr[_U(n)] = bj
        nbd[_U(n)] = best


@njit(cache=True)
def _curve_sums(y, n_points, dim, delay, steps, theiler, k_max, order, rank,
                bucket, cnt, keys, vecs, dist, nbr, nbd, sums, counts, shifts):
    """Fill sums[k], counts[k] (k = 0 .. k_max <= steps) for the window y.

    ``sums[k]`` is the sum of ``0.5 ln D`` over the counted pairs.  It is
    accumulated as a product of the distances, kept in range by exact
    power-of-two rescaling (``shifts``), and one logarithm per step at the
    end: a logarithm per pair would dominate the cost of a window.

    Scratch (length >= n_points): ``order``, ``rank``, ``bucket``, ``nbr``
    (int64), ``keys``, ``dist``, ``nbd`` (float64), ``cnt`` (int64,
    n_points + 1), ``vecs`` (float64, n_points * dim: the candidates'
    coordinates 1 .. dim-1 in sorted order, coordinate by coordinate, so
    that the scan reads memory sequentially).
    """
    n_vec = n_points - (dim - 1) * delay
    n_cand = n_vec - steps
    n_ref = n_cand - theiler
    for k in range(k_max + 1):
        sums[k] = 1.0
        counts[k] = 0
        shifts[k] = 0
    if n_ref <= 0:
        for k in range(k_max + 1):
            sums[k] = 0.0
        return
    _sort_keys(y, n_cand, order, keys, bucket, cnt)
    for r in range(n_cand):
        j = order[_U(r)]
        rank[_U(j)] = r
        for q in range(1, dim):
            vecs[_U((q - 1) * n_cand + r)] = y[_U(j + q * delay)]
    _nearest(n_ref, n_cand, dim, theiler, order, rank, keys, vecs, dist, nbr,
             nbd)
    prod0 = 1.0
    shift0 = 0
    count0 = 0
    prod1 = 1.0
    shift1 = 0
    count1 = 0
    for n in range(n_ref):
        bj = nbr[_U(n)]
        if bj < 0:
            continue
        # k = 0: D(n, j*) is best itself (same sum, same order); > 0
        prod0 *= nbd[_U(n)]
        if prod0 < _TINY:
            prod0 *= _SCALE_UP
            shift0 -= _SHIFT
        count0 += 1
        # k = 1 (the paper's slope needs only k = 0, 1) in registers too
        if k_max >= 1:
            d = 0.0
            for q in range(dim):
                e = y[_U(n + 1 + q * delay)] - y[_U(bj + 1 + q * delay)]
                d += e * e
            if d > 0.0:
                prod1 *= d
                if prod1 < _TINY:
                    prod1 *= _SCALE_UP
                    shift1 -= _SHIFT
                elif prod1 > _HUGE:
                    prod1 *= _SCALE_DOWN
                    shift1 += _SHIFT
                count1 += 1
        for k in range(2, k_max + 1):
            d = 0.0
            for q in range(dim):
                e = y[_U(n + k + q * delay)] - y[_U(bj + k + q * delay)]
                d += e * e
            if d > 0.0:
                prod = sums[k] * d
                if prod < _TINY:
                    prod *= _SCALE_UP
                    shifts[k] -= _SHIFT
                elif prod > _HUGE:
                    prod *= _SCALE_DOWN
                    shifts[k] += _SHIFT
                sums[k] = prod
                counts[k] += 1
    sums[0] = prod0
    counts[0] = count0
    shifts[0] = shift0
    if k_max >= 1:
        sums[1] = prod1
        counts[1] = count1
        shifts[1] = shift1
    for k in range(k_max + 1):
        sums[k] = 0.5 * (np.log(sums[k]) + shifts[k] * _LN2)


@njit(cache=True)
def _slope(sums, counts, fit_steps):
    """Slope of curve[0..fit_steps]; NaN if a point of it is undefined.

    ``fit_steps == 1`` is exactly ``curve[1] - curve[0]``; larger values
    give the least-squares slope against k = 0 .. fit_steps.
    """
    for k in range(fit_steps + 1):
        if counts[k] == 0:
            return np.nan
    if fit_steps == 1:
        return sums[1] / counts[1] - sums[0] / counts[0]
    kbar = 0.5 * fit_steps
    num = 0.0
    den = 0.0
    for k in range(fit_steps + 1):
        w = k - kbar
        num += w * (sums[k] / counts[k])
        den += w * w
    return num / den


@njit(cache=True)
def _scratch(n, dim, steps):
    """Scratch arrays of _curve_sums for windows of up to n points."""
    order = np.empty(n, dtype=np.int64)
    rank = np.empty(n, dtype=np.int64)
    bucket = np.empty(n, dtype=np.int64)
    cnt = np.empty(n + 1, dtype=np.int64)
    keys = np.empty(n)
    vecs = np.empty(n * dim)
    dist = np.empty(n)
    nbr = np.empty(n, dtype=np.int64)
    nbd = np.empty(n)
    sums = np.empty(steps + 1)
    counts = np.empty(steps + 1, dtype=np.int64)
    shifts = np.empty(steps + 1, dtype=np.int64)
    return order, rank, bucket, cnt, keys, vecs, dist, nbr, nbd, sums, counts, shifts


@njit(cache=True)
def divergence_curve(x, dim, delay, steps, theiler):
    """(curve, counts) of one series (non-constant, finite: checked by caller).

    ``curve[k]`` is NaN where ``counts[k]`` is 0.
    """
    n = x.shape[0]
    y = np.empty(n)
    _rescale(x, y, n)
    (order, rank, bucket, cnt, keys, vecs, dist, nbr, nbd, sums, counts,
     shifts) = _scratch(n, dim, steps)
    _curve_sums(y, n, dim, delay, steps, theiler, steps, order, rank, bucket,
                cnt, keys, vecs, dist, nbr, nbd, sums, counts, shifts)
    curve = np.empty(steps + 1)
    for k in range(steps + 1):
        curve[k] = sums[k] / counts[k] if counts[k] > 0 else np.nan
    return curve, counts


@njit(cache=True)
def _window_exponent(x, y, n, dim, delay, steps, theiler, fit_steps,
                     min_range, order, rank, bucket, cnt, keys, vecs, dist,
                     nbr, nbd, sums, counts, shifts):
    """(exponent, status) of one gathered window x[:n].

    Only curve[0..fit_steps] is computed: the later steps do not enter the
    slope (the candidate and reference sets still depend on ``steps``).
    """
    span = _rescale(x, y, n)
    if not (span >= min_range) or span == 0.0:
        return 0.0, STATUS_STATIC
    _curve_sums(y, n, dim, delay, steps, theiler, fit_steps, order, rank,
                bucket, cnt, keys, vecs, dist, nbr, nbd, sums, counts, shifts)
    le = _slope(sums, counts, fit_steps)
    if np.isnan(le):
        return 0.0, STATUS_UNDEFINED
    return le, STATUS_OK


@njit(cache=True)
def _series_block(b, data, starts, window, dim, delay, steps, theiler, fit_steps,
                  min_range, out, status):
    """Every window of block ``b`` of ``_BLOCK`` series: the loop body that
    :func:`window_exponents` (``prange``) and :func:`window_exponents_serial`
    (``range``) share."""
    n_series = data.shape[1]
    n_win = starts.shape[0]
    s0 = b * _BLOCK
    nb = min(_BLOCK, n_series - s0)
    xbuf = np.empty((_BLOCK, window))
    y = np.empty(window)
    order, rank, bucket, cnt, keys, vecs, dist, nbr, nbd, sums, counts, shifts = _scratch(
        window, dim, steps)
    for w in range(n_win):
        st = starts[w]
        for r in range(window):
            row = data[_U(st + r)]
            for q in range(nb):
                xbuf[_U(q), _U(r)] = row[_U(s0 + q)]
        for q in range(nb):
            le, code = _window_exponent(
                xbuf[q], y, window, dim, delay, steps, theiler, fit_steps,
                min_range, order, rank, bucket, cnt, keys, vecs, dist,
                nbr, nbd, sums, counts, shifts)
            out[w, s0 + q] = le
            status[w, s0 + q] = code


@njit(cache=True, parallel=True)
def window_exponents(data, starts, window, dim, delay, steps, theiler,
                     fit_steps, min_range, out, status):
    """Exponents of the windows ``data[s:s+window, :]`` for s in ``starts``.

    ``data`` is C-contiguous float64 of shape (n_rows, n_series); ``out``
    (float64) and ``status`` (int8) have shape (len(starts), n_series).
    Parallel over blocks of series; each series is computed sequentially,
    so the result does not depend on the number of threads.
    """
    n_blocks = (data.shape[1] + _BLOCK - 1) // _BLOCK
    for b in prange(n_blocks):
        _series_block(b, data, starts, window, dim, delay, steps, theiler, fit_steps,
                      min_range, out, status)


@njit(cache=True)
def window_exponents_serial(data, starts, window, dim, delay, steps, theiler,
                            fit_steps, min_range, out, status):
    """:func:`window_exponents` on the calling thread only (same results),
    for callers where a parallel region is unsafe (see
    :mod:`skchaosprune._parallel`)."""
    n_blocks = (data.shape[1] + _BLOCK - 1) // _BLOCK
    for b in range(n_blocks):
        _series_block(b, data, starts, window, dim, delay, steps, theiler, fit_steps,
                      min_range, out, status)


def warmup():
    """Compile the kernels on tiny inputs."""
    x = np.sin(np.arange(20.0)) + 0.01 * np.arange(20.0)
    divergence_curve(x, 2, 1, 3, 0)
    data = np.ascontiguousarray(np.stack([x, x[::-1], np.zeros(20)], axis=1))
    starts = np.array([0, 5], dtype=np.int64)
    out = np.empty((2, 3))
    status = np.empty((2, 3), dtype=np.int8)
    window_exponents(data, starts, 15, 2, 1, 3, 0, 1, 1e-5, out, status)
    window_exponents_serial(data, starts, 15, 2, 1, 3, 0, 1, 1e-5, out, status)
