import { describe, expect, it } from 'vitest';
import { isotonicWithGaps, layoutDag, NODE_GAP } from '../src/trace/layout';

const graph = (n: number, edges: [number, number][]) => ({
  n,
  edges: edges.map(([from, to]) => ({ from, to })),
  key: (i: number) => i,
  width: () => 100,
  height: () => 20,
});

describe('layered layout', () => {
  it('puts every edge left to right', () => {
    const edges: [number, number][] = [[0, 1], [1, 2], [0, 3], [3, 2], [2, 4]];
    const l = layoutDag(graph(5, edges));
    for (const [a, b] of edges) expect(l.x[b]).toBeGreaterThan(l.x[a]);
    expect(l.rank[4]).toBe(3);
  });
  it('keeps nodes of one rank apart', () => {
    const edges: [number, number][] = [];
    for (let i = 1; i < 30; i++) edges.push([0, i]);
    const l = layoutDag(graph(30, edges));
    const ys = Array.from({ length: 29 }, (_, i) => l.y[i + 1]).sort((a, b) => a - b);
    for (let i = 1; i < ys.length; i++) expect(ys[i] - ys[i - 1]).toBeGreaterThanOrEqual(20 + NODE_GAP - 1e-9);
  });
  it('survives cycles from bad data', () => {
    const l = layoutDag(graph(3, [[0, 1], [1, 2], [2, 0]]));
    expect(l.ranks).toBe(3);
    expect(new Set([l.rank[0], l.rank[1], l.rank[2]]).size).toBe(3);
  });
  it('lays out a tree of 10,000 nodes, edges still left to right', () => {
    const n = 10_000;
    const edges: [number, number][] = [];
    for (let i = 1; i < n; i++) edges.push([Math.floor((i - 1) / 4), i]);
    const l = layoutDag(graph(n, edges));
    for (const [a, b] of edges) expect(l.x[b]).toBeGreaterThan(l.x[a]);
    // (its speed is measured in the browser test, on a real trace)
  });
});

describe('isotonic placement', () => {
  it('meets the desired positions when they leave room', () => {
    expect(isotonicWithGaps([0, 100, 200], [20, 20, 20])).toEqual([0, 100, 200]);
  });
  it('pools neighbours that are too close, around their mean', () => {
    const y = isotonicWithGaps([50, 50], [20, 20]);
    expect(y[1] - y[0]).toBeCloseTo(20 + NODE_GAP);
    expect((y[0] + y[1]) / 2).toBeCloseTo(50);
  });
});
