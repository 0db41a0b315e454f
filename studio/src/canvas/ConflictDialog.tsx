import { useEffect, useRef } from "react";

interface ConflictDialogProps {
  /** The builder's own words (which version it is at). */
  message: string;
  busy: boolean;
  onReload(): void;
  onOverwrite(): void;
  onCancel(): void;
}

/**
 * A stale save: someone saved a newer version since this one was loaded. The person decides:
 * drop their edits for the latest version, or save theirs over it knowingly.
 */
export function ConflictDialog({ message, busy, onReload, onOverwrite, onCancel }: ConflictDialogProps) {
  const first = useRef<HTMLButtonElement>(null);
  useEffect(() => first.current?.focus(), []);
  return (
    <div className="dialog-backdrop">
      <div
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="conflict-title"
        aria-describedby="conflict-message"
        className="dialog"
        onKeyDown={(event) => {
          if (event.key === "Escape") onCancel();
        }}
      >
        <h2 id="conflict-title">Someone saved a newer version</h2>
        <p id="conflict-message">{message}</p>
        <p>Reload drops your unsaved edits; Overwrite saves yours as the newest version.</p>
        <div className="dialog-buttons">
          <button ref={first} type="button" onClick={onReload} disabled={busy}>
            Reload
          </button>
          <button type="button" onClick={onOverwrite} disabled={busy}>
            Overwrite
          </button>
          <button type="button" className="secondary" onClick={onCancel} disabled={busy}>
            Keep editing
          </button>
        </div>
      </div>
    </div>
  );
}
