"""The solvers: one object per solver, with its state and its schedule.

scikit-learn keeps its MLP solvers in
``sklearn/neural_network/_stochastic_optimizers.py``; these are their
counterparts.  The per-update arithmetic runs inside the compiled kernel
(:func:`skchaosprune._kernels.mlp.train_batches`, whole epochs per call),
which reads an optimizer's solver code, hyper-parameter vector and state
arrays; the object owns everything between two calls: the state that
``partial_fit`` carries from call to call, the learning-rate schedule after
each epoch, and what a plateau of the convergence test does.  A new
stochastic solver is a new subclass here plus its update in the kernel.

Imports nothing from scikit-learn or Numba (the codes are plain integers).
"""

import numpy as np

from ._kernels import codes as _c


class StochasticOptimizer:
    """State and schedule shared by the stochastic solvers.

    Parameters
    ----------
    n_weights, n_biases : int
        Sizes of the flat weight and bias vectors.
    learning_rate_init : float
        The initial learning rate.
    alpha : float
        The L2 penalty (the kernel adds it to the weight gradients).

    Attributes
    ----------
    w, b : ndarray of shape (2, n_weights), (2, n_biases)
        The per-parameter state (SGD's velocities in row 0; adam's first
        and second moments), in the layout of the flat network.
    t : ndarray of int64, shape (1,)
        Updates done (adam's bias correction).
    learning_rate : float
        The current learning rate.
    """

    #: the kernel's solver code
    code = -1

    def __init__(self, n_weights, n_biases, learning_rate_init, alpha):
        self.w = np.zeros((2, n_weights))
        self.b = np.zeros((2, n_biases))
        self.t = np.zeros(1, dtype=np.int64)
        self.learning_rate_init = float(learning_rate_init)
        self.learning_rate = float(learning_rate_init)
        self.alpha = float(alpha)

    def copy(self):
        """An independent copy (training mutates the state in place; an
        interrupted call must leave the estimator's copy as it was)."""
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.w, new.b, new.t = self.w.copy(), self.b.copy(), self.t.copy()
        return new

    def apply_mask(self, keep):
        """Zero the state of the pruned weights (``keep`` a flat bool mask)."""
        self.w[:, ~keep] = 0.0

    def hyper(self):
        """The kernel's hyper-parameter vector for the next epoch."""
        h = np.zeros(_c.N_HYPER)
        h[_c.H_LR] = self.learning_rate
        h[_c.H_ALPHA] = self.alpha
        self._fill_hyper(h)
        return h

    def _fill_hyper(self, h):  # pragma: no cover - abstract
        raise NotImplementedError

    def end_epoch(self, time_step):
        """After an epoch; ``time_step`` is the samples seen so far."""

    def on_plateau(self, message, verbose):
        """The convergence test saw no improvement: True stops training."""
        if verbose:
            print(f"{message} Stopping.")
        return True


class SGDOptimizer(StochasticOptimizer):
    """Stochastic gradient descent with momentum (scikit-learn's 'sgd').

    Parameters
    ----------
    n_weights, n_biases, learning_rate_init, alpha
        See :class:`StochasticOptimizer`.
    schedule : {'constant', 'invscaling', 'adaptive'}
        'invscaling': after each epoch the rate is
        ``learning_rate_init / (time_step + 1) ** power_t``; 'adaptive': a
        plateau divides it by 5 instead of stopping, until it is 1e-6 or
        less.
    momentum : float
    nesterov : bool
    power_t : float
    """

    code = _c.SOLVER_SGD

    def __init__(self, n_weights, n_biases, learning_rate_init, alpha, *,
                 schedule="constant", momentum=0.9, nesterov=True, power_t=0.5):
        super().__init__(n_weights, n_biases, learning_rate_init, alpha)
        self.schedule = schedule
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)
        self.power_t = float(power_t)

    def _fill_hyper(self, h):
        h[_c.H_MOMENTUM] = self.momentum
        h[_c.H_NESTEROV] = 1.0 if self.nesterov else 0.0

    def end_epoch(self, time_step):
        if self.schedule == "invscaling":
            self.learning_rate = self.learning_rate_init / (time_step + 1) ** self.power_t

    def on_plateau(self, message, verbose):
        if self.schedule == "adaptive" and self.learning_rate > 1e-6:
            self.learning_rate /= 5.0
            if verbose:
                print(f"{message} Setting learning rate to {self.learning_rate:f}")
            return False
        return super().on_plateau(message, verbose)


class AdamOptimizer(StochasticOptimizer):
    """Adam (scikit-learn's 'adam'), with a constant learning rate.

    Parameters
    ----------
    n_weights, n_biases, learning_rate_init, alpha
        See :class:`StochasticOptimizer`.
    beta_1, beta_2, epsilon : float
    """

    code = _c.SOLVER_ADAM

    def __init__(self, n_weights, n_biases, learning_rate_init, alpha, *,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        super().__init__(n_weights, n_biases, learning_rate_init, alpha)
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)

    def _fill_hyper(self, h):
        h[_c.H_BETA1] = self.beta_1
        h[_c.H_BETA2] = self.beta_2
        h[_c.H_EPSILON] = self.epsilon


def make_optimizer(params, n_weights, n_biases):
    """The optimizer of an estimator's parameters (a ``get_params()``-like
    mapping with scikit-learn's MLP names)."""
    common = (n_weights, n_biases, params["learning_rate_init"], params["alpha"])
    if params["solver"] == "sgd":
        return SGDOptimizer(*common, schedule=params["learning_rate"],
                            momentum=params["momentum"],
                            nesterov=params["nesterovs_momentum"],
                            power_t=params["power_t"])
    if params["solver"] == "adam":
        return AdamOptimizer(*common, beta_1=params["beta_1"], beta_2=params["beta_2"],
                             epsilon=params["epsilon"])
    raise ValueError(f"Unknown solver {params['solver']!r}; expected 'sgd' or 'adam'.")
