// The JSON shapes of the Weft HTTP API (docs/http-api.md). Times are 100-ns ticks unless a name says Ms.

export type Status = 'ok' | 'failed' | 'abandoned' | 'running';

export interface TagEntry {
  key: string;
  value: string;
  /** tag (the operation's own), mtag or ptag (of an input message) */
  kind: 'tag' | 'mtag' | 'ptag';
}

export interface OpRow {
  opId: string;
  op: string | null;
  service: string | null;
  instanceId: string | null;
  parentOpId: string | null;
  startTicks: number | null;
  endTicks: number | null;
  durationTicks: number | null;
  status: Status;
  endStatus: string | null;
  errorType: string | null;
  errorMessage: string | null;
  resource: string | null;
  traces: string[];
  /** search results only */
  queueWaitTicks?: number | null;
  tags?: TagEntry[];
}

export interface SearchResponse {
  query: string;
  limit: number;
  count: number;
  operations: OpRow[];
}

export interface MessageRow {
  messageId: string;
  producer: string | null;
  schema: string | null;
  channel: string | null;
  msgTicks: number | null;
  sendTicks: number | null;
  sendOpId: string | null;
  traces: string[];
  parentIds: string[];
  mtags: Record<string, string>;
  ptags: Record<string, string>;
}

export interface TraceEdge {
  kind: 'parent' | 'input' | 'output' | 'child';
  from: string;
  to: string;
}

export interface TraceEvent {
  eventId: string;
  ticks: number;
  eventType: string;
  service: string;
  opId: string | null;
  event: Record<string, unknown>;
}

export interface CriticalStep {
  kind: 'op' | 'message';
  id: string;
  name: string | null;
  service: string | null;
  startTicks: number | null;
  endTicks: number | null;
  durationTicks: number | null;
  queueWaitTicks: number | null;
  via: string | null;
}

export interface TraceResponse {
  traceId: string;
  operations: OpRow[];
  messages: MessageRow[];
  edges: TraceEdge[];
  events: TraceEvent[];
  linkedTraces: string[];
  criticalPath: { steps: CriticalStep[]; totalTicks: number | null };
}

export interface ServiceEdge {
  producer: string;
  channel: string;
  consumer: string | null;
  count: number;
  operations: number;
  errors: number;
  processingP50Ms: number | null;
  processingP99Ms: number | null;
  queueWaitP50Ms: number | null;
  queueWaitP99Ms: number | null;
}

export interface TypeEdge {
  input: string | null;
  service: string;
  op: string;
  output: string | null;
  count: number;
  errors: number;
  processingP50Ms: number | null;
  processingP99Ms: number | null;
}

export interface TopoNode {
  kind: 'service' | 'type' | 'operation';
  id: string;
  service: string | null;
  name: string;
}

export interface ServiceGraph {
  sinceTicks: number;
  nodes: TopoNode[];
  edges: ServiceEdge[];
}

export interface TypeGraph {
  sinceTicks: number;
  nodes: TopoNode[];
  edges: TypeEdge[];
}

export interface Drift {
  declaredServices: string[];
  matched: { service: string; channel: string; directions: string[]; sent: boolean; received: boolean }[];
  declaredOnly: { service: string; channel: string; schema: string; direction: string }[];
  observedOnly: { service: string; channel: string; sent: boolean; received: boolean; serviceDeclared: boolean }[];
}

export interface SeriesBucket {
  startMs: number;
  operations: number;
  errors: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  queueWaitP99Ms: number | null;
}

export interface FailingOp {
  op: string;
  operations: number;
  errors: number;
  lastErrorType: string | null;
  lastErrorMessage: string | null;
  lastFailureMs: number | null;
}

export interface EmitterLoss {
  instanceId: string;
  service: string;
  seqCount: number;
  maxSeq: number;
  lost: number;
}

export interface SeriesResponse {
  service: string;
  sinceMs: number;
  untilMs: number;
  stepMs: number;
  totals: { operations: number; errors: number; p50Ms: number | null; p95Ms: number | null; p99Ms: number | null };
  buckets: SeriesBucket[];
  topFailing: FailingOp[];
  loss: EmitterLoss[];
}

export interface SavedQuery {
  id: string;
  scope: string;
  name: string;
  query: string;
  createdAt: string;
}

export interface ApiErrorBody {
  error: string;
  position?: number;
  column?: number;
  expected?: string;
  found?: string;
  key?: string;
}
