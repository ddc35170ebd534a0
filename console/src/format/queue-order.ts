/**
 * The work queue's columns as sort keys, and the two "next" jumps, over the fields of a recording they read
 * (kept structural so this stays pure and testable without the generated API types).
 */
import { sortBy, type SortDir, type SortValue } from './sort';

export interface QueueRecording {
  id: string;
  status: string;
  participantCode?: string;
  device?: { model?: string; kind?: string; manufacturer?: string; platform?: string } | undefined;
  startTime: string | null;
  durationS: number | null;
  quality: { status: 'ok' | 'warn' | 'bad' } | null;
  labelling?: { humanCount: number; labelledS: number; proposedCount: number; reviewedCount: number; annotators: { id: string; name: string; count: number }[] };
}

export const SORT_KEYS = ['participant', 'device', 'start', 'duration', 'status', 'quality', 'labelled', 'annotators', 'proposals'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export function isSortKey(s: string | null): s is SortKey {
  return s !== null && (SORT_KEYS as readonly string[]).includes(s);
}

/** How a device reads in one line: the model, else its kind, with the maker when the model does not say it. */
export function deviceName(d: QueueRecording['device']): string {
  if (!d) return '';
  const model = d.model?.trim();
  if (model) return d.manufacturer && !model.toLowerCase().includes(d.manufacturer.toLowerCase()) ? `${d.manufacturer} ${model}` : model;
  return d.platform ?? d.kind ?? '';
}

// Worst first when sorted ascending is not what people expect of "quality": ascending goes ok → warn → bad.
const QUALITY_RANK = { ok: 0, warn: 1, bad: 2 } as const;
// The pipeline's order, so sorting by status groups the work by how far it has got.
const STATUS_RANK: Record<string, number> = { queued: 0, processing: 1, ready: 2, rejected: 3, failed: 4 };

export function labelledFraction(r: QueueRecording): number | null {
  if (!r.labelling || !r.durationS || r.durationS <= 0) return r.labelling ? 0 : null;
  return r.labelling.labelledS / r.durationS;
}

export function sortValue(r: QueueRecording, key: SortKey): SortValue {
  switch (key) {
    case 'participant': return r.participantCode ?? null;
    case 'device': return deviceName(r.device) || null;
    case 'start': return r.startTime ? Date.parse(r.startTime) : null;
    case 'duration': return r.durationS;
    case 'status': return STATUS_RANK[r.status] ?? 9;
    case 'quality': return r.quality ? QUALITY_RANK[r.quality.status] : null;
    case 'labelled': return labelledFraction(r);
    case 'annotators': return r.labelling ? r.labelling.annotators.length : null;
    case 'proposals': return r.labelling?.proposedCount ?? null;
  }
}

export function sortQueue<T extends QueueRecording>(items: readonly T[], key: SortKey, dir: SortDir): T[] {
  return sortBy(items, (r) => sortValue(r, key), dir);
}

/** The first recording, in the order shown, that is ready and that no person has labelled yet. */
export function nextUnlabelled<T extends QueueRecording>(ordered: readonly T[]): T | undefined {
  return ordered.find((r) => r.status === 'ready' && (r.labelling?.humanCount ?? 0) === 0);
}

/** The first recording, in the order shown, with detector proposals nobody has reviewed. */
export function nextToReview<T extends QueueRecording>(ordered: readonly T[]): T | undefined {
  return ordered.find((r) => (r.labelling?.proposedCount ?? 0) > 0);
}
