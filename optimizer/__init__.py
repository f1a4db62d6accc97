"""Stockpile and reallocation optimizer: everything around the formulation — the input
schema, reading and validation, solving with HiGHS, results, reports and the command
line. The formulation itself lives in the `models` package."""

__version__ = "0.1.0"
