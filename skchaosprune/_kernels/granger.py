"""Compiled per-source part of the batched Granger test (fast path).

For every source and every lag ``l = 1 .. maxlag`` the kernel assembles the
Frisch-Waugh-Lovell problem of :mod:`skchaosprune.causality` from lagged
sums, solves it by Cholesky, and returns the explained sum of squares with a
first-order bound on its rounding error, or a flag that sends the
(source, lag) to the exact path (statsmodels' algorithm, in
:mod:`skchaosprune.causality`).

Notation (all series centred and scaled by the caller): ``x`` the source,
``y`` the target, rows ``t = l .. T-1``.

* ``A[k, j] = sum_t x[t-k] x[t-j]``  (source lags, ``k, j = 1 .. l``)
* ``B[i, k] = sum_t y[t-i] x[t-k]``  (target lags against source lags),
  plus the constant row ``cB[k] = sum_t x[t-k]``
* ``C = R^{-T} [B; cB]`` with ``Xr = Q R`` the restricted design: ``C = Q' X``
* ``G = A - C' C = X' M X``, ``b = X' e_r`` (computed by BLAS outside)
* explained ``= b' G^{-1} b``, ``SSR_u = SSR_r - explained``.

The sums over rows are updated from lag to lag (one row leaves, one lag
column enters), from full lagged sums computed once per source.

:func:`fast_granger` (parallel over chunks of 64 sources, each chunk
vectorised across its sources by :func:`_chunk`) is the entry point;
:func:`fast_granger_serial` is the same on one thread, and :func:`_sources`
the readable one-source-at-a-time twin that the tests compare against.

Nothing here imports scikit-learn.
"""

import numpy as np
from numba import njit, prange

EPS = np.finfo(np.float64).eps
# reassociation lets the long lagged sums vectorise; the rounding-error bound
# does not depend on the order of summation
_FASTMATH = {"reassoc", "contract", "nsz"}


@njit(cache=True, fastmath=_FASTMATH)
def _cross_range(y, x, fyx, maxlag, T, i, k, lag):
    """sum_{t=lag}^{T-1} y[t-i] x[t-k] from the full lagged sum at shift k-i."""
    dd = k - i
    lo = -dd if dd < 0 else 0
    hi = T - 1 - (dd if dd > 0 else 0)
    v = fyx[dd + maxlag - 1]
    for s in range(lo, lag - k):
        v -= y[s + dd] * x[s]
    for s in range(T - k, hi + 1):
        v -= y[s + dd] * x[s]
    return v


