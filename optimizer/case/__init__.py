"""The case layer: the workbook format (schema), bounded reading, validation into a
`models.data.Case`, and the blank template."""
