"""Reference classifiers measured in the same run as the self-supervised methods.

- ``"1nn"``: 1-nearest-neighbour, Euclidean distance on the raw series.
- ``"minirocket"``: MiniRocket features (Dempster, Schmidt & Webb 2021, KDD)
  and ``RidgeClassifierCV(alphas=np.logspace(-3, 3, 10))``, from sktime
  (needs numba).
- ``"ts2vec"``: the reference TS2Vec implementation (Yue et al. 2022, AAAI;
  PyPI package ``ts2vec``) with its default training settings, scored by
  the SVM probe.
- ``"random_encoder"``: the methods' default encoder with its random initial
  weights, no training, scored by the SVM probe: set beside a method, it
  shows what self-supervised training adds.
- ``"series_statistics"``: the ``2 c`` features that ``standardize="series"``
  appends to every embedding (each channel's mean and log standard
  deviation over the series), alone, scored by the SVM probe: set beside a
  method, it shows what the encoder adds beyond a series' level and spread.

Each returns a record ``{"accuracy", "fit_seconds", "peak_memory_mb",
"peak_gpu_memory_mb"}`` like :func:`~sslts.evaluation.evaluate_transformer`.
The optional ones (MiniRocket, TS2Vec) come with ``pip install "sslts[bench]"``.
"""

import functools
import importlib.util
import warnings
from collections import namedtuple

import numpy as np
import pandas as pd
import torch
from sklearn.linear_model import RidgeClassifierCV
from sklearn.utils import check_random_state

from ..methods.ts2vec import DEFAULT_HIDDEN_CHANNELS
from ..nn import build_encoder, standardized
from ..training.data import SeriesDataset
from ..training.net import embed
from ..utils.device import resolve_device
from ..utils.random import draw_seed, seeded_torch
from ..utils.tensors import resample
from ..utils.validation import check_time_series
from .probes import knn_probe, probe_accuracy
from .resources import track_resources

__all__ = [
    "BASELINES",
    "minirocket_baseline",
    "missing_dependency",
    "one_nn_baseline",
    "random_encoder_baseline",
    "run_baseline",
    "series_statistics_baseline",
    "ts2vec_baseline",
]

RIDGE_ALPHAS = np.logspace(-3, 3, 10)

#: TS2Vec settings of its authors' ``train.py`` for classification.
TS2VEC_PARAMS = dict(output_dims=320, hidden_dims=64, depth=10, lr=1e-3, batch_size=8,
                     max_train_length=3000)


def one_nn_baseline(X_train, y_train, X_test, y_test):
    """1-NN with Euclidean distance on the raw series.

    Series of different lengths are made comparable by resampling each one
    (its valid part, linear interpolation) to the length of the longest
    training series; equal-length data are used as they are. Missing values
    inside a series are interpolated as the estimators do.

    Parameters
    ----------
    X_train, X_test : array-like of shape (n, n_channels, n_timepoints)
        Series in any format of :func:`~sslts.utils.validation.check_time_series`.
    y_train, y_test : array-like of shape (n,)
        Labels.

    Returns
    -------
    record : dict
        ``accuracy`` on the test split, ``fit_seconds`` and ``peak_memory_mb``
        of the fit (resampling and indexing of the training series),
        ``peak_gpu_memory_mb`` (None).
    """
    (A, lengths_a), (B, lengths_b) = _check_splits(X_train, X_test)
    length = int(lengths_a.max())
    with track_resources() as usage:
        A = _to_length(A, lengths_a, length)
        model = knn_probe(A.reshape(len(A), -1), y_train)
    B = _to_length(B, lengths_b, length)
    return _record(model.score(B.reshape(len(B), -1), y_test), usage)


def _numba_without_openmp():
    """Keep numba off its OpenMP threading layer in this process, if still possible.

    Once numba's OpenMP layer has run (MiniRocket's parallel loops), torch's
    own OpenMP threads in the same process run slower: a SimCLR fit on
    ItalyPowerDemand with 2 threads took 7.5 s instead of 4.2 s after one
    MiniRocket fit (1 thread: unaffected; numba's workqueue layer: no
    slowdown). So before numba starts its threads, the workqueue layer is
    chosen, unless the user chose a layer (``NUMBA_THREADING_LAYER`` or
    ``numba.config.THREADING_LAYER``). If numba's OpenMP layer already runs,
    a RuntimeWarning says that fit times measured after it are inflated.
    """
    import numba

    try:
        layer = numba.threading_layer()
    except ValueError:  # numba has not started its threads yet
        if numba.config.THREADING_LAYER == "default":
            numba.config.THREADING_LAYER = "workqueue"
        return
    if layer == "omp":
        warnings.warn(
            "numba's OpenMP threading layer already runs in this process, which slows "
            "torch's threads (fits measured after it took up to 3 times longer). Run "
            "the benchmark in a fresh process, or set NUMBA_THREADING_LAYER=workqueue "
            "before numba starts.",
            RuntimeWarning,
            stacklevel=3,
        )


