"""Iterative pruning with rewinding: a rank-based strategy applied in
rounds (Frankle and Carbin, ICLR 2019; Renda et al., ICLR 2020;
docs/strategies.md).
"""

import math
from numbers import Integral, Real

import numpy as np
from sklearn.base import clone
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import NestedBaseMixin, PruningResult, PruningStrategy
from ._masks import n_to_prune
from ._target import (
    MAX_DROP,
    PATIENCE,
    SPARSITY_OR_AUTO,
    check_validation,
    nothing_passed,
    probe_sparsities,
)
from .magnitude import MagnitudePruning


class IterativePruning(NestedBaseMixin, PruningStrategy):
    """Prune in rounds, rewinding and retraining between them (iterative
    magnitude pruning, the lottery ticket).

    Each round the base strategy ranks the weights of the network trained in
    the previous round (the dense one first) and prunes a fraction of the
    weights that remain; the pruned network is then rewound and retrained
    with the mask held at zero (``context.retrain``).  The masks nest: a
    weight pruned in one round stays pruned.  The final network is the last
    round's.

    Where each round's retraining starts (``rewind``):

    - ``'init'``: the dense run's initial weights and data order (Frankle
      and Carbin, ICLR 2019).  The estimator's default ``retrain='rewind'``
      then retrains the final mask once more from the initial weights,
      which gives the last round's weights again.
    - an epoch ``k``: the dense run's weights, solver state, learning-rate
      schedule and data order after ``k`` epochs (late rewinding, Frankle
      et al., ICML 2020), for the ``max_iter - k`` epochs that remain.
    - ``'lr'``: the previous round's trained weights, with the whole
      learning-rate schedule and data order replayed from the start
      (learning-rate rewinding, Renda et al., ICLR 2020).

    With a late or learning-rate rewind the last round's network is the
    model: the estimator's ``retrain='rewind'`` keeps it
    (``PruningResult.retrained``); ``retrain='finetune'`` fine-tunes it.

    Parameters
    ----------
    base : strategy or None, default=None
        A strategy with a ``sparsity`` parameter that ranks the weights of
        the trained network (None: ``MagnitudePruning()``, global).  Its
        ``sparsity`` is set by each round; its other parameters are nested
        (``base__scope``) once a base is given.
    sparsity : float or 'auto', default=0.9
        The final fraction of the weights pruned, in [0, 1]; 'auto': prune
        ``per_round`` of what remains until two rounds in a row score more
        than ``max_drop`` below the dense network on the held-out
        validation rows, and keep the last round that did not
        (docs/strategies.md).
    rounds : int or None, default=None
        The number of rounds; None: as many as pruning ``per_round`` of the
        remaining weights takes to reach ``sparsity`` (not with 'auto').
    per_round : float, default=0.2
        With ``rounds=None``, the fraction of the remaining weights each
        round prunes (the last round may prune fewer).
    rewind : {'init', 'lr'} or int, default='init'
        Where each round's retraining starts (see above); an int is an
        epoch of the dense run (0 is 'init').  With a base that needs the
        dynamics (:class:`ChaosCausalPruning` with a ``sparsity``), 'init':
        each round's run is recorded as the dense run was (its exponents
        and risk series, the same settings and length), and the next round
        ranks by the p-values of that run; the pruned weights, static,
        have infeasible tests (``on_infeasible='prune'`` ranks them first,
        so the masks nest and reach the sparsity).
    max_drop : float, default=0.01
        With ``sparsity='auto'``: how far below the dense network's score
        on the held-out validation rows a round's network may fall.

    Attributes
    ----------
    The estimator gets ``pruning_rounds_``: the keep masks after each round
    (a list, one list of per-layer arrays per round).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skchaosprune import DenseMLPClassifier
    >>> from skchaosprune.pruning import IterativePruning
    >>> X, y = load_iris(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> clf = DenseMLPClassifier((8,), solver="sgd", learning_rate_init=0.05, max_iter=40,
    ...                          n_iter_no_change=np.inf, random_state=0,
    ...                          pruning=IterativePruning(sparsity=0.8)).fit(X, y)
    >>> len(clf.pruning_rounds_), round(clf.sparsity_, 3)    # 45 of 56 weights
    (8, 0.804)
    """

    needs_data = True

    _parameter_constraints: dict = {
        "base": [None, PruningStrategy],
        "sparsity": SPARSITY_OR_AUTO,
        "rounds": [None, Interval(Integral, 1, None, closed="left")],
        "per_round": [Interval(Real, 0, 1, closed="neither")],
        "rewind": [StrOptions({"init", "lr"}), Interval(Integral, 0, None, closed="left")],
        "max_drop": MAX_DROP,
    }

    def __init__(self, base=None, *, sparsity=0.9, rounds=None, per_round=0.2,
                 rewind="init", max_drop=0.01):
        self.base = base
        self.sparsity = sparsity
        self.rounds = rounds
        self.per_round = per_round
        self.rewind = rewind
        self.max_drop = max_drop

    def _base(self):
        base = MagnitudePruning() if self.base is None else self.base
        if not isinstance(base, PruningStrategy):
            PruningStrategy._validate_params(self)  # the constraint's InvalidParameterError
        if "sparsity" not in base.get_params():
            raise ValueError(
                f"IterativePruning's base must rank the weights and take a sparsity "
                f"(MagnitudePruning, RandomPruning, ChaosCausalPruning, OBSPruning); got "
                f"{base!r}.")
        if base.needs_dynamics and self.rewind not in ("init", 0):
            raise ValueError(
                f"A base that needs the dynamics ({type(base).__name__}) is recorded again "
                f"in each round's run from the initial weights: use rewind='init', not "
                f"{self.rewind!r}.")
        return base

    def schedule(self):
        """The cumulative sparsity after each round (with 'auto': the most
        rounds there can be)."""
        if self.sparsity == "auto":
            if self.rounds is not None:
                raise ValueError("IterativePruning(sparsity='auto') decides the rounds "
                                 "itself: leave rounds=None and set per_round.")
            return probe_sparsities(self.per_round)
        if self.sparsity == 0:
            return [0.0]
        if self.rounds is not None:
            keep = (1.0 - self.sparsity) ** (1.0 / self.rounds)
            return [1.0 - keep ** (k + 1) for k in range(self.rounds - 1)] + [self.sparsity]
        n = (1 if self.sparsity >= 1 else
             max(1, math.ceil(math.log(1.0 - self.sparsity) / math.log(1.0 - self.per_round)
                              - 1e-12)))
        return [min(self.sparsity, 1.0 - (1.0 - self.per_round) ** (k + 1))
                for k in range(n - 1)] + [self.sparsity]

    def decide(self, context):
        """Prune in rounds with rewinding (see the class).

        Parameters
        ----------
        context : PruningContext
            With the training data (``context.retrain``).

        Returns
        -------
        result : PruningResult
            The last round's masks and retrained weights, and
            ``pruning_rounds_``.
        """
        base = self._base()
        auto = self.sparsity == "auto"
        if auto:
            check_validation(context, "IterativePruning(sparsity='auto')")
            floor = (context.score(context.dense_coefs, context.dense_intercepts)
                     - self.max_drop)
        rewind = 0 if self.rewind == "init" else self.rewind
        point = None if rewind == "lr" else context.rewind_point(rewind)
        keep = np.ones(context.n_weights, dtype=bool)
        coefs, intercepts = context.dense_coefs, context.dense_intercepts
        dynamics = context.dynamics  # a chaos-causal base's, round by round
        best = (keep, coefs, intercepts, 0)  # with 'auto': the last round that passed
        rounds, scores, failures = [], [], 0
        schedule = self.schedule()
        for step, target in enumerate(schedule):
            trained = [np.where(m, c, 0.0) for m, c in zip(context.unflat(keep), coefs)]
            keep = _nested_keep(base, context.derived(trained, intercepts, dynamics), keep,
                                target)
            masks = context.unflat(keep)
            rounds.append([m.copy() for m in masks])
            recorded = base.needs_dynamics and (auto or step < len(schedule) - 1)
            if recorded:  # the next round's base decides on this run's dynamics
                coefs, intercepts, dynamics = context.retrain(masks, record_dynamics=True)
            if recorded and base.mode == "full":
                pass  # the recorded run trained max_iter epochs: its weights are the round's
            elif rewind == "lr":
                coefs, intercepts = context.retrain(masks, coefs=coefs, intercepts=intercepts)
            elif point.epoch == 0:
                coefs, intercepts = context.retrain(masks)
            else:
                coefs, intercepts = context.retrain(masks, start=point)
            if auto:
                scores.append(float(context.score(coefs, intercepts)))
                failures = failures + 1 if scores[-1] < floor else 0
                if failures == 0:
                    best = (keep, coefs, intercepts, len(rounds))
                elif failures == PATIENCE:
                    break
        if auto:
            keep, coefs, intercepts, n_rounds = best
            rounds = rounds[:n_rounds]
        attributes = {"pruning_rounds_": rounds}
        if auto:
            if not rounds:
                nothing_passed(self, self.schedule()[0], floor + self.max_drop)
            attributes["round_scores_"] = np.array(scores)
            attributes["dense_validation_score_"] = floor + self.max_drop
        return PruningResult(context.unflat(keep), attributes, coefs=coefs,
                             intercepts=intercepts, retrained=rewind != 0 and bool(rounds))