@njit(cache=True, fastmath=_FASTMATH)
def _sources(j0, j1, xs, y, F, rinvt, ssr_r, tss, nrinv, nxr, de, maxlag,
             expl, ssru, dexpl, dssr, flag):
    """Sources ``j0 .. j1-1``, one at a time: the readable twin of :func:`_chunk`.

    Not used by :func:`fast_granger`; the tests check that both agree.
    """
    T = xs.shape[0]
    M = maxlag
    x = np.empty(T)
    fyx = np.empty(F.shape[0])
    A = np.zeros((M, M))
    Bt = np.zeros((M, M))
    cB = np.zeros(M)
    bk = np.zeros(M + 1)
    Ct = np.zeros((M, M + 1))
    G = np.zeros((M, M))
    L = np.zeros((M, M))
    Li = np.zeros((M, M))
    z = np.zeros(M)
    beta = np.zeros(M)
    fxx = np.zeros(M)
    for j in range(j0, j1):
        for t in range(T):
            x[t] = xs[t, j]
        for r in range(F.shape[0]):
            fyx[r] = F[r, j]
        nx2 = 0.0
        sx = 0.0
        for s in range(T):
            nx2 += x[s] * x[s]
            sx += x[s]
        for d in range(M):
            v = 0.0
            for s in range(T - d):
                v += x[s] * x[s + d]
            fxx[d] = v
        nx = np.sqrt(nx2)
        boff = 2 * M - 1
        for lag in range(1, M + 1):
            # -- lagged sums over rows lag .. T-1 ------------------------------
            if lag >= 2:
                r = lag - 1  # the row that leaves
                for k in range(1, lag):
                    xk = x[r - k]
                    for jj in range(k, lag):
                        A[k - 1, jj - 1] -= xk * x[r - jj]
                    for i in range(1, lag):
                        Bt[k - 1, i - 1] -= y[r - i] * xk
                    cB[k - 1] -= xk
            for jj in range(1, lag + 1):
                d = lag - jj
                v = fxx[d]
                for s in range(T - lag, T - d):
                    v -= x[s] * x[s + d]
                A[jj - 1, lag - 1] = v
            for k in range(1, lag + 1):
                Bt[k - 1, lag - 1] = _cross_range(y, x, fyx, M, T, lag, k, lag)
            for i in range(1, lag):
                Bt[lag - 1, i - 1] = _cross_range(y, x, fyx, M, T, i, lag, lag)
            v = sx
            for s in range(T - lag, T):
                v -= x[s]
            cB[lag - 1] = v
            # -- C = R^-T [B; cB], stored transposed (Ct = C') -------------------
            l = lag
            RT = rinvt[l - 1]  # RT = R^-T, lower triangular
            nb2 = 0.0
            nc2 = 0.0
            for k in range(l):
                for c in range(l):
                    bk[c] = Bt[k, c]
                    nb2 += bk[c] * bk[c]
                bk[l] = cB[k]
                nb2 += cB[k] * cB[k]
                for a in range(l + 1):
                    v = 0.0
                    for c in range(a + 1):
                        v += RT[a, c] * bk[c]
                    Ct[k, a] = v
                    nc2 += v * v
            # -- G = A - C'C, Cholesky ------------------------------------------
            na2 = 0.0
            for k in range(l):
                for jj in range(k, l):
                    v = 0.0
                    for a in range(l + 1):
                        v += Ct[k, a] * Ct[jj, a]
                    G[k, jj] = A[k, jj] - v
                    G[jj, k] = G[k, jj]
                    w = A[k, jj] * A[k, jj]
                    na2 += w if jj == k else 2.0 * w
            ok = True
            for k in range(l):
                v = G[k, k]
                for c in range(k):
                    v -= L[k, c] * L[k, c]
                # a pivot that kept under 1e-8 of its column's squared norm
                # means near rank deficiency: the exact path decides
                if not (v > 1e-8 * A[k, k]):
                    ok = False
                    break
                L[k, k] = np.sqrt(v)
                for r2 in range(k + 1, l):
                    w = G[r2, k]
                    for c in range(k):
                        w -= L[r2, c] * L[k, c]
                    L[r2, k] = w / L[k, k]
            if not ok:
                flag[l - 1, j] = 1
                boff += l
                continue
            # z = L^-1 b, beta = L^-T z, Li = L^-1
            for k in range(l):
                v = fyx[boff + k]
                for c in range(k):
                    v -= L[k, c] * z[c]
                z[k] = v / L[k, k]
            e = 0.0
            for k in range(l):
                e += z[k] * z[k]
            for k in range(l - 1, -1, -1):
                v = z[k]
                for c in range(k + 1, l):
                    v -= L[c, k] * beta[c]
                beta[k] = v / L[k, k]
            ginv = 0.0
            for k in range(l):
                Li[k, k] = 1.0 / L[k, k]
                ginv += Li[k, k] * Li[k, k]
                for r2 in range(k + 1, l):
                    v = 0.0
                    for c in range(k, r2):
                        v -= L[r2, c] * Li[c, k]
                    Li[r2, k] = v / L[r2, r2]
                    ginv += Li[r2, k] * Li[r2, k]
            nbeta2 = 0.0
            for k in range(l):
                nbeta2 += beta[k] * beta[k]
            # -- first-order rounding-error bound --------------------------------
            nA = np.sqrt(na2)
            nC = np.sqrt(nc2)
            # probabilistic rounding model: a sum of n terms is off by about
            # sqrt(n) * eps * (sum of |terms|); safety factors on top
            gT = 4.0 * np.sqrt(T) * EPS
            errA = l * gT * nx2
            errB = gT * nxr[l - 1] * np.sqrt(l) * nx
            dC = nrinv[l - 1] * (errB + 2.0 * (l + 2) * EPS * np.sqrt(nb2))
            dG = errA + 2.0 * nC * dC + (l + 1) * EPS * nc2 + 3.0 * (l + 1) * EPS * nA
            db = (gT * np.sqrt(ssr_r[l - 1]) + de[l - 1]) * np.sqrt(l) * nx
            boff += l
            if ginv * dG > 1e-3:
                flag[l - 1, j] = 1
                continue
            d_e = 2.0 * (nbeta2 * dG + 2.0 * np.sqrt(nbeta2) * db + ginv * db * db)
            d_e += 2.0 * (l + 1) * EPS * e
            s_u = ssr_r[l - 1] - e
            d_s = d_e + gT * ssr_r[l - 1] + 2.0 * np.sqrt(ssr_r[l - 1]) * de[l - 1]
            expl[l - 1, j] = e
            ssru[l - 1, j] = s_u
            dexpl[l - 1, j] = d_e
            dssr[l - 1, j] = d_s
            if not (s_u - d_s > 1e3 * EPS * tss[l - 1]):
                flag[l - 1, j] = 1