def minirocket_baseline(X_train, y_train, X_test, y_test, *, random_state=None):
    """MiniRocket features and a ridge classifier (sktime, needs numba).

    The sktime transformer is picked by the data: ``MiniRocket`` for
    univariate equal-length series, ``MiniRocketMultivariate`` for
    multivariate equal-length series, ``MiniRocketMultivariateVariable``
    (the authors' extension to unequal lengths, series shorter than 9 steps
    zero-padded to 9) when lengths differ. It is called directly, outside
    any scikit-learn ``Pipeline``, which breaks sktime estimators in
    scikit-learn 1.9. numba's compilation (tens of seconds, once per
    process) is done by an untimed fit on two series first, so
    ``fit_seconds`` is the fit alone. numba's threads use its workqueue
    layer, not OpenMP, unless the user chose a layer: its OpenMP layer
    slows the torch fits that follow in the same process (up to 3 times
    on 2 cores).

    Parameters
    ----------
    X_train, X_test : array-like of shape (n, n_channels, n_timepoints)
        Series in any format of :func:`~sslts.utils.validation.check_time_series`.
    y_train, y_test : array-like of shape (n,)
        Labels.
    random_state : int, RandomState instance or None, default=None
        Seeds MiniRocket's random choices.

    Returns
    -------
    record : dict
        ``accuracy`` on the test split, ``fit_seconds`` and ``peak_memory_mb``
        of the fit (transform of the training series and ridge fit),
        ``peak_gpu_memory_mb`` (None).
    """
    _require("minirocket")
    _numba_without_openmp()
    (A, lengths_a), (B, lengths_b) = _check_splits(X_train, X_test)
    lengths = np.concatenate([lengths_a, lengths_b])
    variable = bool(lengths.min() != lengths.max() or A.shape[2] != B.shape[2])
    seed = None if random_state is None else draw_seed(check_random_state(random_state))
    # numba compiles on the first call in a process: do it on two series, untimed
    _make_minirocket(A.shape[1], variable, seed).fit_transform(
        _rocket_input(A[:2], lengths_a[:2], variable))
    with track_resources() as usage:
        rocket = _make_minirocket(A.shape[1], variable, seed)
        features = np.asarray(rocket.fit_transform(_rocket_input(A, lengths_a, variable)))
        ridge = RidgeClassifierCV(alphas=RIDGE_ALPHAS).fit(features, y_train)
    test_features = np.asarray(rocket.transform(_rocket_input(B, lengths_b, variable)))
    return _record(ridge.score(test_features, y_test), usage)


def ts2vec_baseline(X_train, y_train, X_test, y_test, *, random_state=None, device="auto",
                    max_epochs=None):
    """The reference TS2Vec implementation with the SVM probe.

    Settings of its authors' classification script (:data:`TS2VEC_PARAMS`:
    320-d representations, batch size 8, 200 iterations for datasets of at
    most 100,000 values, 600 above), max-pooled over the whole series
    (``encoding_window="full_series"``), then
    :func:`~sslts.evaluation.svm_probe`. Series are passed as loaded
    (NaN right-padding for unequal lengths), without the per-dataset
    normalisation of the authors' data loader.

    Parameters
    ----------
    X_train, X_test : array-like of shape (n, n_channels, n_timepoints)
        Series in any format of :func:`~sslts.utils.validation.check_time_series`.
    y_train, y_test : array-like of shape (n,)
        Labels.
    random_state : int, RandomState or None, default=None
        Seeds torch and numpy for the fit (numpy's global state is restored
        afterwards).
    device : str, default="auto"
        Torch device, as in :func:`~sslts.utils.device.resolve_device`.
    max_epochs : int, default=None
        Train for this many epochs instead of the default iteration count
        (for quick runs).

    Returns
    -------
    record : dict
        ``accuracy`` on the test split, ``fit_seconds``, ``peak_memory_mb``
        and ``peak_gpu_memory_mb`` of the self-supervised fit.
    """
    _require("ts2vec")
    from ts2vec import TS2Vec

    (A, lengths_a), (B, _) = _check_splits(X_train, X_test)
    A = np.ascontiguousarray(A.transpose(0, 2, 1))  # TS2Vec takes (n, t, c)
    B = np.ascontiguousarray(B.transpose(0, 2, 1))
    device = resolve_device(device)
    seed = draw_seed(check_random_state(random_state))
    numpy_state = np.random.get_state()
    try:
        with seeded_torch(seed, device):
            np.random.seed(seed)  # TS2Vec draws its crops from numpy's global state
            with track_resources(device) as usage:
                model = TS2Vec(input_dims=A.shape[2], device=device, **TS2VEC_PARAMS)
                model.fit(A, n_epochs=max_epochs)
            Z_train = model.encode(A, encoding_window="full_series")
            Z_test = model.encode(B, encoding_window="full_series")
    finally:
        np.random.set_state(numpy_state)
    return _record(probe_accuracy("svm", Z_train, y_train, Z_test, y_test), usage)


