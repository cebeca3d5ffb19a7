"""Out of the training stack: scikit-learn and ONNX exports and lean copies.

A pruned estimator carries what its training recorded (trajectories,
Lyapunov exponents, risk series, p-values, the dense network) and its
methods train with compiled Numba kernels.  To ship the model:

- :func:`compact`: a lean copy of the estimator, without any training
  diagnostic and without its dead hidden units (a physically smaller
  network after ``prune_units``), that predicts as the original does;
- :func:`to_sklearn`: a fitted ``sklearn.neural_network.MLPClassifier`` or
  ``MLPRegressor`` holding the same weights;
- :func:`to_onnx`: an ONNX model of it (the optional extra
  ``skchaosprune[onnx]``: skl2onnx and onnxruntime).

Prediction never compiles anything: ``predict``, ``predict_proba`` and
``score`` of a fitted estimator (compact or not) run in plain NumPy, and
unpickling one does not import Numba.

The estimators' methods ``compact()``, ``to_sklearn()`` and ``to_onnx()``
call these functions.
"""

import copy

import numpy as np
from sklearn.base import ClassifierMixin, clone
from sklearn.utils.validation import check_is_fitted

from ._network import _OUTPUT_NAMES

__all__ = ["compact", "to_onnx", "to_sklearn"]

_SKLEARN_ACTIVATIONS = {"identity": "identity", "sigmoid": "logistic",
                        "logistic": "logistic", "tanh": "tanh", "relu": "relu"}
#: Training parameters that scikit-learn's MLPs share with ours, same names
#: and meanings: ``to_sklearn`` copies them.
_SKLEARN_TRAINING = ("solver", "alpha", "batch_size", "learning_rate",
                     "learning_rate_init", "power_t", "max_iter", "shuffle", "tol",
                     "warm_start", "momentum", "nesterovs_momentum", "early_stopping",
                     "validation_fraction", "beta_1", "beta_2", "epsilon",
                     "n_iter_no_change", "max_fun")

#: Fitted attributes a compact copy keeps besides the network itself: the
#: data description and the small summaries of how the model was made.
_KEPT = ("n_features_in_", "feature_names_in_", "n_outputs_", "classes_",
         "_label_binarizer", "_y_ndim", "n_iter_", "t_", "sparsity_",
         "pruning_params_", "pruned_units_")


def _on_final_step(est, function):
    """For a Pipeline, a copy of it whose final step is ``function(final
    step)`` (the other steps deep-copied, nested Pipelines too); None when
    ``est`` is no Pipeline."""
    from sklearn.pipeline import Pipeline

    if not isinstance(est, Pipeline):
        return None
    if not est.steps:
        raise ValueError("Got a Pipeline without steps; its final step must be a fitted "
                         "DenseMLPClassifier or DenseMLPRegressor.")
    name, final = est.steps[-1]
    nested = _on_final_step(final, function)
    final = function(final) if nested is None else nested
    return Pipeline([(n, copy.deepcopy(step)) for n, step in est.steps[:-1]] + [(name, final)],
                    memory=est.memory, verbose=est.verbose)


def _final(est):
    from sklearn.pipeline import Pipeline

    while isinstance(est, Pipeline) and est.steps:
        est = est.steps[-1][1]
    return est


def _check_estimator(est, what):
    # NetworkMixin (the engine, a lower layer), not the estimators' base
    # class: the estimators' methods import this module.
    from ._network import NetworkMixin

    if not isinstance(est, NetworkMixin):
        raise TypeError(f"{what} takes a fitted DenseMLPClassifier or DenseMLPRegressor; "
                        f"got {type(est).__name__}.")
    check_is_fitted(est)


def _is_squared_multiclass(est):
    return (isinstance(est, ClassifierMixin) and est.loss == "squared_error"
            and len(est.classes_) > 2)


# ---------------------------------------------------------------------------
# Dead hidden units
# ---------------------------------------------------------------------------


