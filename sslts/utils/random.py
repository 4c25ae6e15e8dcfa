"""Seeding helpers: scikit-learn ``random_state`` to torch generators."""

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
