"""skchaosprune: chaos-causality pruning of dense neural networks.

The public pieces:

- :class:`DenseMLPClassifier`, :class:`DenseMLPRegressor`: MLPs trained by
  compiled SGD that record their own weight trajectories and prune
  themselves with a pruning strategy;
- the strategies :class:`ChaosCausalPruning` (LEGCNet-FT/PT),
  :class:`MagnitudePruning` and :class:`RandomPruning`,
  :class:`IterativePruning` (rounds with rewinding),
  :class:`OBSPruning` (Optimal Brain Surgeon),
  :class:`TrajectoryCausalPruning` (the successor method, experimental),
  and the layer-wise shuffle control :class:`LayerShuffledPruning`
  (:mod:`skchaosprune.pruning`);
- :class:`CausalPruningTransformer`: the method as a Pipeline step;
- :mod:`skchaosprune.metrics`: sparsity, FLOPs, epochs to a benchmark,
  importance agreement, export without dead units;
- :mod:`skchaosprune.lyapunov`: windowed largest Lyapunov exponents
  (TISEAN ``lyap_r``);
- :mod:`skchaosprune.causality`: Granger-causality p-values for many
  sources at once (statsmodels' ``grangercausalitytests``, batched);
- :mod:`skchaosprune.stationarity`: augmented Dickey-Fuller p-values and
  the differencing step.

The method is specified in docs/method.md.
"""

from ._mlp import DenseMLPClassifier, DenseMLPRegressor
from ._transformer import CausalPruningTransformer
from .pruning import (
    ChaosCausalPruning,
    DegenerateRiskWarning,
    IterativePruning,
    LayerShuffledPruning,
    MagnitudePruning,
    OBSPruning,
    PrunedModelWarning,
    RandomPruning,
    TrajectoryCausalPruning,
)

__all__ = [
    "CausalPruningTransformer",
    "ChaosCausalPruning",
    "DegenerateRiskWarning",
    "DenseMLPClassifier",
    "DenseMLPRegressor",
    "IterativePruning",
    "LayerShuffledPruning",
    "MagnitudePruning",
    "OBSPruning",
    "PrunedModelWarning",
    "RandomPruning",
    "TrajectoryCausalPruning",
]
__version__ = "0.1.0.dev0"
