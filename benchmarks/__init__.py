"""Performance benchmark of the stockpile optimizer against a lean direct-HiGHS yardstick.

Run it with ``python -m benchmarks.run [--sizes S M L] [--repeat 1]`` from the project root.
"""
