"""The model marketplace: discover, compare, validate, benchmark and deploy models."""
