"""The mpi-sppy engine (issue 11): the extensive form through mpi-sppy equals the core
solve; progressive hedging and the L-shaped method end within 0.1 % of it, serially and
under ``mpiexec -n 2``; a batch under ``mpiexec -n 2`` writes what it writes on one
machine; without the extra, ``--engine mpisppy`` says how to install it.

The tests that need the extra skip, saying so, only when it is not installed (CI
installs it with the test tools).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from casebuilder import base_case, load, write_case

from models.index_sets import build_model_data
from optimizer.distributed import mpi
from optimizer.distributed.scenarios import bound_stage_one, gross_requirements
from optimizer.engine import CaseSolver
from optimizer.pipeline import RunRequest, Timings, run_case, solve_case

ROOT = Path(__file__).resolve().parents[1]
MPIEXEC = Path(sys.executable).parent / "mpiexec"
HAVE_EXTRA = importlib.util.find_spec("mpisppy") is not None
needs_extra = pytest.mark.skipif(
    not HAVE_EXTRA, reason="the optional extra 'mpi' is not installed "
                           "(pip install -e '.[mpi]'; CI installs it)")
needs_mpiexec = pytest.mark.skipif(
    not (HAVE_EXTRA and MPIEXEC.exists()),
    reason=f"no mpiexec beside {sys.executable} (the extra 'mpi' brings the mpich wheel's)")
TOLERANCE = 1e-3
"""PH and L-shaped: within 0.1 % of the extensive form's objective."""


def richer_case() -> dict:
    """The base case with a spare option at B (ramp 1), a second stockpile at B without
    a storage limit (its bound is derived) and a demand surge as a third scenario."""
    case = base_case()
    case["Production"][0].update({"spare_cost": 3, "spare_max": 4, "ramp_periods": 1})
    case["Stockpiles"].append({"country": "B", "good": "g", "purchase_cost": 4,
                               "holding_cost": 1})
    case["Scenarios"] = [{"scenario": "normal", "probability": 0.8},
                         {"scenario": "cut", "probability": 0.15},
                         {"scenario": "surge", "probability": 0.05}]
    case["Disruptions"].append({"scenario": "surge", "kind": "demand_surge", "country": "*",
                                "good": "g", "start": 2, "end": 3, "factor": 1.5})
    return case


def risk_case(objective: str) -> dict:
    """The base case under a risk objective (`models.risk`): its stage one has η or θ
    beside the stock."""
    case = base_case()
    case["Settings"]["objective"] = objective
    if objective == "cvar":
        case["Settings"].update({"risk_weight": 0.5, "cvar_alpha": 0.8})
    return case


def fair_case() -> dict:
    """The richer case with maxmin burden sharing (`models.fairness`: a block variable
    Φ per good, priced in the objective) and a coordinated release."""
    case = richer_case()
    case["Settings"].update({"fairness": "maxmin", "fairness_weight": 50,
                             "release_rule": "proportional"})
    return case


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mpi_cases")
    paths = {"base": write_case(folder / "base.xlsx", base_case()),
             "richer": write_case(folder / "richer.xlsx", richer_case()),
             "cvar": write_case(folder / "cvar.xlsx", risk_case("cvar")),
             "worst_case": write_case(folder / "worst_case.xlsx", risk_case("worst_case")),
             "maxmin": write_case(folder / "maxmin.xlsx", fair_case())}
    core = {name: solve_case(load(path), Timings()).outcome.objective
            for name, path in paths.items()}
    return paths, core


def run_engine(path: Path, out: Path, method: str) -> dict:
    """`solve --engine mpisppy` in this process (one rank); its JSON."""
    from optimizer.distributed.solve import run_distributed

    request = RunRequest(case_path=path, report_path=out / f"{method}.xlsx",
                         summary_path=out / f"{method}.json", detail=False)
    result = run_distributed(request, method)
    assert result.run.exit_code == 0, result.run.error
    assert (out / f"{method}.xlsx").is_file()
    return json.loads((out / f"{method}.json").read_text())


# --- the pieces, without mpi-sppy ----------------------------------------------------


def test_gross_requirement_bounds_a_stockpile_without_storage_limit(tmp_path):
    """R_g = Σ_{n,t} D·max_ω m + Σ_h ratio·R_h. Richer case: demand A 10, B 5 over 3
    periods, the surge ×1.5 in periods 2–3: R_g = 15 + 2·15·1.5 = 60. B's stockpile has
    no max: bound max(min 0, 60) = 60; A's keeps its max 100."""
    data = build_model_data(load(write_case(tmp_path / "c.xlsx", richer_case())))
    requirements = gross_requirements(data)
    assert requirements == {"g": pytest.approx(60.0)}
    from models.scenario_model import build_scenario_model

    model = build_scenario_model(data, "cut")
    bound_stage_one(model, data, requirements)
    assert model.stock["B", "g"].ub == pytest.approx(60.0)
    assert model.stock["A", "g"].ub == 100


