"""Compiled training and inference loops for dense MLPs.

The network lives in two flat float64 arrays: ``weights`` holds every weight
matrix (shape ``(fan_in, fan_out)``, C order) one after the other, ``biases``
every bias vector.  ``sizes`` is ``[n_features, hidden..., n_outputs]`` and
``w_off``/``b_off`` are the start of each layer in the flat arrays.  Nothing
here imports scikit-learn.

One call of :func:`train_batches` runs many mini-batch updates (for each:
forward, backward, update, mask, record) over the epoch's sample order
(shuffled by the caller, once per epoch), so that Python runs once per
epoch, or once per chunk of updates when the recorded rows are streamed
elsewhere.
"""

import numpy as np
from numba import njit

# Activation, loss, risk and status codes, shared with the estimators.
from .codes import (  # noqa: F401
    DIVERGED,
    EXP,
    H_ALPHA,
    H_BETA1,
    H_BETA2,
    H_EPSILON,
    H_LR,
    H_MOMENTUM,
    H_NESTEROV,
    IDENTITY,
    LOG_LOSS,
    N_HYPER,
    OK,
    POISSON,
    RELU,
    RISK_MISCLASSIFICATION,
    RISK_MSE,
    SIGMOID,
    SOFTMAX,
    SOLVER_ADAM,
    SOLVER_SGD,
    SQUARED,
    SQUARED_MEAN,
    TANH,
)

# Clip of probabilities inside the log-loss: the float64 machine epsilon, as
# scikit-learn's MLP loss and ``sklearn.metrics.log_loss`` clip.
_EPS = np.finfo(np.float64).eps


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
    elif kind == EXP:
        for j in range(n):
            z[j] = np.exp(z[j])


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
    if loss == SQUARED or loss == SQUARED_MEAN:
        for j in range(n):
            d = o[j] - y[j]
            total += d * d
        total *= 0.5
        if loss == SQUARED_MEAN:
            total /= n
    elif loss == POISSON:
        for j in range(n):
            if y[j] != 0.0:
                total += y[j] * np.log(y[j] / o[j])
            total += o[j] - y[j]
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
def _output_row(orow, drow, y, sw, use_sw, out, loss):
    """One sample's output deltas into ``drow`` (weighted by ``sw`` when
    ``use_sw``); returns its loss times ``sw``."""
    for j in range(orow.shape[0]):
        dj = orow[j] - y[j]
        if loss == SQUARED or loss == SQUARED_MEAN:
            dj *= _derivative(orow[j], out)
        drow[j] = dj * sw if use_sw else dj
    return sw * _sample_loss(orow, y, out, loss)


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
        # Element loops, not row assignments (``src[r] = X[start + r]``):
        # the same copy, without compiling Numba's broadcasting and its
        # error-message strings (about 2 s of this module's compilation).
        for r in range(nb):
            for j in range(sizes[0]):
                src[r, j] = X[start + r, j]
        _forward_block(A, off, nb, weights, biases, sizes, w_off, b_off,
                       hidden, out)
        o = _block(A, off, n_layers, nb, n_out)
        for r in range(nb):
            for j in range(n_out):
                result[start + r, j] = o[r, j]
        start += nb


@njit(cache=True)
def _risk(Xv, Yv, SWv, use_sw, weights, biases, sizes, w_off, b_off, hidden,
          out, loss, risk_kind, result, dest):
    """Both risks on a validation set, written to ``dest``.

    ``dest[0]``: the misclassification rate (``RISK_MISCLASSIFICATION``) or
    the mean squared error (``RISK_MSE``); ``dest[1]``: the mean sample
    loss of the training loss function (docs/method.md section 3).  With
    ``use_sw`` both are averages weighted by the sample weights ``SWv``.
    """
    _predict_into(Xv, result, weights, biases, sizes, w_off, b_off, hidden,
                  out)
    n = Xv.shape[0]
    n_out = result.shape[1]
    total = 0.0
    loss_total = 0.0
    weight_total = 0.0
    for r in range(n):
        o = result[r]
        sw = SWv[r] if use_sw else 1.0
        weight_total += sw
        loss_total += sw * _sample_loss(o, Yv[r], out, loss)
        if risk_kind == RISK_MSE:
            sq = 0.0
            for j in range(n_out):
                d = o[j] - Yv[r, j]
                sq += d * d
            total += sw * sq
        elif n_out == 1:
            pred = 1.0 if o[0] > 0.5 else 0.0
            if pred != Yv[r, 0]:
                total += sw
        else:
            best = 0
            for j in range(1, n_out):
                if o[j] > o[best]:
                    best = j
            if Yv[r, best] != 1.0:
                total += sw
    if risk_kind == RISK_MSE:
        dest[0] = total / (weight_total * n_out)
    else:
        dest[0] = total / weight_total
    dest[1] = loss_total / weight_total


