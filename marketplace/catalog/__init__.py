"""The catalog: MLflow's registry mirrored into the marketplace's database."""