def _remove_dead(coefs, intercepts, activation):
    """The network without its dead hidden units, and which units are left.

    A hidden unit is dead when all its outgoing weights are zero (it
    contributes nothing: removed) or all its incoming weights are zero (it
    outputs the constant ``activation(bias)``: removed after that constant
    times its outgoing weights is added to the next layer's biases).  The
    removal repeats until no unit is dead; a layer whose units are all dead
    keeps one.  The constants are folded with the NumPy activation that
    predicts (:func:`skchaosprune._network.forward_numpy`), so the smaller
    network computes the same outputs up to the order of additions.

    Parameters
    ----------
    coefs, intercepts : list of ndarray
        Weight matrices ``(fan_in, fan_out)`` and bias vectors.
    activation : str
        The hidden activation ('identity', 'sigmoid', 'logistic', 'tanh',
        'relu').

    Returns
    -------
    coefs, intercepts : list of ndarray
        The smaller network (new arrays).
    kept : list of ndarray of int
        For each hidden layer, the indices (in the given network) of its
        units that are left.
    folded : list of ndarray of int
        For each hidden layer, the removed units whose constant output was
        folded into the next layer's biases.

    Examples
    --------
    >>> import numpy as np
    >>> coefs = [np.array([[1.0, 0.0, 2.0]]), np.array([[1.0], [3.0], [0.0]])]
    >>> small, biases, kept, folded = _remove_dead(coefs, [np.zeros(3), np.zeros(1)], "relu")
    >>> kept, [c.shape for c in small]      # unit 1 had no input, unit 2 no output
    ([array([0])], [(1, 1), (1, 1)])
    """
    from ._network import _NUMPY_ACTIVATIONS, ACTIVATIONS

    act = _NUMPY_ACTIVATIONS[ACTIVATIONS[activation]]
    coefs = [np.array(c, dtype=np.float64) for c in coefs]
    intercepts = [np.array(b, dtype=np.float64) for b in intercepts]
    kept = [np.arange(c.shape[1]) for c in coefs[:-1]]
    folded = [[] for _ in coefs[:-1]]
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
            fold = dead_in & ~alive
            constant = intercepts[layer - 1][fold][None, :].copy()
            act(constant)
            intercepts[layer] = intercepts[layer] + (constant @ w_out[fold])[0]
            folded[layer - 1] += kept[layer - 1][fold].tolist()
            coefs[layer - 1] = np.ascontiguousarray(w_in[:, alive])
            coefs[layer] = np.ascontiguousarray(w_out[alive])
            intercepts[layer - 1] = intercepts[layer - 1][alive]
            kept[layer - 1] = kept[layer - 1][alive]
            changed = True
    return coefs, intercepts, kept, [np.array(sorted(f), dtype=np.int64) for f in folded]


def _slice_hidden(arrays, kept):
    """Weight matrices (or masks) restricted to the kept hidden units."""
    out = []
    for layer, a in enumerate(arrays):
        a = np.asarray(a)
        if layer > 0:
            a = a[kept[layer - 1]]
        if layer < len(arrays) - 1:
            a = a[:, kept[layer]]
        out.append(np.ascontiguousarray(a))
    return out


# ---------------------------------------------------------------------------
# compact
# ---------------------------------------------------------------------------


