"""Adapters to the sktime and aeon interfaces.

Import each from its module: :mod:`sslts.adapters.sktime` (sktime is a
dependency of sslts) and :mod:`sslts.adapters.aeon` (needs ``pip install
"sslts[aeon]"``).
"""
