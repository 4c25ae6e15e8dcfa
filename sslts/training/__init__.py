"""The training engine: skorch nets, objectives, batches, budget and warm start.

Internal to the estimators; the modules are imported by their full paths
(``sslts.training.net``, ``sslts.training.objectives``, ...). A new
self-supervised method writes an :class:`~sslts.training.objectives.Objective`
when the two-view protocol of :class:`~sslts.training.objectives.TwoViews`
does not fit it.
"""
