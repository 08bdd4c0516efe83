import { describe, expect, it } from 'vitest';
import { applyCompletion, completionContext, keysInQuery, quoteKey, quoteValue, serviceInQuery, term } from '../src/lib/query';

describe('quoting', () => {
  it('keeps plain values bare', () => {
    expect(quoteValue('4c5d6e7')).toBe('4c5d6e7');
    expect(quoteValue('kafka:sku-updates')).toBe('kafka:sku-updates');
    expect(quoteValue('urn:shop:SkuUpdated:v1')).toBe('urn:shop:SkuUpdated:v1');
  });
  it('quotes and escapes anything the grammar reserves', () => {
    expect(quoteValue('Ada Lovelace')).toBe('"Ada Lovelace"');
    expect(quoteValue('<img src=x onerror=alert(1)>')).toBe('"<img src=x onerror=alert(1)>"');
    expect(quoteValue('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(quoteValue('5 * 3')).toBe('"5 \\* 3"');
    expect(quoteValue('line\nbreak\t\u0001')).toBe('"line\\nbreak\\t\\u0001"');
    expect(quoteValue('')).toBe('""');
  });
  it('quotes a tag key spelled like a reserved key', () => {
    expect(quoteKey('merchant_id')).toBe('merchant_id');
    expect(quoteKey('op')).toBe('"op"');
    expect(quoteKey('Status')).toBe('"Status"');
    expect(term('service', 'catalog')).toBe('service=catalog');
  });
});

describe('completion context', () => {
  it('finds a key being typed', () => {
    const c = completionContext('op=UpdateInventory merch', 24)!;
    expect(c.kind).toBe('key');
    expect(c.prefix).toBe('merch');
    expect(c.start).toBe(19);
  });
  it('finds a value being typed, after any operator', () => {
    const c = completionContext('op=UpdateInventory merchant_id=4c', 33)!;
    expect(c).toMatchObject({ kind: 'value', key: 'merchant_id', op: '=', prefix: '4c', valueStart: 31 });
    expect(completionContext('duration>=5', 11)).toMatchObject({ kind: 'value', key: 'duration', op: '>=', prefix: '5' });
    expect(completionContext('Status!=fa', 10)).toMatchObject({ kind: 'value', key: 'status', op: '!=' });
  });
  it('treats parentheses as separators and a quoted key as a tag', () => {
    expect(completionContext('(status=failed OR ser', 21)).toMatchObject({ kind: 'key', prefix: 'ser' });
    expect(completionContext('"op"=leg', 8)).toMatchObject({ kind: 'value', key: 'op' });
    expect(completionContext('a=1 OR', 6)).toBeNull();
  });
  it('does not split inside a quoted value', () => {
    const c = completionContext('customer="Ada Lo', 16)!;
    expect(c).toMatchObject({ kind: 'value', key: 'customer', prefix: 'Ada Lo' });
  });
  it('replaces the key or the value and leaves the caret after it', () => {
    const text = 'op=UpdateInventory merch';
    const k = applyCompletion(text, completionContext(text, text.length)!, 'merchant_id=');
    expect(k).toEqual({ text: 'op=UpdateInventory merchant_id=', caret: 31 });
    const v = applyCompletion(k.text, completionContext(k.text, k.caret)!, '4c5d6e7');
    expect(v).toEqual({ text: 'op=UpdateInventory merchant_id=4c5d6e7 ', caret: 39 });
    const mid = 'op=Upd status=failed';
    const m = applyCompletion(mid, completionContext(mid, 6)!, 'UpdateSku');
    expect(m.text).toBe('op=UpdateSku status=failed');
  });
});

describe('reading queries', () => {
  it('finds the service and the keys', () => {
    expect(serviceInQuery('op=X service=inventory')).toBe('inventory');
    expect(serviceInQuery('service="my svc" op=Y')).toBe('my svc');
    expect(serviceInQuery('op=X')).toBeNull();
    expect([...keysInQuery('op=X merchant_id=1 (region!=eu OR "op"=z)')]).toEqual(['op', 'merchant_id', 'region', 'op']
      .filter((v, i, a) => a.indexOf(v) === i));
  });
});
