"""Optimal Brain Surgeon: second-order pruning with the OBS weight update
(Hassibi and Stork, NIPS 1992), whole-network for small networks and
layer-wise (Optimal Brain Compression, Frantar and Alistarh, NeurIPS 2022)
above a size limit."""

import copy
from contextlib import nullcontext
from numbers import Integral, Real

import numpy as np
from scipy import linalg
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from threadpoolctl import threadpool_limits

from ._base import PruningResult, PruningStrategy
from ._masks import n_to_prune, unit_repairs

#: Below this size the downdates of a column's inverse run on one BLAS
#: thread: their products are too small to gain from threads, and on a busy
#: machine contended threads made them 10 to 20 times slower.
_ONE_THREAD_BELOW = 1024

#: Rows of per-sample gradients formed at once (bounds the memory to about
#: ``_CHUNK_ENTRIES`` float64 values, 64 MB).
_CHUNK_ENTRIES = 2**23


class OBSPruning(PruningStrategy):
    """Optimal Brain Surgeon: prune the weights whose removal costs the
    least training loss under a quadratic model, and move the others to
    compensate.

    The loss near the dense weights ``w`` is modelled as
    ``L(w + d) = L(w) + d^T H d / 2`` (the gradient term is dropped: the
    dense run is taken to be at a minimum).  Removing weight ``q`` and
    moving the others optimally then costs its *saliency*
    ``w_q^2 / (2 [H^-1]_qq)``, and the optimal move is the OBS correction
    ``d = -(w_q / [H^-1]_qq) H^-1[:, q]`` (Hassibi and Stork, 1992).  The
    weights are removed greedily, least salient first, the inverse being
    downdated after each removal so that later saliencies and corrections
    account for the weights already gone.  The corrected weights are
    returned with the mask: with the estimator's ``retrain=None`` they are
    the pruned model; ``retrain='finetune'`` retrains from them and
    ``retrain='rewind'`` (the estimators' default) retrains from the
    initial weights, which keeps OBS's choice of weights only.

    **Curvature.**  ``H`` is built from the training rows of the dense run
    (``context.data``; at most ``n_samples`` of them, with their sample
    weights), as a weighted mean over samples of ``J_i^T S_i S_i^T J_i``,
    ``J_i`` the Jacobian of the output layer's pre-activations with respect
    to the parameters:

    - ``curvature='fisher'``: the empirical Fisher, ``S_i`` the gradient of
      the sample's loss with respect to the output pre-activations, so that
      ``H = mean_i g_i g_i^T`` over the per-sample gradients ``g_i``
      (WoodFisher, Singh and Alistarh, 2020); cheaper, but it vanishes
      where the network fits its rows;
    - ``curvature='gauss_newton'`` (default): the generalised Gauss-Newton
      matrix, ``S_i S_i^T`` the Hessian of the loss with respect to the
      output pre-activations (``diag(p) - p p^T`` for softmax and log-loss,
      ``p (1 - p)`` for logistic outputs and log-loss, the output
      activation's Jacobian squared for the squared errors).  It is the
      exact Hessian of a squared error on a linear network, where OBS is
      exact; on digits (below, layer-wise) it kept 0.70 / 0.42 at 90 / 95 %
      without retraining where the Fisher kept 0.56 / 0.37 (before the
      sequential layer order).  It costs ``n_outputs`` back-propagations
      per sample instead of one.

    The L2 term of the loss adds ``alpha / n_samples`` to the weights'
    diagonal (scikit-learn's loss, ``alpha ||W||^2 / (2 n_samples)``; whole
    network only).  The biases are never pruned, but they are parameters of
    ``H``: the OBS correction moves them too (layer-wise, a column of ones
    is appended to each layer's inputs).  *Dampening*: ``damp`` times the
    mean of ``H``'s diagonal is added to its diagonal before inverting (the
    curvature from ``n`` samples has rank at most ``n * n_outputs`` and
    would not be invertible; a larger ``damp`` trusts the quadratic model
    less and makes the update smaller and closer to magnitude pruning).

    **Whole-network OBS** (``n_weights <= max_exact``): one ``H`` over all
    weights and biases, inverted once (Cholesky).  The weights are removed
    ``per_step`` at a time: the ``per_step`` kept weights of least saliency
    ``Q`` go together with the exact joint correction
    ``d = -H^-1[:, Q] (H^-1[Q, Q])^-1 w_Q``, whose loss increase is
    ``w_Q^T (H^-1[Q, Q])^-1 w_Q / 2``, and the inverse of the kept
    parameters' block is downdated by the Schur complement
    ``H^-1 - H^-1[:, Q] (H^-1[Q, Q])^-1 H^-1[Q, :]``, a rank-``per_step``
    product (Singh and Alistarh, 2020; Frantar and Alistarh, 2022).  *How
    exact*: every step's correction is the exact minimiser of the quadratic
    model with the removed weights held at zero, and the steps compose, so
    the final weights are the exact least-loss weights of the final mask
    under the model (on a quadratic loss, exactly those a least-squares
    solve with the same mask gives); ``per_step`` changes only *which*
    weights are chosen (the greedy re-ranks after every block instead of
    after every weight), never how the kept ones are corrected.
    ``per_step=1`` is Hassibi and Stork's one-at-a-time greedy.  Measured
    (layer-wise on digits 64-32-10 at 90 %, 3 seeds, no retraining): blocks
    of 1, 2 or 4 of a column's 64 weights kept 0.77 / 0.76 / 0.78 test
    accuracy, blocks of 32 (half a column) 0.70; so the default removes 2 %
    of a quadratic's weights per step (1 of 64; 15 of 784; 48 of 2410),
    which keeps the greedy's choice while making the downdates matrix
    products.
    Cost: about ``p^2 n_rows`` for ``H`` (``p`` parameters, ``n_rows`` =
    ``n_samples`` for the Fisher, ``n_samples * n_outputs`` for
    Gauss-Newton) plus ``p^3`` to invert and at most ``2 p^3 / 3`` for the
    downdates, and ``8 p^2`` bytes.

    **Layer-wise OBS** (``n_weights > max_exact``): Optimal Brain
    Compression (Frantar and Alistarh, 2022).  Each layer's weights are
    pruned to keep that layer's dense outputs: output unit ``j``'s column
    of weights and its bias get the curvature ``c_j X^T X`` (``X`` the
    layer's inputs with a column of ones, weighted mean over the rows,
    shared by all of the layer's columns), and each column is pruned by
    the OBS rule above with its own copy of the inverse, independently of
    the others.  The layers are pruned in order, each on the *pruned*
    network's inputs: a layer's start is the least-squares fit of its
    dense outputs on those inputs (the minimum of its new quadratic), from
    which OBS prunes, so that later layers correct what earlier ones lost.
    The scale ``c_j = mean_i sum_r (dL/dz_ij)^2`` (the curvature of the
    loss in unit ``j``'s pre-activation, from the back-propagated factors
    of the chosen curvature) changes neither a column's order nor its
    correction, but makes saliencies comparable across columns and layers
    (the Kronecker-factored, K-FAC, approximation of the curvature's
    diagonal block, ``c_j E[x x^T]``): how many weights each column loses
    is decided by one *global* threshold on all weights' saliencies on the
    dense network (``round(sparsity * n_weights)`` pruned in all), so that
    layers and units lose different fractions.  On a network with one
    layer and one output, both modes are the same computation (and on a
    linear layer with squared error, where the cross-column terms of ``H``
    vanish, each column gets the least-squares weights of its mask in
    both).  Cost: ``d^3`` per layer and at most ``2 d^3 / 3`` per column
    (``d`` the layer's inputs plus one); ``obs_loss_increase_`` is then
    the K-FAC model's prediction.

    **Measured** (two cores shared with other jobs, so times vary by a
    factor of 2 to 5).  digits 64-32-10 (2410 weights; one-sample SGD, 20
    epochs, a 0.23 s dense fit; 3 seeds, test accuracy without retraining
    / with ``retrain='finetune'`` / ``'rewind'``): at 80 % OBS keeps 0.964
    / 0.967 / 0.967 where global magnitude pruning keeps 0.897 / 0.961 /
    0.967; at 90 %, 0.884 / 0.945 / 0.944 against 0.595 / 0.904 / 0.913;
    at 95 %, 0.646 / 0.804 / 0.797 against 0.215 / 0.513 / 0.516.  The
    decision (layer-wise, the default there) took 0.3 to 0.4 s, under two
    dense fits.  Whole-network OBS on the same networks (``max_exact=2500``,
    2452 parameters with the biases) took 2.7 to 3.7 s and kept less
    without retraining at 90 and 95 % (0.62 and 0.20): its single
    quadratic model is trusted much farther from the dense weights than a
    layer's.  A 784-300-100-10 network (266 200 weights) on a
    ``make_classification(10000, 784)`` table (7500 training rows, 2000
    of them for the curvature) is pruned to 90 % layer-wise in 5.8 to
    13 s, while its dense fit (adam, 20 epochs) took 2.6 to 33 s in the
    same runs; without retraining it then kept 0.575 test accuracy where
    magnitude pruning kept 0.300 (dense: 0.479).

    **The size limit.**  Whole-network OBS over ``p`` parameters costs
    about ``p^3`` operations and ``8 p^2`` bytes, plus one downdate per
    step.  Measured by the lead on digits (one-sample SGD, 20 epochs, 90 %
    pruned, no retraining, on a loaded 2-core machine): 64-7-10 (518
    weights) 5.8 s whole-network against 0.39 s layer-wise (a 1.6 s dense
    fit), 64-14-10 (1036) 6.9 s against 0.43 s (0.4 s dense), 64-28-10
    (2072) 21 s against 0.5 s (0.47 s dense); the whole-network mode also
    kept less training accuracy there (0.10 / 0.44 / 0.60 against 0.40 /
    0.87 / 0.85).  ``max_exact=1000`` keeps the exact mode to networks
    where it stays within seconds; ``max_exact=0`` always goes
    layer-wise, which was both faster and better at 90 % in every case
    measured.

    Notes
    -----
    OBS drops the gradient term of the loss: the dense run is taken to be
    at a minimum.  Far from that (a dense run stopped early) or far from
    the dense weights (a high sparsity on a tiny network), the correction
    can do worse than none: on iris 4-8-3 at 70 to 90 % it raised the
    training loss in some seeds.  A larger ``damp``, a lower sparsity or
    retraining (``retrain='finetune'``) are then the remedies.

    Parameters
    ----------
    sparsity : float, default=0.5
        Fraction of the weights to prune, in [0, 1]
        (``round(sparsity * n_weights)`` of them).
    curvature : {'gauss_newton', 'fisher'}, default='gauss_newton'
        The matrix ``H`` (see above): the generalised Gauss-Newton matrix
        or the empirical Fisher of the training loss.
    damp : float, default=1e-4
        Dampening, relative: ``damp * mean(diag(H))`` is added to the
        diagonal of ``H`` before it is inverted.  0 is allowed when ``H``
        is invertible (then OBS is exact on a quadratic loss).
    max_exact : int, default=1000
        The largest number of weights pruned by whole-network OBS; larger
        networks are pruned layer-wise.  0: always layer-wise.
    per_step : int or float, default=0.02
        Weights removed per downdate of the inverse curvature (whole
        network and each column alike): a count, or a float in (0, 1), that
        fraction of the quadratic's prunable weights (at least 1); 1 is the
        one-at-a-time greedy.
    n_samples : int, default=2000
        At most this many training rows (a random subset without
        replacement beyond) build the curvature.
    random_state : int, RandomState instance or None, default=None
        Seeds the subset of rows (None: the estimator's ``random_state``).
    keep_connected : bool, default=False
        Never cut all inputs of a unit that still has outputs, nor all
        inputs of an output: such a unit's input of largest saliency is
        protected and OBS prunes again, the same number of weights, so
        that its corrections are those of the final mask (up to
        ``n_layers + 2`` OBS runs).  At a sparsity so high that the
        protected weights leave too few to prune, fewer are pruned
        (``sparsity_`` says how many).

    Attributes
    ----------
    The estimator gets ``obs_saliency_``, ndarray of shape (n_weights,):
    each weight's saliency on the dense network (flat, layer by layer; the
    predicted loss increase of removing it alone; layer-wise, with the
    scale ``c_j``); ``obs_loss_increase_``: the increase of the training
    loss the quadratic model predicts for the whole decision (with the
    correction); and ``obs_mode_``: 'network' or 'layer'.

    References
    ----------
    B. Hassibi and D. G. Stork, "Second order derivatives for network
    pruning: Optimal Brain Surgeon", NIPS 1992.
    S. P. Singh and D. Alistarh, "WoodFisher: Efficient second-order
    approximation for neural network compression", NeurIPS 2020.
    E. Frantar and D. Alistarh, "Optimal Brain Compression: a framework for
    accurate post-training quantization and pruning", NeurIPS 2022.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skchaosprune import DenseMLPClassifier
    >>> from skchaosprune.pruning import MagnitudePruning, OBSPruning
    >>> X, y = load_iris(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> net = dict(hidden_layer_sizes=(8,), max_iter=300, learning_rate_init=0.01,
    ...            retrain=None, random_state=0)
    >>> obs = DenseMLPClassifier(pruning=OBSPruning(0.5), **net).fit(X, y)
    >>> obs.sparsity_, obs.obs_mode_, obs.obs_saliency_.shape
    (0.5, 'network', (56,))
    >>> mag = DenseMLPClassifier(pruning=MagnitudePruning(0.5), **net).fit(X, y)
    >>> round(obs.score(X, y), 2), round(mag.score(X, y), 2)     # no retraining
    (0.98, 0.94)
    """

    needs_data = True

    _parameter_constraints: dict = {
        "sparsity": [Interval(Real, 0, 1, closed="both")],
        "curvature": [StrOptions({"gauss_newton", "fisher"})],
        "damp": [Interval(Real, 0, None, closed="left")],
        "max_exact": [Interval(Integral, 0, None, closed="left")],
        "per_step": [Interval(Integral, 1, None, closed="left"),
                     Interval(Real, 0, 1, closed="neither")],
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "keep_connected": ["boolean"],
    }

    def __init__(self, sparsity=0.5, *, curvature="gauss_newton", damp=1e-4, max_exact=1000,
                 per_step=0.02, n_samples=2000, random_state=None, keep_connected=False):
        self.sparsity = sparsity
        self.curvature = curvature
        self.damp = damp
        self.max_exact = max_exact
        self.per_step = per_step
        self.n_samples = n_samples
        self.random_state = random_state
        self.keep_connected = keep_connected

    def decide(self, context):
        """Choose the weights by OBS and correct the kept ones (see the class).

        Parameters
        ----------
        context : PruningContext
            With the training data (``context.data``) and the network's
            activations and loss.

        Returns
        -------
        result : PruningResult
            The masks, the corrected weights and biases, and the fitted
            attributes ``obs_saliency_``, ``obs_loss_increase_`` and
            ``obs_mode_``.
        """
        net = _Network.from_context(context)
        X, Y, sw = self._rows(context)
        n_prune = n_to_prune(context.n_weights, self.sparsity)
        mode = "network" if context.n_weights <= self.max_exact else "layer"
        protected = np.zeros(context.n_weights, dtype=bool)
        # keep_connected: a unit OBS cut off gets its input of largest
        # saliency protected, and OBS prunes again (its corrections are then
        # those of the final mask); a few passes, as units deeper in the
        # network can be cut in turn.
        for _ in range(len(context.shapes) + 2 if self.keep_connected else 1):
            if mode == "network":
                coefs, intercepts, removed, saliency, increase = _network_obs(
                    net, X, Y, sw, n_prune, curvature=self.curvature, damp=self.damp,
                    alpha=net.alpha / len(context.data.X), per_step=self.per_step,
                    protected=protected)
            else:
                coefs, intercepts, removed, saliency, increase = _layer_obs(
                    net, X, Y, sw, n_prune, curvature=self.curvature, damp=self.damp,
                    per_step=self.per_step, protected=protected)
            keep = np.ones(context.n_weights, dtype=bool)
            keep[removed] = False
            restore = unit_repairs(keep, saliency, context.shapes)[0] \
                if self.keep_connected else np.empty(0, dtype=np.int64)
            restore = restore[~protected[restore]]
            if restore.size == 0:
                break
            protected[restore] = True
        masks = context.unflat(keep)
        coefs = [np.where(m, c, 0.0) for m, c in zip(masks, coefs)]
        return PruningResult(masks, {"obs_saliency_": saliency,
                                     "obs_loss_increase_": float(increase),
                                     "obs_mode_": mode},
                             coefs=coefs, intercepts=intercepts)

    def _rows(self, context):
        """The training rows (at most ``n_samples``) and their weights,
        normalised to sum to one."""
        data = context.data
        if data is None:
            raise ValueError("OBSPruning needs the training data (context.data).")
        X = np.asarray(data.X, dtype=np.float64)
        Y = np.asarray(data.Y, dtype=np.float64)
        if Y.ndim == 1:
            Y = Y[:, None]
        sw = (np.ones(len(X)) if data.sw is None else np.asarray(data.sw, dtype=np.float64))
        if len(X) > self.n_samples:
            seed = context.random_state if self.random_state is None else self.random_state
            if isinstance(seed, np.random.RandomState):
                seed = copy.deepcopy(seed)  # the estimator's stream is not consumed
            rows = np.sort(check_random_state(seed).choice(len(X), self.n_samples,
                                                           replace=False))
            X, Y, sw = X[rows], Y[rows], sw[rows]
        total = sw.sum()
        sw = sw / total if total > 0 else np.full(len(X), 1.0 / len(X))
        return X, Y, sw


