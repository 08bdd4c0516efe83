import { useMemo, useState } from 'preact/hooks';
import { VirtualList } from '../components/VirtualList';
import { StatusBadge } from '../components/bits';
import { fmtTicksDuration } from '../lib/format';
import type { TraceModel } from './model';
import { unroll } from './tree';

const ROW = 26;

export function TreeView(props: { model: TraceModel; selected: number | null; onSelect: (i: number) => void }) {
  const m = props.model;
  const [collapsed, setCollapsed] = useState<ReadonlySet<number>>(new Set());
  const rows = useMemo(() => unroll(m, collapsed), [m, collapsed]);
  const selRow = useMemo(() => {
    if (props.selected === null) return null;
    const i = rows.findIndex((r) => r.node === props.selected && !r.shared);
    return i >= 0 ? i : null;
  }, [rows, props.selected]);
  const [jump, setJump] = useState<number | null>(null);
  const toggle = (v: number) => {
    const next = new Set(collapsed);
    if (next.has(v)) next.delete(v);
    else next.add(v);
    setCollapsed(next);
  };
  const shared = rows.filter((r) => r.shared).length;
  return (
    <div class="tree-wrap" data-testid="tree-view">
      <p class="muted small">
        The DAG unrolled from its origins: each node is expanded under the first parent that reaches it; later parents
        show it as <span class="shared-mark">shared</span> and link back. {rows.length} rows
        {shared ? `, ${shared} shared` : ''}.
      </p>
      <VirtualList
        class="tree"
        count={rows.length}
        rowHeight={ROW}
        scrollTo={jump ?? selRow}
        label="Trace tree"
        renderRow={(i) => {
          const r = rows[i];
          const n = m.nodes[r.node];
          const isOp = n.kind === 'op' || n.kind === 'ghost-op';
          const dur = n.op ? fmtTicksDuration(n.op.durationTicks) : '';
          return (
            <div
              key={i}
              role="listitem"
              class={`tree-row${r.node === props.selected && !r.shared ? ' selected' : ''}${n.critical ? ' critical' : ''}${r.shared ? ' is-shared' : ''}`}
              style={{ height: `${ROW}px` }}
              data-testid="tree-row"
              onClick={() => props.onSelect(r.node)}
            >
              <span class="indent" style={{ width: `${r.depth * 16}px` }} />
              {r.hasChildren && !r.shared ? (
                <button
                  type="button"
                  class="twisty"
                  aria-label={collapsed.has(r.node) ? 'Expand' : 'Collapse'}
                  aria-expanded={!collapsed.has(r.node)}
                  onClick={(e) => {
                    e.stopPropagation();
                    toggle(r.node);
                  }}
                >
                  {collapsed.has(r.node) ? '▸' : '▾'}
                </button>
              ) : (
                <span class="twisty" />
              )}
              <span class={`kind-icon ${isOp ? 'k-op' : 'k-msg'}${n.kind.startsWith('ghost') ? ' k-ghost' : ''}`} aria-hidden="true" />
              <span class="t-label">{n.label}</span>
              <span class="t-sub muted">{n.sub}</span>
              {n.op && <StatusBadge status={n.op.status} />}
              {dur && <span class="t-dur">{dur}</span>}
              {r.multiParent && !r.shared && (
                <span class="badge fanin" title="this node has several parents in the DAG">
                  fan-in ×{n.inDegree}
                </span>
              )}
              {r.shared && (
                <button
                  type="button"
                  class="shared-mark link"
                  title="Already shown above under another parent"
                  onClick={(e) => {
                    e.stopPropagation();
                    setJump(r.firstRow);
                    props.onSelect(r.node);
                  }}
                >
                  shared ↑
                </button>
              )}
            </div>
          );
        }}
      />
    </div>
  );
}
