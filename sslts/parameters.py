"""Parameters shared by the sslts estimators: constraints and docs, written once.

The self-supervised transformers (:class:`~sslts.base.BaseSSLTransformer`)
and the fine-tuners (:class:`~sslts.SSLClassifier`,
:class:`~sslts.SSLRegressor`) read their common parameters from
:data:`CONSTRAINTS` and :data:`PARAMETER_DOCS`; a class docstring names the
entries it wants with :func:`fill_doc`.
"""

from numbers import Integral, Real

import torch
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, RealNotInt, StrOptions

from .augmentations import BaseAugmentation
from .nn import ENCODERS

__all__ = ["ATTRIBUTE_DOCS", "CONSTRAINTS", "PARAMETER_DOCS", "fill_doc"]

#: scikit-learn parameter constraints, by parameter name.
CONSTRAINTS = {
    "encoder": [StrOptions(set(ENCODERS)), type, torch.nn.Module, BaseEstimator],
    "embedding_dim": [Interval(Integral, 1, None, closed="left")],
    "encoder_params": [None, dict],
    "adapt_channels": ["boolean"],
    "standardize": ["boolean", StrOptions({"series"})],
    "head_dims": [None, tuple, list],
    "augmentations": [None, BaseAugmentation],
    "max_epochs": [Interval(Integral, 1, None, closed="left")],
    "max_steps": [None, Interval(Integral, 1, None, closed="left")],
    "max_train_length": [None, Interval(Integral, 2, None, closed="left")],
    "batch_size": [Interval(Integral, 2, None, closed="left")],
    "max_samples_per_epoch": [None, Interval(Integral, 2, None, closed="left"),
                              Interval(RealNotInt, 0, 1, closed="right")],
    "lr": [Interval(Real, 0, None, closed="neither")],
    "weight_decay": [Interval(Real, 0, None, closed="left")],
    "validation_fraction": [None, Interval(Real, 0, 1, closed="neither")],
    "device": [str],
    "precision": [StrOptions({"32", "bf16", "16-mixed"})],
    "n_jobs": [None, Interval(Integral, None, -1, closed="right"),
               Interval(Integral, 1, None, closed="left")],
    "callbacks": [None, list],
    "warm_start": ["boolean"],
    "verbose": ["verbose"],
    "random_state": ["random_state"],
    "level": [StrOptions({"series", "hierarchical"})],
}