def _nested_keep(base, context, keep, target):
    """The keep mask of a round: what ``keep`` keeps, less the weights the
    base ranks lowest, ``n_to_prune(n, target)`` pruned in all.

    A base may rank a weight pruned in an earlier round above one still
    kept (a chaos-causal base ties the static, pruned weights at p = 1 with
    live ones and breaks the tie by exponent), so that its mask at
    ``target`` together with the earlier pruning would prune more than
    asked.  The base then decides at the smallest count of its own that
    reaches the target together with the earlier pruning (a bisection;
    the pruned set only grows with the count)."""
    n = keep.size
    wanted = n_to_prune(n, target)

    def pruned_at(count):
        decided = clone(base).set_params(sparsity=count / n).decide(context)
        return keep & np.concatenate([np.ravel(m) for m in decided.masks])

    new = pruned_at(wanted)
    if (~new).sum() <= wanted:
        return new
    # At count c the round prunes at most the earlier ones plus c: below
    # ``low`` too few; at ``high`` too many.  The smallest count that
    # reaches ``wanted`` reaches it exactly (one more weight per count).
    low, high = wanted - int((~keep).sum()) - 1, wanted
    while high - low > 1:
        middle = (low + high) // 2
        if (~pruned_at(middle)).sum() >= wanted:
            high = middle
        else:
            low = middle
    return pruned_at(high)

