"""Measures of pruned networks: sparsity, FLOPs, epochs to a benchmark,
explainability kept, and export without dead hidden units.

Every function takes fitted :class:`~skchaosprune.DenseMLPClassifier` or
:class:`~skchaosprune.DenseMLPRegressor` estimators (or their raw arrays).
A fitted scikit-learn ``Pipeline`` stands for its final step (the network),
except in :func:`importance_agreement`, which measures the whole pipeline,
and :func:`remove_dead_units`, which returns a copy of the pipeline with a
compact final step.

Inputs that cannot be measured are refused with a message that says what
is expected: an unfitted estimator raises sklearn's ``NotFittedError``;
empty inputs (no arrays, arrays without weights, an empty curve) raise
``ValueError``; objects of the wrong kind raise ``TypeError``.
"""

import copy
import numbers

import numpy as np

__all__ = [
    "sparsity",
    "flops",
    "epochs_to_accuracy",
    "importance_agreement",
    "remove_dead_units",
]


def _is_estimator(obj):
    return hasattr(obj, "fit") and hasattr(obj, "get_params")


def _final_step(model, func):
    """A Pipeline's final estimator (nested Pipelines too); anything else as is."""
    from sklearn.pipeline import Pipeline

    while isinstance(model, Pipeline):
        if not model.steps:
            raise ValueError(f"{func}() got a Pipeline without steps; pass a fitted network.")
        name, final = model.steps[-1]
        if final is None or (isinstance(final, str) and final == "passthrough"):
            raise ValueError(
                f"{func}() got a Pipeline whose final step (named {name!r}) is "
                f"{final!r}, not a network: a Pipeline stands for its final "
                "estimator here, so end it with a fitted DenseMLPClassifier or "
                "DenseMLPRegressor."
            )
        model = final
    return model


def _check_fitted(est, func, what="its fitted weights"):
    """sklearn's NotFittedError, with a message naming what to do."""
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(
        est,
        msg=(f"This %(name)s instance is not fitted yet, and {func}() needs "
             f"{what}: call fit(X, y) on it (or on its Pipeline) first."),
    )


def _weight_arrays(model, func, prefer="masks"):
    """(arrays, source): the masks or weight matrices of ``model``, checked.

    ``model`` is a fitted estimator (or a Pipeline ending in one) with
    ``masks_`` or ``coefs_``, or a list of 2-D arrays. ``source`` is
    'masks', 'coefs' or 'arrays'.
    """
    model = _final_step(model, func)
    if _is_estimator(model):
        _check_fitted(model, func)
        order = ("masks_", "coefs_") if prefer == "masks" else ("coefs_", "masks_")
        for attr in order:
            arrays = getattr(model, attr, None)
            if arrays is not None:
                break
        else:
            hint = (" (its estimator_ may be the network: pass that)"
                    if hasattr(model, "estimator_") else "")
            raise TypeError(
                f"{func}() needs a network's weight matrices, but the fitted "
                f"{type(model).__name__} has neither masks_ nor coefs_{hint}. Pass a "
                "fitted DenseMLPClassifier or DenseMLPRegressor (or a Pipeline ending "
                "in one), or a list of 2-D weight matrices or boolean masks."
            )
        source, arrays = attr[:-1], list(arrays)
    elif isinstance(model, np.ndarray) and model.ndim == 2:
        source, arrays = "arrays", [model]
    elif isinstance(model, (list, tuple)):
        source, arrays = "arrays", list(model)
    else:
        raise TypeError(
            f"{func}() takes a fitted DenseMLPClassifier or DenseMLPRegressor (or a "
            "Pipeline ending in one), or a list of 2-D weight matrices or boolean "
            f"masks; got {type(model).__name__}."
        )
    if not arrays:
        raise ValueError(
            f"{func}() got no arrays: expected one weight matrix (or boolean mask) "
            "of shape (n_inputs, n_outputs) per layer."
        )
    checked = []
    for i, a in enumerate(arrays):
        try:
            a = np.asarray(a)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"{func}(): array {i} is not a rectangular numeric array ({exc})."
            ) from exc
        if a.dtype.kind not in "biuf":
            raise TypeError(
                f"{func}(): array {i} has dtype {a.dtype}; expected boolean masks or "
                "numeric weight matrices."
            )
        if a.ndim != 2:
            raise ValueError(
                f"{func}(): array {i} has shape {a.shape}; weight matrices and masks "
                "are 2-D, of shape (n_inputs, n_outputs)."
            )
        if a.size == 0:
            raise ValueError(
                f"{func}(): array {i} has shape {a.shape}, no weights; every layer "
                "needs at least one input and one output."
            )
        if a.dtype.kind == "f" and not np.isfinite(a).all():
            raise ValueError(f"{func}(): array {i} contains NaN or inf weights.")
        if checked and checked[-1].shape[1] != a.shape[0]:
            raise ValueError(
                f"{func}(): the layers do not connect: array {i - 1} has "
                f"{checked[-1].shape[1]} outputs but array {i} has {a.shape[0]} inputs "
                "(pass the layers in order, input layer first)."
            )
        checked.append(a)
    return checked, source


