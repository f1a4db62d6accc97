"""The Pyomo formulation of the stockpile and reallocation LP, a pure function of the
validated case (`models.index_sets` builds the sparse sets, `models.stockpile` the LP)."""
