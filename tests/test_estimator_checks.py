"""scikit-learn's estimator checks over every registered self-supervised method."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sslts.methods import METHODS

SMALL = dict(encoder="fcn", embedding_dim=8, max_epochs=2, batch_size=16, random_state=0)

ESTIMATORS = [cls(**SMALL) for _, cls in METHODS.values()]
ESTIMATORS.append(METHODS["simclr"][1](level="hierarchical", **SMALL))

LENGTH_MAY_CHANGE = (
    "A 2-D input is a batch of univariate series, and series of another length "
    "are valid at transform time, so a different number of columns is not an "
    "error (the channel count is checked instead); the rest of this check is "
    "covered in test_transformers.py."
)
EXPECTED_FAILED_CHECKS = {
    "check_n_features_in_after_fitting": LENGTH_MAY_CHANGE,
    "check_transformer_general": LENGTH_MAY_CHANGE,
}


@parametrize_with_checks(
    ESTIMATORS, expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
