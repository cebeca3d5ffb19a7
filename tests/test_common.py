"""scikit-learn's estimator contract, run over every public estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skchaosprune import DenseMLPClassifier, DenseMLPRegressor

ESTIMATORS = [DenseMLPClassifier(), DenseMLPRegressor()]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
