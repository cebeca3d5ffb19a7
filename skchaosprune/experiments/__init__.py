"""Comparing pruning methods (moved to a package; split follows)."""

from . import study as _study
from .study import *  # noqa: F401,F403
from .study import __all__  # noqa: F401

# Names the command line, the figures and the tests use.
_method_estimator = _study._method_estimator
_updates_per_epoch = _study._updates_per_epoch
_custom_data = _study._custom_data
_SWEEP_LABELS = _study._SWEEP_LABELS
SPLIT_SEED = _study.SPLIT_SEED
SWEEP_RANKED = _study.SWEEP_RANKED
SWEEP_POINTS = _study.SWEEP_POINTS
