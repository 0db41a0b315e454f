import { useSignedIn } from "../session/StudioContext";
import { Failure, Loading } from "../Status";
import { useLoad } from "../useLoad";
import { TryItForm } from "./TryItForm";

/** The try-it form of the version an endpoint serves (its signature from the catalog). */
export function EndpointTryIt({ endpoint, model, version }: { endpoint: string; model: string; version: number }) {
  const { marketplace } = useSignedIn();
  const loaded = useLoad(() => marketplace.version(model, version), [marketplace, model, version]);
  if (loaded.state === "loading") return <Loading what="the model's signature" />;
  if (loaded.state === "failed") return <Failure message={loaded.message} />;
  return (
    <TryItForm
      key={`${model}:${version}`}
      endpoint={endpoint}
      signature={loaded.data.signature}
      inputExample={loaded.data.input_example}
    />
  );
}
