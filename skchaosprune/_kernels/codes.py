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

# Loss codes.
SQUARED = 0
LOG_LOSS = 1

# Risk codes (what is measured on the validation split).
RISK_MISCLASSIFICATION = 0
RISK_MSE = 1

# train_batches status codes.
OK = 0
DIVERGED = 1
