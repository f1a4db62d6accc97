"""Test-wide settings: hypothesis runs derandomised under CI (the `ci` profile, chosen
when the environment has CI set), so every CI run draws the same examples; a failure
prints the seed and the blob that reproduces it either way."""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI")
                                     else "dev"))
