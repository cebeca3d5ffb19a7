"""Compiled Rosenstein divergence curves, as TISEAN ``lyap_r`` computes them.

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

Nearest neighbours are found exactly without the O(L^2) scan.  The
candidates are sorted by their first coordinate (a two-pass radix sort
of an exact 16-bit quantisation, then an insertion sort among equal
quantised values; a merge sort when values closer than 2**-16 abound).
Every sorted position then gets the distances to its ``_BAND`` sorted
neighbours on each side, computed once per pair (``D`` is symmetric bit
for bit) in loops over positions that the compiler
vectorises, and from them its best distance and, among the candidates at
that distance, the largest index.  A reference point whose next candidate
beyond the band, on either side, is within the best distance in the first
coordinate alone (about 3 % of random-walk points) continues the search
outwards there, one candidate at a time, until that squared gap exceeds the
best distance.  Floating-point subtraction and squaring are monotone, and
``D`` is accumulated starting from that same squared gap, so no candidate
left out can be at the best distance or closer: the minimum and the tie
rule are those of the brute-force scan.  Series of a few levels (more
than 32 values in one of 2n to 4n buckets, and fewer than n / 8 distinct
values), where exact copies fill the band, use the block scan of the
kernel before (issue 15) instead.  The cost per window is O(L) for
sorting plus, per reference point, ``2 * _BAND`` distances and the few
candidates beyond; on real weight trajectories, whose plateaus and jumps
leave some points far from all others, those few are about 11 % of the
points, visiting about 19 candidates each (docs/benchmarks.md).

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

# Sorted neighbours on each side whose distances every point gets at once
# (the band of _band_distances; farther ones only when needed).  12
# measured fastest of 6 to 20 on random walks and digits weight windows
# (1.02-1.05x over 10; from 16 on, the compiler no longer unrolls the
# candidates of a position, and a window takes 1.3x to 1.8x longer).
_BAND = 12

# Candidates whose distances are computed together in the scan of
# clustered windows (_nearest_scan).
_SCAN = 8

# A clustered window (_few_levels) is searched by _nearest_scan when it
# takes fewer than n / _LEVELS distinct values.  8 measured fastest of 2,
# 4 and 8 on clustered digits windows, integer series and rounded walks.
_LEVELS = 8

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

    An LSD radix sort of the exact quantisation ``q = floor(y * 2**(B + L))``
    (``2**B`` the power of two from n to 2n; ``y`` times a power of two is
    exact): one counting pass on the ``L`` low bits of ``q``, then one on
    its ``B`` high bits; then an insertion sort, which only moves distinct
    values with equal ``q``.  ``q`` and the index are packed into one int64
    (``order`` then ``bucket`` as the two buffers).  Should the insertion
    sort need more than 2n moves (values closer than 2**-(B+L)), the merge
    sort finishes instead.  The order of equal values is irrelevant to the
    neighbour search.

    ``cnt`` (int64) needs 2**B + 1 + 2**L entries; L = 8, or less when
    ``cnt`` is shorter (4n + 2 entries, as _scratch allocates, gives L = 8
    for n >= 128; any length >= 2**B + 2 is correct).
    """
    nb = 1
    bb = 0
    while nb < n:
        nb *= 2
        bb += 1
    lbits = 8
    while lbits > 0 and (1 << lbits) > cnt.shape[0] - nb - 1:
        lbits -= 1
    s = 1
    while (1 << s) < n:
        s += 1
    nl = 1 << lbits
    fq = float(1 << (bb + lbits))
    qmax = (1 << (bb + lbits)) - 1
    lmask = nl - 1
    imask = (1 << s) - 1
    hi_sh = s + lbits
    off = nb + 1
    # packed keys (q << s) | i
    for i in range(n):
        order[_U(i)] = (min(int(y[_U(i)] * fq), qmax) << s) | i
    for b in range(nb + 1 + nl):
        cnt[_U(b)] = 0
    # high-bit counts at cnt[1 .. nb], low-bit counts at cnt[off ..]
    for i in range(n):
        p = order[_U(i)]
        cnt[_U((p >> hi_sh) + 1)] += 1
        cnt[_U(off + ((p >> s) & lmask))] += 1
    acc = 0
    for b in range(nl):
        c = cnt[_U(off + b)]
        cnt[_U(off + b)] = acc
        acc += c
    acc = 0
    for b in range(nb):
        acc += cnt[_U(b + 1)]
        cnt[_U(b + 1)] = acc
    # pass 1 (low bits): order -> bucket
    for i in range(n):
        p = order[_U(i)]
        l = off + ((p >> s) & lmask)
        pos = cnt[_U(l)]
        cnt[_U(l)] = pos + 1
        bucket[_U(pos)] = p
    # pass 2 (high bits, stable): bucket -> order, keys
    for r in range(n):
        p = bucket[_U(r)]
        h = p >> hi_sh
        pos = cnt[_U(h)]
        cnt[_U(h)] = pos + 1
        i = p & imask
        order[_U(pos)] = i
        keys[_U(pos)] = y[_U(i)]
    # insertion sort among equal q
    budget = 2 * n
    moves = 0
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
        moves += i - 1 - k
        if moves > budget:
            _sort_indices(y, n, order, bucket)
            for r in range(n):
                keys[_U(r)] = y[_U(order[_U(r)])]
            break


