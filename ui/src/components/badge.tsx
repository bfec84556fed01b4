/** A status word in its tone's colours. */
import { tone } from "../format";

/** The badge; nothing for an empty state. */
export function Badge(props: { state: string; title?: string }) {
  if (!props.state) return null;
  return <span class={`badge ${tone(props.state)}`} title={props.title} data-status={props.state}>{props.state}</span>;
}
