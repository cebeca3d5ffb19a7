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

:class:`LBFGSOptimizer` is the full-batch one (scikit-learn's ``'lbfgs'``):
no per-batch state, it hands the compiled loss and gradient of the whole
data (:func:`skchaosprune._kernels.mlp.loss_grad`) to SciPy's L-BFGS-B.

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


class LBFGSOptimizer:
    """scikit-learn's ``'lbfgs'``: ``scipy.optimize.minimize(method='L-BFGS-B')``
    over the packed weights and biases, with the options of scikit-learn's
    ``_fit_lbfgs``.

    Parameters
    ----------
    max_iter : int
        ``maxiter``: the L-BFGS iterations.
    max_fun : int
        ``maxfun``: the loss evaluations.
    tol : float
        ``gtol``: stop when the largest component of the projected gradient
        is at most ``tol``.  (``ftol`` is SciPy's default, 2.2e-9, as in
        scikit-learn, which does not set it.)
    verbose : bool or int
        SciPy's ``iprint`` (1 when verbose, else -1), passed as scikit-learn
        passes it: only to SciPy older than 1.15, which deprecated it.

    Attributes
    ----------
    learning_rate : None
        No learning rate (what the other solvers' schedules report).
    """

    code = None
    learning_rate = None

    def __init__(self, max_iter, max_fun, tol, verbose=False):
        self.max_iter = int(max_iter)
        self.max_fun = int(max_fun)
        self.tol = float(tol)
        self.verbose = verbose

    def copy(self):
        """A copy (the solver keeps no state between calls)."""
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        return new

    def apply_mask(self, keep):
        """Nothing to zero: the pruned weights are not among the variables."""

    def options(self, measure=False):
        """The options of ``minimize``.  ``measure``: a recorded run of
        planned length, whose tolerances are 0 (it stops at ``max_iter``,
        ``max_fun``, or when the line search can go no further)."""
        import scipy

        options = {"maxfun": self.max_fun, "maxiter": self.max_iter,
                   "gtol": 0.0 if measure else self.tol}
        if measure:
            options["ftol"] = 0.0
        if tuple(int(p) for p in scipy.__version__.split(".")[:2]) < (1, 15):
            options["iprint"] = 1 if (self.verbose is True or self.verbose >= 1) else -1
        return options

    def minimize(self, fun, x0, callback=None, measure=False):
        """``scipy.optimize.minimize(fun, x0, method='L-BFGS-B', jac=True)``;
        ``fun(x)`` returns the loss and its gradient; ``callback(x)`` is
        called after each iteration.  Returns SciPy's ``OptimizeResult``."""
        from scipy.optimize import minimize

        return minimize(fun, x0, method="L-BFGS-B", jac=True, callback=callback,
                        options=self.options(measure))


def make_optimizer(params, n_weights, n_biases):
    """The optimizer of an estimator's parameters (a ``get_params()``-like
    mapping with scikit-learn's MLP names)."""
    if params["solver"] == "lbfgs":
        return LBFGSOptimizer(params["max_iter"], params["max_fun"], params["tol"],
                              params["verbose"])
    common = (n_weights, n_biases, params["learning_rate_init"], params["alpha"])
    if params["solver"] == "sgd":
        return SGDOptimizer(*common, schedule=params["learning_rate"],
                            momentum=params["momentum"],
                            nesterov=params["nesterovs_momentum"],
                            power_t=params["power_t"])
    if params["solver"] == "adam":
        return AdamOptimizer(*common, beta_1=params["beta_1"], beta_2=params["beta_2"],
                             epsilon=params["epsilon"])
    raise ValueError(f"Unknown solver {params['solver']!r}; expected 'lbfgs', 'sgd' or 'adam'.")