@njit(cache=True)
def _hidden_deltas_one(A, D, off, weights, sizes, w_off, hidden):
    """Back-propagate the output deltas (D's last block) of one sample to
    every hidden layer: plain loops on 1-D views, with the current weights."""
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


@njit(cache=True)
def _hidden_deltas_block(A, D, off, nb, weights, sizes, w_off, hidden):
    """Back-propagate the output deltas of nb samples: one BLAS product per
    layer."""
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


@njit(cache=True)
def _sgd_update_one(A, D, off, weights, biases, mask, use_mask, sizes, w_off,
                    b_off, lr, hidden):
    """Plain SGD (no momentum, no L2) on one sample, fused: the deltas, then
    ``w -= lr * a * delta`` in loops that skip zero inputs (the paper's
    one-sample SGD at full speed)."""
    _hidden_deltas_one(A, D, off, weights, sizes, w_off, hidden)
    n_layers = sizes.shape[0] - 1
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
def _gradients(A, D, off, nb, weights, sizes, w_off, b_off, hidden, gw, gb):
    """Summed (not yet averaged) gradients of the batch: ``gw`` per weight,
    ``gb`` per bias, from the output deltas in D's last block (already
    multiplied by the sample weights)."""
    n_layers = sizes.shape[0] - 1
    if nb == 1:
        _hidden_deltas_one(A, D, off, weights, sizes, w_off, hidden)
    else:
        _hidden_deltas_block(A, D, off, nb, weights, sizes, w_off, hidden)
    for layer in range(n_layers):
        fan_in = sizes[layer]
        fan_out = sizes[layer + 1]
        size = fan_in * fan_out
        g = gw[w_off[layer]:w_off[layer] + size]
        gbl = gb[b_off[layer]:b_off[layer] + fan_out]
        if nb == 1:
            d_out = D[off[layer + 1]:off[layer + 1] + fan_out]
            a_in = A[off[layer]:off[layer] + fan_in]
            for i in range(fan_in):
                a = a_in[i]
                base = i * fan_out
                for j in range(fan_out):
                    g[base + j] = a * d_out[j]
            for j in range(fan_out):
                gbl[j] = d_out[j]
        else:
            d_blk = _block(D, off, layer + 1, nb, fan_out)
            a_blk = _block(A, off, layer, nb, fan_in)
            np.dot(a_blk.T, d_blk, g.reshape((fan_in, fan_out)))
            for j in range(fan_out):
                gbl[j] = 0.0
            for r in range(nb):
                dr = d_blk[r]
                for j in range(fan_out):
                    gbl[j] += dr[j]


