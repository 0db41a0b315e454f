import { useState } from "react";
import { Link, useParams } from "react-router";

import type { EndpointSummary } from "../api/marketplaceTypes";
import { useSignedIn } from "../session/StudioContext";
import { Failure, Loading } from "../Status";
import { useLoad } from "../useLoad";
import { ModelFacts } from "./ModelFacts";
import { VersionDetails } from "./VersionDetails";
import { VersionsTable } from "./VersionsTable";
import "./marketplace.css";

async function endpointsOrNone(load: () => Promise<EndpointSummary[]>): Promise<EndpointSummary[]> {
  // The lineage ends at the endpoints when they can be read; the page works without them.
  try {
    return await load();
  } catch {
    return [];
  }
}

/** A model: its card, versions (compare, deploy), and the chosen version's details. */
export default function ModelPage() {
  const { name = "" } = useParams();
  const { marketplace } = useSignedIn();
  const loaded = useLoad(
    () => Promise.all([marketplace.model(name), endpointsOrNone(() => marketplace.endpoints())]),
    [marketplace, name],
  );
  const [picked, setPicked] = useState<number | null>(null);

  return (
    <section aria-labelledby="model-title" className="marketplace">
      <p>
        <Link to="/marketplace">← Marketplace</Link>
      </p>
      <h1 id="model-title">{name}</h1>
      {loaded.state === "loading" && <Loading what={`model ${name}`} />}
      {loaded.state === "failed" && <Failure message={loaded.message} />}
      {loaded.state === "done" &&
        (() => {
          const [model, endpoints] = loaded.data;
          const shown = picked ?? model.headline_version ?? model.versions[0]?.version ?? null;
          return (
            <>
              <ModelFacts model={model} />
              <VersionsTable model={name} versions={model.versions} shown={shown} onShow={setPicked} />
              {shown !== null && <VersionDetails key={shown} model={name} version={shown} endpoints={endpoints} />}
            </>
          );
        })()}
    </section>
  );
}
