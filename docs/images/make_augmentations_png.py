"""Render ``augmentations.png``: a GunPoint series under every augmentation.

Every class exported by :mod:`sslts.augmentations` is drawn with its default
parameters; classes that cannot be built with defaults or applied to the
series (compositions need their steps, base classes have no kernel) or that
mix the series of a batch (``FrequencyMix``: the views of one series are
that series) are listed as skipped. A last panel shows the default policy of
the self-supervised methods. Run from the repository root::

    python docs/images/make_augmentations_png.py [--output docs/images/augmentations.png]
"""

import argparse
import os

import matplotlib

matplotlib.use("Agg")

from sktime.datasets import load_UCR_UEA_dataset

import sslts.augmentations
from sslts.augmentations import (
    BaseAugmentation,
    DeterministicAugmentation,
    FrequencyMix,
    default_policy,
)
from sslts.plotting import augmentation_title, plot_augmentations

HERE = os.path.dirname(os.path.abspath(__file__))
SERIES_INDEX = 0
N_VIEWS = 3
SEED = 0


def default_instances(x):
    """Default instance of each exported augmentation that applies to ``x``.

    Returns the instances keyed by panel title, and the reasons for the
    classes skipped.
    """
    augmentations, skipped = {}, {}
    for name in sslts.augmentations.__all__:
        cls = getattr(sslts.augmentations, name)
        if not isinstance(cls, type) or cls in (BaseAugmentation, DeterministicAugmentation):
            continue
        if cls is FrequencyMix:
            skipped[name] = "mixes the series of a batch; one series has no partner"
            continue
        try:
            aug = cls()
            aug.fit_transform(x[None])
        except Exception as e:  # noqa: BLE001 - report any class that cannot be drawn
            skipped[name] = f"{type(e).__name__}: {e}"
            continue
        augmentations[augmentation_title(aug)] = aug
    return augmentations, skipped


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", default=os.path.join(HERE, "augmentations.png"))
    args = parser.parse_args(argv)

    X, _ = load_UCR_UEA_dataset("GunPoint", split="train", return_type="numpy3D")
    x = X[SERIES_INDEX]
    augmentations, skipped = default_instances(x)
    policy = default_policy()
    augmentations["default_policy(), methods' default:\n" + augmentation_title(policy)] = policy
    for name, reason in skipped.items():
        print(f"skipped {name}: {reason or 'no message'}")

    fig = plot_augmentations(x, augmentations, n_views=N_VIEWS,
                             random_state=SEED, ncols=3)
    fig.suptitle(f"GunPoint train series {SERIES_INDEX}: original (faint) and "
                 f"{N_VIEWS} random views per augmentation, default parameters")
    fig.savefig(args.output, dpi=100)
    names = [title.split("(")[0] for title in augmentations]
    print(f"wrote {args.output} ({len(augmentations)} panels: {', '.join(names)})")


if __name__ == "__main__":
    main()
