"""The LP hand-over: the model of `models` compiled into the arrays HiGHS takes, by the
fast replicated path or the whole-model reference, and the solution read back by
component."""
