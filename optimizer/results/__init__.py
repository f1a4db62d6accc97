"""The solved plan as tidy tables (`tables`) with plain snake_case columns, and one
table of column metadata (`columns`: label, unit, number format) that the report and
summary read, as the input schema does for inputs."""
