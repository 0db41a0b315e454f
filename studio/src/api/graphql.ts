/** The builder's GraphQL: queries and mutations over HTTP, subscriptions over graphql-ws. */

import {
  Client,
  fetchExchange,
  subscriptionExchange,
  type AnyVariables,
  type CombinedError,
  type TypedDocumentNode,
} from "@urql/core";
import { createClient as createWsClient } from "graphql-ws";

import { bearer, type Session } from "./auth";
import { websocketUrl, type StudioConfig } from "./config";
import { ApiError, type Fetch } from "./http";

export interface GraphqlOptions {
  fetch?: Fetch;
  /** Off in unit tests, which have no websocket server. */
  subscriptions?: boolean;
}

export function createGraphqlClient(
  config: StudioConfig,
  session: Pick<Session, "token">,
  options: GraphqlOptions = {},
): Client {
  const authorization = bearer(session);
  const exchanges = [fetchExchange];
  if (options.subscriptions ?? true) {
    // Browsers cannot set headers on a websocket: the token goes in connection_init.
    const ws = createWsClient({
      url: websocketUrl(config.graphqlWsUrl),
      connectionParams: { Authorization: authorization },
      lazy: true,
    });
    exchanges.push(
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query || "" };
          return {
            subscribe(sink) {
              return { unsubscribe: ws.subscribe(input, sink) };
            },
          };
        },
      }),
    );
  }
  return new Client({
    url: new URL(config.graphqlUrl, window.location.href).toString(),
    exchanges,
    // Every read goes to the server: a workflow list shows what is there now.
    requestPolicy: "network-only",
    fetch: options.fetch,
    fetchOptions: () => ({ headers: { Authorization: authorization } }),
  });
}

/** The first error's message and code, as an ApiError. */
export function toApiError(error: CombinedError): ApiError {
  const first = error.graphQLErrors[0];
  if (first) {
    const code = first.extensions?.code;
    return new ApiError(first.message, 200, typeof code === "string" ? code : undefined);
  }
  const status = (error.response as Response | undefined)?.status ?? 0;
  const message = error.networkError?.message ?? error.message;
  return new ApiError(`the builder could not be reached: ${message}`, status);
}

export async function query<Data, Variables extends AnyVariables>(
  client: Client,
  document: TypedDocumentNode<Data, Variables>,
  variables: Variables,
): Promise<Data> {
  const result = await client.query(document, variables).toPromise();
  if (result.error) throw toApiError(result.error);
  if (!result.data) throw new ApiError("the builder answered without data", 502);
  return result.data;
}

export async function mutate<Data, Variables extends AnyVariables>(
  client: Client,
  document: TypedDocumentNode<Data, Variables>,
  variables: Variables,
): Promise<Data> {
  const result = await client.mutation(document, variables).toPromise();
  if (result.error) throw toApiError(result.error);
  if (!result.data) throw new ApiError("the builder answered without data", 502);
  return result.data;
}