@njit(cache=True)
def _band_distances(n_cand, dim, theiler, order, keys, vecs, band):
    """band[(t - 1) * S + _BAND + p] = D(p, p + t) between the candidates at
    sorted positions p and p + t, t = 1 .. _BAND, with row stride
    ``S = n_cand + _BAND``; infinity where the pair is invalid (D = 0,
    within the Theiler window) or p + t >= n_cand, and in the ``_BAND``
    entries before each row (so that ``p - t`` may be negative).

    D is symmetric bit for bit (a - b = -(b - a) exactly, and the squares
    are summed over the coordinates in the same order), so one entry serves
    both points of the pair.  Each loop runs over p with constant t:
    straight-line code that the compiler vectorises.
    """
    stride = n_cand + _BAND
    for t in range(1, _BAND + 1):
        row = (t - 1) * stride
        base = row + _BAND
        m = max(n_cand - t, 0)
        for p in range(_BAND):
            band[_U(row + p)] = np.inf
        if dim == 2:
            for p in range(m):
                e = keys[_U(p + t)] - keys[_U(p)]
                d = e * e
                e = vecs[_U(p + t)] - vecs[_U(p)]
                d += e * e
                band[_U(base + p)] = np.inf if d == 0.0 else d
        else:
            for p in range(m):
                e = keys[_U(p + t)] - keys[_U(p)]
                band[_U(base + p)] = e * e
            for q in range(1, dim):
                vb = (q - 1) * n_cand
                for p in range(m):
                    e = vecs[_U(vb + p + t)] - vecs[_U(vb + p)]
                    band[_U(base + p)] += e * e
            for p in range(m):
                d = band[_U(base + p)]
                band[_U(base + p)] = np.inf if d == 0.0 else d
        if theiler > 0:
            for p in range(m):
                if abs(order[_U(p + t)] - order[_U(p)]) <= theiler:
                    band[_U(base + p)] = np.inf
        for p in range(m, n_cand):
            band[_U(base + p)] = np.inf


@njit(cache=True)
def _extend(n, p, n_cand, dim, theiler, order, keys, vecs, best, bj, right,
            left):
    """Continue the search of the reference point n (sorted position p)
    beyond the band, on the sides flagged, from the band's (best, bj): one
    candidate at a time, outwards, until the squared gap in the first
    coordinate alone exceeds the best distance."""
    yn = keys[_U(p)]
    for side in range(2):
        if side == 0 and not right:
            continue
        if side == 1 and not left:
            continue
        step = 1 if side == 0 else -1
        r = p + step * (_BAND + 1)
        while _U(r) < _U(n_cand):  # 0 <= r < n_cand
            e = keys[_U(r)] - yn
            d = e * e
            if d > best:
                break
            for q in range(1, dim):
                base = (q - 1) * n_cand
                e = vecs[_U(base + r)] - vecs[_U(base + p)]
                d += e * e
            j = order[_U(r)]
            if d > 0.0 and (theiler == 0 or abs(n - j) > theiler):
                if d < best or (d == best and j > bj):
                    best = d
                    bj = j
            r += step
    return best, bj