@njit(cache=True, fastmath=_FASTMATH)
def _cross_chunk(y, xc, Fc, out, maxlag, T, i, k, lag):
    """out[s] = sum_{t=lag}^{T-1} y[t-i] x_s[t-k] for every source s of a chunk."""
    n = xc.shape[1]
    dd = k - i
    lo = -dd if dd < 0 else 0
    hi = T - 1 - (dd if dd > 0 else 0)
    row = dd + maxlag - 1
    for s in range(n):
        out[s] = Fc[row, s]
    for u in range(lo, lag - k):
        w = y[u + dd]
        for s in range(n):
            out[s] -= w * xc[u, s]
    for u in range(T - k, hi + 1):
        w = y[u + dd]
        for s in range(n):
            out[s] -= w * xc[u, s]


@njit(cache=True, fastmath=_FASTMATH)
def _minus_dot(out, g, L, r, k):
    """out[s] = g[s] - sum_{c<k} L[r, c, s] L[k, c, s] (a Cholesky step of
    :func:`_chunk`, for every source s of the chunk)."""
    n = out.shape[0]
    for s in range(n):
        out[s] = g[s]
    for c in range(k):
        for s in range(n):
            out[s] -= L[r, c, s] * L[k, c, s]


@njit(cache=True, fastmath=_FASTMATH)
def _chunk(j0, j1, xs, y, F, rinvt, ssr_r, tss, nrinv, nxr, de, maxlag,
           expl, ssru, dexpl, dssr, flag):
    """Sources ``j0 .. j1-1`` of :func:`fast_granger`, vectorised across them.

    Same arithmetic as :func:`_sources` (one source at a time), with the
    source index innermost so that every small-matrix operation runs as a
    SIMD loop over the sources of the chunk.
    """
    T = xs.shape[0]
    M = maxlag
    n = j1 - j0
    rows = F.shape[0]
    xc = np.empty((T, n))
    for t in range(T):
        for s in range(n):
            xc[t, s] = xs[t, j0 + s]
    Fc = np.empty((rows, n))
    for r in range(rows):
        for s in range(n):
            Fc[r, s] = F[r, j0 + s]
    nx2 = np.zeros(n)
    sx = np.zeros(n)
    for t in range(T):
        for s in range(n):
            nx2[s] += xc[t, s] * xc[t, s]
            sx[s] += xc[t, s]
    fxx = np.zeros((M, n))
    for d in range(M):
        for t in range(T - d):
            for s in range(n):
                fxx[d, s] += xc[t, s] * xc[t + d, s]
    A = np.zeros((M, M, n))
    Bt = np.zeros((M, M, n))
    cB = np.zeros((M, n))
    Cc = np.zeros((M + 1, M, n))
    G = np.zeros((M, M, n))
    L = np.zeros((M, M, n))
    Li = np.zeros((M, M, n))
    z = np.zeros((M, n))
    beta = np.zeros((M, n))
    v = np.zeros(n)
    w = np.zeros(n)
    ok = np.ones(n, dtype=np.bool_)
    nb2 = np.zeros(n)
    nc2 = np.zeros(n)
    na2 = np.zeros(n)
    e = np.zeros(n)
    ginv = np.zeros(n)
    nbeta2 = np.zeros(n)
    boff = 2 * M - 1
    gT = 4.0 * np.sqrt(T) * EPS
    for lag in range(1, M + 1):
        l = lag
        # -- lagged sums over rows lag .. T-1 ----------------------------------
        if lag >= 2:
            r = lag - 1  # the row that leaves
            for k in range(1, lag):
                for jj in range(k, lag):
                    for s in range(n):
                        A[k - 1, jj - 1, s] -= xc[r - k, s] * xc[r - jj, s]
                for i in range(1, lag):
                    yy = y[r - i]
                    for s in range(n):
                        Bt[k - 1, i - 1, s] -= yy * xc[r - k, s]
                for s in range(n):
                    cB[k - 1, s] -= xc[r - k, s]
        for jj in range(1, lag + 1):
            d = lag - jj
            for s in range(n):
                A[jj - 1, lag - 1, s] = fxx[d, s]
            for u in range(T - lag, T - d):
                for s in range(n):
                    A[jj - 1, lag - 1, s] -= xc[u, s] * xc[u + d, s]
        for k in range(1, lag + 1):
            _cross_chunk(y, xc, Fc, Bt[k - 1, lag - 1], M, T, lag, k, lag)
        for i in range(1, lag):
            _cross_chunk(y, xc, Fc, Bt[lag - 1, i - 1], M, T, i, lag, lag)
        for s in range(n):
            cB[lag - 1, s] = sx[s]
        for u in range(T - lag, T):
            for s in range(n):
                cB[lag - 1, s] -= xc[u, s]
        # -- C = R^-T [B; cB] (Cc[a, k] = C[a, k]) -----------------------------
        RT = rinvt[l - 1]
        nb2[:] = 0.0
        nc2[:] = 0.0
        for k in range(l):
            for c in range(l):
                for s in range(n):
                    nb2[s] += Bt[k, c, s] * Bt[k, c, s]
            for s in range(n):
                nb2[s] += cB[k, s] * cB[k, s]
            for a in range(l + 1):
                for s in range(n):
                    Cc[a, k, s] = 0.0
                for c in range(min(a, l - 1) + 1):
                    wc = RT[a, c]
                    for s in range(n):
                        Cc[a, k, s] += wc * Bt[k, c, s]
                if a == l:
                    wc = RT[l, l]
                    for s in range(n):
                        Cc[a, k, s] += wc * cB[k, s]
                for s in range(n):
                    nc2[s] += Cc[a, k, s] * Cc[a, k, s]
        # -- G = A - C'C, Cholesky ------------------------------------------
        na2[:] = 0.0
        for k in range(l):
            for jj in range(k, l):
                f2 = 1.0 if jj == k else 2.0
                for s in range(n):
                    G[k, jj, s] = A[k, jj, s]
                    na2[s] += f2 * A[k, jj, s] * A[k, jj, s]
                for a in range(l + 1):
                    for s in range(n):
                        G[k, jj, s] -= Cc[a, k, s] * Cc[a, jj, s]
        ok[:] = True
        for k in range(l):
            _minus_dot(v, G[k, k], L, k, k)
            for s in range(n):
                # a pivot under 1e-8 of its column's squared norm means near
                # rank deficiency: the exact path decides
                if not (v[s] > 1e-8 * A[k, k, s]):
                    ok[s] = False
                    v[s] = 1.0
                L[k, k, s] = np.sqrt(v[s])
            for r2 in range(k + 1, l):
                _minus_dot(w, G[k, r2], L, r2, k)
                for s in range(n):
                    L[r2, k, s] = w[s] / L[k, k, s]
        # z = L^-1 b, beta = L^-T z, Li = L^-1
        e[:] = 0.0
        for k in range(l):
            for s in range(n):
                v[s] = Fc[boff + k, s]
            for c in range(k):
                for s in range(n):
                    v[s] -= L[k, c, s] * z[c, s]
            for s in range(n):
                z[k, s] = v[s] / L[k, k, s]
                e[s] += z[k, s] * z[k, s]
        boff += l
        nbeta2[:] = 0.0
        for k in range(l - 1, -1, -1):
            for s in range(n):
                v[s] = z[k, s]
            for c in range(k + 1, l):
                for s in range(n):
                    v[s] -= L[c, k, s] * beta[c, s]
            for s in range(n):
                beta[k, s] = v[s] / L[k, k, s]
                nbeta2[s] += beta[k, s] * beta[k, s]
        ginv[:] = 0.0
        for k in range(l):
            for s in range(n):
                Li[k, k, s] = 1.0 / L[k, k, s]
                ginv[s] += Li[k, k, s] * Li[k, k, s]
            for r2 in range(k + 1, l):
                for s in range(n):
                    v[s] = 0.0
                for c in range(k, r2):
                    for s in range(n):
                        v[s] -= L[r2, c, s] * Li[c, k, s]
                for s in range(n):
                    Li[r2, k, s] = v[s] / L[r2, r2, s]
                    ginv[s] += Li[r2, k, s] * Li[r2, k, s]
        # -- first-order rounding-error bound (see _sources) -------------------
        sr = ssr_r[l - 1]
        for s in range(n):
            j = j0 + s
            nx = np.sqrt(nx2[s])
            errA = l * gT * nx2[s]
            errB = gT * nxr[l - 1] * np.sqrt(l) * nx
            dC = nrinv[l - 1] * (errB + 2.0 * (l + 2) * EPS * np.sqrt(nb2[s]))
            nC = np.sqrt(nc2[s])
            dG = (errA + 2.0 * nC * dC + (l + 1) * EPS * nc2[s]
                  + 3.0 * (l + 1) * EPS * np.sqrt(na2[s]))
            db = (gT * np.sqrt(sr) + de[l - 1]) * np.sqrt(l) * nx
            d_e = 2.0 * (nbeta2[s] * dG + 2.0 * np.sqrt(nbeta2[s]) * db + ginv[s] * db * db)
            d_e += 2.0 * (l + 1) * EPS * e[s]
            s_u = sr - e[s]
            d_s = d_e + gT * sr + 2.0 * np.sqrt(sr) * de[l - 1]
            expl[l - 1, j] = e[s]
            ssru[l - 1, j] = s_u
            dexpl[l - 1, j] = d_e
            dssr[l - 1, j] = d_s
            bad = (not ok[s]) or ginv[s] * dG > 1e-3 or not (s_u - d_s > 1e3 * EPS * tss[l - 1])
            flag[l - 1, j] = 1 if bad else 0


