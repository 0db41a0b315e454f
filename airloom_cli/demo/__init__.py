"""Realistic synthetic business data, so the built-in DAGs run with no other preparation."""