def random_encoder_baseline(X_train, y_train, X_test, y_test, *, random_state=None,
                            device="auto", encoder="resnet", embedding_dim=128,
                            encoder_params=None, standardize="series"):
    """An encoder with random weights, scored by the SVM probe.

    By default the encoder SimCLR, Barlow Twins and VICReg train
    (``"resnet"``, 128-d embeddings), with PyTorch's default initialisation
    as in their ``fit`` and their default input standardisation, used
    without any training: eval mode, the encoder's pooling, then
    :func:`~sslts.evaluation.svm_probe`. The difference between a method and
    this baseline with the method's encoder and input is what
    self-supervised training adds.

    Parameters
    ----------
    X_train, X_test : array-like of shape (n, n_channels, n_timepoints)
        Series in any format of :func:`~sslts.utils.validation.check_time_series`.
    y_train, y_test : array-like of shape (n,)
        Labels.
    random_state : int, RandomState instance or None, default=None
        Seeds the random weights.
    device : str, default="auto"
        Torch device, as in :func:`~sslts.utils.device.resolve_device`.
    encoder : str, default="resnet"
        A name of :data:`sslts.nn.ENCODERS`.
    embedding_dim : int, default=128
        Its output size.
    encoder_params : dict, default=None
        Its further constructor arguments (see :func:`sslts.nn.build_encoder`).
    standardize : bool or "series", default="series"
        The input standardisation of the methods' ``standardize`` parameter,
        statistics taken on the training split (see
        :func:`sslts.nn.standardized`).

    Returns
    -------
    record : dict
        ``accuracy`` on the test split, ``fit_seconds`` and ``peak_memory_mb``
        of building the encoder and embedding the training series,
        ``peak_gpu_memory_mb``.
    """
    splits = _check_splits(X_train, X_test)
    device = resolve_device(device)
    seed = draw_seed(check_random_state(random_state))

    def build(n_channels):
        with seeded_torch(seed, device):
            return build_encoder(encoder, n_channels, embedding_dim, encoder_params)

    return _untrained_encoder_svm(build, standardize, splits, y_train, y_test, device)


class _NoFeatures(torch.nn.Module):
    """An encoder with an empty embedding: a series-standardised wrapper
    around it gives the series statistics alone."""

    out_features = 0

    def forward(self, x):
        return x.new_zeros(x.shape[0], 0)


def series_statistics_baseline(X_train, y_train, X_test, y_test):
    """The series statistics of ``standardize="series"`` alone, scored by the SVM probe.

    Each channel is standardised by its mean and standard deviation over the
    training split, then each series is described by the mean and the log
    standard deviation of each of its channels (``2 c`` features, NaN
    padding left out): exactly what the methods' default input
    standardisation appends to their embeddings
    (:class:`sslts.nn.SeriesStandardizedEncoder`), without any encoder. The
    difference between a method and this baseline is what its encoder adds
    beyond the level and the spread of a series.

    Parameters
    ----------
    X_train, X_test : array-like of shape (n, n_channels, n_timepoints)
        Series in any format of :func:`~sslts.utils.validation.check_time_series`.
    y_train, y_test : array-like of shape (n,)
        Labels.

    Returns
    -------
    record : dict
        ``accuracy`` on the test split, ``fit_seconds`` and ``peak_memory_mb``
        of computing the training features, ``peak_gpu_memory_mb`` (None).
    """
    splits = _check_splits(X_train, X_test)
    return _untrained_encoder_svm(lambda n_channels: _NoFeatures(), "series", splits, y_train,
                                  y_test, torch.device("cpu"))


def _untrained_encoder_svm(build, standardize, splits, y_train, y_test, device):
    """Embed both splits with ``build(n_channels)`` fed the input of
    ``standardize`` (statistics of the training split), then the SVM probe;
    the building and the training embeddings are what the record measures."""
    (A, lengths_a), (B, lengths_b) = splits
    with track_resources(device) as usage:
        train = SeriesDataset(A, lengths_a)
        module = build(A.shape[1])
        mean, std = train.channel_statistics() if standardize else (None, None)
        module = standardized(module, standardize, mean, std).to(device)
        Z_train = embed(module, train, 64, device)
    Z_test = embed(module, SeriesDataset(B, lengths_b), 64, device)
    return _record(probe_accuracy("svm", Z_train, y_train, Z_test, y_test), usage)


