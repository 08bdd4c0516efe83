import type { ComponentChildren, VNode } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

/**
 * A scrolling list that renders only the rows in view (plus a margin), so 10,000 rows cost what 40 do. Rows have
 * one fixed height.
 */
export function VirtualList(props: {
  count: number;
  rowHeight: number;
  renderRow: (index: number) => VNode;
  class?: string;
  header?: ComponentChildren;
  scrollTo?: number | null;
  testid?: string;
  label?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  const [height, setHeight] = useState(600);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setHeight(el.clientHeight || 600);
    const ro = new ResizeObserver(() => setHeight(el.clientHeight || 600));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  useEffect(() => {
    const el = ref.current;
    if (!el || props.scrollTo === null || props.scrollTo === undefined) return;
    const y = props.scrollTo * props.rowHeight;
    if (y < el.scrollTop || y > el.scrollTop + el.clientHeight - props.rowHeight * 2) {
      el.scrollTop = Math.max(0, y - el.clientHeight / 3);
    }
  }, [props.scrollTo]);
  const overscan = 10;
  const first = Math.max(0, Math.floor(top / props.rowHeight) - overscan);
  const last = Math.min(props.count, Math.ceil((top + height) / props.rowHeight) + overscan);
  const rows: VNode[] = [];
  for (let i = first; i < last; i++) rows.push(props.renderRow(i));
  return (
    <div
      ref={ref}
      class={`vlist ${props.class ?? ''}`}
      data-testid={props.testid}
      role="list"
      aria-label={props.label}
      onScroll={(e) => setTop((e.target as HTMLDivElement).scrollTop)}
    >
      {props.header}
      <div class="vlist-body" style={{ height: `${props.count * props.rowHeight}px` }}>
        <div style={{ transform: `translateY(${first * props.rowHeight}px)` }}>{rows}</div>
      </div>
    </div>
  );
}
