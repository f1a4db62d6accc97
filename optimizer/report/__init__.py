"""Outputs: the report workbook (streamed by `xlsx_writer`) and the JSON summary."""