# --------------------------------------------------------------------------- #
# The network: forward pass, output curvature factors, back-propagation.
# --------------------------------------------------------------------------- #
_LOSSES = ("log_loss", "squared_error", "half_mean_squared_error")


class _Network:
    """The dense network's weights, activations and loss, read from a
    context."""

    def __init__(self, coefs, intercepts, activation, output, loss, alpha=0.0):
        self.coefs = [np.asarray(c, dtype=np.float64) for c in coefs]
        self.intercepts = [np.asarray(b, dtype=np.float64) for b in intercepts]
        self.activation = "logistic" if activation == "sigmoid" else activation
        self.output = "logistic" if output == "sigmoid" else output
        if loss not in _LOSSES:
            raise ValueError(f"OBSPruning does not know the loss {loss!r}; expected one of "
                             f"{_LOSSES}.")
        self.loss = loss
        self.alpha = float(alpha)

    @classmethod
    def from_context(cls, context):
        return cls(context.dense_coefs, context.dense_intercepts, context.activation,
                   context.output_activation, context.loss, getattr(context, "alpha", 0.0))

    def forward(self, X):
        """Each layer's inputs (the first is ``X``) and the output
        pre-activations and outputs."""
        inputs, out = [], X
        n_layers = len(self.coefs)
        for layer, (w, b) in enumerate(zip(self.coefs, self.intercepts)):
            inputs.append(out)
            z = out @ w + b
            out = _activate(z, self.output if layer == n_layers - 1 else self.activation)
        return inputs, z, out

    def output_factors(self, z, o, Y, curvature):
        """``S`` of shape (n, r, n_outputs): per sample, ``r`` vectors in the
        output pre-activations whose outer products sum to the curvature
        there (one gradient for the Fisher)."""
        n, k = o.shape
        scale = 1.0 / k if self.loss == "half_mean_squared_error" else 1.0
        if curvature == "fisher":
            if self.loss == "log_loss":
                grad = o - Y  # softmax or logistic outputs with their log-loss
            else:
                grad = _output_vjp(o - Y, o, self.output) * scale
            return grad[:, None, :]
        if self.loss == "log_loss":
            if self.output == "softmax":
                # diag(p) - p p^T = S S^T with S[:, r] = sqrt(p_r) (e_r - p).
                root = np.sqrt(o)
                S = -root[:, :, None] * o[:, None, :]
                S[:, np.arange(k), np.arange(k)] += root
                return S
            return _diag_factors(np.sqrt(o * (1.0 - o)))
        # Squared errors: the Jacobian of the outputs in their pre-activations.
        if self.output == "softmax":
            S = -o[:, :, None] * o[:, None, :]
            S[:, np.arange(k), np.arange(k)] += o
            return S * np.sqrt(scale)
        deriv = np.ones_like(o) if self.output == "identity" else o * (1.0 - o)
        return _diag_factors(deriv * np.sqrt(scale))

    def deltas(self, inputs, S):
        """Back-propagate the factors: per layer, the factors in that
        layer's pre-activations, shape (n * r, fan_out), first layer
        first."""
        n, r, k = S.shape
        delta = S.reshape(n * r, k)
        out = [delta]
        for layer in range(len(self.coefs) - 1, 0, -1):
            a = np.repeat(inputs[layer], r, axis=0) if r > 1 else inputs[layer]
            delta = (delta @ self.coefs[layer].T) * _derivative(a, self.activation)
            out.append(delta)
        return out[::-1]


