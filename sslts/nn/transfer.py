"""Pretrained encoders: reuse, channel adaptation, safe saving and loading.

A trained encoder is reused through a copy of the module or through a file
written by :func:`save_encoder` and read by :func:`load_encoder`. The file
holds plain tensors, strings and numbers only (the built-in encoder's name,
its recorded constructor arguments and its weights), so loading it with
``torch.load(weights_only=True)`` never runs pickled code.

When the data has ``c`` channels and the pretrained encoder expects
``c_pre != c``, :func:`prepare_encoder` puts a trainable
:class:`ChannelAdapter` (a 1x1 convolution ``c -> c_pre``) in front of it
and warns, unless ``adapt_channels=False`` asks for a strict match.
"""

import copy
import warnings
from numbers import Integral

import torch
from torch import nn

from ..utils.params import check_int
from ..utils.tensors import padding_mask
from .build import ENCODERS, build_encoder
from .standardize import SeriesStandardizedEncoder, StandardizedEncoder

__all__ = [
    "AdaptedEncoder",
    "ChannelAdapter",
    "describe_encoder",
    "load_encoder",
    "prepare_encoder",
    "save_encoder",
    "unwrap_encoder",
]

FILE_FORMAT = "sslts.encoder"
FILE_VERSION = 2
#: Versions :func:`load_encoder` reads (1 had ``adapter_in_channels``, not ``wrappers``).
READABLE_VERSIONS = (1, 2)


class ChannelAdapter(nn.Module):
    """Trainable 1x1 convolution mapping ``in_channels`` to ``out_channels``.

    Padded steps (all channels NaN) stay NaN in the output, so the encoder
    behind the adapter masks them exactly as it masks its own input padding.
    Works on ``(n, c, t)`` series and on inputs with more trailing axes
    (``(n, c, h, w)``).

    The weights start as a channel mapping that keeps the scale of the data:
    output channel ``j`` copies input channel ``j`` when there are at least
    as many inputs as outputs (the inputs ``i`` with ``i % out_channels == j``
    are averaged), and copies input channel ``j % in_channels`` otherwise.
    The bias starts at zero.

    Parameters
    ----------
    in_channels : int
        Channels of the data.
    out_channels : int
        Channels the encoder behind the adapter expects.
    """

    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.in_channels = check_int("in_channels", in_channels)
        self.out_channels = check_int("out_channels", out_channels)
        self.conv = nn.Conv1d(self.in_channels, self.out_channels, 1)
        weight = torch.zeros(self.out_channels, self.in_channels)
        if self.in_channels >= self.out_channels:
            inputs = torch.arange(self.in_channels)
            weight[inputs % self.out_channels, inputs] = 1.0
            weight /= weight.sum(dim=1, keepdim=True)
        else:
            outputs = torch.arange(self.out_channels)
            weight[outputs, outputs % self.in_channels] = 1.0
        with torch.no_grad():
            self.conv.weight.copy_(weight.unsqueeze(-1))
            self.conv.bias.zero_()

    def forward(self, x):
        """Map ``x`` of shape ``(n, in_channels, ...)`` to ``(n, out_channels, ...)``."""
        if x.dim() < 3 or x.shape[1] != self.in_channels:
            raise ValueError(
                f"ChannelAdapter expects input of shape (n, {self.in_channels}, ...), "
                f"got {tuple(x.shape)}"
            )
        valid = padding_mask(x)  # (n, t): padding spans every other axis
        valid = valid.view(x.shape[0], *([1] * (x.dim() - 2)), x.shape[-1])
        flat = x.masked_fill(torch.isnan(x), 0.0).flatten(2)
        out = self.conv(flat).view(x.shape[0], self.out_channels, *x.shape[2:])
        return out.masked_fill(~valid, float("nan"))


class AdaptedEncoder(nn.Module):
    """A :class:`ChannelAdapter` followed by a (pretrained) encoder.

    Parameters
    ----------
    encoder : nn.Module
        Encoder with an integer ``in_channels`` attribute.
    in_channels : int
        Channels of the data fed to the adapter.

    Attributes
    ----------
    adapter : ChannelAdapter
        The ``in_channels -> encoder.in_channels`` input layer.
    in_channels : int
        Channels of the input.
    out_features : int
        ``encoder.out_features``, when the encoder has it.
    """

    def __init__(self, encoder, in_channels):
        super().__init__()
        target = _in_channels(encoder)
        if target is None:
            raise ValueError(
                f"Cannot adapt the channels of {type(encoder).__name__}: it has no "
                "integer attribute in_channels telling how many channels it expects."
            )
        self.adapter = ChannelAdapter(in_channels, target)
        self.encoder = encoder
        self.in_channels = self.adapter.in_channels
        if hasattr(encoder, "out_features"):
            self.out_features = int(encoder.out_features)

    def forward(self, x):
        """Embed ``x`` of shape ``(n, in_channels, ...)``."""
        return self.encoder(self.adapter(x))

    def forward_features(self, x, **kwargs):
        """Per-time-step features of ``x``, for an encoder that gives them."""
        return self.encoder.forward_features(self.adapter(x), **kwargs)


