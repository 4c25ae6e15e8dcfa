"""Published test accuracies on the bundled UCR/UEA datasets, shown for reference.

Sources: TS2Vec, Yue et al. 2022 (AAAI), appendix values as reproduced in
later papers; T-Loss, Franceschi et al. 2019 (NeurIPS), ``results_ucr.csv``
and ``results_uea.csv`` in the authors' repository; MiniRocket, Dempster et
al. 2021 (KDD), results CSVs in the authors' repository. None marks a
dataset the paper did not report.
"""

__all__ = ["REFERENCE_ACCURACY", "REFERENCE_METHODS", "reference_accuracy"]

#: Column order of the reference numbers.
REFERENCE_METHODS = ("TS2Vec", "T-Loss", "MiniRocket")

#: Dataset -> {method: published test accuracy or None}.
REFERENCE_ACCURACY = {
    "ACSF1": {"TS2Vec": 0.910, "T-Loss": 0.900, "MiniRocket": 0.920},
    "ArrowHead": {"TS2Vec": 0.857, "T-Loss": 0.766, "MiniRocket": 0.863},
    "GunPoint": {"TS2Vec": 0.980, "T-Loss": 0.980, "MiniRocket": 0.993},
    "ItalyPowerDemand": {"TS2Vec": 0.925, "T-Loss": 0.954, "MiniRocket": 0.969},
    "OSULeaf": {"TS2Vec": 0.851, "T-Loss": 0.760, "MiniRocket": 0.959},
    "PLAID": {"TS2Vec": 0.561, "T-Loss": 0.555, "MiniRocket": None},
    "BasicMotions": {"TS2Vec": None, "T-Loss": 1.000, "MiniRocket": None},
    "JapaneseVowels": {"TS2Vec": None, "T-Loss": 0.989, "MiniRocket": None},
}


def reference_accuracy(dataset):
    """Published accuracies for ``dataset``.

    Parameters
    ----------
    dataset : str
        Dataset name.

    Returns
    -------
    accuracies : dict
        ``{method: accuracy or None}`` for each of :data:`REFERENCE_METHODS`;
        all None for a dataset without published numbers here.
    """
    known = REFERENCE_ACCURACY.get(dataset, {})
    return {method: known.get(method) for method in REFERENCE_METHODS}