def _activate(z, kind):
    if kind == "identity":
        return z
    if kind == "logistic":
        return 1.0 / (1.0 + np.exp(-np.clip(z, -500, 500)))
    if kind == "tanh":
        return np.tanh(z)
    if kind == "relu":
        return np.maximum(z, 0.0)
    if kind == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    raise ValueError(f"Unknown activation {kind!r}.")


def _derivative(a, kind):
    """The hidden activation's derivative, from its output ``a``."""
    if kind == "identity":
        return np.ones_like(a)
    if kind == "logistic":
        return a * (1.0 - a)
    if kind == "tanh":
        return 1.0 - a * a
    return (a > 0).astype(np.float64)


def _output_vjp(v, o, kind):
    """``J^T v``, ``J`` the output activation's Jacobian at outputs ``o``."""
    if kind == "identity":
        return v
    if kind == "softmax":
        return o * (v - np.sum(o * v, axis=1, keepdims=True))
    return v * o * (1.0 - o)


def _diag_factors(d):
    n, k = d.shape
    S = np.zeros((n, k, k))
    S[:, np.arange(k), np.arange(k)] = d
    return S


# --------------------------------------------------------------------------- #
# OBS on one quadratic: greedy removal with block downdates of the inverse.
# --------------------------------------------------------------------------- #
def _inverse(H, damp):
    """``(H + damp * mean(diag H) I)^-1`` by Cholesky."""
    H = np.array(H, dtype=np.float64)
    diag = np.einsum("ii->i", H)
    mean = diag.mean() if diag.size else 0.0
    diag += damp * (mean if mean > 0 else 1.0)
    try:
        factor = linalg.cho_factor(H, lower=True, check_finite=False)
    except linalg.LinAlgError:
        raise ValueError(
            "OBSPruning's curvature is not invertible: use a larger damp "
            f"(now {damp}).") from None
    return linalg.cho_solve(factor, np.eye(len(H)), check_finite=False)


