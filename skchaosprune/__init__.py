"""skchaosprune: chaos-causality pruning of dense neural networks.

The public pieces:

- :class:`DenseMLPClassifier`, :class:`DenseMLPRegressor`: MLPs trained by
  compiled SGD that record their own weight trajectories and prune
  themselves (``pruning='chaos_causal'``, LEGCNet-FT/PT, or the magnitude
  and random baselines);
- :class:`CausalPruningTransformer`: the method as a Pipeline step;
- :mod:`skchaosprune.metrics`: sparsity, FLOPs, epochs to a benchmark,
  importance agreement, export without dead units;
- :mod:`skchaosprune.lyapunov`: windowed largest Lyapunov exponents
  (TISEAN ``lyap_r``);
- :mod:`skchaosprune.causality`: Granger-causality p-values for many
  sources at once (statsmodels' ``grangercausalitytests``, batched).
"""

from ._mlp import ConstantRiskWarning, DenseMLPClassifier, DenseMLPRegressor
from ._transformer import CausalPruningTransformer

__all__ = [
    "CausalPruningTransformer",
    "ConstantRiskWarning",
    "DenseMLPClassifier",
    "DenseMLPRegressor",
]
__version__ = "0.1.0.dev0"