def sparsity(model):
    """Fraction of weights pruned: pruned weights / all weights.

    Biases are not counted.  A weight counts as pruned when its mask is
    False (``model.masks_``; an estimator with ``coefs_`` but no
    ``masks_``, such as sklearn's ``MLPClassifier``: when it is exactly
    zero); given a list of arrays instead of an estimator, the arrays are
    masks when boolean and weight matrices otherwise (exact zeros count as
    pruned).

    Parameters
    ----------
    model : fitted estimator, Pipeline or list of 2-D arrays
        A fitted DenseMLPClassifier or DenseMLPRegressor; a fitted
        ``Pipeline`` is measured by its final estimator; or the layers'
        masks or weight matrices, input layer first.

    Returns
    -------
    float
        In [0, 1].

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If the estimator (the Pipeline's final step) is not fitted.
    ValueError
        If there are no arrays, an array is empty, not 2-D, holds NaN or
        inf, or the layers' shapes do not connect; or the Pipeline's final
        step is ``'passthrough'``.
    TypeError
        If ``model`` is neither a network nor a list of arrays, or an array
        is not numeric or boolean.

    Examples
    --------
    >>> import numpy as np
    >>> sparsity([np.array([[True, False], [True, True]]), np.array([[False], [True]])])
    0.333...
    """
    arrays, source = _weight_arrays(model, "sparsity", prefer="masks")
    if source == "masks":
        pruned = [~np.asarray(a, dtype=bool) for a in arrays]
    else:
        pruned = [~a if a.dtype == bool else a == 0 for a in arrays]
    total = sum(a.size for a in pruned)
    return float(sum(int(a.sum()) for a in pruned) / total)


def flops(model):
    """Floating-point operations of one forward pass of one sample.

    FLOPs = sum over layers of ``2 * (non-zero weights) + (outputs)``: a
    multiply and an add per non-zero weight, and one add per output unit
    for its bias.  Activations are not counted.

    Parameters
    ----------
    model : fitted estimator, Pipeline or list of 2-D arrays
        A fitted DenseMLPClassifier or DenseMLPRegressor (its ``coefs_``);
        a fitted ``Pipeline`` is measured by its final estimator; or the
        layers' weight matrices (or boolean masks: True counts as a
        non-zero weight), input layer first.

    Returns
    -------
    int

    Raises
    ------
    sklearn.exceptions.NotFittedError, ValueError, TypeError
        As :func:`sparsity`.

    Examples
    --------
    >>> import numpy as np
    >>> flops([np.ones((4, 8)), np.ones((8, 1))])   # 2*32 + 8 + 2*8 + 1
    89
    """
    arrays, _ = _weight_arrays(model, "flops", prefer="coefs")
    return int(sum(2 * np.count_nonzero(c) + c.shape[1] for c in arrays))