def _dgemm(alpha, a, b, beta, c):
    """``alpha a @ b + beta c`` written into the Fortran-ordered ``c``."""
    return linalg.blas.dgemm(alpha, a, b, beta=beta, c=c, overwrite_c=True)


def _block(per_step, n_prunable):
    """Weights removed per downdate: ``per_step``, or that fraction of the
    prunable ones (at least 1)."""
    if isinstance(per_step, Integral):
        return int(per_step)
    return max(1, int(per_step * n_prunable))


def obs_prune(hinv, w, prunable, n_prune, per_step=1):
    """Remove ``n_prune`` of the ``prunable`` entries of ``w`` greedily by
    the Optimal Brain Surgeon rule, on the quadratic ``d^T H d / 2``.

    Parameters
    ----------
    hinv : ndarray of shape (p, p)
        The inverse of the curvature ``H`` (not changed).
    w : ndarray of shape (p,)
        The parameters, at the quadratic's minimum.
    prunable : ndarray of bool, shape (p,)
        The entries that may be removed (the others are only corrected).
    n_prune : int
        How many to remove.
    per_step : int or float, default=1
        Removed together per downdate (the ``per_step`` least salient
        at that point, with their exact joint correction); a float in
        (0, 1): that fraction of the prunable entries (at least 1).

    Returns
    -------
    w : ndarray of shape (p,)
        The corrected parameters, the removed ones exactly 0.
    removed : ndarray of int
        The removed entries, in the order removed.
    increase : float
        The increase of ``d^T H d / 2`` the removals cost (their summed
        saliencies).
    """
    out = np.array(w, dtype=np.float64)
    candidate = np.asarray(prunable, dtype=bool).copy()
    block = _block(per_step, int(candidate.sum()))
    n_prune = min(int(n_prune), int(candidate.sum()))
    # The inverse over the parameters in ``index``, compacted now and then;
    # the rows of removed ones are zero after their downdate (``alive``).
    index = np.arange(len(out))
    hinv = np.array(hinv, dtype=np.float64, order="F")
    w = out.copy()
    alive = np.ones(len(w), dtype=bool)
    removed, increase = [], 0.0
    while len(removed) < n_prune:
        q = min(block, n_prune - len(removed))
        cand = np.flatnonzero(candidate & alive)
        saliency = w[cand] ** 2 / (2.0 * np.diag(hinv)[cand])
        if q < len(cand):
            pick = np.argpartition(saliency, q - 1)[:q]
            pick = pick[np.lexsort((cand[pick], saliency[pick]))]
        else:
            pick = np.lexsort((cand, saliency))
        Q = cand[pick]
        A = hinv[:, Q]
        B = A[Q]
        try:
            factor = linalg.cho_factor(B, lower=True, check_finite=False)
            b_inv = linalg.cho_solve(factor, np.eye(q), check_finite=False)
        except linalg.LinAlgError:
            b_inv = np.linalg.pinv(B)
        step = b_inv @ w[Q]
        increase += 0.5 * float(w[Q] @ step)
        w -= A @ step
        w[Q] = 0.0
        # hinv <- hinv - A B^-1 A^T, in place (symmetric, Fortran order).
        hinv = _dgemm(-1.0, A, b_inv @ A.T, 1.0, hinv)
        alive[Q] = False
        candidate[Q] = False
        removed.extend(index[Q].tolist())
        if alive.sum() < 0.75 * len(alive) and len(removed) < n_prune:
            out[index] = np.where(alive, w, 0.0)
            hinv = np.asfortranarray(hinv[np.ix_(alive, alive)])
            w, index, candidate = w[alive], index[alive], candidate[alive]
            alive = np.ones(len(w), dtype=bool)
    out[index] = np.where(alive, w, 0.0)
    w = out
    return w, np.asarray(removed, dtype=np.intp), increase