#: Modules around a built-in encoder that an encoder file describes, by name.
WRAPPERS = {"adapt": AdaptedEncoder, "standardize": StandardizedEncoder,
            "standardize_series": SeriesStandardizedEncoder}


def unwrap_encoder(module):
    """The encoder inside any :class:`AdaptedEncoder` and
    :class:`~sslts.nn.StandardizedEncoder` wrappers, and the wrappers.

    Returns
    -------
    encoder : nn.Module
    wrappers : list of (str, int)
        ``(kind, in_channels)`` of each wrapper from the outermost in, kind
        being a key of :data:`WRAPPERS`.
    """
    wrappers = []
    kinds = {cls: kind for kind, cls in WRAPPERS.items()}
    while type(module) in kinds:
        wrappers.append((kinds[type(module)], module.in_channels))
        module = module.encoder
    return module, wrappers


def _in_channels(module):
    """The channel count a module declares through ``in_channels``, else None."""
    value = getattr(module, "in_channels", None)
    if isinstance(value, Integral) and not isinstance(value, bool):
        return int(value)
    return None


def prepare_encoder(encoder, in_channels, out_features, *, params=None, adapt_channels=True):
    """Build the encoder to train on data with ``in_channels`` channels.

    Parameters
    ----------
    encoder : str, nn.Module class or nn.Module instance
        As for :func:`~sslts.nn.build_encoder`: an instance (for instance a
        pretrained encoder) is copied, never modified.
    in_channels : int
        Channels of the data.
    out_features : int
        Embedding size of encoders built from a name or a class.
    params : dict, default=None
        Further constructor arguments of an encoder built from a name or a
        class (see :func:`~sslts.nn.build_encoder`).
    adapt_channels : bool, default=True
        If the encoder declares ``in_channels`` different from the data's,
        wrap it in an :class:`AdaptedEncoder` and warn (True), or raise a
        ValueError (False).

    Returns
    -------
    nn.Module
        A new module; the caller's objects are never changed.

    Notes
    -----
    Encoders without an integer ``in_channels`` attribute are used as they
    are: they must accept the data's channels themselves.
    """
    module = build_encoder(encoder, in_channels, out_features, params)
    expected = _in_channels(module)
    if expected is None or expected == in_channels:
        return module
    if not adapt_channels:
        raise ValueError(
            f"The pretrained encoder expects {expected} channels but X has "
            f"{in_channels}. Pass data with {expected} channels, or set "
            f"adapt_channels=True to learn a {in_channels} -> {expected} channel "
            "input layer in front of the encoder."
        )
    warnings.warn(
        f"The pretrained encoder expects {expected} channels but X has "
        f"{in_channels}: a trainable 1x1 convolution from {in_channels} to "
        f"{expected} channels is put in front of it. Set adapt_channels=False "
        "to make a channel mismatch an error.",
        UserWarning,
        stacklevel=3,
    )
    return AdaptedEncoder(module, in_channels)


# --------------------------------------------------------------------------
# description of built-in encoders


def _plain(value):
    """Whether ``value`` is made of None, bool, int, float, str and tuples only."""
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, (bool, int, float, str))


def _shapes(module):
    return {k: tuple(v.shape) for k, v in module.state_dict().items()}


