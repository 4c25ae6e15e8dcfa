"""Plots that show what the augmentations do to a series.

matplotlib is an optional dependency (the ``docs`` extra); it is imported
when a plot is drawn, not when this module is imported.
"""

import math
import textwrap
from numbers import Integral

import numpy as np
import torch
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params

from .augmentations.composition import check_augmentation
from .utils.random import draw_seed, seeded_generator
from .utils.validation import check_time_series

__all__ = ["plot_augmentations"]

ORIGINAL_ALPHA = 0.3
TITLE_WIDTH = 40


@validate_params(
    {
        "x": "no_validation",
        "augmentations": [list, tuple, dict],
        "n_views": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "channel": [None, Interval(Integral, 0, None, closed="left")],
        "ncols": [None, Interval(Integral, 1, None, closed="left")],
        "figsize": [None, tuple, list],
        "fig": "no_validation",
    },
    prefer_skip_nested_validation=True,
)
def plot_augmentations(x, augmentations, *, n_views=1, random_state=None, channel=None,
                       ncols=None, figsize=None, fig=None):
    """Draw one series under each augmentation, one panel per augmentation.

    Each panel shows the original series faintly and ``n_views`` augmented
    views of it on top, one colour per channel, titled with the
    augmentation's name and parameters (or its key when ``augmentations``
    is a dict).

    Parameters
    ----------
    x : array-like of shape (n_channels, n_timepoints) or (n_timepoints,)
        One series, possibly right-padded with NaN (see
        :func:`~sslts.utils.validation.check_time_series`); not modified.
    augmentations : list of BaseAugmentation or dict of str to BaseAugmentation
        The augmentations to show, in order; a dict gives the panel titles.
    n_views : int, default=1
        Number of augmented views drawn in each panel, each with its own
        random parameters.
    random_state : int, RandomState instance or None, default=None
        Seeds the views. For each panel in turn, one seed is drawn with
        :func:`~sslts.utils.random.draw_seed` and the views are
        ``augmentation.augment(batch, seeded_generator(seed))`` where
        ``batch`` holds ``n_views`` copies of ``x``.
    channel : int, default=None
        Draw only this channel; None draws every channel.
    ncols : int, default=None
        Number of panel columns; None gives ``min(3, len(augmentations))``.
    figsize : tuple of (float, float), default=None
        Size of a new figure in inches; None gives 4 by 2.6 inches per panel.
        Ignored when ``fig`` is given.
    fig : matplotlib.figure.Figure, default=None
        Figure to draw into (its existing axes are kept); None creates a new
        one with :func:`matplotlib.pyplot.figure`.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure; ``fig.axes`` holds one panel per augmentation, in order
        (after the axes a given ``fig`` already had). In each panel the
        lines are, channel by channel, the original (drawn first, faint)
        followed by the views.

    Raises
    ------
    ImportError
        If matplotlib is not installed.
    ValueError
        If ``x`` is not one series, ``augmentations`` is empty, ``channel``
        does not exist, or an augmentation has invalid parameters.
    TypeError
        If an item of ``augmentations`` is not an augmentation.

    Examples
    --------
    >>> import numpy as np
    >>> from sslts.augmentations import Jitter, TimeWarp
    >>> from sslts.plotting import plot_augmentations
    >>> x = np.sin(np.linspace(0, 6, 100))
    >>> fig = plot_augmentations(x, [Jitter(sigma=0.1), TimeWarp()], n_views=3,
    ...                          random_state=0)
    >>> len(fig.axes)
    2
    """
    X3, lengths = _one_series(x)
    titles, augs = _panels(augmentations)
    channels = _channels(channel, X3.shape[1])
    views = _views(X3, lengths, augs, n_views, random_state)
    plt = _pyplot()

    n = len(augs)
    ncols = min(3, n) if ncols is None else min(ncols, n)
    nrows = math.ceil(n / ncols)
    if fig is not None and not isinstance(fig, plt.Figure):
        raise TypeError(
            f"fig must be a matplotlib Figure (e.g. plt.figure()) or None, got "
            f"{type(fig).__name__}."
        )
    if fig is None:
        fig = plt.figure(figsize=figsize or (4.0 * ncols, 2.6 * nrows),
                         layout="constrained")
    steps = np.arange(X3.shape[2])
    for i, (title, panel) in enumerate(zip(titles, views)):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        for k, ch in enumerate(channels):
            color = f"C{k % 10}"
            ax.plot(steps, X3[0, ch], color=color, alpha=ORIGINAL_ALPHA,
                    linewidth=2.0, gid="original")
            for view in panel:
                ax.plot(steps, view[ch], color=color, linewidth=1.0, gid="view")
        ax.set_title(title, fontsize="small")
    return fig


def augmentation_title(augmentation):
    """Name and parameters of ``augmentation`` (without ``random_state``), wrapped."""
    params = augmentation.get_params(deep=False)
    args = ", ".join(f"{k}={v!r}" for k, v in params.items() if k != "random_state")
    return textwrap.fill(f"{type(augmentation).__name__}({args})", TITLE_WIDTH)


def _one_series(x):
    """Validate one series into a (1, c, t) float32 array and its length."""
    try:
        a = np.asarray(x)
    except ValueError:  # ragged nested sequence
        a = None
    if a is None or a.ndim not in (1, 2):
        shape = "a ragged sequence" if a is None else f"shape {a.shape}"
        raise ValueError(
            "plot_augmentations draws one series: pass an array of shape "
            f"(n_channels, n_timepoints) or (n_timepoints,), got {shape}. "
            "To draw sample i of a batch X, pass X[i]."
        )
    return check_time_series([a], min_samples=1)


def _panels(augmentations):
    """Titles and augmentations of the panels, checked."""
    if len(augmentations) == 0:
        raise ValueError(
            "augmentations is empty; pass a list of augmentations (e.g. "
            "[Jitter(), TimeWarp()]) or a dict mapping titles to augmentations."
        )
    if isinstance(augmentations, dict):
        titles, augs = list(map(str, augmentations)), list(augmentations.values())
        names = [f"augmentations[{title!r}]" for title in titles]
    else:
        titles, augs = None, list(augmentations)
        names = [f"augmentations[{i}]" for i in range(len(augs))]
    for aug, name in zip(augs, names):
        check_augmentation(aug, name)
        aug.validate()
    if titles is None:
        titles = [augmentation_title(aug) for aug in augs]
    return titles, augs


def _channels(channel, n_channels):
    if channel is None:
        return list(range(n_channels))
    if channel >= n_channels:
        raise ValueError(
            f"channel={channel} does not exist: the series has {n_channels} "
            f"channel(s), numbered 0 to {n_channels - 1}."
        )
    return [channel]


def _views(X3, lengths, augmentations, n_views, random_state):
    """``n_views`` augmented copies of the series per augmentation, (n_views, c, t) each."""
    rng = check_random_state(random_state)
    batch = torch.from_numpy(np.repeat(X3, n_views, axis=0))
    batch_lengths = torch.from_numpy(np.repeat(lengths, n_views))
    views = []
    with torch.no_grad():
        for aug in augmentations:
            generator = seeded_generator(draw_seed(rng))
            views.append(aug.augment(batch, generator, batch_lengths).numpy())
    return views


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ImportError(
            "plot_augmentations needs matplotlib: pip install matplotlib "
            "(or install sslts with the docs extra: pip install 'sslts[docs]')."
        ) from e
    return plt
