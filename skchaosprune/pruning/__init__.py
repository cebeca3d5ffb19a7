"""Pruning strategies: which weights a fitted dense network loses.

A strategy is a scikit-learn-style object (``get_params``, ``set_params``,
``clone``) that the estimators take as their ``pruning`` parameter.  Every
strategy follows one public protocol (:class:`PruningStrategy`, given a
:class:`PruningContext`, returning a :class:`PruningResult`;
docs/extending.md shows how to write one):

- :class:`ChaosCausalPruning` (:mod:`.chaos_causal`): the chaos-causality
  method (LEGCNet-FT and LEGCNet-PT), docs/method.md sections 2-5;
- :class:`MagnitudePruning` and :class:`RandomPruning` (:mod:`.magnitude`):
  the baselines of docs/method.md section 7;
- :class:`LayerShuffledPruning` (:mod:`.controls`): the layer-wise shuffle
  control;
- :class:`IterativePruning` (:mod:`.iterative`): a rank-based strategy in
  rounds with rewinding to the initial weights, an epoch, or the
  learning-rate schedule;
- :class:`OBSPruning` (:mod:`.obs`): Optimal Brain Surgeon, the weights
  of least saliency under the loss's curvature, the kept ones updated;
- :class:`TrajectoryCausalPruning` (:mod:`.trajectory`): a lasso of each
  update's loss change on the squared weight changes, in rounds on a cubic
  schedule with rewinding (arXiv:2412.03035; experimental);
- the mask rules as plain functions (:mod:`._masks`).

Because a strategy is a nested object, ``GridSearchCV(est,
{"pruning__alpha": [...]})`` tunes it like any estimator parameter.
"""

from .._windows import AUTO_MIN_WINDOW, AUTO_WINDOW, AUTO_WINDOWS, auto_window
from ..causality import AUTO_MAX_LAG, auto_maxlag
from ._base import (
    PARAMETER_KINDS,
    DegenerateRiskWarning,
    PrunedModelWarning,
    PruningContext,
    PruningResult,
    PruningStrategy,
)
from ._masks import (
    causal_keep_mask,
    connected_keep_mask,
    lamp_scores,
    magnitude_keep_mask,
    n_to_prune,
    random_keep_mask,
    reached_outputs,
    reaching_features,
    repair_collapse,
    split_flat,
    unit_keep_masks,
)
from ._shortcuts import nested_pruning_params, resolve_strategy, shortcut_params
from .chaos_causal import (
    DECISION_PARAMS,
    MULTITEST_METHODS,
    RECORDING_PARAMS,
    TEST_PARAMS,
    ChaosCausalPruning,
)
from .controls import LayerShuffledPruning
from .iterative import IterativePruning
from .magnitude import MagnitudePruning, RandomPruning
from .obs import OBSPruning
from .trajectory import TrajectoryCausalPruning

__all__ = [
    "PruningStrategy",
    "PruningContext",
    "PruningResult",
    "ChaosCausalPruning",
    "MagnitudePruning",
    "RandomPruning",
    "LayerShuffledPruning",
    "IterativePruning",
    "OBSPruning",
    "TrajectoryCausalPruning",
    "DegenerateRiskWarning",
    "PrunedModelWarning",
    "auto_window",
    "auto_maxlag",
    "causal_keep_mask",
    "connected_keep_mask",
    "lamp_scores",
    "magnitude_keep_mask",
    "random_keep_mask",
    "reached_outputs",
    "reaching_features",
    "repair_collapse",
    "unit_keep_masks",
]

# Kept importable from here for code written against the single module.
_KEPT = (AUTO_MAX_LAG, AUTO_MIN_WINDOW, AUTO_WINDOW, AUTO_WINDOWS, DECISION_PARAMS,
         MULTITEST_METHODS, PARAMETER_KINDS, RECORDING_PARAMS, TEST_PARAMS, n_to_prune,
         nested_pruning_params, resolve_strategy, shortcut_params, split_flat)
