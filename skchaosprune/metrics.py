"""Measures of pruned networks: sparsity, FLOPs, epochs to a benchmark,
explainability kept, and export without dead hidden units.

Every function takes fitted :class:`~skchaosprune.DenseMLPClassifier` or
:class:`~skchaosprune.DenseMLPRegressor` estimators (or their raw arrays).
"""

import copy

import numpy as np

__all__ = [
    "sparsity",
    "flops",
    "epochs_to_accuracy",
    "importance_agreement",
    "remove_dead_units",
]


def _coefs(model):
    return list(model.coefs_) if hasattr(model, "coefs_") else [np.asarray(c) for c in model]


def sparsity(model):
    """Fraction of weights pruned: pruned weights / all weights.

    Biases are not counted.  A weight counts as pruned when its mask is
    False (``model.masks_``); given a list of arrays instead of an
    estimator, the arrays are masks when boolean and weight matrices
    otherwise (exact zeros count as pruned).

    Examples
    --------
    >>> import numpy as np
    >>> sparsity([np.array([[True, False], [True, True]]), np.array([[False], [True]])])
    0.333...
    """
    if hasattr(model, "masks_"):
        arrays = [~np.asarray(m, dtype=bool) for m in model.masks_]
    else:
        arrays = [np.asarray(a) for a in model]
        arrays = [~a if a.dtype == bool else a == 0 for a in arrays]
    total = sum(a.size for a in arrays)
    return float(sum(a.sum() for a in arrays) / total)


def flops(model):
    """Floating-point operations of one forward pass of one sample.

    FLOPs = sum over layers of ``2 * (non-zero weights) + (outputs)``: a
    multiply and an add per non-zero weight, and one add per output unit
    for its bias.  Activations are not counted.

    Examples
    --------
    >>> import numpy as np
    >>> flops([np.ones((4, 8)), np.ones((8, 1))])   # 2*32 + 8 + 2*8 + 1
    89
    """
    return int(sum(2 * np.count_nonzero(c) + np.shape(c)[1] for c in _coefs(model)))


def epochs_to_accuracy(accuracy_curve, benchmark):
    """Epochs needed for the training accuracy to reach a benchmark.

    Parameters
    ----------
    accuracy_curve : array-like of shape (n_epochs,) or fitted estimator
        Training accuracy after each epoch (an estimator's
        ``train_score_curve_``).
    benchmark : float
        The accuracy to reach (the paper's, e.g. 0.91 for banknote).

    Returns
    -------
    epochs : int or None
        The first epoch (1-based) whose accuracy is ``>= benchmark``; None
        when it is never reached.

    Examples
    --------
    >>> epochs_to_accuracy([0.5, 0.8, 0.93, 0.95], 0.91)
    3
    >>> epochs_to_accuracy([0.5, 0.8], 0.91) is None
    True
    """
    curve = getattr(accuracy_curve, "train_score_curve_", accuracy_curve)
    reached = np.flatnonzero(np.asarray(curve, dtype=float) >= benchmark)
    return int(reached[0]) + 1 if reached.size else None


def importance_agreement(dense, pruned, X, y, *, n_repeats=10, random_state=None):
    """Spearman rank agreement of permutation importances of two models.

    The paper compared SHAP feature importances of the dense and the
    pruned network; this measures the same thing with
    :func:`sklearn.inspection.permutation_importance`.

    Returns
    -------
    rho : float
        Spearman's correlation in [-1, 1]; 1 means the pruned network ranks
        the features exactly as the dense one does.

    Raises
    ------
    ValueError
        If either model's importances are all equal (no ranking to compare).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> X, y = load_iris(return_X_y=True)
    >>> a = LogisticRegression(max_iter=500).fit(X, y)
    >>> round(importance_agreement(a, a, X, y, random_state=0), 6)
    1.0
    """
    from scipy.stats import spearmanr
    from sklearn.inspection import permutation_importance

    imps = []
    for model in (dense, pruned):
        result = permutation_importance(model, X, y, n_repeats=n_repeats,
                                        random_state=random_state)
        imps.append(result.importances_mean)
    for name, imp in zip(("dense", "pruned"), imps):
        if np.ptp(imp) == 0:
            raise ValueError(
                f"The {name} model's permutation importances are all equal "
                f"({imp[0]:.3g}): there is no ranking to compare. Use more "
                "samples or n_repeats, or check that the model learned anything."
            )
    return float(spearmanr(imps[0], imps[1]).statistic)


