"""The callbacks of a training run: the user's, the progress bar and the indicators."""

import copy

from skorch.callbacks import PassthroughScoring, ProgressBar

__all__ = ["build_callbacks", "embedding_std_scoring"]


def embedding_std_scoring():
    """Epoch mean of the per-batch ``embedding_std`` of a self-supervised net."""
    return ("embedding_std", PassthroughScoring("embedding_std", lower_is_better=None,
                                                on_train=True))


def build_callbacks(callbacks, *, verbose, validation_fraction, first=()):
    """The named callbacks of a net: ``first``, a progress bar, copies of ``callbacks``.

    Parameters
    ----------
    callbacks : list or None
        The user's skorch callbacks, bare or as ``(name, callback)`` pairs;
        they are deep-copied, never modified.
    verbose : int
        Add a progress bar when positive.
    validation_fraction : float or None
        None means no validation split: a callback monitoring a ``valid_*``
        key is then a ValueError.
    first : sequence of (str, Callback), default=()
        Callbacks of the estimator itself, put first.

    Returns
    -------
    list of (str, Callback)
    """
    named = list(first)
    if verbose:
        named.append(("progress_bar", ProgressBar()))
    for i, callback in enumerate(copy.deepcopy(callbacks or [])):
        name, callback = (callback if isinstance(callback, tuple)
                          else (f"{type(callback).__name__.lower()}_{i}", callback))
        monitor = getattr(callback, "monitor", None)
        if validation_fraction is None and isinstance(monitor, str) and monitor.startswith("valid"):
            raise ValueError(
                f"Callback {type(callback).__name__} monitors {monitor!r}, which "
                "needs a validation split: set validation_fraction (e.g. 0.1), or "
                "monitor 'train_loss' instead."
            )
        named.append((name, callback))
    return named
