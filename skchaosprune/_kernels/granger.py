"""Compiled per-source part of the batched Granger test (fast path).

For every source and every lag ``l = 1 .. maxlag`` the kernel assembles the
Frisch-Waugh-Lovell problem of :mod:`skchaosprune.causality` from lagged
sums, solves it by Cholesky, and returns the explained sum of squares with a
first-order bound on its rounding error, or a flag that sends the
(source, lag) to the exact QR path.

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
def _sources(j0, j1, xt, y, F, rinvt, ssr_r, tss, nrinv, nxr, de, maxlag,
             expl, ssru, dexpl, dssr, flag):
    """Sources ``j0 .. j1-1`` of :func:`fast_granger` (one thread's share)."""
    T = xt.shape[1]
    M = maxlag
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
        x = xt[j]
        fyx = F[j]
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
                v = F[j, boff + k]
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


@njit(cache=True, parallel=True)
def fast_granger(xt, y, F, rinvt, ssr_r, tss, nrinv, nxr, de, maxlag,
                 expl, ssru, dexpl, dssr, flag, n_chunks):
    """Explained sums of squares and their error bounds, all sources, all lags.

    Parameters
    ----------
    xt : (m, T) centred, scaled sources (one row per source).
    y : (T,) centred, scaled target.
    F : (m, 2*maxlag - 1 + maxlag*(maxlag+1)/2) BLAS products: full lagged
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
    n_chunks : number of independent slices of sources run in parallel
        (each source's arithmetic is the same whatever the split).
    """
    m = xt.shape[0]
    n_chunks = max(1, min(m, n_chunks))
    for c in prange(n_chunks):
        j0 = (m * c) // n_chunks
        j1 = (m * (c + 1)) // n_chunks
        _sources(j0, j1, xt, y, F, rinvt, ssr_r, tss, nrinv, nxr, de, maxlag,
                 expl, ssru, dexpl, dssr, flag)
    return 0


def warmup():
    """Compile :func:`fast_granger` on a tiny problem."""
    M, T, m = 2, 12, 2
    rng = np.random.default_rng(0)
    xt = rng.normal(size=(m, T))
    y = rng.normal(size=T)
    F = rng.normal(size=(m, 2 * M - 1 + M * (M + 1) // 2))
    rinvt = np.zeros((M, M + 1, M + 1))
    for lag in range(M):
        rinvt[lag] = np.eye(M + 1)
    ones = np.ones(M)
    out = [np.zeros((M, m)) for _ in range(4)]
    flag = np.zeros((M, m), dtype=np.int8)
    fast_granger(xt, y, F, rinvt, ones * T, ones * T, ones, ones, ones * 0.0, M, *out, flag, 2)