# error_model="numpy": no zero-division check per element, so that the loops
# vectorise (the arithmetic, and so every bit, is the same).
@njit(cache=True, error_model="numpy")
def _step(params, grads, state, mask, use_mask, penalty, norm, solver, hyper,
          adam_lr):
    """One optimizer step on a flat parameter vector, in scikit-learn's
    arithmetic (``sklearn.neural_network._stochastic_optimizers``).

    The gradient of parameter k is ``(grads[k] + penalty * params[k]) /
    norm`` (``penalty``: the L2 ``alpha`` for weights, 0 for biases;
    ``norm``: the batch's sample count or weight sum).  SGD: ``v = momentum
    * v - lr * g``, then ``params += v`` (Nesterov: ``params += momentum * v
    - lr * g``); ``state[0]`` holds v.  Adam: ``m = beta_1 * m + (1 - beta_1)
    * g``, ``s = beta_2 * s + (1 - beta_2) * g ** 2`` (``state[0]``,
    ``state[1]``), then ``params += -adam_lr * m / (sqrt(s) + epsilon)``.
    The loops have no branch (so that they vectorise); a masked parameter
    and its state are then set back to exactly 0, as if never updated.
    """
    lr = hyper[H_LR]
    momentum = hyper[H_MOMENTUM]
    beta1 = hyper[H_BETA1]
    beta2 = hyper[H_BETA2]
    eps = hyper[H_EPSILON]
    n = params.shape[0]
    if solver == SOLVER_ADAM:
        m = state[0]
        v = state[1]
        one = norm == 1.0  # x / 1.0 == x: one division less per parameter
        for k in range(n):
            g = grads[k] + penalty * params[k]
            if not one:
                g /= norm
            m[k] = beta1 * m[k] + (1 - beta1) * g
            v[k] = beta2 * v[k] + (1 - beta2) * (g * g)
            params[k] += -adam_lr * m[k] / (np.sqrt(v[k]) + eps)
    elif momentum == 0.0:
        for k in range(n):
            g = (grads[k] + penalty * params[k]) / norm
            params[k] += -(lr * g)
    elif hyper[H_NESTEROV] != 0.0:
        vel = state[0]
        for k in range(n):
            g = (grads[k] + penalty * params[k]) / norm
            vel[k] = momentum * vel[k] - lr * g
            params[k] += momentum * vel[k] - lr * g
    else:
        vel = state[0]
        for k in range(n):
            g = (grads[k] + penalty * params[k]) / norm
            vel[k] = momentum * vel[k] - lr * g
            params[k] += vel[k]
    if use_mask:
        for k in range(n):
            if not mask[k]:
                params[k] = 0.0
                state[0, k] = 0.0
                state[1, k] = 0.0


@njit(cache=True)
def _apply_mask(w, m):
    """Pruned weights back to exactly 0."""
    for k in range(w.shape[0]):
        if not m[k]:
            w[k] = 0.0


@njit(cache=True)
def _loss_after(A, off, nb, Y, SW, use_sw, order, start, weights, biases,
                sizes, w_off, b_off, hidden, out, loss, alpha, norm):
    """The batch loss of the samples ``order[start:start + nb]`` (their
    inputs still in block 0 of A) with the current weights and biases: the
    weighted mean sample loss plus ``0.5 * alpha * ||W||^2 / norm``, as
    :func:`train_batches` defines it before an update."""
    n_layers = sizes.shape[0] - 1
    _forward_block(A, off, nb, weights, biases, sizes, w_off, b_off, hidden,
                   out)
    o = _block(A, off, n_layers, nb, sizes[n_layers])
    total = 0.0
    for r in range(nb):
        sample = order[start + r]
        sw = SW[sample] if use_sw else 1.0
        total += sw * _sample_loss(o[r], Y[sample], out, loss)
    total /= norm
    if alpha != 0.0:
        values = 0.0
        for k in range(weights.shape[0]):
            values += weights[k] * weights[k]
        total += (0.5 * alpha) * values / norm
    return total


