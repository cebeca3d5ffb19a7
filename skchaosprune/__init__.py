"""skchaosprune: chaos-causality pruning of dense neural networks.

The public pieces:

- :class:`DenseMLPClassifier`, :class:`DenseMLPRegressor`: MLPs trained by
  compiled SGD that record their own weight trajectories;
- :mod:`skchaosprune.lyapunov`: windowed largest Lyapunov exponents
  (TISEAN ``lyap_r``);
- :mod:`skchaosprune.causality`: Granger-causality p-values for many
  sources at once (statsmodels' ``grangercausalitytests``, batched).
"""

from ._mlp import DenseMLPClassifier, DenseMLPRegressor

__all__ = ["DenseMLPClassifier", "DenseMLPRegressor"]
__version__ = "0.1.0.dev0"
