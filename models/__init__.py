"""The math, the bottom layer: the validated case as plain data (`models.data`), the
sparse sets and scenario factors (`models.index_sets`), the mutable parameters
(`models.parameters`), one module per family of constraints, the objective, and the
scenario model builder (`models.scenario_model`). Nothing here reads a file or knows
about Excel, HiGHS or reports."""