#: numpydoc entries of the shared parameters, by parameter name.
PARAMETER_DOCS = {
    "encoder": """\
    encoder : {"resnet", "fcn", "dilated_cnn", "resnet2d"}, torch.nn.Module class or instance, \
or fitted estimator, default="resnet"
        The encoder, mapping ``(n, c, t)`` batches to ``(n, d)`` embeddings. A
        name of :data:`sslts.nn.ENCODERS` or a class (built as
        ``cls(in_channels=..., out_features=embedding_dim)``) gives a new
        encoder; an instance is copied (it must handle NaN right-padding, see
        :func:`sslts.nn.padding_mask`). A fitted sslts estimator (e.g. a
        fitted ``SimCLRTransformer``) or a module from
        :func:`sslts.nn.load_encoder` starts from that pretrained encoder; the
        estimator is not modified, and clones share it. For 4-D input
        (spectrograms, images) the encoder is 2-D: ``"resnet2d"``, which
        ``"resnet"`` becomes automatically, or a module taking ``(n, c, h, w)``.""",
    "embedding_dim": """\
    embedding_dim : int, default=128
        Output size of encoders built from a name or a class.""",
    "encoder_params": """\
    encoder_params : dict, default=None
        Further constructor arguments of an encoder built from a name or a
        class, e.g. ``{"widths": (32, 64)}`` for "resnet",
        ``{"hidden_channels": 128, "depth": 6}`` for "dilated_cnn", or
        ``{"pooling": "max"}`` (see the classes of :mod:`sslts.nn`); an
        argument the class does not take is a TypeError. None builds it
        with its own defaults. An encoder instance or a pretrained one is
        already built and takes none.""",
    "adapt_channels": """\
    adapt_channels : bool, default=True
        When the encoder expects another number of channels than ``X`` has (a
        pretrained encoder), learn a 1x1 convolution mapping the channels of
        ``X`` to the encoder's and warn; if False, raise a ValueError.""",
    "standardize": """\
    standardize : bool or "series", default="series"
        True standardises each channel of the input by its mean and standard
        deviation over the training series (all series and time steps, NaN
        left out; a constant channel is only centred), so that the model
        does not depend on the data's units (volts or millivolts give the
        same fit). "series" (the default) then also standardises each series
        on its own, and appends its mean and log standard deviation per
        channel to the embedding (``embedding_dim + 2 c`` features,
        :class:`sslts.nn.SeriesStandardizedEncoder`): every series' shape is
        seen at one scale even when amplitudes differ by orders of magnitude
        between series (currents of different appliances), and its level
        and spread are kept. The statistics are part of the encoder
        (:class:`sslts.nn.StandardizedEncoder`): ``transform``, pickles,
        encoder files and fine-tuning from it apply the same ones, and an
        encoder that already standardises its input (a pretrained one)
        keeps its own. False feeds the values as they are. See the "How the
        defaults were chosen" page for the measurements.""",
    "head_dims": """\
    head_dims : tuple of int, default=None
        Projection head sizes; None gives the method's default.""",
    "augmentations": """\
    augmentations : BaseAugmentation, default=None
        Policy making the views; None gives the method's default policy,
        :func:`sslts.augmentations.default_policy` (the image policy for 4-D
        input). It must match the input's dimensionality.""",
    "max_epochs": """\
    max_epochs : int, default=100
        Most passes over the data in ``fit`` (``max_steps``, where the
        estimator has it, and callbacks such as ``EarlyStopping`` can stop
        training earlier).""",
    "max_steps": """\
    max_steps : int, default=200
        Optimizer step budget of ``fit``: training stops after this many
        steps, within an epoch if need be, or after ``max_epochs`` epochs if
        that comes first, so that a large dataset costs about as much as a
        small one. None trains for ``max_epochs``. ``partial_fit`` makes one
        whole pass over the data it is given.""",
    "max_train_length": """\
    max_train_length : int, default=256
        Series longer than this are trained on random windows of this many
        steps (a new window at each step); ``transform`` always embeds whole
        series. None trains on whole series, at a cost growing with their
        length.""",
    "batch_size": """\
    batch_size : int, default=64
        Series per batch (at least 2).""",
    "max_samples_per_epoch": """\
    max_samples_per_epoch : int or float, default=None
        Train each epoch on a fresh random subset of this many series (int,
        at least 2; more than there are means all) or of this fraction of
        them (float in (0, 1]); None uses every series in every epoch.""",
    "lr": """\
    lr : float, default=1e-3
        AdamW learning rate.""",
    "weight_decay": """\
    weight_decay : float, default=1e-4
        AdamW weight decay.""",
    "validation_fraction": """\
    validation_fraction : float, default=None
        Fraction of the series held out at random to record ``valid_loss``
        per epoch (for instance for ``EarlyStopping``); None trains on all.""",
    "device": """\
    device : str, default="auto"
        ``"auto"`` (CUDA when available), ``"cpu"``, ``"cuda"``,
        ``"cuda:N"`` or ``"mps"``.""",
    "precision": """\
    precision : {"32", "bf16", "16-mixed"}, default="32"
        Arithmetic of training. ``"bf16"``: the encoder and head run under
        ``torch.autocast`` in bfloat16 (CPUs with AVX-512 BF16 or AMX, and
        GPUs from NVIDIA Ampere on); ``"16-mixed"``: in float16 with a
        gradient scaler, on GPUs only (refused on the CPU, where float16 is
        slow). The loss is computed in float32 in both, and ``transform``
        always embeds in float32. See the "Scaling" page.""",
    "n_jobs": """\
    n_jobs : int, default=None
        CPU threads of torch in ``fit``, ``transform`` and the other methods
        (the calling thread's setting is restored afterwards). None: the
        cores that other processes leave idle when the call starts, shared
        among the sslts calls running at once in this process, and at most
        ``torch.get_num_threads()`` (so ``OMP_NUM_THREADS``,
        ``torch.set_num_threads``, ``threadpoolctl`` limits and joblib's
        workers are respected); on a machine where another job holds a core
        this avoids torch's threads spinning against it. A positive int:
        that many threads; -1: all CPUs, -2: all but one, and so on. The
        embeddings of a seed depend on the number of threads by float
        rounding: fix it for bit-identical runs. See the "Scaling" page.""",
    "callbacks": """\
    callbacks : list of skorch callbacks, default=None
        Extra callbacks (EarlyStopping, Checkpoint, LRScheduler, loggers),
        bare or as ``(name, callback)`` pairs; copied at each fit.""",
    "warm_start": """\
    warm_start : bool, default=False
        If True, ``fit`` continues training the fitted network. Parameters
        of the training (budget, optimizer, loss, augmentations, callbacks,
        ``random_state``) may change between fits and take effect; those of
        the architecture (``encoder``, ``embedding_dim``, ``encoder_params``,
        ``head_dims``, ``adapt_channels``, ``standardize``) and ``device``
        may not: changing them raises a ValueError.""",
    "verbose": """\
    verbose : int, default=0
        Print a per-epoch table and a progress bar when positive.""",
    "random_state": """\
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and the other random draws of
        training (augmentations, windows, subsets).""",
    "level": """\
    level : {"series", "hierarchical"}, default="series"
        What the loss compares. "series": the pooled, projected embeddings
        of two augmented views of each series. "hierarchical": the
        projected features of each timestamp of two overlapping random crops
        of each series, at every scale of a max-pooling pyramid over time
        (as TS2Vec does; time series only), with half the timestamps masked
        after the encoder's first layer and feature dropout 0.1 in
        training; its default ``augmentations`` are then none, and others
        must keep timestamps aligned (magnitude, noise).""",
}

