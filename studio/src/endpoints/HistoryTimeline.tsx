import type { EndpointEvent } from "../api/marketplaceTypes";
import { formatTime } from "../format";

function move(event: EndpointEvent): string {
  const to = event.version ? `v${event.version}` : "?";
  return event.from_version ? `v${event.from_version} → ${to}` : `→ ${to}`;
}

/** Who moved the endpoint, when, from which version to which, and why: newest first. */
export function HistoryTimeline({ events }: { events: EndpointEvent[] }) {
  if (events.length === 0) return <p className="muted">Nothing recorded yet.</p>;
  return (
    <ol className="timeline" aria-label="History">
      {[...events].reverse().map((event, index) => (
        <li key={`${event.deployed_at}-${index}`}>
          <strong>{event.action ?? "deploy"}</strong> {move(event)}{" "}
          <span className="muted">
            by {event.deployed_by ?? "unknown"} at {formatTime(event.deployed_at)}
          </span>
          {event.reason && <div>{event.reason}</div>}
        </li>
      ))}
    </ol>
  );
}
