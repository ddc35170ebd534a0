/**
 * The annotation layer's calls to the API. Writes carry the revision they were based on (`If-Match`), so a change
 * made on a stale copy comes back 412 instead of overwriting someone else's work.
 */
import { unwrap, type Api } from '../api/client';
import type { Agreement, Annotation } from './types';

export interface NewAnnotation { startS: number; endS: number; label: string; adjudicated?: boolean }
export type AnnotationChange = Partial<Pick<Annotation, 'startS' | 'endS' | 'label' | 'status'>>;

const ifMatch = (revision: number): Record<string, string> => ({ 'If-Match': `"${revision}"` });

export function annotationsApi(api: Api) {
  return {
    async list(recordingId: string): Promise<Annotation[]> {
      const r = unwrap(await api.GET('/v1/recordings/{recordingId}/annotations', { params: { path: { recordingId } } }));
      return r.items;
    },
    async create(recordingId: string, body: NewAnnotation): Promise<Annotation> {
      const r = await api.POST('/v1/recordings/{recordingId}/annotations', { params: { path: { recordingId } }, body });
      return unwrap(r);
    },
    async update(id: string, revision: number, body: AnnotationChange): Promise<Annotation> {
      const r = await api.PATCH('/v1/annotations/{annotationId}', { params: { path: { annotationId: id } }, body, headers: ifMatch(revision) });
      return unwrap(r);
    },
    async remove(id: string, revision: number): Promise<void> {
      unwrap(await api.DELETE('/v1/annotations/{annotationId}', { params: { path: { annotationId: id } }, headers: ifMatch(revision) }));
    },
    async agreement(recordingId: string, a: string, b: string): Promise<Agreement> {
      return unwrap(await api.GET('/v1/recordings/{recordingId}/agreement', { params: { path: { recordingId }, query: { a, b } } }));
    },
  };
}

export type AnnotationsApi = ReturnType<typeof annotationsApi>;
