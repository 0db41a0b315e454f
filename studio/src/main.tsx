import { StrictMode, useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import { createBrowserRouter } from "react-router";
import { RouterProvider } from "react-router/dom";

import { routerBasename } from "./api/basePath";
import { loadConfig, type StudioConfig } from "./api/config";
import { routes } from "./routes";
import { StudioProvider } from "./session/StudioContext";
import { Failure } from "./Status";
import "./styles.css";

const router = createBrowserRouter(routes, { basename: routerBasename() });

function Studio() {
  const [config, setConfig] = useState<StudioConfig | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    loadConfig().then(setConfig, (failure: Error) => setError(failure.message));
  }, []);
  if (error) return <Failure message={`Studio cannot start: ${error}`} />;
  if (!config) return null;
  return (
    <StudioProvider config={config}>
      <RouterProvider router={router} />
    </StudioProvider>
  );
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <Studio />
  </StrictMode>,
);