def test_gross_requirement_counts_recipe_inputs(tmp_path):
    """A makes h (demand 2 a period, 3 periods) from 4 units of g each; g's own demand
    is A 10 + B 5 a period: R_h = 6, R_g = 45 + 4·6 = 69."""
    case = base_case()
    case["Goods"].append({"good": "h", "shortage_penalty": 500})
    case["Demand"].append({"country": "A", "good": "h", "demand": 2})
    case["Production"].append({"country": "A", "good": "h", "capacity": 5})
    case["Recipes"] = [{"country": "*", "good": "h", "input": "g", "ratio": 4}]
    data = build_model_data(load(write_case(tmp_path / "r.xlsx", case)))
    assert gross_requirements(data) == {"g": pytest.approx(69.0), "h": pytest.approx(6.0)}


@pytest.mark.parametrize("formulation", ["replicated", "plain"])
def test_a_fixed_stage_one_is_evaluated_on_every_scenario(tmp_path, formulation):
    """Stage one fixed at the optimum reproduces the optimum; fixed at no stock (the
    initial 0) it costs what the extra solves' value of the plan finds without the plan
    (bounds changed in HiGHS, another mechanism)."""
    path = write_case(tmp_path / "c.xlsx", base_case())
    free = CaseSolver(formulation=formulation)
    optimum = free.solve(load(path), Timings())
    plan = {name: values.by_index() for name, values in optimum.plan.stage_one.items()}
    fixed = CaseSolver(formulation=formulation, fixed_stage_one=plan).solve(load(path),
                                                                            Timings())
    assert fixed.outcome.objective == pytest.approx(optimum.outcome.objective, rel=1e-9)
    outcome = run_case(RunRequest(case_path=path, report_path=tmp_path / "r.xlsx",
                                  formulation=formulation, detail=False))
    without = outcome.document["value_of_plan"]["expected_cost"]["without_plan"]
    nothing = {"stock": {("A", "g"): 0.0}, "spare": {}}
    evaluated = CaseSolver(formulation=formulation, fixed_stage_one=nothing).solve(
        load(path), Timings())
    assert evaluated.outcome.objective == pytest.approx(without, rel=1e-9)
    assert evaluated.outcome.objective > optimum.outcome.objective


@pytest.mark.parametrize("plan, says", [
    ({"stock": {}}, "entries of stock"),
    ({"stock": {("A", "g"): 1.0}, "produce": {}}, "names produce"),
    ({"stok": {}}, "names stok")])
def test_a_plan_of_another_model_is_an_internal_error(tmp_path, plan, says):
    from optimizer.errors import InternalError

    path = write_case(tmp_path / "c.xlsx", base_case())
    with pytest.raises(InternalError, match=says):
        CaseSolver(fixed_stage_one=plan).solve(load(path), Timings())


def test_no_mpi_without_mpiexec():
    """A plain run never imports mpi4py (nor initialises MPI), whatever is installed."""
    env = {k: v for k, v in os.environ.items() if k not in mpi.LAUNCHER_VARIABLES}
    check = ("import sys; from optimizer.distributed import mpi; "
             "assert mpi.world() is None; assert 'mpi4py' not in sys.modules")
    completed = subprocess.run([sys.executable, "-c", check], capture_output=True,
                               text=True, cwd=ROOT, env=env, timeout=60)
    assert completed.returncode == 0, completed.stderr


# --- mpi-sppy, serially ---------------------------------------------------------------


@needs_extra
@pytest.mark.parametrize("name", ["base", "richer", "cvar", "worst_case", "maxmin"])
def test_extensive_form_through_mpisppy_equals_the_core_solve(cases, name, tmp_path):
    """Σ_ω π_ω (F + k·C_ω) of the scenario creator's models is the core objective (under
    a risk objective: its own, the block terms being π_ω times block-local ones)."""
    paths, core = cases
    document = run_engine(paths[name], tmp_path, "ef")
    assert document["lower_bound"] == pytest.approx(core[name], rel=1e-9)
    assert document["objective"] == pytest.approx(core[name], rel=1e-9)
    assert document["engine"] == "mpisppy" and document["method"] == "ef"
    assert document["gap"] < 1e-9


