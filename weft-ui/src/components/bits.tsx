import type { Status } from '../lib/types';

export function StatusBadge(props: { status: Status | string | null | undefined }) {
  const s = props.status ?? 'unknown';
  return <span class={`badge status-${s}`}>{s}</span>;
}

export function Tag(props: { k: string; v: string; kind?: string }) {
  return (
    <span class={`tag tag-${props.kind ?? 'tag'}`} title={`${props.kind ?? 'tag'}: ${props.k}=${props.v}`}>
      <span class="tag-k">{props.k}</span>=<span class="tag-v">{props.v}</span>
    </span>
  );
}

/** A key/value table for details panels. Values are rendered as text. */
export function KV(props: { rows: [string, string | number | null | undefined][]; testid?: string }) {
  const rows = props.rows.filter(([, v]) => v !== null && v !== undefined && v !== '');
  if (!rows.length) return <p class="muted">none</p>;
  return (
    <table class="kv" data-testid={props.testid}>
      <tbody>
        {rows.map(([k, v]) => (
          <tr key={k}>
            <th>{k}</th>
            <td>{String(v)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Segmented<T extends string>(props: {
  value: T;
  options: { value: T; label: string }[];
  onChange: (v: T) => void;
  label: string;
  testid?: string;
}) {
  return (
    <div class="segmented" role="radiogroup" aria-label={props.label} data-testid={props.testid}>
      {props.options.map((o) => (
        <button
          type="button"
          role="radio"
          aria-checked={o.value === props.value}
          class={o.value === props.value ? 'on' : ''}
          onClick={() => props.onChange(o.value)}
          key={o.value}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}

export const WINDOWS = [
  { value: '15m', label: '15 min' },
  { value: '1h', label: '1 h' },
  { value: '6h', label: '6 h' },
  { value: '24h', label: '24 h' },
  { value: '7d', label: '7 d' },
];
