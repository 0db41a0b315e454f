"""Hooks: each owns one connection and its client."""