@needs_extra
@pytest.mark.parametrize("method, name", [
    ("ph", "base"), ("ph", "richer"), ("ph", "cvar"),
    ("lshaped", "base"), ("lshaped", "richer"), ("lshaped", "cvar"),
    ("lshaped", "worst_case"), ("lshaped", "maxmin")])
def test_ph_and_lshaped_end_within_a_tenth_of_a_percent(cases, name, method, tmp_path):
    """The plan evaluated on every scenario costs within 0.1 % of the optimum, and the
    lower bound lies below the optimum and within 0.1 % of the plan's cost. Under cvar,
    L-shaped's bound rose above the optimum while η was free (its first masters were
    unbounded): η ≥ 0 fixed it."""
    paths, core = cases
    document = run_engine(paths[name], tmp_path, method)
    assert document["status"] == "optimal"
    assert core[name] <= document["objective"] * (1 + 1e-9)
    assert document["objective"] <= core[name] * (1 + TOLERANCE)
    assert document["lower_bound"] <= core[name] * (1 + 1e-9)
    assert document["gap"] <= TOLERANCE
    assert document["iterations"] >= 1 and document["mpi_ranks"] == 1
    # the report's Run sheet names the engine and states its gap, not an LP optimum's
    run_sheet = {row[0]: row[1] for row in openpyxl.load_workbook(
        tmp_path / f"{method}.xlsx", read_only=True)["Run"].iter_rows(values_only=True)
        if row and row[0]}
    assert run_sheet["engine"] == f"mpisppy {method}"
    assert run_sheet["Gap"].startswith(f"{document['gap']:.4%}")
    # the same JSON contract as the extensive form: keys only added
    plain = json.loads(json.dumps(run_case(RunRequest(
        case_path=paths[name], report_path=tmp_path / "core.xlsx", detail=False,
        extras=False)).document))
    assert set(plain) <= set(document)


@needs_extra
def test_a_method_stopped_at_its_time_limit_exits_3_with_its_plan(cases, tmp_path):
    """PH stopped by --time-limit after a few iterations: the plan (feasible) is
    evaluated and reported, but not proven: exit 3, status stopped_at_limit, the gap
    and a warning in the JSON."""
    from optimizer.distributed.solve import run_distributed
    from optimizer.solver import SolverOptions

    paths, core = cases
    request = RunRequest(case_path=paths["base"], report_path=tmp_path / "r.xlsx",
                         summary_path=tmp_path / "r.json", detail=False,
                         solver=SolverOptions(time_limit_s=0.05))
    result = run_distributed(request, "ph")
    assert result.run.exit_code == 3
    document = json.loads((tmp_path / "r.json").read_text())
    assert document["status"] == "stopped_at_limit"
    assert document["objective"] >= core["base"] * (1 - 1e-9)
    assert document["gap"] == pytest.approx(
        (document["objective"] - document["lower_bound"]) / document["objective"])
    assert any("stopped at its iteration or time limit" in w for w in document["warnings"])
    assert (tmp_path / "r.xlsx").is_file()


@needs_extra
def test_a_lower_bound_above_the_plans_cost_is_called_not_valid(cases, tmp_path,
                                                                 monkeypatch):
    """A method whose bound exceeds its plan's evaluated cost has proven nothing: exit
    3, gap null, a warning saying so."""
    from optimizer.distributed import solve
    from optimizer.distributed.mpisppy_engine import EnginePlan

    paths, core = cases
    plan = EnginePlan("lshaped", {"stock": {("A", "g"): 19.0}, "spare": {}},
                      lower_bound=core["base"] + 1.0, iterations=3, converged=True,
                      seconds=0.1, ranks=1)
    monkeypatch.setattr(solve, "find_plan", lambda *args: plan)
    request = RunRequest(case_path=paths["base"], report_path=tmp_path / "r.xlsx",
                         summary_path=tmp_path / "r.json", detail=False)
    assert solve.run_distributed(request, "lshaped").run.exit_code == 3
    document = json.loads((tmp_path / "r.json").read_text())
    assert document["objective"] == pytest.approx(core["base"], rel=1e-9)  # stock 19
    assert document["gap"] is None and document["status"] == "stopped_at_limit"
    assert any("the bound is not valid" in w for w in document["warnings"])


# --- under mpiexec -n 2 ---------------------------------------------------------------


def stockpile(*args: str, ranks: int | None = None, env: dict | None = None,
              cwd: Path | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "optimizer", *args]
    if ranks:
        command = [str(MPIEXEC), "-n", str(ranks), *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=cwd,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})


