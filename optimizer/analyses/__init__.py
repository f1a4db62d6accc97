"""Re-solves built on a solved case: the value of the plan, of cooperation and of
planning for uncertainty (`optimizer.analyses.extras`)."""
