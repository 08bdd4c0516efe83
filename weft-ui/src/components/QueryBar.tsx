import { useEffect, useRef, useState } from 'preact/hooks';
import {
  KEY_HELP,
  RESERVED_KEYS,
  applyCompletion,
  completionContext,
  quoteKey,
  quoteValue,
  serviceInQuery,
  type CompletionContext,
} from '../lib/query';
import * as suggest from '../lib/suggest';

interface Item {
  label: string;
  insert: string;
  detail: string;
}

const STATUS = ['ok', 'failed', 'abandoned', 'running'];
const TYPES = ['START', 'COMPLETE', 'FAIL', 'SEND', 'RECEIVE', 'DECLARE'];
const DURATIONS = ['10ms', '100ms', '500ms', '1s', '5s', '1m'];
const TIMES = ['5m', '15m', '1h', '6h', '24h', '7d', 'now'];
const MAX_ITEMS = 12;

function rank(values: string[], prefix: string): string[] {
  const p = prefix.toLowerCase();
  const starts = values.filter((v) => v.toLowerCase().startsWith(p));
  const contains = p ? values.filter((v) => !v.toLowerCase().startsWith(p) && v.toLowerCase().includes(p)) : [];
  return [...starts, ...contains].slice(0, MAX_ITEMS);
}

async function itemsFor(ctx: CompletionContext, text: string, eventKeysOnly: boolean): Promise<Item[]> {
  if (ctx.kind === 'key') {
    const reserved = eventKeysOnly ? ['service', 'type', 'op', 'trace'] : [...RESERVED_KEYS];
    const tags = eventKeysOnly ? [] : await suggest.tagKeys().catch(() => [] as string[]);
    const keyItems: Item[] = [
      ...reserved.map((k) => ({ label: k, insert: `${k}=`, detail: KEY_HELP[k] ?? '' })),
      ...tags.map((k) => ({ label: k, insert: `${quoteKey(k)}=`, detail: 'tag' })),
    ];
    const p = ctx.prefix.toLowerCase();
    const starts = keyItems.filter((i) => i.label.toLowerCase().startsWith(p));
    const contains = p ? keyItems.filter((i) => !i.label.toLowerCase().startsWith(p) && i.label.toLowerCase().includes(p)) : [];
    return [...starts, ...contains].slice(0, MAX_ITEMS);
  }
  const key = ctx.key ?? '';
  const op = ctx.op ?? '=';
  let values: string[];
  let detail = '';
  switch (key) {
    case 'service':
      values = await suggest.services();
      detail = 'service';
      break;
    case 'op': {
      const svc = serviceInQuery(text);
      values = await suggest.operations(svc);
      detail = svc ? `operation of ${svc}` : 'operation';
      break;
    }
    case 'status':
      values = STATUS;
      break;
    case 'type':
      values = TYPES;
      detail = 'event type';
      break;
    case 'duration':
    case 'queue_wait':
      values = DURATIONS;
      detail = 'duration';
      break;
    case 'since':
    case 'until':
      values = TIMES;
      detail = 'ago';
      break;
    case 'channel':
      values = await suggest.channels();
      detail = 'channel';
      break;
    case 'schema':
      values = await suggest.schemas();
      detail = 'message type';
      break;
    case 'trace':
      return [];
    default:
      if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(key) || op !== '=') return [];
      values = await suggest.tagValues(key);
      detail = `value of ${key}`;
  }
  return rank(values, ctx.prefix).map((v) => ({ label: v, insert: quoteValue(v), detail }));
}

/**
 * The query input with autocomplete of keys (reserved keys and tag keys) and values (services, operations, tag
 * values, statuses, ...). Enter runs the query; arrows, Enter/Tab and Escape drive the list.
 */
