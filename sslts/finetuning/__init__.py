"""Supervised fine-tuning of pretrained (or new) encoders with a new head.

The estimators, :class:`~sslts.SSLClassifier` and :class:`~sslts.SSLRegressor`,
are imported from :mod:`sslts`; their skorch nets live in
:mod:`sslts.training.supervised`.
"""
