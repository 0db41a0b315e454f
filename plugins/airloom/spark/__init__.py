"""Spark support for Airloom's operators."""
