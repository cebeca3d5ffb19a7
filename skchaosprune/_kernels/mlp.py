"""Compiled training and inference loops for dense MLPs.

The network lives in two flat float64 arrays: ``weights`` holds every weight
matrix (shape ``(fan_in, fan_out)``, C order) one after the other, ``biases``
every bias vector.  ``sizes`` is ``[n_features, hidden..., n_outputs]`` and
``w_off``/``b_off`` are the start of each layer in the flat arrays.  Nothing
here imports scikit-learn.

One call of :func:`train_batches` runs many mini-batch updates (for each:
forward, backward, update, mask, record) over a shuffled order made by
:func:`shuffle_in_place`, so that Python runs once per epoch, or once per
chunk of updates when the recorded rows are streamed elsewhere.
"""

import numpy as np
from numba import njit

# Activation, loss, risk and status codes, shared with the estimators.
from .codes import (  # noqa: F401
    DIVERGED,
    IDENTITY,
    LOG_LOSS,
    OK,
    RELU,
    RISK_MISCLASSIFICATION,
    RISK_MSE,
    SIGMOID,
    SOFTMAX,
    SQUARED,
    TANH,
)

_EPS = 1e-15  # clip of probabilities inside log-loss, as sklearn's log_loss


@njit(cache=True)
def rng_next(state):
    """xorshift64* step on a one-element uint64 state array."""
    x = state[0]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    state[0] = x
    return x * np.uint64(2685821657736338717)


@njit(cache=True)
def rng_uniform_int(state, n):
    """An integer in [0, n) from the state (53 random bits)."""
    u = (rng_next(state) >> np.uint64(11)) * (1.0 / 9007199254740992.0)
    k = int(u * n)
    if k >= n:
        k = n - 1
    return k


@njit(cache=True)
def shuffle_in_place(order, state):
    """Fisher-Yates shuffle driven by the seeded state."""
    for i in range(order.shape[0] - 1, 0, -1):
        j = rng_uniform_int(state, i + 1)
        tmp = order[i]
        order[i] = order[j]
        order[j] = tmp


@njit(cache=True)
def _activate(z, kind):
    """Apply an element-wise activation to the vector z in place."""
    n = z.shape[0]
    if kind == SIGMOID:
        for j in range(n):
            z[j] = 1.0 / (1.0 + np.exp(-z[j]))
    elif kind == TANH:
        for j in range(n):
            z[j] = np.tanh(z[j])
    elif kind == RELU:
        for j in range(n):
            if z[j] < 0.0:
                z[j] = 0.0
    elif kind == SOFTMAX:
        m = z[0]
        for j in range(1, n):
            if z[j] > m:
                m = z[j]
        s = 0.0
        for j in range(n):
            z[j] = np.exp(z[j] - m)
            s += z[j]
        for j in range(n):
            z[j] /= s


@njit(cache=True)
def _derivative(a, kind):
    """Derivative of the activation, written in terms of its output a."""
    if kind == SIGMOID:
        return a * (1.0 - a)
    if kind == TANH:
        return 1.0 - a * a
    if kind == RELU:
        return 1.0 if a > 0.0 else 0.0
    return 1.0


@njit(cache=True)
def block_offsets(sizes, nb):
    """Start of each layer's (nb, units) block in the flat activation buffer."""
    n_layers = sizes.shape[0] - 1
    off = np.zeros(n_layers + 2, dtype=np.int64)
    for layer in range(n_layers + 1):
        off[layer + 1] = off[layer] + nb * sizes[layer]
    return off


@njit(cache=True)
def _block(buf, off, layer, nb, units):
    return buf[off[layer]:off[layer] + nb * units].reshape((nb, units))


@njit(cache=True)
def _forward_one(A, off, weights, biases, sizes, w_off, b_off, hidden, out):
    """Forward pass of one sample: loops that skip zero inputs."""
    n_layers = sizes.shape[0] - 1
    for layer in range(n_layers):
        fan_in = sizes[layer]
        fan_out = sizes[layer + 1]
        s = A[off[layer]:off[layer] + fan_in]
        d = A[off[layer + 1]:off[layer + 1] + fan_out]
        w = weights[w_off[layer]:w_off[layer] + fan_in * fan_out]
        b = biases[b_off[layer]:b_off[layer] + fan_out]
        for j in range(fan_out):
            d[j] = b[j]
        for i in range(fan_in):
            a = s[i]
            if a != 0.0:
                base = i * fan_out
                for j in range(fan_out):
                    d[j] += a * w[base + j]
        _activate(d, out if layer == n_layers - 1 else hidden)