export function QueryBar(props: {
  value: string;
  onSubmit: (q: string) => void;
  placeholder?: string;
  eventKeysOnly?: boolean;
  submitLabel?: string;
  testid?: string;
  autoFocus?: boolean;
  onChange?: (q: string) => void;
}) {
  const [text, setText] = useState(props.value);
  const [items, setItems] = useState<Item[]>([]);
  const [active, setActive] = useState(-1);
  const [open, setOpen] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const ctxRef = useRef<CompletionContext | null>(null);
  const req = useRef(0);
  const listId = useRef(`qb-list-${Math.random().toString(36).slice(2)}`);

  useEffect(() => setText(props.value), [props.value]);
  useEffect(() => {
    if (props.autoFocus) input.current?.focus();
  }, []);

  function refresh(t: string, caret: number) {
    const ctx = completionContext(t, caret);
    ctxRef.current = ctx;
    const my = ++req.current;
    if (!ctx) {
      setOpen(false);
      return;
    }
    itemsFor(ctx, t, !!props.eventKeysOnly).then(
      (list) => {
        if (my !== req.current) return;
        // nothing to add when the only suggestion is what is typed already
        const useful = list.filter((i) => !(ctx.kind === 'value' && i.insert === t.slice(ctx.valueStart, ctx.end)));
        setItems(useful);
        setActive(useful.length ? 0 : -1);
        setOpen(useful.length > 0);
      },
      () => my === req.current && setOpen(false),
    );
  }

  function accept(i: Item) {
    const el = input.current;
    const ctx = ctxRef.current;
    if (!el || !ctx) return;
    const r = applyCompletion(text, ctx, i.insert);
    setText(r.text);
    props.onChange?.(r.text);
    setOpen(false);
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(r.caret, r.caret);
      refresh(r.text, r.caret);
    });
  }

  function onKeyDown(e: KeyboardEvent) {
    if (open && items.length) {
      if (e.key === 'ArrowDown') {
        e.preventDefault();
        setActive((a) => (a + 1) % items.length);
        return;
      }
      if (e.key === 'ArrowUp') {
        e.preventDefault();
        setActive((a) => (a - 1 + items.length) % items.length);
        return;
      }
      if ((e.key === 'Enter' || e.key === 'Tab') && active >= 0) {
        e.preventDefault();
        accept(items[active]);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setOpen(false);
        return;
      }
    }
    if (e.key === 'Enter') {
      e.preventDefault();
      setOpen(false);
      props.onSubmit(text.trim());
    }
  }

  return (
    <form
      class="querybar"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        setOpen(false);
        props.onSubmit(text.trim());
      }}
    >
      <div class="combo">
        <input
          ref={input}
          type="text"
          class="query-input"
          data-testid={props.testid ?? 'query-input'}
          value={text}
          placeholder={props.placeholder ?? 'op=UpdateInventory status=failed merchant_id=4c5d6e7'}
          spellcheck={false}
          autocomplete="off"
          autocapitalize="off"
          role="combobox"
          aria-label="Query"
          aria-autocomplete="list"
          aria-expanded={open}
          aria-controls={listId.current}
          aria-activedescendant={open && active >= 0 ? `${listId.current}-${active}` : undefined}
          maxLength={4096}
          onInput={(e) => {
            const el = e.target as HTMLInputElement;
            setText(el.value);
            props.onChange?.(el.value);
            refresh(el.value, el.selectionStart ?? el.value.length);
          }}
          onFocus={(e) => {
            const el = e.target as HTMLInputElement;
            refresh(el.value, el.selectionStart ?? el.value.length);
          }}
          onClick={(e) => {
            const el = e.target as HTMLInputElement;
            refresh(el.value, el.selectionStart ?? el.value.length);
          }}
          onBlur={() => setTimeout(() => setOpen(false), 120)}
          onKeyDown={onKeyDown}
        />
        {open && (
          <ul class="suggestions" role="listbox" id={listId.current} data-testid="suggestions">
            {items.map((i, n) => (
              <li
                key={i.label + n}
                id={`${listId.current}-${n}`}
                role="option"
                aria-selected={n === active}
                class={n === active ? 'active' : ''}
                onMouseDown={(e) => {
                  e.preventDefault();
                  accept(i);
                }}
                onMouseEnter={() => setActive(n)}
              >
                <span class="s-label">{i.label}</span>
                <span class="s-detail">{i.detail}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
      <button type="submit" data-testid="query-submit">
        {props.submitLabel ?? 'Search'}
      </button>
    </form>
  );
}
