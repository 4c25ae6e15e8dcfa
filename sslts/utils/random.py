"""Seeding helpers: scikit-learn ``random_state`` to torch generators."""

import contextlib

import numpy as np
import torch

MAX_SEED = np.iinfo(np.int32).max


def draw_seed(rng):
    """Draw one integer seed from a numpy ``RandomState``."""
    return int(rng.randint(MAX_SEED))


def seeded_generator(seed, device="cpu"):
    """Return a ``torch.Generator`` on ``device`` seeded with ``seed``."""
    generator = torch.Generator(device=device)
    generator.manual_seed(int(seed))
    return generator


@contextlib.contextmanager
def seeded_torch(seed, device="cpu"):
    """Seed torch's global generators inside the block, restoring them after.

    Covers code that draws from the global generators (weight initialisation,
    dropout in custom modules) without changing the caller's random state.
    ``device`` is the training device; a CUDA device's generator is forked too.
    """
    device = torch.device(device)
    cuda = [device.index or 0] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=cuda):
        torch.manual_seed(int(seed))
        yield