@njit(cache=True)
def _slice(c, n_chunks, xs, y, F, rinvt, ssr_r, tss, nrinv, nxr, de, maxlag,
           expl, ssru, dexpl, dssr, flag):
    """Slice ``c`` of ``n_chunks`` (sources ``m*c//n_chunks`` up to the next
    slice) through :func:`_chunk`: the loop body that :func:`fast_granger`
    (``prange``) and :func:`fast_granger_serial` (``range``) share."""
    m = xs.shape[1]
    j0 = (m * c) // n_chunks
    j1 = (m * (c + 1)) // n_chunks
    if j1 > j0:
        _chunk(j0, j1, xs, y, F, rinvt, ssr_r, tss, nrinv, nxr, de, maxlag,
               expl, ssru, dexpl, dssr, flag)


@njit(cache=True, parallel=True)
def fast_granger(xs, y, F, rinvt, ssr_r, tss, nrinv, nxr, de, maxlag,
                 expl, ssru, dexpl, dssr, flag, n_chunks):
    """Explained sums of squares and their error bounds, all sources, all lags.

    Parameters
    ----------
    xs : (T, m) centred, scaled sources (one column per source).
    y : (T,) centred, scaled target.
    F : (2*maxlag - 1 + maxlag*(maxlag+1)/2, m) BLAS products: full lagged
        cross sums ``sum_s y[s+dd] x[s]`` for ``dd = -(maxlag-1) .. maxlag-1``,
        then ``b`` for lag 1, lag 2 (2 entries), ...
    rinvt : (maxlag, maxlag+1, maxlag+1) ``R^-T`` (lower triangular) of each
        lag's restricted design ``Xr = Q R`` (columns: target lags 1..l, then
        the constant).
    ssr_r, tss, nrinv, nxr, de : (maxlag,) restricted SSR, centred total sum
        of squares of the target rows, ||R^-1||_F, ||Xr||_F and an error
        bound on ||e_r||.
    expl, ssru, dexpl, dssr : (maxlag, m) outputs.
    flag : (maxlag, m) int8 output, 1 where the fast path cannot vouch for
        its result (not positive definite, ill-conditioned, near-perfect fit).
    n_chunks : number of slices of sources, run in parallel, each vectorised
        across its sources (a source's arithmetic does not depend on the split).
    """
    n_chunks = max(1, min(xs.shape[1], n_chunks))
    for c in prange(n_chunks):
        # The index as int64, as in the serial loop (the parallel loop's is
        # unsigned, and another type compiles _slice a second time).
        _slice(np.int64(c), n_chunks, xs, y, F, rinvt, ssr_r, tss, nrinv, nxr, de, maxlag,
               expl, ssru, dexpl, dssr, flag)
    return 0


