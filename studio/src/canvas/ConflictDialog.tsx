import { Modal } from "../Modal";

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
  return (
    <Modal role="alertdialog" labelledBy="conflict-title" describedBy="conflict-message" onClose={onCancel}>
      <h2 id="conflict-title">Someone saved a newer version</h2>
      <p id="conflict-message">{message}</p>
      <p>Reload drops your unsaved edits; Overwrite saves yours as the newest version.</p>
      <div className="dialog-buttons">
        <button type="button" onClick={onReload} disabled={busy}>
          Reload
        </button>
        <button type="button" onClick={onOverwrite} disabled={busy}>
          Overwrite
        </button>
        <button type="button" className="secondary" onClick={onCancel} disabled={busy}>
          Keep editing
        </button>
      </div>
    </Modal>
  );
}
