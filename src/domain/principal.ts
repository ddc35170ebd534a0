/** Who is calling, resolved from the bearer token. */
export type Principal =
  | { kind: 'admin' }
  | { kind: 'participant'; studyId: string; participantId: string }
  | { kind: 'annotator'; studyId: string; annotatorId: string };

/** Whether a principal may see a recording (or upload) of this study and participant. */
export function canSeeRecording(p: Principal, r: { studyId: string; participantId: string }): boolean {
  switch (p.kind) {
    case 'admin':
      return true;
    case 'participant':
      return p.participantId === r.participantId;
    case 'annotator':
      return p.studyId === r.studyId;
  }
}