def compact(est):
    """A lean copy of a fitted estimator for deployment.

    The copy holds the network and what prediction needs (the classes, the
    feature names), nothing of the training run: no trajectories, Lyapunov
    exponents, risk series, Granger p-values, dense or initial weights, loss
    curves or random states.  Its dead hidden units are removed (all
    incoming or all outgoing weights zero; a unit with inputs cut off
    outputs a constant, folded into the next layer's biases): every unit
    that ``prune_units`` removed, and any unit an unstructured mask
    happened to cut off, so that the network is physically smaller;
    ``hidden_layer_sizes`` is the new size.

    The copy predicts as the original does: the same ``predict`` labels and
    ``predict_proba``/``predict`` values to rounding (removing a unit
    changes the order of the additions, about 1e-15).  Its pickle is no
    larger than that of the dense model it came from.

    It is for prediction: ``partial_fit`` and ``prune`` raise (it has no
    training state); ``clone(copy).fit(X, y)`` trains a new network of the
    smaller size, and a new ``fit`` makes it a full estimator again.

    Parameters
    ----------
    est : DenseMLPClassifier, DenseMLPRegressor or Pipeline
        A fitted estimator, or a fitted Pipeline ending with one (the result
        is then a copy of the Pipeline ending with the compact copy).

    Returns
    -------
    copy : estimator
        Of the same class, fitted, with ``coefs_``, ``intercepts_``,
        ``masks_`` (restricted to the kept units), the summaries
        ``sparsity_``, ``pruning_params_`` and ``pruned_units_`` when the
        original had them, and ``compaction_``: a dict with ``made_by``
        (``'compact()'``), ``original_sizes`` (the layer sizes before),
        ``sizes`` (after),
        ``kept_units`` and ``removed_units`` (per hidden layer, indices in
        the original network) and ``folded_units`` (removed units whose
        constant output was folded into the next layer's biases).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> from skchaosprune import DenseMLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> masks = [np.ones((4, 6), bool), np.ones((6, 3), bool)]
    >>> masks[1][:2] = False            # units 0 and 1 reach no output
    >>> clf = DenseMLPClassifier((6,), max_iter=5, random_state=0).fit(X, y, masks=masks)
    >>> small = clf.compact()
    >>> small.hidden_layer_sizes, small.compaction_["removed_units"]
    ((4,), [array([0, 1])])
    >>> bool((small.predict(X) == clf.predict(X)).all())
    True
    """
    pipeline = _on_final_step(est, compact)
    if pipeline is not None:
        return pipeline
    _check_estimator(est, "compact")
    coefs, intercepts, kept, folded = _remove_dead(est.coefs_, est.intercepts_, est.activation)
    sizes = [coefs[0].shape[0]] + [c.shape[1] for c in coefs]
    new = clone(est).set_params(hidden_layer_sizes=tuple(sizes[1:-1]))
    for name in _KEPT:
        if name in est.__dict__:
            setattr(new, name, copy.deepcopy(est.__dict__[name]))
    new.n_layers_ = len(sizes)
    dtype = est.coefs_[0].dtype  # float32 after a fit on float32 data
    new.coefs_ = [np.asarray(c, dtype=dtype) for c in coefs]
    new.intercepts_ = [np.asarray(b, dtype=dtype) for b in intercepts]
    new.masks_ = [m.astype(bool) for m in _slice_hidden(est.masks_, kept)]
    original = [est.coefs_[0].shape[0]] + [c.shape[1] for c in est.coefs_]
    new.compaction_ = {
        "made_by": "compact()",
        "original_sizes": original,
        "sizes": sizes,
        "kept_units": kept,
        "removed_units": [np.setdiff1d(np.arange(n), k) for n, k in zip(original[1:-1], kept)],
        "folded_units": folded,
    }
    return new


# ---------------------------------------------------------------------------
# scikit-learn
# ---------------------------------------------------------------------------


