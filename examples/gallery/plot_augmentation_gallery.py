"""
What the augmentations do
=========================

Self-supervised methods learn what stays the same between two augmented views
of a series. ``plot_augmentations`` draws one series under each augmentation:
the original faintly, three random views on top.
"""

# %%
from sslts.augmentations import (
    Blockout,
    Jitter,
    MagnitudeWarp,
    Permutation,
    Scaling,
    TimeWarp,
    default_policy,
)
from sslts.datasets import load_ucr_uea
from sslts.plotting import plot_augmentations

X, _ = load_ucr_uea("GunPoint", "train")
augmentations = {
    "default policy": default_policy(),
    "Jitter(sigma=0.1)": Jitter(sigma=0.1),
    "Scaling(sigma=0.3)": Scaling(sigma=0.3),
    "TimeWarp(sigma=0.4)": TimeWarp(sigma=0.4),
    "MagnitudeWarp()": MagnitudeWarp(),
    "Permutation()": Permutation(),
    "Blockout()": Blockout(),
}
fig = plot_augmentations(X[0], augmentations, n_views=3, random_state=0)