@njit(cache=True)
def train_batches(X, Y, SW, use_sw, order, first, max_batches, weights,
                  biases, sizes, w_off, b_off, solver, hyper, state_w, state_b,
                  adam_t, batch_size, hidden, out, loss, mask, use_mask,
                  trajectory, record, Xv, Yv, SWv, risk_kind, risk_at,
                  risk_out, risk_ptr, t0, loss_change):
    """Run up to ``max_batches`` mini-batch updates in place.

    The batches take the samples ``order[first:]`` in turn (``batch_size``
    at a time, the last batch of the epoch possibly smaller) and stop at the
    end of ``order``.  Each update: forward pass, output deltas (times the
    sample weights ``SW`` when ``use_sw``), back-propagation, then the
    optimizer step of ``solver`` (:func:`_step`; the hyper-parameters in
    ``hyper``, slots ``H_*`` of :mod:`.codes`; the optimizer state in
    ``state_w`` / ``state_b``, shape ``(2, n)``; adam's step count in
    ``adam_t[0]``).  A batch whose sample weights sum to 0 changes nothing.
    Plain SGD on one sample without L2 or sample weights runs a fused loop.

    ``trajectory[k]`` receives the weights after the k-th update of this
    call when ``record`` is true.  ``risk_at`` holds sorted global update
    indices (1-based: the first update of the run is 1); whenever the update
    with global index ``t0 + k + 1`` equals ``risk_at[risk_ptr]``, the risks
    on ``(Xv, Yv)`` (weighted by ``SWv`` when ``use_sw``) are written to
    ``risk_out[risk_ptr]`` (shape ``(n_risk, 2)``: error or squared error,
    and the mean loss; see :func:`_risk`).

    ``loss_change[k]`` receives, when ``loss_change`` is not empty, the
    change of the k-th update's batch loss on its own batch: the batch loss
    (as defined below) with the weights and biases after the update minus
    the one before it, at the cost of one more forward pass over the batch
    (0 for a batch whose sample weights sum to 0).  An empty array records
    nothing and changes nothing else.

    Returns ``(loss_sum, n_updates, status, risk_ptr)``: the sum over
    batches of the batch loss times the batch size, the batch loss being
    scikit-learn's (the weighted mean sample loss, each taken before its
    batch's update, plus ``0.5 * alpha * ||W||^2 / weight_sum``); the
    number of updates done; ``OK`` or ``DIVERGED`` (a non-finite loss or
    weight; the call stops there); and the next risk index.
    """
    n = order.shape[0]
    n_layers = sizes.shape[0] - 1
    n_out = sizes[n_layers]
    bs = min(batch_size, n)
    off = block_offsets(sizes, bs)
    A = np.empty(off[n_layers + 1])
    D = np.empty(off[n_layers + 1])
    n_weights = weights.shape[0]
    gw = np.empty(n_weights)
    gb = np.empty(biases.shape[0])
    risk_buf = np.empty((Xv.shape[0], n_out))
    alpha = hyper[H_ALPHA]
    plain = (solver == SOLVER_SGD and hyper[H_MOMENTUM] == 0.0 and alpha == 0.0
             and not use_sw)
    beta1 = hyper[H_BETA1]
    beta2 = hyper[H_BETA2]
    track_loss = loss_change.shape[0] > 0

    loss_sum = 0.0
    n_updates = 0
    status = OK
    start = first
    while start < n and n_updates < max_batches:
        nb = min(bs, n - start)
        # A smaller last batch lays its blocks out at its own size.
        off_b = off if nb == bs else block_offsets(sizes, nb)
        src = _block(A, off_b, 0, nb, sizes[0])
        for r in range(nb):  # element by element, as in _predict_into
            row = order[start + r]
            for j in range(sizes[0]):
                src[r, j] = X[row, j]
        _forward_block(A, off_b, nb, weights, biases, sizes, w_off, b_off,
                       hidden, out)
        o = _block(A, off_b, n_layers, nb, n_out)
        d = _block(D, off_b, n_layers, nb, n_out)
        batch_loss = 0.0
        norm = 0.0
        for r in range(nb):
            sample = order[start + r]
            sw = SW[sample] if use_sw else 1.0
            norm += sw
            batch_loss += _output_row(o[r], d[r], Y[sample], sw, use_sw, out, loss)
        if norm > 0.0:
            batch_loss /= norm
            if alpha != 0.0:
                values = 0.0
                for k in range(n_weights):
                    values += weights[k] * weights[k]
                batch_loss += (0.5 * alpha) * values / norm
            loss_sum += batch_loss * nb
        if not np.isfinite(batch_loss):
            status = DIVERGED
            break
        if norm > 0.0:
            if nb == 1 and plain:
                _sgd_update_one(A, D, off_b, weights, biases, mask, use_mask,
                                sizes, w_off, b_off, hyper[H_LR], hidden)
            else:
                _gradients(A, D, off_b, nb, weights, sizes, w_off, b_off,
                           hidden, gw, gb)
                adam_lr = 0.0
                if solver == SOLVER_ADAM:
                    adam_t[0] += 1
                    t = np.float64(adam_t[0])
                    adam_lr = (hyper[H_LR] * np.sqrt(1 - beta2 ** t)
                               / (1 - beta1 ** t))
                _step(weights, gw, state_w, mask, use_mask, alpha, norm,
                      solver, hyper, adam_lr)
                _step(biases, gb, state_b, mask, False, 0.0, norm, solver,
                      hyper, adam_lr)
        if track_loss:
            loss_change[n_updates] = _loss_after(
                A, off_b, nb, Y, SW, use_sw, order, start, weights, biases,
                sizes, w_off, b_off, hidden, out, loss, alpha,
                norm) - batch_loss if norm > 0.0 else 0.0
        if record:
            dest = trajectory[n_updates]
            for k in range(n_weights):
                dest[k] = weights[k]
        n_updates += 1
        t_glob = t0 + n_updates
        if risk_ptr < risk_at.shape[0] and risk_at[risk_ptr] == t_glob:
            _risk(Xv, Yv, SWv, use_sw, weights, biases, sizes, w_off, b_off,
                  hidden, out, loss, risk_kind, risk_buf, risk_out[risk_ptr])
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
def loss_grad(X, Y, SW, use_sw, weights, biases, sizes, w_off, b_off, hidden,
              out, loss, alpha, grad_w, grad_b):
    """The full-data loss and its gradient (L-BFGS's objective), in one call.

    One forward and backward pass over every row of X at once (one BLAS
    product per layer, as scikit-learn's ``_backprop``): returns the
    weighted mean sample loss plus ``0.5 * alpha * ||W||^2 / sw_sum`` and
    writes into ``grad_w`` / ``grad_b`` its gradient, ``(sum of a * delta +
    alpha * w) / sw_sum`` and ``sum of delta / sw_sum`` (``sw_sum``: the
    number of rows, or the sum of ``SW`` when ``use_sw``), the output delta
    being ``o - y`` (times the sample weight) as in :func:`train_batches`.
    """
    n = X.shape[0]
    n_layers = sizes.shape[0] - 1
    n_out = sizes[n_layers]
    off = block_offsets(sizes, n)
    A = np.empty(off[n_layers + 1])
    D = np.empty(off[n_layers + 1])
    src = _block(A, off, 0, n, sizes[0])
    for r in range(n):  # element by element, as in _predict_into
        for j in range(sizes[0]):
            src[r, j] = X[r, j]
    _forward_block(A, off, n, weights, biases, sizes, w_off, b_off, hidden, out)
    o = _block(A, off, n_layers, n, n_out)
    d = _block(D, off, n_layers, n, n_out)
    total = 0.0
    norm = 0.0
    for r in range(n):
        sw = SW[r] if use_sw else 1.0
        norm += sw
        total += _output_row(o[r], d[r], Y[r], sw, use_sw, out, loss)
    total /= norm
    n_weights = weights.shape[0]
    if alpha != 0.0:
        values = 0.0
        for k in range(n_weights):
            values += weights[k] * weights[k]
        total += (0.5 * alpha) * values / norm
    _gradients(A, D, off, n, weights, sizes, w_off, b_off, hidden, grad_w, grad_b)
    for k in range(n_weights):
        grad_w[k] = (grad_w[k] + alpha * weights[k]) / norm
    for k in range(biases.shape[0]):
        grad_b[k] /= norm
    return total


