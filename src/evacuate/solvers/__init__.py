"""Adapters to external solvers, one module per solver (``highs``: HiGHS LP/MIP)."""
