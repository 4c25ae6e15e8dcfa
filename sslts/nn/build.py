"""The encoder registry and the building and probing of encoders."""

import copy
import inspect

import torch
from torch import nn

from .encoders import FCN, DilatedCNN, ResNet1D, TS2VecEncoder
from .encoders_2d import ResNet2D

__all__ = ["ENCODERS", "build_encoder", "encoder_output_dim", "timestamp_features_dim"]

ENCODERS = {"resnet": ResNet1D, "fcn": FCN, "dilated_cnn": DilatedCNN, "ts2vec": TS2VecEncoder,
            "resnet2d": ResNet2D}


def build_encoder(encoder, in_channels, out_features, params=None):
    """Build an encoder module from a name, a class or an instance.

    Parameters
    ----------
    encoder : str, nn.Module subclass or nn.Module instance
        A key of :data:`ENCODERS`; a class, called as
        ``cls(in_channels=in_channels, out_features=out_features, **params)``;
        or an instance, which is deep-copied (the caller's module is never
        changed).
    in_channels : int
        Number of input channels.
    out_features : int
        Embedding size (ignored for instances).
    params : dict, default=None
        Further constructor arguments of an encoder built from a name or a
        class (e.g. ``{"hidden_channels": 128}``); an instance takes none.

    Returns
    -------
    nn.Module

    Raises
    ------
    ValueError
        If ``params`` is given with an instance, or names ``in_channels``
        or ``out_features``.
    TypeError
        If the class does not take an argument of ``params``.
    """
    params = dict(params or {})
    reserved = sorted({"in_channels", "out_features"} & set(params))
    if reserved:
        raise ValueError(
            f"encoder_params may not set {', '.join(reserved)}: the channels come from X "
            "and the output size from embedding_dim.")
    if isinstance(encoder, str):
        if encoder not in ENCODERS:
            raise ValueError(f"unknown encoder {encoder!r}; valid names are {sorted(ENCODERS)}")
        encoder = ENCODERS[encoder]
    if isinstance(encoder, type) and issubclass(encoder, nn.Module):
        accepted = inspect.signature(encoder).parameters
        unknown = [name for name in params if name not in accepted and not any(
            p.kind is p.VAR_KEYWORD for p in accepted.values())]
        if unknown:
            raise TypeError(
                f"encoder_params has {', '.join(map(repr, unknown))}, which "
                f"{encoder.__name__} does not take; its arguments are "
                f"{', '.join(n for n in accepted if n not in ('in_channels', 'out_features'))}.")
        try:
            return encoder(in_channels=in_channels, out_features=out_features, **params)
        except TypeError as exc:
            raise TypeError(
                f"encoder class {encoder.__name__} must be constructible as "
                f"{encoder.__name__}(in_channels=..., out_features=...): {exc}"
            ) from exc
    if isinstance(encoder, nn.Module):
        if params:
            raise ValueError(
                f"encoder_params={params!r} is for encoders built from a name or a class, "
                f"but the encoder is an instance of {type(encoder).__name__} (or a pretrained "
                "encoder), already built: leave encoder_params=None.")
        return copy.deepcopy(encoder)
    raise TypeError(
        "encoder must be a name in "
        f"{sorted(ENCODERS)}, an nn.Module subclass or an nn.Module instance, "
        f"got {type(encoder).__name__}"
    )


def encoder_output_dim(module, in_channels, ndim=3):
    """Embedding size of an encoder, checked on a probe batch.

    Parameters
    ----------
    module : nn.Module
        Encoder mapping ``(n, in_channels, t)`` (or ``(n, in_channels, h, w)``
        when ``ndim=4``) to ``(n, d)``.
    in_channels : int
        Number of input channels.
    ndim : {3, 4}, default=3
        Dimensionality of the encoder's input batches.

    Returns
    -------
    int
        ``d`` from a forward pass on zeros ``(2, in_channels, 16)``
        (``(2, in_channels, 16, 16)`` when ``ndim=4``) in eval mode
        (training flag restored).

    Raises
    ------
    ValueError
        If the module fails on the probe batch, does not return a 2-D
        ``(n, d)`` tensor, or declares an ``out_features`` other than ``d``.
    """
    shape = (2, in_channels, *(16,) * (ndim - 2))
    name = type(module).__name__
    out = _probe(module, module, shape)
    if not isinstance(out, torch.Tensor) or out.dim() != 2 or out.shape[0] != shape[0]:
        got = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        raise ValueError(
            f"The encoder {name} returned {got} for a batch of shape {shape}; it must "
            "return one embedding per series, a 2-D tensor (n, out_features): pool "
            "over time (for instance with sslts.nn.masked_mean_pool)."
        )
    declared = getattr(module, "out_features", None)
    if declared is not None and int(declared) != out.shape[1]:
        raise ValueError(
            f"The encoder {name} declares out_features={declared} but returns "
            f"{out.shape[1]} features; make them agree."
        )
    return int(out.shape[1])


def timestamp_features_dim(module, in_channels):
    """Width of an encoder's per-timestamp features, checked on a probe batch.

    Parameters
    ----------
    module : nn.Module
        Encoder with ``forward_features`` mapping ``(n, in_channels, t)`` to
        ``(n, d, t)``.
    in_channels : int
        Number of input channels.

    Returns
    -------
    int
        ``d`` from ``forward_features`` on zeros ``(2, in_channels, 16)`` in
        eval mode (training flag restored).

    Raises
    ------
    ValueError
        If the call fails or does not return a ``(n, d, t)`` tensor, one
        feature vector per time step of the input.
    """
    shape = (2, in_channels, 16)
    out = _probe(module, module.forward_features, shape)
    if not isinstance(out, torch.Tensor) or out.dim() != 3 or out.shape[::2] != (2, 16):
        got = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        raise ValueError(
            f"The forward_features of the encoder {type(module).__name__} returned {got} "
            f"for a batch of shape {shape}; it must return (n, features, t): one "
            f"feature vector per time step, here (2, features, 16)."
        )
    return int(out.shape[1])


def _probe(module, call, shape):
    """``call`` on zeros of ``shape`` (``module``'s device and dtype) in eval mode."""
    param = next(module.parameters(), None)
    kwargs = {"device": param.device, "dtype": param.dtype} if param is not None else {}
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            return call(torch.zeros(shape, **kwargs))
    except RuntimeError as error:
        raise ValueError(
            f"The encoder {type(module).__name__} failed on a batch of shape {shape}: "
            f"{error}. An encoder must take (n, {shape[1]}, ...) batches (the channels "
            "of X) of any length."
        ) from error
    finally:
        module.train(was_training)