@njit(cache=True)
def _nearest(n_ref, n_cand, dim, theiler, order, opad, keys, vecs, band, bbest,
             bbj, nbr, nbd):
    """Neighbour nbr[n] (-1: none) and its distance nbd[n] of every
    reference point n, from the candidates sorted by first coordinate
    (``keys``, ``order``) and their other coordinates
    (``vecs[(q - 1) * n_cand + sorted position]``).

    1. The distances from every sorted position to its ``_BAND`` sorted
       successors (:func:`_band_distances`): each position gets its best
       distance (at most 1) over the ``_BAND`` positions on each side, then
       among the candidates at that distance the largest index, in two
       loops over positions that vectorise (``opad``, n_cand + 2 * _BAND
       entries, is scratch for a padded copy of ``order``).
    2. A position whose next candidate beyond the band, on either side, is
       within the best distance in the first coordinate alone (about 3 %
       of random-walk points) continues the search there (:func:`_extend`).
       Floating-point subtraction and squaring are monotone and ``D`` is
       accumulated from that same squared gap, so no unvisited candidate
       can be at the best distance or closer.
    """
    _band_distances(n_cand, dim, theiler, order, keys, vecs, band)
    stride = n_cand + _BAND
    # 1. the best distance (at most 1) over the band on both sides: one
    #    pass over positions, the 2 * _BAND candidates of each unrolled
    #    into a chain of minima in registers (a minimum is exact and its
    #    order irrelevant)
    for p in range(n_cand):
        b = 1.0
        for t in range(1, _BAND + 1):
            base = (t - 1) * stride + _BAND
            b = min(b, band[_U(base + p)])  # right: the candidate at p + t
            b = min(b, band[_U(base + p - t)])  # left: the candidate at p - t
        bbest[_U(p)] = b
    # 2. among the band's candidates at that distance, the largest index
    #    (-1 if none: the best is then the initial 1, never a neighbour).
    #    ``opad[_BAND + r]`` is order[r]; its padding is never read through
    #    a match, since those band entries are infinite.
    for r in range(n_cand):
        opad[_U(_BAND + r)] = order[_U(r)]
    for p in range(n_cand):
        b = bbest[_U(p)]
        c = -1
        for t in range(1, _BAND + 1):
            base = (t - 1) * stride + _BAND
            j = opad[_U(_BAND + p + t)]
            c = max(c, j) if band[_U(base + p)] == b else c
            j = opad[_U(_BAND + p - t)]
            c = max(c, j) if band[_U(base + p - t)] == b else c
        bbj[_U(p)] = c
    for p in range(n_cand):
        n = order[_U(p)]
        if n >= n_ref:
            continue
        b = bbest[_U(p)]
        j = bbj[_U(p)]
        yn = keys[_U(p)]
        right = False
        left = False
        if p + _BAND + 1 < n_cand:
            e = keys[_U(p + _BAND + 1)] - yn
            right = e * e <= b
        if p - _BAND - 1 >= 0:
            e = keys[_U(p - _BAND - 1)] - yn
            left = e * e <= b
        if right or left:
            b, j = _extend(n, p, n_cand, dim, theiler, order, keys, vecs, b, j,
                           right, left)
        # D < 1 strictly
        nbr[_U(n)] = j if b < 1.0 else -1
        nbd[_U(n)] = b


