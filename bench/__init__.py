"""Benchmarks: a seeded instance generator (``generate``) and the side-by-side runner (``run``)."""
