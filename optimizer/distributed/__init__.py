"""Scale-out on MPI through mpi-sppy (the optional extra ``mpi``): one large case's
scenarios spread over the ranks (`optimizer.distributed.solve`), and a batch's cases
spread over the ranks (`optimizer.distributed.mpi`, used by `optimizer.batch`).

Nothing here is imported unless asked for: without the extra the tool works as before.
"""
