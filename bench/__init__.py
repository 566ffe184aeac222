"""Benchmarks: multisock against the stdlib socket, side by side, in one process and run.

``python -m bench`` (or ``nox -s bench``) runs every case, interleaving the two sides round
by round, and writes a JSON result and a Markdown table with the ratios (multisock time /
stdlib time per operation), their spread, the absolute stdlib figures and a C-level floor.
``python -m bench --quick`` is the smoke run CI does: every case, tiny, timing nothing.
"""