def _same_function(module, rebuilt):
    """Whether ``rebuilt``, given ``module``'s weights, computes what ``module`` does."""
    rebuilt.load_state_dict(module.state_dict())
    original = copy.deepcopy(module).cpu().eval()
    ndim = getattr(type(module), "input_ndim", 3)
    shape = (2, module.in_channels) + (32,) * (ndim - 2)
    x = torch.randn(shape, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        return torch.allclose(original(x), rebuilt.eval()(x), rtol=1e-4, atol=1e-5)


def describe_encoder(module):
    """Architecture of a built-in encoder, enough to rebuild it.

    Parameters
    ----------
    module : nn.Module
        An instance of a class of :data:`~sslts.nn.ENCODERS` (not a
        subclass), possibly inside :class:`AdaptedEncoder` and
        :class:`~sslts.nn.StandardizedEncoder` wrappers.

    Returns
    -------
    dict
        ``name`` (the key in :data:`~sslts.nn.ENCODERS`), ``kwargs`` (the
        constructor arguments the encoder recorded in ``init_kwargs``:
        ``in_channels``, ``out_features``, ...) and ``wrappers`` (see
        :func:`unwrap_encoder`; their statistics and weights are in the
        state dict).

    Raises
    ------
    TypeError
        If the module is not a built-in encoder or its architecture cannot be
        recovered.
    """
    module, wrappers = unwrap_encoder(module)
    cls = type(module)
    names = [name for name, known in ENCODERS.items() if known is cls]
    hint = (
        "Only the built-in encoders (sslts.nn.ENCODERS) can be saved by name. For "
        "another module, pickle the fitted estimator, or save the weights with "
        "torch.save(module.state_dict(), path) and rebuild the module yourself."
    )
    if not names:
        raise TypeError(f"Cannot describe an encoder of class {cls.__name__}. {hint}")
    kwargs = {k: tuple(v) if isinstance(v, list) else v
              for k, v in getattr(module, "init_kwargs", {}).items()}
    try:
        rebuilt = cls(**kwargs) if all(_plain(v) for v in kwargs.values()) else None
    except (TypeError, ValueError):
        rebuilt = None
    if (rebuilt is None or _shapes(rebuilt) != _shapes(module)
            or not _same_function(module, rebuilt)):
        raise TypeError(
            f"Cannot recover the constructor arguments of this {cls.__name__}. {hint}"
        )
    return {"name": names[0], "kwargs": kwargs, "wrappers": tuple(wrappers)}


def _build(description):
    module = ENCODERS[description["name"]](**description["kwargs"])
    wrappers = description.get("wrappers")
    if wrappers is None:  # version 1
        adapter = description["adapter_in_channels"]
        wrappers = () if adapter is None else (("adapt", adapter),)
    for kind, in_channels in reversed(wrappers):
        if kind == "adapt":
            module = AdaptedEncoder(module, in_channels)
        else:  # statistics come with the state dict
            module = WRAPPERS[kind](module, [0.0] * in_channels, [1.0] * in_channels)
    return module


# --------------------------------------------------------------------------
# files


def save_encoder(module, path):
    """Write a built-in encoder's architecture and weights to ``path``.

    Parameters
    ----------
    module : nn.Module
        A built-in encoder (see :func:`describe_encoder`), possibly behind a
        :class:`ChannelAdapter`.
    path : str, os.PathLike or file-like object
        Destination, written with ``torch.save``.

    Raises
    ------
    TypeError
        If the module is not a built-in encoder (see :func:`describe_encoder`).
    """
    description = describe_encoder(module)
    state = {k: v.detach().cpu().clone() for k, v in module.state_dict().items()}
    torch.save({"format": FILE_FORMAT, "version": FILE_VERSION, **description,
                "state_dict": state}, path)


def load_encoder(path):
    """Rebuild an encoder written by :func:`save_encoder`.

    The file is read with ``torch.load(path, weights_only=True)``: only
    tensors, strings and numbers are unpickled, never code.

    Parameters
    ----------
    path : str, os.PathLike or file-like object
        A file written by :func:`save_encoder` (or by ``save_encoder`` of a
        fitted sslts estimator).

    Returns
    -------
    nn.Module
        The encoder on the CPU, in eval mode. Pass it as ``encoder=`` to an
        sslts estimator to start training from it.

    Raises
    ------
    ValueError
        If the file is not an sslts encoder file or its content is
        inconsistent.
    """
    where = path if isinstance(path, (str, bytes)) or hasattr(path, "__fspath__") else "the file"
    try:
        content = torch.load(path, map_location="cpu", weights_only=True)
    except OSError:
        raise
    except Exception as exc:
        raise ValueError(
            f"{where} is not an sslts encoder file (torch.load with weights_only=True "
            f"failed: {exc}). Write encoder files with save_encoder."
        ) from exc
    if not isinstance(content, dict) or content.get("format") != FILE_FORMAT:
        raise ValueError(
            f"{where} is not an sslts encoder file: it holds "
            f"{type(content).__name__} without format {FILE_FORMAT!r}. Write "
            "encoder files with save_encoder."
        )
    if content.get("version") not in READABLE_VERSIONS:
        raise ValueError(
            f"{where} is an sslts encoder file of version {content.get('version')!r}; "
            f"this version of sslts reads versions {READABLE_VERSIONS}."
        )
    try:
        module = _build(content)
        module.load_state_dict(content["state_dict"])
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        raise ValueError(f"{where} is a damaged sslts encoder file: {exc}") from exc
    return module.eval()
