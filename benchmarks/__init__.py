"""Benchmarks: scripts that print figures and record them in benchmarks/results/."""