# --------------------------------------------------------------------------- #
# The two modes.
# --------------------------------------------------------------------------- #
def _chunks(n, width):
    size = max(1, _CHUNK_ENTRIES // max(1, width))
    return [slice(start, min(n, start + size)) for start in range(0, n, size)]


def _network_obs(net, X, Y, sw, n_prune, *, curvature, damp, alpha, per_step, protected=None):
    """Whole-network OBS over all weights and biases."""
    sizes = [c.size for c in net.coefs]
    n_w = int(sum(sizes))
    widths = [c.shape[1] for c in net.coefs]
    p = n_w + int(sum(widths))
    w_off = np.concatenate([[0], np.cumsum(sizes)])
    b_off = n_w + np.concatenate([[0], np.cumsum(widths)])
    H = np.zeros((p, p))
    r = 1 if curvature == "fisher" else Y.shape[1]
    for rows in _chunks(len(X), p * r):
        inputs, z, o = net.forward(X[rows])
        S = net.output_factors(z, o, Y[rows], curvature) * np.sqrt(sw[rows])[:, None, None]
        deltas = net.deltas(inputs, S)
        G = np.empty((len(deltas[0]), p))
        for layer, delta in enumerate(deltas):
            a = np.repeat(inputs[layer], r, axis=0) if r > 1 else inputs[layer]
            G[:, w_off[layer]:w_off[layer + 1]] = (
                a[:, :, None] * delta[:, None, :]).reshape(len(a), -1)
            G[:, b_off[layer]:b_off[layer + 1]] = delta
        H += G.T @ G
    H[np.arange(n_w), np.arange(n_w)] += alpha
    hinv = _inverse(H, damp)
    theta = np.concatenate([c.ravel() for c in net.coefs] + net.intercepts)
    saliency = theta[:n_w] ** 2 / (2.0 * np.diag(hinv)[:n_w])
    prunable = np.arange(p) < n_w
    if protected is not None:
        prunable[:n_w] &= ~protected
    theta, removed, increase = obs_prune(hinv, theta, prunable, n_prune, per_step)
    coefs = [theta[w_off[i]:w_off[i + 1]].reshape(c.shape) for i, c in enumerate(net.coefs)]
    intercepts = [theta[b_off[i]:b_off[i + 1]].copy() for i in range(len(net.coefs))]
    return coefs, intercepts, removed, saliency, increase


def _layer_obs(net, X, Y, sw, n_prune, *, curvature, damp, per_step, protected=None):
    """Layer-wise OBS (Optimal Brain Compression) with K-FAC column scales
    and a global threshold."""
    n_layers = len(net.coefs)
    r = 1 if curvature == "fisher" else Y.shape[1]
    grams = [np.zeros((c.shape[0] + 1, c.shape[0] + 1)) for c in net.coefs]
    scales = [np.zeros(c.shape[1]) for c in net.coefs]
    width = max(c.shape[0] + 1 for c in net.coefs) + r * max(c.shape[1] for c in net.coefs)
    for rows in _chunks(len(X), width):
        inputs, z, o = net.forward(X[rows])
        S = net.output_factors(z, o, Y[rows], curvature) * np.sqrt(sw[rows])[:, None, None]
        deltas = net.deltas(inputs, S)
        root = np.sqrt(sw[rows])[:, None]
        for layer in range(n_layers):
            a = np.column_stack([inputs[layer], np.ones(len(inputs[layer]))]) * root
            grams[layer] += a.T @ a
            scales[layer] += np.einsum("ij,ij->j", deltas[layer], deltas[layer])
    hinvs = [_inverse(g, damp) for g in grams]
    # Saliencies on the dense network, comparable across columns and layers.
    saliency = np.concatenate([
        (c ** 2 * s[None, :] / (2.0 * np.diag(h)[:-1, None])).ravel()
        for c, s, h in zip(net.coefs, scales, hinvs)])
    ranked = saliency if protected is None else np.where(protected, np.inf, saliency)
    order = np.lexsort((np.arange(saliency.size), ranked))
    chosen = np.zeros(saliency.size, dtype=bool)
    chosen[order[:n_prune]] = True
    offsets = np.concatenate([[0], np.cumsum([c.size for c in net.coefs])])
    coefs, intercepts, removed, increase = [], [], [], 0.0
    root = np.sqrt(sw)[:, None]
    dense_in, pruned_in = X, X
    for layer, (c, b) in enumerate(zip(net.coefs, net.intercepts)):
        fan_in, fan_out = c.shape
        start = np.vstack([c, b[None, :]])
        hinv = hinvs[layer]
        if layer > 0:
            # The pruned network's inputs to this layer: refit the layer's
            # dense outputs on them (the least-squares start, the minimum of
            # the column's new quadratic), then prune from there.
            new = np.column_stack([pruned_in, np.ones(len(X))]) * root
            old = np.column_stack([dense_in, np.ones(len(X))]) * root
            hinv = _inverse(new.T @ new, damp)
            start = hinv @ ((new.T @ old) @ start)
        counts = chosen[offsets[layer]:offsets[layer + 1]].reshape(fan_in, fan_out).sum(axis=0)
        new_c, new_b = start[:-1].copy(), start[-1].copy()
        prunable = np.arange(fan_in + 1) < fan_in
        small = fan_in + 1 < _ONE_THREAD_BELOW
        with threadpool_limits(1, user_api="blas") if small else nullcontext():
            for j in np.flatnonzero(counts):
                column = prunable.copy()
                if protected is not None:
                    column[:fan_in] &= ~protected[offsets[layer]:offsets[layer + 1]].reshape(
                        fan_in, fan_out)[:, j]
                theta, gone, inc = obs_prune(hinv, start[:, j], column, counts[j], per_step)
                new_c[:, j], new_b[j] = theta[:-1], theta[-1]
                removed.append(offsets[layer] + gone * fan_out + j)
                increase += scales[layer][j] * inc
        coefs.append(new_c)
        intercepts.append(new_b)
        if layer < n_layers - 1:
            dense_in = _activate(dense_in @ c + b, net.activation)
            pruned_in = _activate(pruned_in @ new_c + new_b, net.activation)
    removed = np.concatenate(removed) if removed else np.empty(0, dtype=np.intp)
    return coefs, intercepts, removed, saliency, increase
