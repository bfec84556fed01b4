/**
 * @module
 * A table that renders only the rows in view (plus a few either side), so a
 * thousand VMIs cost as much as the forty on screen.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

/** A column: its title, CSS grid width and how a row's cell renders. */
export interface Column<T> { title: string; width: string; cell: (row: T) => ComponentChildren }

const ROW_HEIGHT = 34;
const OVERSCAN = 8;

/** The table; `rowKey` keys rows (and is their `data-key`, which tests use). */
export function VirtualTable<T>(props: { columns: Column<T>[]; rows: T[]; rowKey: (row: T) => string; empty?: string; testId?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [scroll, setScroll] = useState(0);
  const [height, setHeight] = useState(600);
  useEffect(() => {
    const el = box.current;
    if (!el) return undefined;
    const measure = () => setHeight(el.clientHeight);
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const template = props.columns.map((c) => c.width).join(" ");
  const first = Math.max(0, Math.floor(scroll / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(props.rows.length, Math.ceil((scroll + height) / ROW_HEIGHT) + OVERSCAN);
  const visible = props.rows.slice(first, last);
  return (
    <div class="vtable panel" ref={box} onScroll={(e) => setScroll((e.currentTarget as HTMLDivElement).scrollTop)} data-testid={props.testId} data-rows={props.rows.length}>
      <div class="vrow head" style={{ gridTemplateColumns: template, position: "sticky" }}>
        {props.columns.map((c) => <div key={c.title}>{c.title}</div>)}
      </div>
      <div style={{ height: `${props.rows.length * ROW_HEIGHT}px`, position: "relative" }}>
        {visible.map((row, i) => (
          <div class="vrow" key={props.rowKey(row)} data-key={props.rowKey(row)} style={{ gridTemplateColumns: template, top: `${(first + i) * ROW_HEIGHT}px` }}>
            {props.columns.map((c) => <div key={c.title}>{c.cell(row)}</div>)}
          </div>
        ))}
      </div>
      {props.rows.length === 0 && <div class="muted" style={{ padding: "14px" }}>{props.empty ?? "Nothing here."}</div>}
    </div>
  );
}
