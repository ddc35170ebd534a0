import type { Logger } from '../lib/logger.js';
import { ALIGNMENT, DEFAULT_ALIGNMENT_OPTIONS, activitySeries, estimateOffset, type ActivitySeries } from '../pipeline/align.js';
import type { StreamSummary } from '../pipeline/types.js';
import type { AlignmentCandidate, AlignmentsRepository } from '../repositories/alignments.repository.js';
import type { ObjectStore } from '../storage/object-store.js';

/** Motion streams in the order they are trusted for alignment. */
const MOTION_PREFERENCE = ['accelerometer', 'total_acceleration', 'user_acceleration', 'gyroscope'];
/** Recordings are searched this far back for ones that still overlap (a long wear). */
const LOOK_BACK_S = 3 * 24 * 3600;

/**
 * Links a ready recording with the participant's other recordings that overlap it in time (phone and
 * watch worn together) and estimates their clock offset from the motion signals. Offsets are stored as
 * versioned metadata in both directions; samples are never shifted.
 */
export class AlignRecordingsService {
  constructor(private readonly alignments: AlignmentsRepository, private readonly store: ObjectStore, private readonly log: Logger) {}

  async align(recordingId: string): Promise<{ linked: number }> {
    const me = await this.alignments.candidate(recordingId);
    if (!me) return { linked: 0 };
    const mine = await this.series(me);
    if (!mine) return { linked: 0 };
    const endNs = me.startTimeNs + BigInt(Math.round(me.durationS * 1e9));
    let linked = 0;
    const others = await this.alignments.overlapping(me.participantId, me.id, me.startTimeNs, endNs, LOOK_BACK_S);
    this.log.debug({ recordingId, candidates: others.length }, 'alignment candidates');
    for (const other of others) {
      const theirs = await this.series(other);
      this.log.debug({ recordingId, other: other.id, series: theirs !== null, windowS: theirs?.windowS }, 'alignment candidate');
      if (!theirs || theirs.windowS !== mine.windowS) continue;
      const est = estimateOffset(mine, theirs, DEFAULT_ALIGNMENT_OPTIONS);
      this.log.debug({ recordingId, other: other.id, est }, 'alignment estimate');
      if (!est) continue;
      await this.alignments.save(me.id, other.id, { ...est, ...ALIGNMENT });
      linked++;
      this.log.info({ recordingId, other: other.id, offsetS: est.offsetS, confidence: est.confidence }, 'recordings aligned');
    }
    return { linked };
  }

  private async series(r: AlignmentCandidate): Promise<ActivitySeries | null> {
    // The preferred motion streams by name, else any other acceleration-like motion stream (a watch's).
    const stream = MOTION_PREFERENCE.map((name) => r.streams.find((s) => s.name === name && s.kind === 'imu')).find((s) => s !== undefined)
      ?? r.streams.find((s) => s.kind === 'imu' && s.unit === 'm/s^2' && !/gravity/.test(s.name));
    if (!stream) return null;
    const summary = JSON.parse(Buffer.from(await this.store.getBytes(stream.summaryKey)).toString('utf8')) as StreamSummary;
    return activitySeries(summary);
  }
}
