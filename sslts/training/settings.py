"""Settings of the skorch nets read from an estimator's parameters.

The optimizer (AdamW with ``lr`` and ``weight_decay``), the training budget
(``max_epochs``, ``max_steps``) and the data handling (``batch_size``,
``max_samples_per_epoch``, ``max_train_length``) of every sslts net, set
when the net is built and again, on an initialized net, when a warm start
continues training.
"""

import torch
from skorch.helper import predefined_split

__all__ = ["OPTIMIZER", "apply_settings", "net_settings", "validation_split"]

#: The optimizer of every sslts net.
OPTIMIZER = torch.optim.AdamW

_OPTIONAL = ("max_steps", "max_train_length", "average_weights", "precision")


def net_settings(params):
    """skorch keyword arguments of a new net.

    Parameters
    ----------
    params : dict
        The estimator's parameters (``get_params(deep=False)``); ``max_steps``,
        ``max_train_length``, ``average_weights`` and ``precision`` are used
        when the estimator has them.

    Returns
    -------
    dict
    """
    settings = dict(
        optimizer=OPTIMIZER,
        lr=params["lr"],
        optimizer__weight_decay=params["weight_decay"],
        max_epochs=params["max_epochs"],
        batch_size=params["batch_size"],
        max_samples_per_epoch=params["max_samples_per_epoch"],
        verbose=int(params["verbose"]),
    )
    settings.update({name: params[name] for name in _OPTIONAL if name in params})
    return settings


def apply_settings(net, params):
    """Give an initialized net the settings of ``params``, keeping its optimizer state.

    The learning rate and weight decay are set on the optimizer's parameter
    groups (its moment estimates are kept); the other settings take effect
    at the next ``fit_loop``.

    Parameters
    ----------
    net : SeriesNetMixin
        An initialized net.
    params : dict
        The estimator's parameters, as for :func:`net_settings`.

    Returns
    -------
    net
    """
    settings = net_settings(params)
    settings.pop("optimizer")
    weight_decay = settings.pop("optimizer__weight_decay")
    net.set_params(lr=settings.pop("lr"), optimizer__weight_decay=weight_decay)
    net.optimizer__weight_decay = weight_decay  # also for a later re-initialisation
    for name, value in settings.items():
        setattr(net, name, value)
    return net


def validation_split(valid):
    """skorch's ``train_split``: validate on the dataset ``valid``, or not at all (None)."""
    return None if valid is None else predefined_split(valid)
