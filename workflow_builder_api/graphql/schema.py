"""The builder's GraphQL schema and the security extensions it always carries."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
)
from strawberry.extensions.disable_introspection import DisableIntrospection
from strawberry.tools import merge_types

from workflow_builder_api.core.config import Settings
from workflow_builder_api.graphql.limits import InputLimits
from workflow_builder_api.graphql.mutations import Mutation
from workflow_builder_api.graphql.queries import Query
from workflow_builder_api.graphql.subscriptions import Subscription
from workflow_builder_api.graphql.tenancy import TenancyMutation, TenancyQuery
from workflow_builder_api.services.errors import StaleVersion, UserError


def _is_internal(error: GraphQLError) -> bool:
    """Mask exceptions raised by our code unless they are errors a user can fix.

    Errors without an original exception are GraphQL's own (syntax, validation, limits),
    and so are those whose original is a GraphQLError (a variable of the wrong type): they
    describe the user's query and stay readable.
    """
    original = error.original_error
    return original is not None and not isinstance(original, UserError | GraphQLError)


# Characters of an error message: GraphQL's own messages quote a variable's whole value.
MAX_ERROR_MESSAGE = 1000


def _clipped(message: str) -> str:
    if len(message) <= MAX_ERROR_MESSAGE:
        return message
    return f"{message[:MAX_ERROR_MESSAGE]}… ({len(message):,} characters in all)"


class UserErrorsOnly(MaskErrors):
    """Internal errors become "Unexpected error."; user errors gain a machine-readable code."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=_is_internal, error_message="Unexpected error.")

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        processed = super()._process_errors(errors)
        for error in processed:
            error.message = _clipped(error.message)
            original = error.original_error
            if isinstance(original, UserError):
                extensions = dict(error.extensions or {})
                extensions["code"] = original.code
                if isinstance(original, StaleVersion):
                    extensions["currentVersion"] = original.current
                error.extensions = extensions
        return processed


class BuilderSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context=None) -> None:  # type: ignore[no-untyped-def]
        # A user's mistake is an answer, not an incident: log only what we did wrong.
        internal = [error for error in errors if _is_internal(error)]
        super().process_errors(internal, execution_context)


def build_schema(settings: Settings) -> strawberry.Schema:
    # Factories, not instances: each operation gets its own extension objects.
    extensions: list = [
        lambda: QueryDepthLimiter(max_depth=settings.max_query_depth),
        lambda: MaxTokensLimiter(max_token_count=settings.max_query_tokens),
        lambda: MaxAliasesLimiter(max_alias_count=settings.max_query_aliases),
        lambda: InputLimits(max_json_depth=settings.max_json_depth),
        UserErrorsOnly,
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    return BuilderSchema(
        query=merge_types("Query", (Query, TenancyQuery)),
        mutation=merge_types("Mutation", (Mutation, TenancyMutation)),
        subscription=Subscription,
        extensions=extensions,
    )
