"""Test-wide settings: hypothesis runs derandomised under CI (the `ci` profile, chosen
when the environment has CI set), so every CI run draws the same examples; a failure
prints the seed and the blob that reproduces it either way; and the `formulation`
fixture that runs a test once on each solve path."""

import os

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI")
                                     else "dev"))


@pytest.fixture(params=["replicated", "plain"])
def formulation(request):
    """How the LP reaches HiGHS: the fast path and the reference; a test that takes
    this fixture runs on both."""
    return request.param
