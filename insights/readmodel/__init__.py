"""The read model: DuckDB views over the activity Parquet, with costs and values."""
