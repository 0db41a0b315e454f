"""Shipping Airloom to AWS: the MWAA bundle, its deployment, and Terraform checks."""
