"""statsmodels' ordinary least squares, batched over many designs.

``statsmodels.regression.linear_model.OLS(y, A).fit()`` (its default
``method='pinv'``) computes the Moore-Penrose pseudo-inverse of the design by
SVD (``pinv_extended``: singular values at most ``1e-15 * s_max`` are
treated as zero), the parameters as ``pinv @ y``, the residuals as
``y - A @ params``, ``ssr = resid @ resid`` and the rank as ``matrix_rank``
of the diagonal matrix of singular values (``s > s_max * min(n, k) * eps``).
:func:`ols_pinv` does exactly that for a stack of designs at once, with the
same LAPACK and BLAS calls per design (batched ``svd`` and ``matmul``), so
that nearly collinear or rank-deficient designs get statsmodels' answer,
rounding included as far as the libraries allow.

This is the "exact path" of :mod:`skchaosprune.causality` (Granger tests)
and :mod:`skchaosprune.stationarity` (ADF tests).
"""

from typing import NamedTuple

import numpy as np

#: machine epsilon of float64
EPS = np.finfo(np.float64).eps
#: statsmodels' ``pinv_extended`` cut-off (relative to the largest singular value)
PINV_RCOND = 1e-15


class OLSFit(NamedTuple):
    """Result of :func:`ols_pinv` for ``m`` designs of shape ``(n, k)``."""

    params: np.ndarray  # (m, k)
    pinv: np.ndarray  # (m, k, n)
    ssr: np.ndarray  # (m,)
    rank: np.ndarray  # (m,) int
    singular_values: np.ndarray  # (m, min(n, k)), descending


def ols_pinv(A, y):
    """statsmodels' ``OLS(y[j], A[j]).fit()`` for every design ``j`` at once.

    Parameters
    ----------
    A : ndarray of shape (m, n, k)
        ``m`` designs of ``n`` rows and ``k`` columns.
    y : ndarray of shape (m, n) or (n,)
        The responses, one row per design (a 1-D ``y`` is shared by all).

    Returns
    -------
    OLSFit
        ``params`` (m, k), ``pinv`` (m, k, n), ``ssr`` (m,), ``rank`` (m,)
        and the ``singular_values`` (m, min(n, k)) of each design.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.stack([np.column_stack([np.ones(4), np.arange(4.0)]),
    ...               np.column_stack([np.ones(4), np.ones(4)])])
    >>> fit = ols_pinv(A, np.array([1.0, 3.0, 5.0, 7.0]))
    >>> fit.params.round(12).tolist(), fit.rank.tolist()
    ([[1.0, 2.0], [2.0, 2.0]], [2, 1])
    >>> fit.ssr.round(12).tolist()
    [0.0, 20.0]
    """
    u, sv, vt = np.linalg.svd(A, full_matrices=False)
    smax = sv.max(axis=1, keepdims=True)
    keep = sv > PINV_RCOND * smax
    sinv = np.where(keep, 1.0 / np.where(keep, sv, 1.0), 0.0)
    pinv = np.matmul(vt.transpose(0, 2, 1), sinv[:, :, None] * u.transpose(0, 2, 1))
    Y = np.broadcast_to(y, A.shape[:2])
    params = np.matmul(pinv, Y[:, :, None])[:, :, 0]
    resid = Y - np.matmul(A, params[:, :, None])[:, :, 0]
    # resid @ resid per design, as statsmodels' np.dot (not a pairwise sum)
    ssr = np.matmul(resid[:, None, :], resid[:, :, None])[:, 0, 0]
    rank = np.count_nonzero(sv > smax * sv.shape[1] * EPS, axis=1)
    return OLSFit(params, pinv, ssr, rank, sv)
