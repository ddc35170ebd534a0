/**
 * The annotation layer's calls to the API. Writes carry the revision they were based on (`If-Match`), so a change
 * made on a stale copy comes back 412 instead of overwriting someone else's work.
 */
import { unwrap, type Api } from '../api/client';
import type { Agreement, Annotation } from './types';

export interface NewAnnotation { startS: number; endS: number; label: string; adjudicated?: boolean }
export type AnnotationChange = Partial<Pick<Annotation, 'startS' | 'endS' | 'label' | 'status'>>;

const ifMatch = (revision: number): Record<string, string> => ({ 'If-Match': `"${revision}"` });

/** Defaults for fields an older API may leave out. */
function normalise(a: Annotation): Annotation {
  return { ...a, adjudicated: a.adjudicated ?? false, revision: a.revision ?? 0 };
}

export function annotationsApi(api: Api) {
  return {
    async list(recordingId: string): Promise<Annotation[]> {
      const r = unwrap(await api.GET('/v1/recordings/{recordingId}/annotations', { params: { path: { recordingId } } }));
      return (r.items as Annotation[]).map(normalise);
    },
    async create(recordingId: string, body: NewAnnotation): Promise<Annotation> {
      const r = await api.POST('/v1/recordings/{recordingId}/annotations', { params: { path: { recordingId } }, body });
      return normalise(unwrap(r) as Annotation);
    },
    async update(id: string, revision: number, body: AnnotationChange): Promise<Annotation> {
      const r = await api.PATCH('/v1/annotations/{annotationId}', { params: { path: { annotationId: id } }, body, headers: ifMatch(revision) });
      return normalise(unwrap(r) as Annotation);
    },
    async remove(id: string, revision: number): Promise<void> {
      unwrap(await api.DELETE('/v1/annotations/{annotationId}', { params: { path: { annotationId: id } }, headers: ifMatch(revision) }));
    },
    async agreement(recordingId: string, a: string, b: string): Promise<Agreement> {
      // Typed through the generated schema once docs/openapi.json declares the route; until then by this shape.
      const get = api.GET as unknown as (path: string, init: { params: { path: { recordingId: string }; query: { a: string; b: string } } }) => Promise<{ data?: Agreement; error?: unknown; response: Response }>;
      return unwrap(await get('/v1/recordings/{recordingId}/agreement', { params: { path: { recordingId }, query: { a, b } } }));
    },
  };
}

export type AnnotationsApi = ReturnType<typeof annotationsApi>;