@njit(cache=True)
def _forward_block(A, off, nb, weights, biases, sizes, w_off, b_off, hidden,
                   out):
    """Forward pass of nb samples whose inputs fill block 0 of A: one BLAS
    product per layer (plain loops for a single sample)."""
    if nb == 1:
        _forward_one(A, off, weights, biases, sizes, w_off, b_off, hidden, out)
        return
    n_layers = sizes.shape[0] - 1
    for layer in range(n_layers):
        fan_in = sizes[layer]
        fan_out = sizes[layer + 1]
        src = _block(A, off, layer, nb, fan_in)
        dst = _block(A, off, layer + 1, nb, fan_out)
        w = weights[w_off[layer]:w_off[layer] + fan_in * fan_out]
        b = biases[b_off[layer]:b_off[layer] + fan_out]
        np.dot(src, w.reshape((fan_in, fan_out)), dst)
        for r in range(nb):
            d = dst[r]
            for j in range(fan_out):
                d[j] += b[j]
        kind = out if layer == n_layers - 1 else hidden
        for r in range(nb):
            _activate(dst[r], kind)


@njit(cache=True)
def _sample_loss(o, y, out, loss):
    """Loss of one sample from output o and target row y."""
    total = 0.0
    n = o.shape[0]
    if loss == SQUARED:
        for j in range(n):
            d = o[j] - y[j]
            total += 0.5 * d * d
    elif out == SOFTMAX:
        for j in range(n):
            if y[j] != 0.0:
                total -= y[j] * np.log(min(max(o[j], _EPS), 1.0 - _EPS))
    else:  # independent logistic outputs
        for j in range(n):
            p = min(max(o[j], _EPS), 1.0 - _EPS)
            total -= y[j] * np.log(p) + (1.0 - y[j]) * np.log(1.0 - p)
    return total


@njit(cache=True)
def _predict_into(X, result, weights, biases, sizes, w_off, b_off, hidden,
                  out):
    """Network outputs for every row of X written to result, in blocks."""
    n = X.shape[0]
    n_layers = sizes.shape[0] - 1
    n_out = sizes[n_layers]
    block = min(n, 256)
    off = block_offsets(sizes, block)
    A = np.empty(off[n_layers + 1])
    start = 0
    while start < n:
        nb = min(block, n - start)
        src = _block(A, off, 0, nb, sizes[0])
        for r in range(nb):
            src[r] = X[start + r]
        _forward_block(A, off, nb, weights, biases, sizes, w_off, b_off,
                       hidden, out)
        o = _block(A, off, n_layers, nb, n_out)
        for r in range(nb):
            result[start + r] = o[r]
        start += nb


@njit(cache=True)
def _risk(Xv, Yv, weights, biases, sizes, w_off, b_off, hidden, out, loss,
          risk_kind, result, dest):
    """Both risks on a validation set, written to ``dest``.

    ``dest[0]``: the misclassification rate (``RISK_MISCLASSIFICATION``) or
    the mean squared error (``RISK_MSE``); ``dest[1]``: the mean sample
    loss of the training loss function (docs/method.md section 3).
    """
    _predict_into(Xv, result, weights, biases, sizes, w_off, b_off, hidden,
                  out)
    n = Xv.shape[0]
    n_out = result.shape[1]
    total = 0.0
    loss_total = 0.0
    for r in range(n):
        o = result[r]
        loss_total += _sample_loss(o, Yv[r], out, loss)
        if risk_kind == RISK_MSE:
            for j in range(n_out):
                d = o[j] - Yv[r, j]
                total += d * d
        elif n_out == 1:
            pred = 1.0 if o[0] > 0.5 else 0.0
            if pred != Yv[r, 0]:
                total += 1.0
        else:
            best = 0
            for j in range(1, n_out):
                if o[j] > o[best]:
                    best = j
            if Yv[r, best] != 1.0:
                total += 1.0
    if risk_kind == RISK_MSE:
        dest[0] = total / (n * n_out)
    else:
        dest[0] = total / n
    dest[1] = loss_total / n


