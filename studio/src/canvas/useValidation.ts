import type { Client } from "@urql/core";
import { useEffect, useState } from "react";

import { validateWorkflow, type Problem } from "../api/editor";
import type { WorkflowSpec } from "../api/workflows";
import { useDebounced } from "../useDebounced";

/** How long the design must rest before the builder checks it: not on every keystroke. */
export const VALIDATE_AFTER_MS = 400;

/** The builder's problems with the design, asked again once edits pause. */
export function useValidation(graphql: Client, spec: WorkflowSpec): { problems: Problem[]; failure: string | null } {
  const settled = useDebounced(spec, VALIDATE_AFTER_MS);
  const [result, setResult] = useState<{ problems: Problem[]; failure: string | null }>({ problems: [], failure: null });
  useEffect(() => {
    let current = true;
    validateWorkflow(graphql, settled).then(
      (problems) => current && setResult({ problems, failure: null }),
      // An answer for an older design is dropped: `current` is false by then.
      (error: unknown) => current && setResult((before) => ({ ...before, failure: error instanceof Error ? error.message : String(error) })),
    );
    return () => {
      current = false;
    };
  }, [graphql, settled]);
  return result;
}
