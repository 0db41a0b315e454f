"""The GraphQL layer: thin resolvers over :mod:`workflow_builder_api.services`."""