@njit(cache=True)
def _backward_update_one(A, D, off, weights, biases, mask, use_mask, sizes,
                         w_off, b_off, lr, hidden):
    """Backward pass and update for one sample: plain loops on 1-D views.

    The output deltas are in D's last block; the hidden deltas use the
    weights before this update.
    """
    n_layers = sizes.shape[0] - 1
    for layer in range(n_layers - 1, 0, -1):
        fan_in = sizes[layer]
        fan_out = sizes[layer + 1]
        w = weights[w_off[layer]:w_off[layer] + fan_in * fan_out]
        d_out = D[off[layer + 1]:off[layer + 1] + fan_out]
        d_in = D[off[layer]:off[layer] + fan_in]
        a_in = A[off[layer]:off[layer] + fan_in]
        for i in range(fan_in):
            base = i * fan_out
            acc = 0.0
            for j in range(fan_out):
                acc += w[base + j] * d_out[j]
            d_in[i] = acc * _derivative(a_in[i], hidden)
    for layer in range(n_layers):
        fan_in = sizes[layer]
        fan_out = sizes[layer + 1]
        size = fan_in * fan_out
        w = weights[w_off[layer]:w_off[layer] + size]
        b = biases[b_off[layer]:b_off[layer] + fan_out]
        d_out = D[off[layer + 1]:off[layer + 1] + fan_out]
        a_in = A[off[layer]:off[layer] + fan_in]
        for i in range(fan_in):
            s = lr * a_in[i]
            if s != 0.0:
                base = i * fan_out
                for j in range(fan_out):
                    w[base + j] -= s * d_out[j]
        for j in range(fan_out):
            b[j] -= lr * d_out[j]
        if use_mask:
            _apply_mask(w, mask[w_off[layer]:w_off[layer] + size])


@njit(cache=True)
def _backward_update_block(A, D, off, nb, weights, biases, grad, mask,
                           use_mask, sizes, w_off, b_off, lr, hidden):
    """Backward pass and mean-gradient update for nb > 1 samples: one BLAS
    product per layer for the deltas and one for the gradient."""
    n_layers = sizes.shape[0] - 1
    for layer in range(n_layers - 1, 0, -1):
        fan_in = sizes[layer]
        fan_out = sizes[layer + 1]
        w = weights[w_off[layer]:w_off[layer] + fan_in * fan_out]
        d_out = _block(D, off, layer + 1, nb, fan_out)
        d_in = _block(D, off, layer, nb, fan_in)
        a_in = _block(A, off, layer, nb, fan_in)
        np.dot(d_out, w.reshape((fan_in, fan_out)).T, d_in)
        for r in range(nb):
            dr = d_in[r]
            ar = a_in[r]
            for i in range(fan_in):
                dr[i] *= _derivative(ar[i], hidden)
    scale = lr / nb
    for layer in range(n_layers):
        fan_in = sizes[layer]
        fan_out = sizes[layer + 1]
        size = fan_in * fan_out
        w = weights[w_off[layer]:w_off[layer] + size]
        b = biases[b_off[layer]:b_off[layer] + fan_out]
        d_out = _block(D, off, layer + 1, nb, fan_out)
        a_in = _block(A, off, layer, nb, fan_in)
        g = grad[w_off[layer]:w_off[layer] + size]
        np.dot(a_in.T, d_out, g.reshape((fan_in, fan_out)))
        for k in range(size):
            w[k] -= scale * g[k]
        for r in range(nb):
            dr = d_out[r]
            for j in range(fan_out):
                b[j] -= scale * dr[j]
        if use_mask:
            _apply_mask(w, mask[w_off[layer]:w_off[layer] + size])


@njit(cache=True)
def _apply_mask(w, m):
    """Pruned weights back to exactly 0."""
    for k in range(w.shape[0]):
        if not m[k]:
            w[k] = 0.0


