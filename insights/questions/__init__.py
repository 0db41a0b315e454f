"""Questions in plain English: a semantic layer of metrics and dimensions over the activity read
model, a structured Query validated against it, a compiler to one tenant-restricted DuckDB
statement, and an offline translator from a question to a Query."""