def epochs_to_accuracy(accuracy_curve, benchmark):
    """Epochs needed for the training accuracy to reach a benchmark.

    Parameters
    ----------
    accuracy_curve : array-like of shape (n_epochs,), fitted estimator or Pipeline
        Training accuracy after each epoch, or an estimator whose
        ``train_score_curve_`` holds it (fitted with
        ``record_train_score=True``); a fitted ``Pipeline`` stands for its
        final estimator.
    benchmark : float
        The accuracy to reach (the paper's, e.g. 0.91 for banknote).

    Returns
    -------
    epochs : int or None
        The first epoch (1-based) whose accuracy is ``>= benchmark``; None
        when it is never reached.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If the estimator (the Pipeline's final step) is not fitted.
    ValueError
        If the curve is empty (an estimator fitted without
        ``record_train_score=True``), not 1-D or holds NaN, or
        ``benchmark`` is NaN or infinite.
    TypeError
        If the curve is not numeric, the estimator has no
        ``train_score_curve_``, or ``benchmark`` is not a real number.

    Examples
    --------
    >>> epochs_to_accuracy([0.5, 0.8, 0.93, 0.95], 0.91)
    3
    >>> epochs_to_accuracy([0.5, 0.8], 0.91) is None
    True
    """
    if isinstance(benchmark, bool) or not isinstance(benchmark, numbers.Real):
        raise TypeError(
            f"benchmark must be a real number (the accuracy to reach, e.g. 0.91), "
            f"got {benchmark!r}."
        )
    try:
        finite = np.isfinite(float(benchmark))
    except OverflowError:  # an int beyond float64
        finite = False
    if not finite:
        raise ValueError(f"benchmark must be finite, got {benchmark!r}.")
    curve = _final_step(accuracy_curve, "epochs_to_accuracy")
    if _is_estimator(curve):
        est = curve
        _check_fitted(est, "epochs_to_accuracy", "its recorded training accuracy")
        if not hasattr(est, "train_score_curve_"):
            raise TypeError(
                f"The fitted {type(est).__name__} has no train_score_curve_: pass "
                "the accuracy curve itself (one training accuracy per epoch), or a "
                "DenseMLPClassifier fitted with record_train_score=True."
            )
        curve = est.train_score_curve_
        if len(curve) == 0:
            raise ValueError(
                f"The {type(est).__name__}'s train_score_curve_ is empty: fit it with "
                "record_train_score=True to record the training accuracy after each "
                "epoch."
            )
    elif isinstance(curve, (str, bytes)) or curve is None or np.isscalar(curve):
        raise TypeError(
            "accuracy_curve must be a 1-D array of accuracies (one per epoch) or a "
            f"fitted estimator with train_score_curve_; got {type(curve).__name__}."
        )
    try:
        values = np.asarray(curve, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"accuracy_curve must be a 1-D array of accuracies (one per epoch): {exc}"
        ) from exc
    if values.ndim != 1:
        raise ValueError(
            f"accuracy_curve must be 1-D (one accuracy per epoch), got shape {values.shape}."
        )
    if values.size == 0:
        raise ValueError(
            "accuracy_curve is empty: expected one training accuracy per epoch "
            "(an estimator's train_score_curve_, recorded with record_train_score=True)."
        )
    if np.isnan(values).any():
        raise ValueError(
            f"accuracy_curve contains NaN at epochs "
            f"{(np.flatnonzero(np.isnan(values)) + 1)[:10].tolist()}; expected accuracies."
        )
    reached = np.flatnonzero(values >= benchmark)
    return int(reached[0]) + 1 if reached.size else None


