"""Mixed-precision training: autocast for the forward pass, float32 for the losses.

``precision="bf16"`` runs the encoder and head under ``torch.autocast`` with
bfloat16 (same exponent range as float32, no loss scaling needed);
``"16-mixed"`` with float16 and a ``torch.amp.GradScaler`` that scales the
loss so that small gradients do not underflow, and skips the steps whose
gradients overflow. In both, the loss and its normalisations (cosine
similarities, cross-correlations, variances) are computed in float32 on
float32 copies of the loss inputs, outside autocast.
"""

import contextlib

import torch

__all__ = ["FLOAT16_DEVICES", "PRECISIONS", "autocast", "check_precision", "float32_inputs",
           "grad_scaler", "loss_context"]

#: Accepted values of ``precision`` and the autocast dtype of each (None: none).
PRECISIONS = {"32": None, "bf16": torch.bfloat16, "16-mixed": torch.float16}

#: Device types where ``"16-mixed"`` is accepted: float16 convolutions on the
#: CPU ran about 60 times slower than float32 (10 SimCLR steps on GunPoint).
FLOAT16_DEVICES = {"cuda", "mps", "xpu"}


def check_precision(precision, device):
    """Raise a ValueError if ``precision`` cannot train on ``device``."""
    if precision == "16-mixed" and _device_type(device) not in FLOAT16_DEVICES:
        raise ValueError(
            f"precision='16-mixed' trains in float16, which is for GPUs; on device "
            f"{device!r} it runs tens of times slower than float32. Use precision='bf16' "
            "(fast on CPUs with AVX-512 BF16 or AMX) or '32'."
        )


def _device_type(device):
    return torch.device(device).type


def autocast(device, precision):
    """The autocast context of ``precision`` on ``device`` (a no-op for ``"32"``)."""
    dtype = PRECISIONS[precision]
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(_device_type(device), dtype=dtype)


def float32_inputs(inputs):
    """``inputs`` (a tuple of loss arguments) with floating tensors as float32."""
    return tuple(x.float() if torch.is_tensor(x) and x.is_floating_point() else x
                 for x in inputs)


def loss_context(device):
    """Context computing the loss outside autocast, in float32."""
    return torch.autocast(_device_type(device), enabled=False)


def grad_scaler(device, precision):
    """A ``GradScaler`` for ``"16-mixed"``, None otherwise."""
    if precision != "16-mixed":
        return None
    return torch.amp.GradScaler(_device_type(device))
