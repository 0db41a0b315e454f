"""Airloom's command line: the local stack (`airloom up`) and developer commands."""
