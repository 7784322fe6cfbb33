"""Benchmarks: `make bench` writes JSON results into bench/results/."""
