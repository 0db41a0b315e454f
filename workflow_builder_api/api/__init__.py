"""The builder's REST routes beside GraphQL."""