#: numpydoc entries of the shared fitted attributes, by attribute name.
ATTRIBUTE_DOCS = {
    "encoder_": """\
    encoder_ : torch.nn.Module
        The trained encoder; pass the fitted estimator as ``encoder=`` to
        start another model from it, or save it with ``save_encoder(path)``.""",
    "embedding_dim_": """\
    embedding_dim_ : int
        Output size of the encoder.""",
    "n_features_in_": """\
    n_features_in_ : int
        ``X.shape[1]`` of the training array (channels for 3-D input).""",
    "n_channels_in_": """\
    n_channels_in_ : int
        Number of channels seen in ``fit``.""",
    "input_ndim_": """\
    input_ndim_ : int
        3 when fitted on time series (2-D input is read as univariate), 4
        when fitted on spectrograms or images; later calls need the same.""",
    "feature_names_in_": """\
    feature_names_in_ : ndarray of str
        Column names, when ``X`` was a DataFrame with string column names.""",
}


def fill_doc(extra=None, **entries):
    """Class decorator substituting shared docs into ``cls.__doc__``.

    Parameters
    ----------
    extra : dict, default=None
        More entries by name, looked up after :data:`PARAMETER_DOCS` and
        :data:`ATTRIBUTE_DOCS`.
    **entries : sequence of str
        For each ``%(key)s`` placeholder of the docstring, the names whose
        entries replace it, in order.

    Returns
    -------
    decorator : callable
    """
    docs = {**PARAMETER_DOCS, **ATTRIBUTE_DOCS, **(extra or {})}

    def decorate(cls):
        cls.__doc__ = cls.__doc__ % {key: "\n".join(docs[name] for name in names)
                                     for key, names in entries.items()}
        return cls
    return decorate
