"""Whether this process is one rank of several started by ``mpiexec``.

mpi4py is imported only when the environment shows a launcher (MPICH's Hydra sets
PMI_RANK and PMI_SIZE, Open MPI OMPI_COMM_WORLD_SIZE, PMIx launchers PMIX_RANK): an
ordinary run never initialises MPI, and an mpi4py without an MPI library (whose import
raises RuntimeError) counts as no MPI.
"""

from __future__ import annotations

import os

LAUNCHER_VARIABLES = ("PMI_RANK", "PMI_SIZE", "PMIX_RANK", "OMPI_COMM_WORLD_SIZE")


def world():
    """mpi4py's COMM_WORLD if this process was launched by mpiexec with more than one
    rank and mpi4py is importable; else None."""
    if not any(name in os.environ for name in LAUNCHER_VARIABLES):
        return None
    try:
        from mpi4py import MPI
    except (ImportError, RuntimeError):
        return None
    comm = MPI.COMM_WORLD
    return comm if comm.Get_size() > 1 else None