@njit(cache=True)
def fast_granger_serial(xs, y, F, rinvt, ssr_r, tss, nrinv, nxr, de, maxlag,
                        expl, ssru, dexpl, dssr, flag, n_chunks):
    """:func:`fast_granger` on one thread (same results): for callers outside
    the main thread, where Numba's default (workqueue) threading layer must
    not be entered concurrently."""
    n_chunks = max(1, min(xs.shape[1], n_chunks))
    for c in range(n_chunks):
        _slice(c, n_chunks, xs, y, F, rinvt, ssr_r, tss, nrinv, nxr, de, maxlag,
               expl, ssru, dexpl, dssr, flag)
    return 0


def warmup():
    """Compile :func:`fast_granger` on a tiny problem."""
    M, T, m = 2, 12, 2
    rng = np.random.default_rng(0)
    xs = rng.normal(size=(T, m))
    y = rng.normal(size=T)
    F = rng.normal(size=(2 * M - 1 + M * (M + 1) // 2, m))
    rinvt = np.zeros((M, M + 1, M + 1))
    for lag in range(M):
        rinvt[lag] = np.eye(M + 1)
    ones = np.ones(M)
    out = [np.zeros((M, m)) for _ in range(4)]
    flag = np.zeros((M, m), dtype=np.int8)
    args = (xs, y, F, rinvt, ones * T, ones * T, ones, ones, ones * 0.0, M, *out, flag)
    fast_granger(*args, 2)
    fast_granger_serial(*args, 2)
    _sources(0, m, *args)
