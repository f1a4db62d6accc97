"""Benchmark the product against the direct-HiGHS yardstick on synthetic cases.

    python -m benchmarks.run [--sizes S M L] [--repeat 1] [--seed 0] [--timeout 1800]

For each size: write the synthetic workbook into a temporary folder (not timed), then run,
each in its own subprocess so that its wall time and peak memory (``os.wait4``) are its
own,

* the product: ``python -m optimizer solve CASE -o REPORT --json SUMMARY -q``, reading
  the per-phase times from the summary's ``timings_s`` and the LP size from ``solver``;
* the yardstick: ``python -m benchmarks.direct_highs CASE --json OUT`` (an independent
  numpy build of the same LP, frozen to model v2 with objective ``expected``; it refuses
  a case using anything beyond that, and the run then fails with its message).

A Markdown table per size compares the phases; the objectives must agree to 1e-9
relative (AGREE / DISAGREE). The two LPs need not be the same size (each side leaves out
what it can in its own way); both sizes are shown. All results go to
``benchmarks/results/latest.json``, which keeps the latest result of every size (each
stamped with its time and commit). The exit code is 1 if any objective disagrees or any
run failed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.synthetic import SIZES, make_case, write_case_workbook

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "latest.json"
TOLERANCE = 1e-9  # relative difference of the objectives
# benchmarks.direct_highs.SPARE_BOUNDS (not imported: the runner stays free of the product)
SPARE_BOUNDS = ("row", "bound")
PHASES = ["read", "validate", "build", "handover", "solve", "extract", "report"]


# ----------------------------------------------------------------------- measuring a run

def run_measured(command: list[str], log: Path, timeout_s: float) -> dict:
    """Run `command` from the project root; its wall time, peak RSS and exit code.

    The child is reaped with ``os.wait4`` so that ``ru_maxrss`` is that child's own peak
    resident memory; it is killed (by its pid) after `timeout_s`."""
    start = time.perf_counter()
    with open(log, "wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, stdout=output,
                                   stderr=subprocess.STDOUT)
    timed_out = False
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - start > timeout_s:
            process.kill()
            _, status, usage = os.wait4(process.pid, 0)
            timed_out = True
            break
        time.sleep(0.01)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return {"command": command, "exit_code": process.returncode, "timed_out": timed_out,
            "wall_s": wall, "peak_rss_mb": usage.ru_maxrss / 1024,
            "log_tail": log.read_text(errors="replace")[-2000:]}


def run_product(case: Path, folder: Path, timeout_s: float) -> dict:
    """The product's command line, with its JSON summary: the solve and its report, without
    the report's extra solves (value of the plan, cooperation, EVPI, VSS), which solve
    other LPs than the yardstick's (their time is in the README)."""
    summary = folder / "product_summary.json"
    summary.unlink(missing_ok=True)
    run = run_measured([sys.executable, "-m", "optimizer", "solve", str(case),
                        "-o", str(folder / "report.xlsx"), "--json", str(summary), "-q",
                        "--no-extras"],
                       folder / "product.log", timeout_s)
    return _with_document(run, summary)


def run_yardstick(case: Path, folder: Path, timeout_s: float, spare_bound: str) -> dict:
    """The direct-HiGHS build of the same LP."""
    out = folder / "yardstick.json"
    out.unlink(missing_ok=True)
    run = run_measured([sys.executable, "-m", "benchmarks.direct_highs", str(case),
                        "--json", str(out), "--spare-bound", spare_bound],
                       folder / "yardstick.log", timeout_s)
    return _with_document(run, out)


def _with_document(run: dict, path: Path) -> dict:
    """Add what the run's JSON says: objective, phase times and solver facts."""
    document = json.loads(path.read_text()) if path.exists() else {}
    run["objective"] = document.get("objective")
    run["timings_s"] = document.get("timings_s", {})
    run["solver"] = document.get("solver", {})
    run["ok"] = run["exit_code"] == 0 and run["objective"] is not None
    return run


# ------------------------------------------------------------------------- one size