def to_sklearn(est):
    """A fitted scikit-learn MLP holding the estimator's (pruned) weights.

    A ``DenseMLPClassifier`` becomes a ``sklearn.neural_network.MLPClassifier``,
    a ``DenseMLPRegressor`` an ``MLPRegressor``, with the same weights and
    biases (pruned weights are zeros; call :func:`compact` first to drop
    dead units), the same classes and feature names, and our training
    parameters that scikit-learn shares (``solver``, ``alpha``,
    ``learning_rate``, ``momentum``, ``tol``, ...; docs/sklearn_parity.md).
    Both compute their outputs with the
    same NumPy operations, so:

    - ``predict`` is identical to ours on any input;
    - ``predict_proba`` is identical (bit for bit) wherever sklearn's output
      layer can represent ours: every ``loss='log_loss'`` classifier
      (softmax outputs, or one logistic output for two classes) and a
      two-class ``loss='squared_error'`` one (one sigmoid output).
    - With ``loss='squared_error'`` and more than two classes our outputs
      are independent sigmoids, and ``predict_proba`` divides them by their
      sum; sklearn's output layer is a softmax or independent logistic
      units, never normalised sigmoids.  The export uses logistic outputs
      (``out_activation_='logistic'``): its ``predict`` takes the argmax of
      the same sigmoids (identical labels), but its ``predict_proba``
      returns the raw sigmoids, whose rows do not sum to 1; ours is
      ``p / p.sum(axis=1, keepdims=True)`` of them.

    A regressor fitted on a two-dimensional ``y`` with one column predicts
    shape (n_samples, 1); sklearn's ``MLPRegressor`` always returns
    (n_samples,) for one output.  The sklearn model has no masks: training
    it further (``partial_fit``) with sklearn's own losses revives pruned
    weights.

    Parameters
    ----------
    est : DenseMLPClassifier, DenseMLPRegressor or Pipeline
        A fitted estimator, or a fitted Pipeline ending with one (the result
        is then a copy of the Pipeline ending with the sklearn MLP).

    Returns
    -------
    model : MLPClassifier, MLPRegressor or Pipeline
        Fitted.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> from skchaosprune import DenseMLPClassifier, MagnitudePruning
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = DenseMLPClassifier((8,), pruning=MagnitudePruning(0.5), max_iter=50,
    ...                          random_state=0).fit(X, y)
    >>> mlp = clf.to_sklearn()
    >>> type(mlp).__name__, mlp.hidden_layer_sizes
    ('MLPClassifier', (8,))
    >>> bool(np.array_equal(mlp.predict_proba(X), clf.predict_proba(X)))
    True
    """
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    pipeline = _on_final_step(est, to_sklearn)
    if pipeline is not None:
        return pipeline
    _check_estimator(est, "to_sklearn")
    classifier = isinstance(est, ClassifierMixin)
    params = dict(
        hidden_layer_sizes=tuple(int(c.shape[1]) for c in est.coefs_[:-1]),
        activation=_SKLEARN_ACTIVATIONS[est.activation],
        random_state=est.random_state, verbose=bool(est.verbose),
        **{name: getattr(est, name) for name in _SKLEARN_TRAINING},
    )
    if not classifier:
        params["loss"] = est.loss  # 'squared_error' or 'poisson', as sklearn's
    model = (MLPClassifier if classifier else MLPRegressor)(**params)
    # The weights' dtype is kept (float32 after a fit on float32 data, as
    # scikit-learn's own would be).
    model.coefs_ = [np.array(c) for c in est.coefs_]
    model.intercepts_ = [np.array(b) for b in est.intercepts_]
    model.n_layers_ = len(est.coefs_) + 1
    model.n_outputs_ = int(est.coefs_[-1].shape[1])
    model.n_features_in_ = est.n_features_in_
    if hasattr(est, "feature_names_in_"):
        model.feature_names_in_ = est.feature_names_in_.copy()
    if classifier:
        model.classes_ = est.classes_.copy()
        model._label_binarizer = copy.deepcopy(est._label_binarizer)
    # The output layer's own name: softmax for more than two classes under
    # log_loss; logistic units otherwise (two classes, one, multilabel, our
    # squared_error); 'identity', or 'exp' for the Poisson loss.
    model.out_activation_ = _OUTPUT_NAMES[est._output_layer()[0]]
    curve = [float(v) for v in getattr(est, "loss_curve_", [])]
    model.n_iter_ = int(getattr(est, "n_iter_", 0))
    model.t_ = int(getattr(est, "t_", 0))
    model.loss_curve_ = curve
    model.loss_ = float(getattr(est, "loss_", curve[-1] if curve else np.nan))
    model.best_loss_ = getattr(est, "best_loss_", min(curve) if curve else None)
    model.validation_scores_ = getattr(est, "validation_scores_", None)
    model.best_validation_score_ = getattr(est, "best_validation_score_", None)
    model._no_improvement_count = 0
    return model


# ---------------------------------------------------------------------------
# ONNX
# ---------------------------------------------------------------------------


def _import_skl2onnx():
    try:
        import skl2onnx
    except ImportError:
        raise ImportError(
            "to_onnx needs skl2onnx (and onnxruntime to run the model): "
            "pip install 'skchaosprune[onnx]'.") from None
    return skl2onnx


