"""The builder's business logic, in plain functions a GraphQL or REST layer can call."""
