import { isRouteErrorResponse, useRouteError } from "react-router";

/** A page that could not open: most often its file is gone because Studio was updated since
 * this tab loaded it, which a reload mends. Said in words, with the reload a click away. */
export function RouteError() {
  const error = useRouteError();
  const detail = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : error instanceof Error
      ? error.message
      : String(error);
  return (
    <section className="page" aria-labelledby="route-error-title">
      <h1 id="route-error-title">This page could not open</h1>
      <p role="alert">
        Studio may have been updated since this tab opened it. Reload to get the new version.
      </p>
      <p className="muted">{detail}</p>
      <button type="button" onClick={() => window.location.reload()}>
        Reload
      </button>
    </section>
  );
}
