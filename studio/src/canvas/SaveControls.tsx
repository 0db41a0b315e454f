import type { Client } from "@urql/core";
import { useId, useState, type FormEvent } from "react";

import { isStaleSave, updateWorkflow } from "../api/editor";
import { loadLatest, type WorkflowSpec, type WorkflowVersion } from "../api/workflows";
import { ConflictDialog } from "./ConflictDialog";

interface SaveControlsProps {
  graphql: Client;
  workflowId: string;
  /** The version the edits started from: the builder refuses a save based on an older one. */
  baseVersion: number;
  spec: WorkflowSpec;
  onSaved(version: WorkflowVersion, spec: WorkflowSpec): void;
  /** Replace the design with the builder's latest version. */
  onLoaded(version: WorkflowVersion): void;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** "Save" opens a version message; a stale save asks whether to reload or overwrite. */
export function SaveControls({ graphql, workflowId, baseVersion, spec, onSaved, onLoaded }: SaveControlsProps) {
  const [open, setOpen] = useState(false);
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [conflict, setConflict] = useState<string | null>(null);
  const messageId = useId();

  async function save(expectedVersion: number) {
    setBusy(true);
    setFailure(null);
    // The spec as it was when Save was pressed is what the new version holds.
    const saving = spec;
    try {
      const version = await updateWorkflow(graphql, workflowId, expectedVersion, saving, message.trim());
      onSaved(version, saving);
      setConflict(null);
      setOpen(false);
      setMessage("");
    } catch (error) {
      if (isStaleSave(error)) setConflict(error.message);
      else setFailure(messageOf(error));
    } finally {
      setBusy(false);
    }
  }

  async function latestThen(use: (version: WorkflowVersion) => Promise<void> | void) {
    setBusy(true);
    try {
      const { version } = await loadLatest(graphql, workflowId);
      await use(version);
    } catch (error) {
      setConflict(null);
      setFailure(messageOf(error));
    } finally {
      setBusy(false);
    }
  }

  const reload = () =>
    latestThen((version) => {
      onLoaded(version);
      setConflict(null);
      setOpen(false);
      // The message described edits that are gone now.
      setMessage("");
    });
  // Knowingly: the save names the version it replaces, so a third save in between is caught too.
  const overwrite = () => latestThen((version) => save(version.number));

  function submit(event: FormEvent) {
    event.preventDefault();
    void save(baseVersion);
  }

  return (
    <>
      <button type="button" onClick={() => setOpen(!open)} aria-expanded={open}>
        Save
      </button>
      {open && (
        <form className="save-form" onSubmit={submit} aria-label="Save a version">
          <label htmlFor={messageId}>Version message</label>
          <input id={messageId} value={message} onChange={(event) => setMessage(event.target.value)} autoFocus />
          <button type="submit" disabled={busy}>
            Save version
          </button>
          <button type="button" className="secondary" onClick={() => setOpen(false)}>
            Cancel
          </button>
        </form>
      )}
      {failure && (
        <p className="error save-failure" role="alert">
          Saving failed: {failure}
        </p>
      )}
      {conflict !== null && (
        <ConflictDialog
          message={conflict}
          busy={busy}
          onReload={reload}
          onOverwrite={overwrite}
          onCancel={() => setConflict(null)}
        />
      )}
    </>
  );
}