@needs_mpiexec
@pytest.mark.parametrize("method", ["ph", "lshaped"])
def test_under_mpiexec_two_ranks(cases, method, tmp_path):
    """Two ranks share the scenarios; rank 0 alone prints and writes."""
    paths, core = cases
    out = tmp_path / "out"
    completed = stockpile("solve", str(paths["richer"]), "--engine", "mpisppy", "--method",
                          method, "-o", str(out / "r.xlsx"), "--json", str(out / "r.json"),
                          "-q", ranks=2)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.count("case richer: optimal") == 1
    assert "Initializing" not in completed.stdout  # mpi-sppy's chatter goes to stderr
    document = json.loads((out / "r.json").read_text())
    assert document["mpi_ranks"] == 2
    assert core["richer"] * (1 - 1e-9) <= document["objective"] <= core["richer"] * (
        1 + TOLERANCE)
    assert document["gap"] <= TOLERANCE
    assert sorted(p.name for p in out.iterdir()) == ["r.detail.xlsx", "r.json", "r.xlsx"]


@needs_mpiexec
def test_batch_under_mpiexec_writes_what_one_machine_writes(cases, tmp_path):
    """Three cases over two ranks: each case's report and JSON, and batch.json's cases,
    as `stockpile batch` writes them without MPI."""
    paths, _ = cases
    folder = tmp_path / "cases"
    folder.mkdir()
    for name in ("a", "b", "c"):
        (folder / f"{name}.xlsx").write_bytes(paths["base"].read_bytes())
    (folder / "d.xlsx").write_bytes(paths["richer"].read_bytes())
    runs = {}
    for label, ranks in (("one", None), ("mpi", 2)):
        completed = stockpile("batch", str(folder), "--out-dir", str(tmp_path / label),
                              "--no-extras", "--no-detail", ranks=ranks)
        assert completed.returncode == 0, completed.stderr
        assert completed.stdout.count("batch of 4 cases") == 1
        runs[label] = json.loads((tmp_path / label / "batch.json").read_text())
    assert runs["mpi"]["mpi_ranks"] == 2 and runs["one"]["mpi_ranks"] == 1
    for one, spread in zip(runs["one"]["cases"], runs["mpi"]["cases"], strict=True):
        assert (spread["file"], spread["outcome"], spread["status"]) == (
            one["file"], one["outcome"], one["status"])
        assert spread["objective"] == pytest.approx(one["objective"], rel=1e-12)
        assert Path(spread["report"]).is_file() and Path(spread["summary"]).is_file()
        assert json.loads(Path(spread["summary"]).read_text())["objective"] == (
            spread["objective"])
    assert runs["mpi"]["counts"] == runs["one"]["counts"]
    assert (tmp_path / "mpi" / "batch.xlsx").is_file()


# --- without the extra ----------------------------------------------------------------


@pytest.mark.parametrize("failure, says", [
    ("raise ImportError(\"No module named 'mpisppy'\")", "pip install -e '.[mpi]'"),
    ("raise RuntimeError('cannot load MPI library')", "finds no MPI library"),
])
def test_without_the_extra_engine_mpisppy_says_how_to_install_it(cases, tmp_path, failure,
                                                                   says):
    """An mpisppy that cannot be imported (not installed; an mpi4py wheel without an MPI
    library raises RuntimeError): exit 2, the install command, no traceback, nothing
    written. The default engine still solves."""
    paths, _ = cases
    stub = tmp_path / "stub" / "mpisppy"
    stub.mkdir(parents=True)
    (stub / "__init__.py").write_text(failure + "\n")
    env = {"PYTHONPATH": f"{stub.parent}{os.pathsep}{ROOT}"}
    out = tmp_path / "out"
    completed = stockpile("solve", str(paths["base"]), "--engine", "mpisppy", "-o",
                          str(out / "r.xlsx"), env=env)
    assert completed.returncode == 2
    assert says in completed.stderr and "Traceback" not in completed.stderr
    assert not out.exists()
    completed = stockpile("solve", str(paths["base"]), "-o", str(out / "r.xlsx"), "-q",
                          env=env)
    assert completed.returncode == 0, completed.stderr


def test_method_without_the_mpisppy_engine_is_a_command_line_error(cases, tmp_path, capsys):
    from optimizer import cli

    paths, _ = cases
    code = cli.main(["solve", str(paths["base"]), "--method", "lshaped", "-o",
                     str(tmp_path / "r.xlsx"), "-q"])
    assert code == 2
    assert "--method is for --engine mpisppy" in capsys.readouterr().err
    assert not (tmp_path / "r.xlsx").exists()
