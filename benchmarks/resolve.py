"""Benchmark a what-if re-solve: the same case with every shortage penalty scaled.

    python -m benchmarks.resolve [--size M] [--scale 1.5]

Solves the synthetic case once with `CaseSolver`, then the variant with changed
penalties, which reuses the built model and HiGHS's basis. Prints the re-solve's phases
(build = structure check, handover = parameter update + sending the changed numbers,
solve = HiGHS, extract = the tables) against HiGHS's own run time.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from benchmarks.synthetic import make_case, write_case_workbook
from optimizer.analyses.levers import LEVERS
from optimizer.pipeline import CaseSolver, Timings, load_case


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="M")
    parser.add_argument("--scale", type=float, default=1.5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"synthetic_{args.size}.xlsx"
        write_case_workbook(make_case(args.size), path)
        case, _ = load_case(path, Timings())
    solver = CaseSolver()
    first_timings = Timings()
    first = solver.solve(case, first_timings)
    variant = LEVERS["penalty"].apply(case, args.scale)  # every shortage penalty × scale
    timings = Timings()
    start = time.perf_counter()
    second = solver.solve(variant, timings)
    wall = time.perf_counter() - start
    highs = second.outcome.run_time_s
    result = {
        "size": args.size, "penalty_scale": args.scale,
        "first_solve_s": first_timings.seconds,
        "first_objective": first.outcome.objective,
        "resolve_s": timings.seconds, "resolve_wall_s": wall,
        "resolve_highs_s": highs, "resolve_objective": second.outcome.objective,
        "reused_model": solver.lp is not None and second.lp is first.lp,
        "wall_over_highs": wall / highs if highs else None,
        "without_extract_over_highs": (wall - timings.seconds.get("extract", 0.0)) / highs
        if highs else None,
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