@njit(cache=True)
def train_batches(X, Y, order, first, max_batches, weights, biases, sizes,
                  w_off, b_off, lr, batch_size, hidden, out, loss, mask,
                  use_mask, trajectory, record, Xv, Yv, risk_kind, risk_at,
                  risk_out, risk_ptr, t0):
    """Run up to ``max_batches`` mini-batch SGD updates in place.

    The batches take the samples ``order[first:]`` in turn (``batch_size``
    at a time, the last batch of the epoch possibly smaller) and stop at the
    end of ``order``.  ``trajectory[k]`` receives the weights after the k-th
    update of this call when ``record`` is true.  ``risk_at`` holds sorted
    global update indices (1-based: the first update of the run is 1);
    whenever the update with global index ``t0 + k + 1`` equals
    ``risk_at[risk_ptr]``, the risks on ``(Xv, Yv)`` are written to
    ``risk_out[risk_ptr]`` (shape ``(n_risk, 2)``: error or squared error,
    and the mean loss; see :func:`_risk`).

    Returns ``(loss_sum, n_updates, status, risk_ptr)``: the summed sample
    losses (each taken before its batch's update), the number of updates
    done, ``OK`` or ``DIVERGED`` (a non-finite loss or weight; the call
    stops there), and the next risk index.
    """
    n = order.shape[0]
    n_layers = sizes.shape[0] - 1
    n_out = sizes[n_layers]
    bs = min(batch_size, n)
    off = block_offsets(sizes, bs)
    A = np.empty(off[n_layers + 1])
    D = np.empty(off[n_layers + 1])
    grad = np.empty(weights.shape[0])
    risk_buf = np.empty((Xv.shape[0], n_out))
    n_weights = weights.shape[0]

    loss_sum = 0.0
    n_updates = 0
    status = OK
    start = first
    while start < n and n_updates < max_batches:
        nb = min(bs, n - start)
        # A smaller last batch lays its blocks out at its own size.
        off_b = off if nb == bs else block_offsets(sizes, nb)
        src = _block(A, off_b, 0, nb, sizes[0])
        for r in range(nb):
            src[r] = X[order[start + r]]
        _forward_block(A, off_b, nb, weights, biases, sizes, w_off, b_off,
                       hidden, out)
        o = _block(A, off_b, n_layers, nb, n_out)
        d = _block(D, off_b, n_layers, nb, n_out)
        batch_loss = 0.0
        for r in range(nb):
            y = Y[order[start + r]]
            orow = o[r]
            drow = d[r]
            batch_loss += _sample_loss(orow, y, out, loss)
            for j in range(n_out):
                dj = orow[j] - y[j]
                if loss == SQUARED:
                    dj *= _derivative(orow[j], out)
                drow[j] = dj
        loss_sum += batch_loss
        if not np.isfinite(batch_loss):
            status = DIVERGED
            break
        if nb == 1:
            _backward_update_one(A, D, off_b, weights, biases, mask, use_mask,
                                 sizes, w_off, b_off, lr, hidden)
        else:
            _backward_update_block(A, D, off_b, nb, weights, biases, grad, mask,
                                   use_mask, sizes, w_off, b_off, lr, hidden)
        if record:
            dest = trajectory[n_updates]
            for k in range(n_weights):
                dest[k] = weights[k]
        n_updates += 1
        t = t0 + n_updates
        if risk_ptr < risk_at.shape[0] and risk_at[risk_ptr] == t:
            _risk(Xv, Yv, weights, biases, sizes, w_off, b_off, hidden, out,
                  loss, risk_kind, risk_buf, risk_out[risk_ptr])
            risk_ptr += 1
        start += nb

    if status == OK:
        for k in range(n_weights):
            if not np.isfinite(weights[k]):
                status = DIVERGED
                break
        for k in range(biases.shape[0]):
            if not np.isfinite(biases[k]):
                status = DIVERGED
                break
    return loss_sum, n_updates, status, risk_ptr


@njit(cache=True)
def forward_all(X, weights, biases, sizes, w_off, b_off, hidden, out):
    """Network outputs for every row of X, shape (n_samples, n_outputs)."""
    result = np.empty((X.shape[0], sizes[sizes.shape[0] - 1]))
    _predict_into(X, result, weights, biases, sizes, w_off, b_off, hidden,
                  out)
    return result


def warmup():
    """Compile the kernels on a tiny network (both trajectory dtypes)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6, 3))
    Y = np.zeros((6, 2))
    Y[np.arange(6), np.arange(6) % 2] = 1.0
    sizes = np.array([3, 4, 2], dtype=np.int64)
    w_off = np.array([0, 12], dtype=np.int64)
    b_off = np.array([0, 4], dtype=np.int64)
    mask = np.ones(20, dtype=np.bool_)
    order = np.arange(6)
    shuffle_in_place(order, np.array([12345], dtype=np.uint64))
    risk_at = np.array([1, 2], dtype=np.int64)
    for dtype in (np.float64, np.float32):
        weights = rng.normal(scale=0.1, size=20)
        biases = np.zeros(6)
        traj = np.empty((3, 20), dtype=dtype)
        train_batches(X, Y, order, 0, 3, weights, biases, sizes, w_off, b_off,
                      0.1, 2, SIGMOID, SOFTMAX, LOG_LOSS, mask, True, traj,
                      True, X, Y, RISK_MISCLASSIFICATION, risk_at,
                      np.empty((2, 2)), 0, 0)
    forward_all(X, weights, biases, sizes, w_off, b_off, SIGMOID, SOFTMAX)