def bench_size(size: str, seed: int, repeat: int, timeout_s: float,
               spare_bound: str = SPARE_BOUNDS[0]) -> dict:
    """Generate the case (untimed), run both sides `repeat` times, compare."""
    with tempfile.TemporaryDirectory(prefix=f"stockpile-bench-{size}-") as tmp:
        folder = Path(tmp)
        case = write_case_workbook(make_case(size, seed), folder / f"synthetic_{size}.xlsx")
        product_runs, yardstick_runs = [], []
        for _ in range(repeat):
            product_runs.append(run_product(case, folder, timeout_s))
            yardstick_runs.append(run_yardstick(case, folder, timeout_s, spare_bound))
    product, yardstick = median_run(product_runs), median_run(yardstick_runs)
    spec = SIZES[size]
    return {
        "size": size, "seed": seed, "repeat": repeat, "spare_bound": spare_bound,
        "shape": {"allies": spec.allies, "goods": spec.goods, "periods": spec.periods,
                  "scenarios": spec.scenarios},
        "product": product, "yardstick": yardstick,
        "agreement": agreement(product, yardstick),
        "ratios": ratios(product, yardstick),
        "runs": {"product": product_runs, "yardstick": yardstick_runs},
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def median_run(runs: list[dict]) -> dict:
    """One run summing up `runs`: the median of every time and of the peak memory."""
    first = runs[0]
    ok = [r for r in runs if r["ok"]] or runs
    phases = {name for r in ok for name in r["timings_s"]}

    def med(values):
        values = [v for v in values if v is not None]
        return statistics.median(values) if values else None

    return {
        "ok": all(r["ok"] for r in runs),
        "exit_code": first["exit_code"], "timed_out": any(r["timed_out"] for r in runs),
        "objective": first["objective"],
        "wall_s": med(r["wall_s"] for r in ok),
        "peak_rss_mb": med(r["peak_rss_mb"] for r in ok),
        "timings_s": {p: med(r["timings_s"].get(p) for r in ok) for p in phases},
        "highs_s": med(r["solver"].get("run_time_s") for r in ok),
        "solver": {k: v for k, v in first["solver"].items() if k != "run_time_s"},
        "log_tail": "" if first["ok"] else first["log_tail"],
    }


def agreement(product: dict, yardstick: dict) -> dict:
    """AGREE if both objectives exist and differ by at most TOLERANCE relative."""
    a, b = product["objective"], yardstick["objective"]
    if a is None or b is None:
        return {"verdict": "ERROR", "relative_difference": None}
    relative = abs(a - b) / max(abs(a), abs(b), 1.0)
    same_size = all(product["solver"].get(k) == yardstick["solver"].get(k)
                    for k in ("columns", "rows", "nonzeros"))
    return {"verdict": "AGREE" if relative <= TOLERANCE else "DISAGREE",
            "relative_difference": relative, "same_lp_size": same_size}


def ratios(product: dict, yardstick: dict) -> dict:
    """product/yardstick wall time, and for each side time outside HiGHS / HiGHS time."""
    def outside(run):
        if not run["wall_s"] or not run["highs_s"]:
            return None
        return (run["wall_s"] - run["highs_s"]) / run["highs_s"]

    total = (product["wall_s"] / yardstick["wall_s"]
             if product["wall_s"] and yardstick["wall_s"] else None)
    return {"product_over_yardstick_wall": total,
            "product_outside_over_highs": outside(product),
            "yardstick_outside_over_highs": outside(yardstick)}


# -------------------------------------------------------------------------- printing

def markdown(result: dict) -> str:
    """The per-size table and the lines under it."""
    product, yardstick = result["product"], result["yardstick"]
    shape = result["shape"]
    lines = [f"### {result['size']}: {shape['allies']} allies, {shape['goods']} goods, "
             f"{shape['periods']} periods, {shape['scenarios']} scenarios",
             "", f"LP (columns / rows / nonzeros): product {_lp_size(product)}, "
                 f"yardstick {_lp_size(yardstick)}",
             "", "| phase | product (s) | yardstick (s) |", "|---|---:|---:|"]
    phases = PHASES + sorted(set(product["timings_s"]) - set(PHASES))
    for phase in phases:
        lines.append(f"| {phase} | {_fmt(product['timings_s'].get(phase), '.3f')} | "
                     f"{_fmt(yardstick['timings_s'].get(phase), '.3f')} |")
    lines.append(f"| other (start-up, imports, output) | {_fmt(_other(product), '.3f')} | "
                 f"{_fmt(_other(yardstick), '.3f')} |")
    lines.append(f"| **total (wall)** | **{_fmt(product['wall_s'], '.3f')}** | "
                 f"**{_fmt(yardstick['wall_s'], '.3f')}** |")
    lines.append(f"| of which HiGHS run | {_fmt(product['highs_s'], '.3f')} | "
                 f"{_fmt(yardstick['highs_s'], '.3f')} |")
    lines.append(f"| peak memory (MB) | {_fmt(product['peak_rss_mb'], ',.0f')} | "
                 f"{_fmt(yardstick['peak_rss_mb'], ',.0f')} |")
    lines.append("")
    agree, ratio = result["agreement"], result["ratios"]
    lines.append(f"- objective: product {_fmt(product['objective'], ',.6f')}, yardstick "
                 f"{_fmt(yardstick['objective'], ',.6f')} → **{agree['verdict']}** (relative "
                 f"difference {_fmt(agree['relative_difference'], '.1e')}; same LP size: "
                 f"{agree.get('same_lp_size')})")
    lines.append(f"- product total / yardstick total: "
                 f"{_fmt(ratio['product_over_yardstick_wall'], '.2f', suffix='×')}")
    lines.append(f"- time outside HiGHS / HiGHS time: product "
                 f"{_fmt(ratio['product_outside_over_highs'], '.2f', suffix='×')}, yardstick "
                 f"{_fmt(ratio['yardstick_outside_over_highs'], '.2f', suffix='×')}")
    for side, run in (("product", product), ("yardstick", yardstick)):
        if not run["ok"]:
            why = "timed out" if run["timed_out"] else f"exit code {run['exit_code']}"
            lines.append(f"- {side} FAILED ({why}):\n```\n{run['log_tail'].strip()}\n```")
    return "\n".join(lines)


def _lp_size(run: dict) -> str:
    solver = run["solver"] or {}
    return " / ".join(_fmt(solver.get(k), ",", "?") for k in ("columns", "rows", "nonzeros"))


def _other(run: dict) -> float | None:
    """Wall time outside the timed phases. A solve by independent parts reports its
    parts' own phases as ``parts_*``: work done inside ``solve``, not added to it."""
    if run["wall_s"] is None or not run["timings_s"]:
        return None
    return run["wall_s"] - sum(v for name, v in run["timings_s"].items()
                               if v is not None and not name.startswith("parts_"))


def _fmt(value, spec: str, missing: str = "—", suffix: str = "") -> str:
    """`value` formatted by `spec` (then `suffix`), or `missing` when there is none."""
    return missing if value is None else format(value, spec) + suffix


# ---------------------------------------------------------------------------- saving

def save(results: list[dict], path: Path) -> None:
    """Merge `results` into `path`: the latest result of every size is kept."""
    document = json.loads(path.read_text()) if path.exists() else {}
    sizes = document.get("sizes", {})
    for result in results:
        result["environment"] = environment()
        sizes[result["size"]] = result
    document = {"description": "latest benchmark result per size; "
                               "see benchmarks/run.py", "sizes": sizes}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, default=float) + "\n", encoding="utf-8")


