"""Operational scripts: environment defaults, training, running the stack."""