def to_onnx(est, *, dtype="float32", zipmap=False, target_opset=None):
    """An ONNX model of a fitted estimator, through :func:`to_sklearn` and
    skl2onnx (the optional extra ``skchaosprune[onnx]``).

    The graph computes what the estimator does: ``X @ W + b`` and the
    activation per layer, then the labels and the probabilities
    (classifier) or the predictions (regressor: shape (n_samples, 1) for
    one output, (n_samples, n_outputs) for a regressor fitted on ``y`` of
    shape (n_samples, n_outputs); skl2onnx's own converter gives
    (n_samples * n_outputs, 1) there, and the graph's last Reshape is
    corrected).
    A ``loss='squared_error'`` classifier with more than two classes gets
    one more step that divides its sigmoid outputs by their sum, as our
    ``predict_proba`` does (the labels are the argmax of the raw outputs,
    as ours), so the ONNX probabilities are ours, not the raw sigmoids
    of :func:`to_sklearn`'s model.

    Parameters
    ----------
    est : DenseMLPClassifier, DenseMLPRegressor or Pipeline
        A fitted estimator (:func:`compact` it first for the smallest graph),
        or a fitted Pipeline ending with one whose other steps skl2onnx can
        convert (a StandardScaler, for instance): one graph for the whole
        Pipeline.
    dtype : {'float32', 'float64'}, default='float32'
        The graph's input and arithmetic type.  float32 (the usual ONNX
        type) agrees with ours to about 1e-6 in the probabilities; float64
        to rounding.
    zipmap : bool or 'columns', default=False
        skl2onnx's ``zipmap`` option for classifiers: False gives the
        probabilities as a (n_samples, n_classes) tensor; True a list of
        dicts per sample.
    target_opset : int or None, default=None
        The ONNX opset (None: skl2onnx's default).

    Returns
    -------
    model : onnx.ModelProto
        Input ``'X'`` of shape (None, n_features); outputs ``'label'`` and
        ``'probabilities'`` (classifier) or ``'variable'`` (regressor, of
        shape (None, n_outputs)).
        Run it with ``onnxruntime.InferenceSession(model.SerializeToString())``.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skchaosprune import DenseMLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = DenseMLPClassifier((8,), max_iter=20, random_state=0).fit(X, y)
    >>> onx = clf.to_onnx()                                   # doctest: +SKIP
    >>> import onnxruntime                                    # doctest: +SKIP
    >>> session = onnxruntime.InferenceSession(onx.SerializeToString())  # doctest: +SKIP
    >>> labels, proba = session.run(None, {"X": X.astype("float32")})    # doctest: +SKIP
    """
    _check_estimator(_final(est), "to_onnx")
    if dtype not in ("float32", "float64", np.float32, np.float64):
        raise ValueError(f"dtype must be 'float32' or 'float64'; got {dtype!r}.")
    _import_skl2onnx()
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType

    model = to_sklearn(est)
    tensor = FloatTensorType if np.dtype(dtype) == np.float32 else DoubleTensorType
    mlp = _final(model)
    options = {id(mlp): {"zipmap": zipmap}} if isinstance(mlp, ClassifierMixin) else None
    poisson = mlp.out_activation_ == "exp"
    if poisson:  # skl2onnx knows no exp outputs: converted linear, then an Exp
        mlp.out_activation_ = "identity"
    onx = convert_sklearn(model, initial_types=[("X", tensor([None, model.n_features_in_]))],
                          options=options, target_opset=target_opset)
    if _is_squared_multiclass(_final(est)):
        _normalise_probabilities(onx, np.dtype(dtype))
    n_outputs = int(_final(est).coefs_[-1].shape[1])
    if not isinstance(mlp, ClassifierMixin) and n_outputs > 1:
        _reshape_outputs(onx, n_outputs)
    if poisson:
        _exp_output(onx)
    return onx


def _exp_output(onx):
    """The exponential of the regressor's output (``loss='poisson'``'s log
    link), as the graph's last node."""
    from onnx import helper

    graph = onx.graph
    name = graph.output[0].name
    linear = name + "_linear"
    for node in graph.node:
        node.output[:] = [linear if o == name else o for o in node.output]
    graph.node.append(helper.make_node("Exp", [linear], [name], name=name + "_exp"))