@njit(cache=True)
def _nearest_scan(n_ref, n_cand, dim, theiler, order, rank, keys, vecs, dist,
             nbr, nbd):
    """:func:`_nearest` for clustered windows (many equal first
    coordinates, as in series of a few levels), where the band rarely
    covers the best distance: from each reference point (sorted position
    ``rank[n]``) the scan runs outwards on each side in blocks of
    ``_SCAN`` candidates until a block whose first squared gap in the first
    coordinate alone exceeds the best distance so far; every visited
    distance is kept in ``dist`` and a last pass picks, among those at the
    best distance, the largest index (the kernel before issue 15).
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
def _few_levels(keys, n):
    """Whether the sorted values ``keys[:n]`` (in [0, 1]) are clustered and
    take fewer than ``n / _LEVELS`` distinct values: series of a few
    levels, where exact copies fill the band and :func:`_nearest_scan` is
    faster.  Clustered means that one of the ``nb`` buckets
    ``min(floor(y * nb), nb - 1)`` (``nb`` the power of two from 2n to 4n)
    holds more than 32 values.  Clustered windows of many distinct values
    (weight trajectories that hover, then jump), and series of a few levels
    spread over many buckets, are faster in :func:`_nearest`."""
    if n <= 32:
        return False
    nb = 1
    while nb < 2 * n:
        nb *= 2
    top = nb - 1
    fb = float(nb)
    clustered = False
    for r in range(n - 32):
        lo = min(int(keys[_U(r)] * fb), top)
        hi = min(int(keys[_U(r + 32)] * fb), top)
        clustered |= lo == hi
    if not clustered:
        return False
    distinct = 1
    for r in range(1, n):
        distinct += keys[_U(r)] != keys[_U(r - 1)]
    return distinct * _LEVELS < n


@njit(cache=True)
def _curve_sums(y, n_points, dim, delay, steps, theiler, k_max, order, rank,
                bucket, cnt, keys, vecs, band, bbest, bbj, nbr, nbd, sums, counts, shifts):
    """Fill sums[k], counts[k] (k = 0 .. k_max <= steps) for the window y.

    ``sums[k]`` is the sum of ``0.5 ln D`` over the counted pairs.  It is
    accumulated as a product of the distances, kept in range by exact
    power-of-two rescaling (``shifts``), and one logarithm per step at the
    end: a logarithm per pair would dominate the cost of a window.

    Scratch (length >= n_points): ``order``, ``bucket``, ``nbr``,
    ``bbj`` (int64), ``keys``, ``nbd``, ``bbest`` (float64), ``rank``
    (int64, n_points + 2 * _BAND), ``band`` (float64,
    (n_points + _BAND) * _BAND), ``cnt`` (int64, 4 * n_points + 2),
    ``vecs`` (float64, n_points * dim: the candidates'
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
    few = _few_levels(keys, n_cand)
    for r in range(n_cand):
        j = order[_U(r)]
        for q in range(1, dim):
            vecs[_U((q - 1) * n_cand + r)] = y[_U(j + q * delay)]
    if few:
        for r in range(n_cand):
            rank[_U(order[_U(r)])] = r
        _nearest_scan(n_ref, n_cand, dim, theiler, order, rank, keys, vecs,
                      band, nbr, nbd)
    else:
        _nearest(n_ref, n_cand, dim, theiler, order, rank, keys, vecs, band,
                 bbest, bbj, nbr, nbd)
    # The rare rescalings count in shifts[0], shifts[1] (memory, not
    # locals): a store keeps them branches, where locals let the compiler
    # turn them into selects that lengthen each step of the chain of
    # products (0.89 -> 0.53 us per random-walk window, measured alone).
    prod0 = 1.0
    count0 = 0
    prod1 = 1.0
    count1 = 0
    for n in range(n_ref):
        bj = nbr[_U(n)]
        if bj < 0:
            continue
        # k = 0: D(n, j*) is best itself (same sum, same order); > 0
        prod0 *= nbd[_U(n)]
        if prod0 < _TINY:
            prod0 *= _SCALE_UP
            shifts[0] -= _SHIFT
        count0 += 1
        # k = 1 (the paper's slope needs only k = 0, 1) in registers too
        if k_max >= 1:
            if dim == 2:  # the usual case, without an inner loop (0 + e*e is e*e)
                e = y[_U(n + 1)] - y[_U(bj + 1)]
                d = e * e
                e = y[_U(n + 1 + delay)] - y[_U(bj + 1 + delay)]
                d += e * e
            else:
                d = 0.0
                for q in range(dim):
                    e = y[_U(n + 1 + q * delay)] - y[_U(bj + 1 + q * delay)]
                    d += e * e
            if d > 0.0:
                prod1 *= d
                if prod1 < _TINY:
                    prod1 *= _SCALE_UP
                    shifts[1] -= _SHIFT
                elif prod1 > _HUGE:
                    prod1 *= _SCALE_DOWN
                    shifts[1] += _SHIFT
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
    if k_max >= 1:
        sums[1] = prod1
        counts[1] = count1
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
    rank = np.empty(n + 2 * _BAND, dtype=np.int64)  # also _nearest's opad
    bucket = np.empty(n, dtype=np.int64)
    cnt = np.empty(4 * n + 2, dtype=np.int64)
    keys = np.empty(n)
    vecs = np.empty(n * dim)
    band = np.empty((n + _BAND) * _BAND)
    bbest = np.empty(n)
    bbj = np.empty(n, dtype=np.int64)
    nbr = np.empty(n, dtype=np.int64)
    nbd = np.empty(n)
    sums = np.empty(steps + 1)
    counts = np.empty(steps + 1, dtype=np.int64)
    shifts = np.empty(steps + 1, dtype=np.int64)
    return order, rank, bucket, cnt, keys, vecs, band, bbest, bbj, nbr, nbd, sums, counts, shifts


@njit(cache=True)
def divergence_curve(x, dim, delay, steps, theiler):
    """(curve, counts) of one series (non-constant, finite: checked by caller).

    ``curve[k]`` is NaN where ``counts[k]`` is 0.
    """
    n = x.shape[0]
    y = np.empty(n)
    _rescale(x, y, n)
    (order, rank, bucket, cnt, keys, vecs, band, bbest, bbj, nbr, nbd, sums, counts,
     shifts) = _scratch(n, dim, steps)
    _curve_sums(y, n, dim, delay, steps, theiler, steps, order, rank, bucket,
                cnt, keys, vecs, band, bbest, bbj, nbr, nbd, sums, counts, shifts)
    curve = np.empty(steps + 1)
    for k in range(steps + 1):
        curve[k] = sums[k] / counts[k] if counts[k] > 0 else np.nan
    return curve, counts


@njit(cache=True)
def _window_exponent(x, y, n, dim, delay, steps, theiler, fit_steps,
                     min_range, order, rank, bucket, cnt, keys, vecs, band,
                     bbest, bbj, nbr, nbd, sums, counts, shifts):
    """(exponent, status) of one gathered window x[:n].

    Only curve[0..fit_steps] is computed: the later steps do not enter the
    slope (the candidate and reference sets still depend on ``steps``).
    """
    span = _rescale(x, y, n)
    if not (span >= min_range) or span == 0.0:
        return 0.0, STATUS_STATIC
    _curve_sums(y, n, dim, delay, steps, theiler, fit_steps, order, rank,
                bucket, cnt, keys, vecs, band, bbest, bbj, nbr, nbd, sums, counts, shifts)
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
    (order, rank, bucket, cnt, keys, vecs, band, bbest, bbj, nbr, nbd, sums, counts,
     shifts) = _scratch(window, dim, steps)
    for w in range(n_win):
        st = starts[w]
        for r in range(window):
            row = data[_U(st + r)]
            for q in range(nb):
                xbuf[_U(q), _U(r)] = row[_U(s0 + q)]
        for q in range(nb):
            le, code = _window_exponent(
                xbuf[q], y, window, dim, delay, steps, theiler, fit_steps,
                min_range, order, rank, bucket, cnt, keys, vecs, band,
                bbest, bbj, nbr, nbd, sums, counts, shifts)
            out[w, s0 + q] = le
            status[w, s0 + q] = code


@njit(cache=True)
def _block(b, data, starts, window, dim, delay, steps, theiler, fit_steps, min_range,
           out, status):
    """Block ``b`` of series, by the copy of the loop for the paper's
    settings where they apply (the loop body of the two entry points)."""
    if dim == 2 and theiler == 0 and fit_steps == 1:
        _series_block_paper(b, data, starts, window, delay, steps, min_range, out,
                            status)
    else:
        _series_block(b, data, starts, window, dim, delay, steps, theiler, fit_steps,
                      min_range, out, status)


@njit(cache=True)
def _series_block_paper(b, data, starts, window, delay, steps, min_range, out, status):
    """:func:`_series_block` with dim 2, Theiler window 0 and fit_steps 1 as
    constants: the compiler then drops the branches and loops of the
    general case (10 to 25 % of a window's time on digits weight windows,
    measured against the general loop in one process).  Same code, so the
    same results."""
    _series_block(b, data, starts, window, 2, delay, steps, 0, 1, min_range, out, status)


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
        # The index as int64, as in the serial loop: the parallel loop's
        # index is unsigned, and another type is a second compilation of
        # the whole tree below _block (about a quarter of this module's).
        _block(np.int64(b), data, starts, window, dim, delay, steps, theiler, fit_steps,
               min_range, out, status)


@njit(cache=True)
def window_exponents_serial(data, starts, window, dim, delay, steps, theiler,
                            fit_steps, min_range, out, status):
    """:func:`window_exponents` on the calling thread only (same results),
    for callers where a parallel region is unsafe (see
    :mod:`skchaosprune._parallel`)."""
    n_blocks = (data.shape[1] + _BLOCK - 1) // _BLOCK
    for b in range(n_blocks):
        _block(b, data, starts, window, dim, delay, steps, theiler, fit_steps,
               min_range, out, status)


def warmup():
    """Compile the kernels on tiny inputs (read-only, as the callers pass
    them: ``_kernels.read_only``)."""
    x = np.sin(np.arange(20.0)) + 0.01 * np.arange(20.0)
    data = np.ascontiguousarray(np.stack([x, x[::-1], np.zeros(20)], axis=1))
    for a in (x, data):
        a.setflags(write=False)
    divergence_curve(x, 2, 1, 3, 0)
    starts = np.array([0, 5], dtype=np.int64)
    out = np.empty((2, 3))
    status = np.empty((2, 3), dtype=np.int8)
    window_exponents(data, starts, 15, 2, 1, 3, 0, 1, 1e-5, out, status)
    window_exponents_serial(data, starts, 15, 2, 1, 3, 0, 1, 1e-5, out, status)
