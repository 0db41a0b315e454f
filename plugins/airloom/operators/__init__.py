"""Airloom's operators. Each module holds one integration; heavy imports stay in `execute`."""