def _reshape_outputs(onx, n_outputs):
    """Give a multi-output regressor's graph output the shape
    ``(n_samples, n_outputs)``.

    skl2onnx's MLPRegressor converter ends with a Reshape to ``(-1, 1)``
    whatever the number of outputs, so that ``n_samples x n_outputs``
    predictions come out as one column of ``n_samples * n_outputs`` rows,
    row-major: sample by sample.  The Reshape gets the target shape
    ``(-1, n_outputs)`` instead, which restores the rows of the network's
    output (the reshape reads the same row-major order); without such a
    Reshape (a converter that keeps the shape), a final Reshape is added, so
    the output has this shape whatever skl2onnx does.
    """
    from onnx import TensorProto, helper, numpy_helper

    graph = onx.graph
    if len(graph.output) != 1:
        raise RuntimeError(  # pragma: no cover - skl2onnx gives one output
            f"Expected one output ('variable') in skl2onnx's regressor graph, got "
            f"{[o.name for o in graph.output]}; please report this with your skl2onnx "
            f"version.")
    out = graph.output[0]
    shape_name = f"{out.name}_shape_{n_outputs}"
    graph.initializer.append(numpy_helper.from_array(
        np.array([-1, n_outputs], dtype=np.int64), shape_name))
    producer = next((n for n in graph.node if out.name in n.output), None)
    if producer is not None and producer.op_type == "Reshape":
        old = producer.input[1]
        producer.input[1] = shape_name
        if not any(old in n.input for n in graph.node):  # drop the unused (-1, 1)
            for i, init in enumerate(graph.initializer):
                if init.name == old:
                    del graph.initializer[i]
                    break
    else:
        before = f"{out.name}_before_reshape"
        for node in graph.node:
            node.output[:] = [before if o == out.name else o for o in node.output]
        graph.node.append(helper.make_node("Reshape", [before, shape_name], [out.name],
                                           name=f"{out.name}_reshape"))
    elem = out.type.tensor_type.elem_type or TensorProto.FLOAT
    graph.output.remove(out)
    graph.output.append(helper.make_tensor_value_info(out.name, elem, [None, n_outputs]))


def _normalise_probabilities(onx, dtype):
    """Divide the probability tensor by its row sums (rows summing to 0 are
    left as they are), after the labels are taken from the raw outputs."""
    from onnx import helper, numpy_helper

    graph = onx.graph
    nodes = list(graph.node)
    argmax = next(n for n in nodes if n.op_type == "ArgMax")
    probs = argmax.input[0]
    raw = probs + "_raw"
    position = next(i for i, n in enumerate(nodes) if probs in n.output)
    producer = nodes[position]
    producer.output[list(producer.output).index(probs)] = raw
    argmax.input[0] = raw
    opset = max(o.version for o in onx.opset_import if o.domain in ("", "ai.onnx"))
    names = {k: f"{probs}_{k}" for k in ("sum", "zero", "is_zero", "one", "safe", "axes")}
    initialisers = [numpy_helper.from_array(np.array(0, dtype=dtype), names["zero"]),
                    numpy_helper.from_array(np.array(1, dtype=dtype), names["one"])]
    if opset >= 13:
        initialisers.append(numpy_helper.from_array(np.array([1], dtype=np.int64),
                                                    names["axes"]))
        reduce = helper.make_node("ReduceSum", [raw, names["axes"]], [names["sum"]],
                                  keepdims=1, name=names["sum"])
    else:
        reduce = helper.make_node("ReduceSum", [raw], [names["sum"]], axes=[1], keepdims=1,
                                  name=names["sum"])
    new = [
        reduce,
        helper.make_node("Equal", [names["sum"], names["zero"]], [names["is_zero"]],
                         name=names["is_zero"]),
        helper.make_node("Where", [names["is_zero"], names["one"], names["sum"]],
                         [names["safe"]], name=names["safe"]),
        helper.make_node("Div", [raw, names["safe"]], [probs], name=f"{probs}_normalise"),
    ]
    graph.initializer.extend(initialisers)
    del graph.node[:]
    graph.node.extend(nodes[:position + 1] + new + nodes[position + 1:])
