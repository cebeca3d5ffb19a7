"""The string shortcuts of the ``pruning`` parameters ('chaos_causal',
'magnitude', 'random') and their nested parameters."""

from .chaos_causal import ChaosCausalPruning
from .magnitude import MagnitudePruning, RandomPruning

SHORTCUTS = {
    "chaos_causal": ChaosCausalPruning,
    "magnitude": MagnitudePruning,
    "random": RandomPruning,
}


def resolve_strategy(pruning):
    """A strategy object for a ``pruning`` parameter (a string shortcut
    becomes the strategy with its defaults; None stays None)."""
    if isinstance(pruning, str):
        if pruning not in SHORTCUTS:
            raise ValueError(
                f"Unknown pruning shortcut {pruning!r}; use one of {sorted(SHORTCUTS)} "
                "or a strategy object (ChaosCausalPruning(...), MagnitudePruning(...)).")
        return SHORTCUTS[pruning]()
    return pruning


def shortcut_params(owner, deep_params):
    """``get_params(deep=True)`` of an object whose ``pruning`` is a string
    shortcut: the shortcut's strategy parameters added as
    ``pruning__<name>``, so that it tunes like the object it stands for."""
    if isinstance(owner.pruning, str) and owner.pruning in SHORTCUTS:
        for name, value in resolve_strategy(owner.pruning).get_params().items():
            deep_params[f"pruning__{name}"] = value
    return deep_params


def nested_pruning_params(owner, params):
    """Prepare ``set_params(**params)`` of an object with a ``pruning``
    parameter for nested ``pruning__<name>`` keys: a string shortcut (the
    current one or one set in the same call) becomes its strategy object,
    and with no strategy at all the keys are invalid (scikit-learn's
    message, not an AttributeError).  Returns the parameters to pass on."""
    if not any(key.startswith("pruning__") for key in params):
        return params
    params = dict(params)
    if "pruning" in params:
        if isinstance(params["pruning"], str):
            params["pruning"] = resolve_strategy(params["pruning"])
    elif isinstance(owner.pruning, str):
        owner.pruning = resolve_strategy(owner.pruning)
    if params.get("pruning", owner.pruning) is None:
        key = next(key for key in params if key.startswith("pruning__"))
        raise ValueError(
            f"Invalid parameter {key.split('__', 1)[1]!r} for estimator {owner}: its "
            "pruning is None, so there is no strategy to set it on. Set a strategy "
            "first, e.g. set_params(pruning=ChaosCausalPruning(), "
            f"{key}=...).")
    return params