def importance_agreement(dense, pruned, X, y, *, n_repeats=10, random_state=None):
    """Spearman rank agreement of permutation importances of two models.

    The paper compared SHAP feature importances of the dense and the
    pruned network; this measures the same thing with
    :func:`sklearn.inspection.permutation_importance`.

    Parameters
    ----------
    dense, pruned : fitted estimator or Pipeline
        The two models, each with ``score``.  A ``Pipeline`` is measured
        whole, not by its final step: the importances are those of the
        columns of ``X``, its input.
    X : array-like of shape (n_samples, n_features)
        At least one sample and two features (a ranking needs two).
    y : array-like of shape (n_samples,)
    n_repeats, random_state
        Passed to ``permutation_importance``.

    Returns
    -------
    rho : float
        Spearman's correlation in [-1, 1]; 1 means the pruned network ranks
        the features exactly as the dense one does.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If either model is not fitted.
    ValueError
        If ``X`` is not 2-D, has no samples or fewer than two features,
        ``y`` does not have one value per sample, or either model's
        importances are all equal (no ranking to compare).
    TypeError
        If a model is not a scikit-learn estimator with ``score``.

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

    for name, model in (("dense", dense), ("pruned", pruned)):
        if not _is_estimator(model) or not hasattr(model, "score"):
            raise TypeError(
                f"importance_agreement(): {name} must be a fitted scikit-learn "
                f"estimator (or Pipeline) with score(), got {type(model).__name__}."
            )
        _check_fitted(model, "importance_agreement", f"a fitted {name} model")
    shape = np.shape(X)
    if len(shape) != 2:
        raise ValueError(
            f"X must be 2-D of shape (n_samples, n_features), got shape {shape}."
        )
    if shape[0] == 0:
        raise ValueError("X has no samples: permutation importances need at least one.")
    if shape[1] < 2:
        raise ValueError(
            f"X has {shape[1]} feature(s): a ranking of features needs at least two."
        )
    if np.ndim(y) == 0 or len(y) != shape[0]:
        raise ValueError(
            f"y must hold one target per sample of X ({shape[0]}), got "
            f"{'a scalar' if np.ndim(y) == 0 else len(y)}."
        )
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
    rho = float(spearmanr(imps[0], imps[1]).statistic)
    if not np.isfinite(rho):  # pragma: no cover - excluded by the checks above
        raise ValueError("The rank correlation of the importances could not be computed.")
    return rho


def remove_dead_units(model):
    """A smaller dense copy of a pruned network, without dead hidden units.

    A hidden unit is dead when all its outgoing weights are zero (it
    contributes nothing) or all its incoming weights are zero (it outputs
    the constant ``activation(bias)``, which is folded into the next
    layer's biases).  Removing them repeats until none is left; a layer
    whose units are all dead keeps one.  The copy
    predicts as the original does (to rounding: a folded constant changes
    the order of additions).  It keeps everything else of the estimator;
    for deployment, :func:`skchaosprune.export.compact` applies the same
    rule to a lean copy without the training diagnostics.

    Parameters
    ----------
    model : fitted DenseMLPClassifier, DenseMLPRegressor or Pipeline
        A ``Pipeline`` must end in such a network: its copy, with the
        compact network as its final step, is returned (the other steps
        are copied unchanged).

    Returns
    -------
    compact : estimator or Pipeline
        A fitted copy with smaller ``coefs_``/``intercepts_``/``masks_``
        and matching ``hidden_layer_sizes`` (or the Pipeline's copy ending
        in it).  When units were removed it also has ``compaction_``, as
        :func:`~skchaosprune.export.compact` copies do (``made_by``,
        ``original_sizes``, ``sizes``, ``kept_units``, ``removed_units``,
        ``folded_units``), and, like them, it is for prediction and
        measurement: its recorded training run (dense weights, dynamics,
        optimizer state) describes the network before the removal, so
        ``prune``, ``partial_fit`` and ``fit`` with ``warm_start=True``
        raise; ``fit`` with ``warm_start=False`` (or ``clone(copy).fit``)
        trains a new network of the smaller size.  A copy that lost no
        unit is an ordinary copy of the estimator.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If the network is not fitted.
    TypeError
        If the model (the Pipeline's final step) is not a DenseMLPClassifier
        or DenseMLPRegressor.
    ValueError
        If the Pipeline's final step is ``'passthrough'``.

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
    from sklearn.pipeline import Pipeline

    if isinstance(model, Pipeline):
        final = _final_step(model, "remove_dead_units")
        compact = remove_dead_units(final)
        # a deep copy of the Pipeline in which the final network is replaced
        # by its compact copy (deepcopy returns memo[id(obj)] for obj)
        return copy.deepcopy(model, memo={id(final): compact})
    return _remove_dead_units(model)


def _remove_dead_units(model):
    from ._mlp import _BaseDenseMLP
    from ._network import layout
    from .export import _remove_dead, _slice_hidden

    if not isinstance(model, _BaseDenseMLP):
        raise TypeError(
            "remove_dead_units() needs a fitted DenseMLPClassifier or "
            f"DenseMLPRegressor (or a Pipeline ending in one), got {type(model).__name__}."
        )
    _check_fitted(model, "remove_dead_units")
    compact = copy.deepcopy(model)
    coefs = [np.asarray(c, dtype=float).copy() for c in compact.coefs_]
    intercepts = [np.asarray(b, dtype=float).copy() for b in compact.intercepts_]
    masks = [np.asarray(m, dtype=bool).copy() for m in compact.masks_]
    # (a compact() copy keeps no initial weights)
    has_init = "initial_coefs_" in compact.__dict__
    init_coefs = [c.copy() for c in compact.initial_coefs_] if has_init else []
    init_intercepts = [b.copy() for b in compact.initial_intercepts_] if has_init else []
    # The dead-unit rule and the folding are export.compact's.
    coefs, intercepts, kept, folded = _remove_dead(coefs, intercepts, model.activation)
    masks = [m.astype(bool) for m in _slice_hidden(masks, kept)]
    compact.coefs_, compact.intercepts_, compact.masks_ = coefs, intercepts, masks
    if has_init:
        compact.initial_coefs_ = _slice_hidden(init_coefs, kept)
        compact.initial_intercepts_ = [b[kept[layer]] if layer < len(kept) else b
                                       for layer, b in enumerate(init_intercepts)]
    sizes = [coefs[0].shape[0]] + [c.shape[1] for c in coefs]
    original = [int(model.coefs_[0].shape[0])] + [int(c.shape[1]) for c in model.coefs_]
    compact._sizes, compact._w_off, compact._b_off = layout(sizes)
    compact.hidden_layer_sizes = tuple(sizes[1:-1])
    # Per-weight records of the training run no longer match the layout.
    for name in ("weight_trajectory_", "lyapunov_exponents_", "granger_pvalues_"):
        compact.__dict__.pop(name, None)
    if sizes != original:
        # The recorded training state (the dense run, its dynamics, the
        # optimizer's per-weight state) describes the network before the
        # removal: the copy is marked as export.compact's copies are, so that
        # prune(), fit with warm_start=True and partial_fit refuse it
        # (NetworkMixin._check_trainable) instead of mixing the two layouts.
        compact.compaction_ = {
            "made_by": "remove_dead_units()",
            "original_sizes": original,
            "sizes": sizes,
            "kept_units": kept,
            "removed_units": [np.setdiff1d(np.arange(n), k)
                              for n, k in zip(original[1:-1], kept)],
            "folded_units": folded,
        }
    return compact
