import { useState } from "react";
import { useNavigate } from "react-router";

import { createWorkflow } from "../api/workflows";
import { useSignedIn } from "../session/StudioContext";

/**
 * Create a workflow (blank, or from a template) and open it; while the builder answers the
 * form is busy, and its refusal (a taken or malformed name) is kept to show beside the form.
 */
export function useCreateWorkflow() {
  const { graphql } = useSignedIn();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function create(name: string, title: string, template?: string) {
    setBusy(true);
    setError(null);
    try {
      const created = await createWorkflow(graphql, name.trim(), title, template);
      navigate(`/workflows/${encodeURIComponent(created.id)}`);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
      setBusy(false);
    }
  }

  return { create, busy, error };
}
