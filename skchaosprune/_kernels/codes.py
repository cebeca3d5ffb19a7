"""Codes shared by the kernels and the estimators.

Plain integers in a module that imports nothing, so that the estimators'
prediction path names the activations without importing Numba.
"""

# Activation codes.
IDENTITY = 0
SIGMOID = 1
TANH = 2
RELU = 3
SOFTMAX = 4
EXP = 5  # output only: the log link of the Poisson loss

# Loss codes.  SQUARED: ``0.5 * sum_j (o_j - y_j) ** 2`` per sample (the
# paper's squared error on sigmoid outputs); SQUARED_MEAN: the mean over the
# outputs instead of the sum (scikit-learn's MLPRegressor loss).  Both have
# the output delta ``o - y`` (times the output activation's derivative).
SQUARED = 0
LOG_LOSS = 1
SQUARED_MEAN = 2
# POISSON: half the Poisson deviance, ``sum_j xlogy(y_j, y_j / o_j) - y_j + o_j``
# on exponential outputs (scikit-learn's MLPRegressor(loss='poisson')); its
# output delta is ``o - y``, as the log-loss's.
POISSON = 3

# Solver codes.
SOLVER_SGD = 0
SOLVER_ADAM = 1

# Slots of the float hyper-parameter vector of train_batches.
H_LR = 0  # current learning rate (SGD: the schedule's; adam: learning_rate_init)
H_ALPHA = 1  # L2 penalty
H_MOMENTUM = 2
H_NESTEROV = 3  # 1.0 for Nesterov's momentum
H_BETA1 = 4
H_BETA2 = 5
H_EPSILON = 6
N_HYPER = 7

# Risk codes (what is measured on the validation split).
RISK_MISCLASSIFICATION = 0
RISK_MSE = 1

# train_batches status codes.
OK = 0
DIVERGED = 1