@njit(cache=True)
def risks(Xv, Yv, SWv, use_sw, weights, biases, sizes, w_off, b_off, hidden,
          out, loss, risk_kind, dest):
    """Both risks of the network on ``(Xv, Yv)`` written to ``dest`` (see
    :func:`_risk`): what a full-batch solver measures at a window end."""
    result = np.empty((Xv.shape[0], sizes[sizes.shape[0] - 1]))
    _risk(Xv, Yv, SWv, use_sw, weights, biases, sizes, w_off, b_off, hidden,
          out, loss, risk_kind, result, dest)


@njit(cache=True)
def accumulate_updates(rows, n, kept, prev, acc, loss_in, squares, losses,
                       state):
    """Sum the squared weight changes and loss changes of ``n`` updates
    into rows of consecutive updates (the update recorder's streaming step).

    ``rows[t]``: the weights after update t; ``prev``: the kept weights
    before the first (updated in place to the last); ``kept``: the
    recorded weights' indices; ``loss_in[t]``: update t's loss change.
    ``state`` holds ``(row, fill, per_row)``: the row being filled, its
    updates so far, the updates per row.  The squared changes of the row
    being filled accumulate in float64 in ``acc`` and go to ``squares[row]``
    when the row is complete; the loss changes go to ``losses[row]``.
    Stops when every row of ``squares`` is complete and returns the updates
    consumed (the caller then merges rows and calls again).
    """
    row = state[0]
    fill = state[1]
    per_row = state[2]
    max_rows = squares.shape[0]
    k = kept.shape[0]
    t = 0
    while t < n and row < max_rows:
        r = rows[t]
        for j in range(k):
            w = r[kept[j]]
            d = w - prev[j]
            acc[j] += d * d
            prev[j] = w
        losses[row] += loss_in[t]
        fill += 1
        t += 1
        if fill == per_row:
            for j in range(k):
                squares[row, j] = acc[j]
                acc[j] = 0.0
            row += 1
            fill = 0
    state[0] = row
    state[1] = fill
    return t


