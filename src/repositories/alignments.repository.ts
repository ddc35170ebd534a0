import type { Db } from './db.js';
import { newId } from '../lib/ids.js';

export interface AlignmentRow {
  recordingId: string; otherRecordingId: string; offsetS: number; confidence: number; peak: number; overlapS: number;
  method: string; version: string; createdAt: Date;
}

export interface AlignmentCandidate {
  id: string; startTimeNs: bigint; durationS: number; pipelineVersion: string | null;
  streams: { name: string; kind: string; sensor: string; unit: string; summaryKey: string }[];
}

const select = { recordingId: true, otherRecordingId: true, offsetS: true, confidence: true, peak: true, overlapS: true, method: true, version: true, createdAt: true } as const;

export class AlignmentsRepository {
  constructor(private readonly db: Db) {}

  /** A ready recording with wall-clock time, with its streams of the version it shows. */
  async candidate(recordingId: string): Promise<(AlignmentCandidate & { participantId: string }) | null> {
    const r = await this.db.recording.findUnique({
      where: { id: recordingId },
      select: { id: true, participantId: true, status: true, startTimeNs: true, durationS: true, pipelineVersion: true, streams: { select: { name: true, kind: true, sensor: true, unit: true, summaryKey: true, pipelineVersion: true } } },
    });
    if (!r || r.status !== 'ready' || r.startTimeNs === null || r.durationS === null) return null;
    return { id: r.id, participantId: r.participantId, startTimeNs: r.startTimeNs, durationS: r.durationS, pipelineVersion: r.pipelineVersion, streams: r.streams.filter((s) => s.pipelineVersion === r.pipelineVersion) };
  }

  /** The participant's other ready recordings that overlap [startNs, endNs] (searching starts up to `lookBackS` earlier). */
  async overlapping(participantId: string, excludeId: string, startNs: bigint, endNs: bigint, lookBackS: number): Promise<AlignmentCandidate[]> {
    const rows = await this.db.recording.findMany({
      where: {
        participantId, id: { not: excludeId }, status: 'ready',
        startTimeNs: { lte: endNs, gte: startNs - BigInt(Math.round(lookBackS)) * 1_000_000_000n },
      },
      take: 200,
      select: { id: true, startTimeNs: true, durationS: true, pipelineVersion: true, streams: { select: { name: true, kind: true, sensor: true, unit: true, summaryKey: true, pipelineVersion: true } } },
    });
    return rows
      .filter((r) => r.startTimeNs !== null && r.durationS !== null && r.startTimeNs + BigInt(Math.round(r.durationS * 1e9)) >= startNs)
      .map((r) => ({ id: r.id, startTimeNs: r.startTimeNs!, durationS: r.durationS!, pipelineVersion: r.pipelineVersion, streams: r.streams.filter((s) => s.pipelineVersion === r.pipelineVersion) }));
  }

  /** Stores an estimate both ways (b → a is the negated offset), replacing the same method and version's. */
  async save(a: string, b: string, e: { offsetS: number; confidence: number; peak: number; overlapS: number; method: string; version: string }): Promise<void> {
    await this.db.$transaction([
      ...[[a, b, e.offsetS], [b, a, -e.offsetS]].map(([recordingId, otherRecordingId, offsetS]) => this.db.recordingAlignment.upsert({
        where: { recordingId_otherRecordingId_method_version: { recordingId: recordingId as string, otherRecordingId: otherRecordingId as string, method: e.method, version: e.version } },
        create: { id: newId('aln'), recordingId: recordingId as string, otherRecordingId: otherRecordingId as string, offsetS: offsetS as number, confidence: e.confidence, peak: e.peak, overlapS: e.overlapS, method: e.method, version: e.version },
        update: { offsetS: offsetS as number, confidence: e.confidence, peak: e.peak, overlapS: e.overlapS, createdAt: new Date() },
      })),
    ]);
  }

  async listFor(recordingId: string): Promise<AlignmentRow[]> {
    return this.db.recordingAlignment.findMany({ where: { recordingId }, orderBy: [{ confidence: 'desc' }], select });
  }
}