def remove_dead_units(model):
    """A smaller dense copy of a pruned network, without dead hidden units.

    A hidden unit is dead when all its outgoing weights are zero (it
    contributes nothing) or all its incoming weights are zero (it outputs
    the constant ``activation(bias)``, which is folded into the next
    layer's biases).  Removing them repeats until none is left; a layer
    whose units are all dead keeps one.  The copy
    predicts as the original does (to rounding: a folded constant changes
    the order of additions).

    Returns
    -------
    compact : estimator
        A fitted copy with smaller ``coefs_``/``intercepts_``/``masks_``
        and matching ``hidden_layer_sizes``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> from skchaosprune import DenseMLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> masks = [np.ones((4, 6), bool), np.ones((6, 3), bool)]
    >>> masks[1][:2] = False            # units 0 and 1 reach no output
    >>> clf = DenseMLPClassifier((6,), max_iter=5, random_state=0).fit(X, y, masks=masks)
    >>> small = remove_dead_units(clf)
    >>> small.hidden_layer_sizes
    (4,)
    >>> bool((small.predict(X) == clf.predict(X)).all())
    True
    """
    from sklearn.utils.validation import check_is_fitted

    from ._kernels.mlp import _activate
    from ._network import ACTIVATIONS, layout

    check_is_fitted(model)
    compact = copy.deepcopy(model)
    coefs = [np.asarray(c, dtype=float).copy() for c in compact.coefs_]
    intercepts = [np.asarray(b, dtype=float).copy() for b in compact.intercepts_]
    masks = [np.asarray(m, dtype=bool).copy() for m in compact.masks_]
    init_coefs = [c.copy() for c in compact.initial_coefs_]
    init_intercepts = [b.copy() for b in compact.initial_intercepts_]
    changed = True
    while changed:
        changed = False
        for layer in range(len(coefs) - 1, 0, -1):  # hidden layer `layer`
            w_in, w_out = coefs[layer - 1], coefs[layer]
            dead_out = ~np.any(w_out != 0, axis=1)
            dead_in = ~np.any(w_in != 0, axis=0) & ~dead_out
            alive = ~(dead_out | dead_in)
            if not alive.any():
                alive[0] = True  # a layer keeps one unit
            if alive.all():
                continue
            folded = dead_in & ~alive
            constant = np.array(intercepts[layer - 1][folded], dtype=np.float64)
            _activate(constant, ACTIVATIONS[model.activation])  # in place
            intercepts[layer] = intercepts[layer] + constant @ w_out[folded]
            for arrays in (coefs, masks, init_coefs):
                arrays[layer - 1] = arrays[layer - 1][:, alive]
                arrays[layer] = arrays[layer][alive]
            for arrays in (intercepts, init_intercepts):
                arrays[layer - 1] = arrays[layer - 1][alive]
            changed = True
    compact.coefs_, compact.intercepts_, compact.masks_ = coefs, intercepts, masks
    compact.initial_coefs_, compact.initial_intercepts_ = init_coefs, init_intercepts
    sizes = [coefs[0].shape[0]] + [c.shape[1] for c in coefs]
    compact._sizes, compact._w_off, compact._b_off = layout(sizes)
    compact.hidden_layer_sizes = tuple(sizes[1:-1])
    # Per-weight records of the training run no longer match the layout.
    for name in ("weight_trajectory_", "lyapunov_exponents_", "granger_pvalues_"):
        compact.__dict__.pop(name, None)
    return compact