#: A baseline: table label, function, keyword options it takes, module it
#: needs (None: nothing optional), and the classifier it ends with.
Baseline = namedtuple("Baseline", "label function options requires classifier")

#: Name -> :class:`Baseline`.
BASELINES = {
    "1nn": Baseline("1-NN (raw)", one_nn_baseline, (), None, "knn"),
    "minirocket": Baseline("MiniRocket", minirocket_baseline, ("random_state",), "numba",
                           "ridge"),
    "ts2vec": Baseline("TS2Vec (reference code)", ts2vec_baseline,
                       ("random_state", "device", "max_epochs"), "ts2vec", "svm"),
    "random_encoder": Baseline("Random encoder", random_encoder_baseline,
                               ("random_state", "device"), None, "svm"),
    "random_ts2vec_encoder": Baseline(
        "Random TS2Vec encoder",
        functools.partial(random_encoder_baseline, encoder="ts2vec", embedding_dim=320,
                          encoder_params={"hidden_channels": DEFAULT_HIDDEN_CHANNELS}),
        ("random_state", "device"), None, "svm"),
    "series_statistics": Baseline("Series statistics", series_statistics_baseline, (), None,
                                  "svm"),
}


def missing_dependency(name):
    """Why baseline ``name`` cannot run here, or None when it can.

    Parameters
    ----------
    name : str
        A key of :data:`BASELINES`.

    Returns
    -------
    message : str or None
    """
    requires = BASELINES[name].requires
    if requires is None or importlib.util.find_spec(requires) is not None:
        return None
    return (
        f"The {BASELINES[name].label} baseline needs the {requires!r} package, "
        f"which is not installed: pip install \"sslts[bench]\" (or pip install {requires})."
    )


def run_baseline(name, X_train, y_train, X_test, y_test, **options):
    """Run baseline ``name``, passing it those ``options`` it takes.

    Parameters
    ----------
    name : {"1nn", "minirocket", "ts2vec"}
        A key of :data:`BASELINES`.
    X_train, y_train, X_test, y_test
        The splits, as for each baseline.
    **options
        Any of ``random_state``, ``device``, ``max_epochs``; those the
        baseline does not take are ignored (the 1-NN baseline is
        deterministic and takes none).

    Returns
    -------
    record : dict
        As returned by the baseline function.
    """
    if name not in BASELINES:
        raise ValueError(f"Unknown baseline {name!r}; choose among {sorted(BASELINES)}.")
    spec = BASELINES[name]
    kwargs = {key: value for key, value in options.items() if key in spec.options}
    return spec.function(X_train, y_train, X_test, y_test, **kwargs)


# --------------------------------------------------------------------------
# helpers


def _require(name):
    message = missing_dependency(name)
    if message is not None:
        raise ImportError(message)


def _check_splits(X_train, X_test):
    """Validate both splits: padded float32 arrays with the same channels."""
    A, lengths_a = check_time_series(X_train)
    B, lengths_b = check_time_series(X_test, n_channels=A.shape[1], min_samples=1,
                                     estimator_name="the baseline")
    return (A, lengths_a), (B, lengths_b)


def _to_length(X, lengths, length):
    """Resample the valid part of each series linearly to ``length`` steps."""
    if X.shape[2] == length and (lengths == length).all():
        return X
    lengths = torch.as_tensor(np.asarray(lengths), dtype=torch.int64)
    steps = torch.arange(length, dtype=torch.float64) / max(length - 1, 1)
    positions = steps[None, :] * (lengths - 1).to(torch.float64)[:, None]
    out = resample(torch.as_tensor(X, dtype=torch.float32), positions, lengths)
    return out.numpy()


def _make_minirocket(n_channels, variable, seed):
    from sktime.transformations.rocket import (
        MiniRocket,
        MiniRocketMultivariate,
        MiniRocketMultivariateVariable,
    )

    if variable:
        return MiniRocketMultivariateVariable(pad_value_short_series=0.0, random_state=seed)
    if n_channels > 1:
        return MiniRocketMultivariate(random_state=seed)
    return MiniRocket(random_state=seed)


def _rocket_input(X, lengths, variable):
    """numpy3D for equal lengths; sktime's ``df-list`` (t_i, c) frames otherwise."""
    if not variable:
        return X
    return [pd.DataFrame(X[i, :, :n].T) for i, n in enumerate(lengths)]


def _record(accuracy, usage):
    return {
        "accuracy": float(accuracy),
        "fit_seconds": usage.seconds,
        "peak_memory_mb": usage.peak_memory_mb,
        "peak_gpu_memory_mb": usage.peak_gpu_memory_mb,
    }