def environment() -> dict:
    """Where and on what the numbers were measured."""
    return {"commit": _git("rev-parse", "HEAD"),
            "dirty": bool(_git("status", "--porcelain", "--", "optimizer", "models")),
            "python": platform.python_version(), "machine": platform.machine(),
            "cpus": os.cpu_count(), "command": " ".join(["python", "-m", "benchmarks.run",
                                                        *sys.argv[1:]])}


def _git(*args: str) -> str | None:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


# ------------------------------------------------------------------------------ main

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="benchmark the product against the "
                                                 "direct-HiGHS yardstick")
    parser.add_argument("--sizes", nargs="+", choices=sorted(SIZES), default=["S", "M"])
    parser.add_argument("--repeat", type=int, default=1, help="runs per side (median kept)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=1800.0,
                        help="seconds before a run is killed")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--spare-bound", choices=SPARE_BOUNDS, default=SPARE_BOUNDS[0],
                        help="yardstick's bound on production once spare capacity runs "
                             "(see benchmarks/direct_highs.py)")
    args = parser.parse_args(argv)

    results = []
    for size in args.sizes:
        print(f"running {size} ...", file=sys.stderr, flush=True)
        result = bench_size(size, args.seed, max(1, args.repeat), args.timeout,
                            args.spare_bound)
        results.append(result)
        save([result], args.out)  # keep what is done if a later size is interrupted
        print(markdown(result) + "\n", flush=True)
    print(f"results: {args.out}", file=sys.stderr)
    good = all(r["agreement"]["verdict"] == "AGREE" for r in results)
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
