import type { components } from '../api/schema';
import type { Fields } from './history';

/** An annotation as the API answers it (GET/POST/PATCH /v1/…/annotations). A point event has endS === startS. */
export type Annotation = components['schemas']['Annotation'];

/** GET /v1/recordings/:id/agreement?a=&b= */
export type Agreement = components['schemas']['Agreement'];

/**
 * An annotation in the console: its fields as the person sees them now (changes are shown before the API
 * confirms them), under a local key that stays the same while the server id changes (a re-created annotation).
 */
export interface Item extends Fields {
  key: string;
  /** The server's id; null until the create is confirmed. */
  id: string | null;
  source: Annotation['source'];
  confidence: number | null;
  detector: string | null;
  detectorVersion: string | null;
  annotatorId: string | null;
  annotatorName: string | null;
  /** Who made the revision the API holds (null: the admin token, the pipeline, or not saved yet). */
  changedByName: string | null;
}

export function fieldsOf(x: Fields): Fields {
  return { startS: x.startS, endS: x.endS, label: x.label, status: x.status, adjudicated: x.adjudicated };
}

export function itemFrom(key: string, a: Annotation): Item {
  return {
    key, id: a.id, startS: a.startS, endS: a.endS, label: a.label, status: a.status, adjudicated: a.adjudicated,
    source: a.source, confidence: a.confidence ?? null, detector: a.detector ?? null, detectorVersion: a.detectorVersion ?? null,
    annotatorId: a.annotatorId ?? null, annotatorName: a.annotatorName ?? null, changedByName: a.changedBy?.name ?? null,
  };
}

export const isPoint = (x: { startS: number; endS: number }): boolean => x.endS <= x.startS;
export const isProposal = (x: Item): boolean => x.source === 'auto';