@njit(cache=True)
def forward_all(X, weights, biases, sizes, w_off, b_off, hidden, out):
    """Network outputs for every row of X, shape (n_samples, n_outputs)."""
    result = np.empty((X.shape[0], sizes[sizes.shape[0] - 1]))
    _predict_into(X, result, weights, biases, sizes, w_off, b_off, hidden,
                  out)
    return result


def warmup():
    """Compile the kernels on a tiny network (both trajectory dtypes, both
    solvers, with and without sample weights). The data arrays are
    read-only, as the estimator passes them (``_kernels.read_only``): Numba
    compiles read-only and writable arrays as different types."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6, 3))
    Y = np.zeros((6, 2))
    Y[np.arange(6), np.arange(6) % 2] = 1.0
    SW = np.ones(6)
    for a in (X, Y, SW):
        a.setflags(write=False)
    sizes = np.array([3, 4, 2], dtype=np.int64)
    w_off = np.array([0, 12], dtype=np.int64)
    b_off = np.array([0, 4], dtype=np.int64)
    mask = np.ones(20, dtype=np.bool_)
    order = np.array([3, 0, 5, 1, 4, 2])
    risk_at = np.array([1, 2], dtype=np.int64)
    hyper = np.array([0.1, 0.0, 0.0, 0.0, 0.9, 0.999, 1e-8])
    no_sw = np.empty(0)
    no_sw.setflags(write=False)
    for dtype, solver, sw in ((np.float64, SOLVER_SGD, no_sw), (np.float32, SOLVER_ADAM, SW)):
        weights = rng.normal(scale=0.1, size=20)
        biases = np.zeros(6)
        traj = np.empty((3, 20), dtype=dtype)
        use_sw = sw.shape[0] > 0
        train_batches(X, Y, sw, use_sw, order, 0, 3, weights, biases, sizes,
                      w_off, b_off, solver, hyper, np.zeros((2, 20)),
                      np.zeros((2, 6)), np.zeros(1, dtype=np.int64), 2,
                      SIGMOID, SOFTMAX, LOG_LOSS, mask, True, traj, True, X,
                      Y, sw, RISK_MISCLASSIFICATION, risk_at, np.empty((2, 2)),
                      0, 0, np.empty(0 if use_sw else 3))
    forward_all(X, weights, biases, sizes, w_off, b_off, SIGMOID, SOFTMAX)
    loss_grad(X, Y, no_sw, False, weights, biases, sizes, w_off, b_off, SIGMOID,
              SOFTMAX, LOG_LOSS, 1e-4, np.empty(20), np.empty(6))
    risks(X, Y, no_sw, False, weights, biases, sizes, w_off, b_off, SIGMOID, SOFTMAX,
          LOG_LOSS, RISK_MISCLASSIFICATION, np.empty(2))
    accumulate_updates(traj.astype(np.float64), 3, np.arange(20), np.zeros(20), np.zeros(20),
                       np.zeros(3), np.zeros((2, 20), dtype=np.float32),
                       np.zeros(2), np.array([0, 0, 1]))
