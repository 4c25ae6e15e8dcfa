"""Plots: augmentations of a series, the course of training, a map of embeddings.

matplotlib is an optional dependency (the ``docs`` extra); it is imported
when a plot is drawn, not when this module is imported.
"""

import math
import textwrap
from numbers import Integral

import numpy as np
import torch
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.validation import check_array

from .augmentations.composition import check_augmentation
from .utils.random import draw_seed, seeded_generator
from .utils.validation import check_time_series

__all__ = ["plot_augmentations", "plot_embedding", "plot_history"]

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
    plt = _pyplot("plot_augmentations")

    n = len(augs)
    ncols = min(3, n) if ncols is None else min(ncols, n)
    nrows = math.ceil(n / ncols)
    fig = _figure(plt, fig, figsize=figsize or (4.0 * ncols, 2.6 * nrows))
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


def plot_history(estimator, *, fig=None):
    """Draw the course of a training: losses and the collapse indicators per epoch.

    The first panel shows ``train_loss`` (and ``valid_loss`` when the
    estimator held out a validation split) per epoch. For the
    self-supervised transformers, the second shows ``embedding_std`` with the
    value of well spread embeddings, ``1 / sqrt(embedding_dim_)``, as a
    dashed line (a curve falling towards 0 means the embeddings collapse),
    and the third ``rankme``, the effective rank of the epoch's training
    embeddings (falling towards 1 means collapse onto few directions).

    Parameters
    ----------
    estimator : fitted sslts estimator or skorch.History
        Anything with a skorch ``history_`` (the self-supervised
        transformers, the fine-tuners), or a history itself.
    fig : matplotlib.figure.Figure, default=None
        Figure to draw in; None creates one.

    Returns
    -------
    fig : matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from sslts import SimCLRTransformer
    >>> from sslts.plotting import plot_history
    >>> X = np.random.RandomState(0).randn(16, 1, 32)
    >>> model = SimCLRTransformer(encoder="fcn", max_epochs=3, random_state=0).fit(X)
    >>> [ax.get_title() for ax in plot_history(model).axes]
    ['loss', 'collapse indicator', 'effective rank']
    """
    history = _history(estimator)
    plt = _pyplot("plot_history")
    fig = _figure(plt, fig, figsize=(11.0, 3.0))
    epochs = history[:, "epoch"]
    keys = [key for key in ("train_loss", "valid_loss") if key in history[-1]]
    collapse = "embedding_std" in history[-1]
    rank = "rankme" in history[-1]
    panels = 1 + collapse + rank
    ax = fig.add_subplot(1, panels, 1)
    for key in keys:
        ax.plot(epochs, history[:, key], marker=".", label=key)
    ax.set(title="loss", xlabel="epoch")
    ax.legend(fontsize="small")
    if collapse:
        ax = fig.add_subplot(1, 2, 2)
        ax.plot(epochs, history[:, "embedding_std"], marker=".", label="embedding_std")
        dim = getattr(estimator, "embedding_dim_", None)
        if dim is not None:
            ax.axhline(1 / math.sqrt(dim), linestyle="--", color="grey",
                       label=f"spread: 1/sqrt({dim})")
        ax.set(title="collapse indicator", xlabel="epoch", ylim=(0, None))
        ax.legend(fontsize="small")
    if rank:
        ax = fig.add_subplot(1, panels, panels)
        ax.plot(epochs, history[:, "rankme"], marker=".", label="rankme")
        ax.set(title="effective rank", xlabel="epoch", ylim=(0, None))
        ax.legend(fontsize="small")
    return fig


@validate_params(
    {
        "Z": ["array-like"],
        "y": [None, "array-like"],
        "method": [StrOptions({"tsne", "pca"})],
        "random_state": ["random_state"],
        "fig": "no_validation",
    },
    prefer_skip_nested_validation=True,
)
def plot_embedding(Z, y=None, *, method="tsne", random_state=None, fig=None):
    """Draw a 2-D map of embeddings, one point per series, coloured by label.

    Embeddings of more than two dimensions are mapped to two with t-SNE
    (:class:`sklearn.manifold.TSNE`, perplexity at most 30 and below a third
    of the number of series) or PCA; two-dimensional ones are drawn as they
    are.

    Parameters
    ----------
    Z : array-like of shape (n_samples, n_features)
        Embeddings, e.g. ``model.transform(X)``; finite, at least 2 rows.
    y : array-like of shape (n_samples,), default=None
        Labels colouring the points (a legend per class); None draws one
        colour.
    method : {"tsne", "pca"}, default="tsne"
        How more than two dimensions are reduced to two.
    random_state : int, RandomState instance or None, default=None
        Seeds t-SNE.
    fig : matplotlib.figure.Figure, default=None
        Figure to draw in; None creates one.

    Returns
    -------
    fig : matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from sslts.plotting import plot_embedding
    >>> Z = np.random.RandomState(0).randn(30, 8)
    >>> fig = plot_embedding(Z, y=np.arange(30) % 3, method="pca")
    >>> len(fig.axes[0].collections)  # one set of points per class
    3
    """
    Z = check_array(Z, ensure_min_samples=2, input_name="Z", dtype=np.float64)
    labels = None if y is None else np.asarray(y).reshape(-1)
    if labels is not None and len(labels) != len(Z):
        raise ValueError(f"Z has {len(Z)} rows but y has {len(labels)} labels; pass one "
                         "label per embedding.")
    points = _two_dimensions(Z, method, random_state)
    plt = _pyplot("plot_embedding")
    fig = _figure(plt, fig, figsize=(5.0, 4.0))
    ax = fig.add_subplot(1, 1, 1)
    if labels is None:
        ax.scatter(points[:, 0], points[:, 1], s=12)
    else:
        for label in np.unique(labels):
            keep = labels == label
            ax.scatter(points[keep, 0], points[keep, 1], s=12, label=str(label))
        ax.legend(title="label", fontsize="small", loc="center left",
                  bbox_to_anchor=(1.0, 0.5))
    name = {"tsne": "t-SNE", "pca": "PCA"}[method] if Z.shape[1] > 2 else "embedding"
    ax.set(title=f"{name} of {len(Z)} embeddings", xticks=[], yticks=[])
    return fig


def _two_dimensions(Z, method, random_state):
    """``Z`` mapped to two dimensions (as is when it has two)."""
    if Z.shape[1] == 2:
        return Z
    if method == "pca":
        from sklearn.decomposition import PCA

        return PCA(n_components=2).fit_transform(Z)
    from sklearn.manifold import TSNE

    perplexity = min(30.0, (len(Z) - 1) / 3)
    return TSNE(n_components=2, perplexity=perplexity, init="pca",
                random_state=check_random_state(random_state)).fit_transform(Z)


def _history(estimator):
    """The skorch History of a fitted estimator (or the history itself)."""
    history = getattr(estimator, "history_", estimator)
    if not hasattr(history, "to_list") or len(history) == 0:
        raise TypeError(
            "plot_history needs a fitted sslts estimator (with history_) or a skorch "
            f"History with at least one epoch, got {type(estimator).__name__}."
        )
    return history


def _figure(plt, fig, figsize):
    if fig is not None and not isinstance(fig, plt.Figure):
        raise TypeError(
            f"fig must be a matplotlib Figure (e.g. plt.figure()) or None, got "
            f"{type(fig).__name__}."
        )
    return plt.figure(figsize=figsize, layout="constrained") if fig is None else fig


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


def _pyplot(name):
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ImportError(
            f"{name} needs matplotlib: pip install matplotlib "
            "(or install sslts with the docs extra: pip install 'sslts[docs]')."
        ) from e
    return plt
