"""Scaling study: wall time and peak memory of ``stockpile solve`` as the number of
scenarios, goods and periods grows, solved as one LP (``--no-decompose``) and by
independent parts (the default), one axis at a time from the M case.

    python -m benchmarks.scaling            # about 15 min here; writes benchmarks/results/
    python -m benchmarks.scaling --quick    # two points per axis

Writes ``scaling.json`` (every run), ``scaling.md`` (the table) and ``scaling.png``
(time and memory against each axis, log-log) in ``benchmarks/results/``. Peak memory is
that of the largest process (the parent or one worker), as ``wait4`` reports it.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
from pathlib import Path

from benchmarks.run import ROOT, run_measured
from benchmarks.synthetic import SIZES, make_case, write_case_workbook

RESULTS = ROOT / "benchmarks" / "results"
BASE = SIZES["M"]
AXES = {"scenarios": [30, 60, 120, 240], "goods": [5, 10, 20, 40], "periods": [12, 24, 48]}
MODES = {"one LP": ["--no-decompose"], "by parts": []}


def measure(axis: str, value: int, folder: Path, timeout_s: float) -> list[dict]:
    """Both modes on the M case with `axis` set to `value`."""
    spec = dataclasses.replace(BASE, **{axis: value})
    if axis == "goods":
        spec = dataclasses.replace(spec, recipes=min(BASE.recipes, value // 2))
    case = write_case_workbook(make_case(spec), folder / f"{axis}_{value}.xlsx")
    rows = []
    for mode, flags in MODES.items():
        summary = folder / "summary.json"
        summary.unlink(missing_ok=True)
        run = run_measured([sys.executable, "-m", "optimizer", "solve", str(case), "-o",
                            str(folder / "report.xlsx"), "--json", str(summary), "-q",
                            "--no-extras", *flags], folder / "run.log", timeout_s)
        document = json.loads(summary.read_text()) if summary.exists() else {}
        rows.append({"axis": axis, "value": value, "mode": mode, "wall_s": run["wall_s"],
                     "peak_rss_mb": run["peak_rss_mb"], "exit_code": run["exit_code"],
                     "objective": document.get("objective"),
                     "columns": document.get("solver", {}).get("columns")})
        print(f"{axis}={value} {mode}: {run['wall_s']:.1f} s, {run['peak_rss_mb']:.0f} MB",
              file=sys.stderr)
    return rows


def markdown(rows: list[dict]) -> str:
    lines = ["| axis | value | columns | one LP (s) | by parts (s) | speed-up | one LP (MB) "
             "| by parts (MB) | objectives agree |", "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for axis, values in AXES.items():
        for value in values:
            pair = {r["mode"]: r for r in rows if r["axis"] == axis and r["value"] == value}
            if len(pair) < 2:
                continue
            one, parts = pair["one LP"], pair["by parts"]
            agree = (one["objective"] is not None and parts["objective"] is not None
                     and abs(one["objective"] - parts["objective"])
                     <= 1e-9 * abs(one["objective"]))
            lines.append(f"| {axis} | {value} | {one['columns'] or 0:,} | {one['wall_s']:.1f} "
                         f"| {parts['wall_s']:.1f} | {one['wall_s'] / parts['wall_s']:.1f}× "
                         f"| {one['peak_rss_mb']:,.0f} | {parts['peak_rss_mb']:,.0f} "
                         f"| {'yes' if agree else 'NO'} |")
    return "\n".join(lines) + "\n"


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(2, len(AXES), figsize=(13, 7), constrained_layout=True)
    for column, axis in enumerate(AXES):
        for mode in MODES:
            points = sorted((r["value"], r["wall_s"], r["peak_rss_mb"]) for r in rows
                            if r["axis"] == axis and r["mode"] == mode)
            if not points:
                continue
            x, wall, memory = zip(*points, strict=True)
            axes[0][column].loglog(x, wall, marker="o", label=mode)
            axes[1][column].loglog(x, memory, marker="o", label=mode)
        axes[0][column].set_title(f"against {axis} (others as case M)")
        axes[1][column].set_xlabel(axis)
        for row in (0, 1):
            axes[row][column].set_xticks(AXES[axis], [str(v) for v in AXES[axis]])
            axes[row][column].minorticks_off()
    axes[0][0].set_ylabel("wall time (s)")
    axes[1][0].set_ylabel("peak memory of the largest process (MB)")
    axes[0][0].legend()
    figure.savefig(path, dpi=110)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two points per axis")
    parser.add_argument("--timeout", type=float, default=1200.0)
    parser.add_argument("--plot-only", action="store_true",
                        help="draw the table and plot again from scaling.json")
    args = parser.parse_args(argv)
    if args.plot_only:
        rows = json.loads((RESULTS / "scaling.json").read_text())
        (RESULTS / "scaling.md").write_text(markdown(rows))
        plot(rows, RESULTS / "scaling.png")
        return 0
    if args.quick:
        for axis in AXES:
            AXES[axis] = AXES[axis][:2]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for axis, values in AXES.items():
            for value in values:
                rows += measure(axis, value, Path(folder), args.timeout)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "scaling.json").write_text(json.dumps(rows, indent=2) + "\n")
    (RESULTS / "scaling.md").write_text(markdown(rows))
    plot(rows, RESULTS / "scaling.png")
    print(markdown(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
