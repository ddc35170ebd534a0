/**
 * What a recording's times are and how a device's local clock is put on UTC.
 *
 * A device that keeps local time without a zone (Axivity, GENEActiv without its header zone, omconvert or
 * BWF WAV, ISO times without an offset) has its clock set once and counts on: it does not jump at a
 * daylight-saving change. So one offset converts the whole recording — the zone's offset at the recording's
 * local start — and UTC times stay monotonic across a DST change inside it (a warning names the change).
 * The zone is the file's own, else the upload's metadata, else the study's `settings.timezone`; with none,
 * the times stay the local wall clock (labelled `device-local-unknown-zone`).
 */
import type { RecordingClock, WallClock } from './stream.js';
import { isTimeZone, offsetAtLocal, offsetChanges, offsetName } from './time-zone.js';

export type ZoneSource = 'file' | 'upload' | 'study';

export interface ClockWarning {
  code: string;
  message: string;
}

export interface ClockPlan {
  clock: RecordingClock;
  /** The recording's time zone (for local display, and for the conversion of a device-local clock). */
  zone: string | null;
  zoneSource: ZoneSource | null;
  /** Zones that were given but are not time zones (ignored, each a warning). */
  warnings: ClockWarning[];
}

const NS_PER_MS = 1_000_000n;

/** Decides the clock kind and zone of a recording from its reader's `recording` event and the known zones. */
export function planClock(
  reader: { absoluteTime: boolean; clock?: WallClock },
  zones: { file?: string | null; upload?: string | null; study?: string | null },
): ClockPlan {
  const warnings: ClockWarning[] = [];
  let zone: string | null = null;
  let zoneSource: ZoneSource | null = null;
  for (const source of ['file', 'upload', 'study'] as const) {
    const z = zones[source];
    if (z === undefined || z === null || z === '') continue;
    if (!isTimeZone(z)) {
      warnings.push({ code: 'timezone_unknown', message: `The ${source === 'study' ? "study's settings.timezone" : `${source}'s time zone`} "${z.slice(0, 64)}" is not a time zone; use an IANA name such as Europe/Berlin or an offset such as +02:00.` });
      continue;
    }
    if (zone === null) {
      zone = z;
      zoneSource = source;
    }
  }
  if (!reader.absoluteTime) return { clock: 'relative', zone, zoneSource, warnings };
  if (reader.clock !== 'device-local') return { clock: 'utc', zone, zoneSource, warnings };
  if (zone === null) {
    warnings.push({
      code: 'device_local_clock',
      message: 'The file\'s times are the device\'s local wall clock and no time zone is known: they are kept as that wall clock, labelled UTC. Give the upload\'s metadata a timezone or set the study\'s settings.timezone, then reprocess.',
    });
    return { clock: 'device-local-unknown-zone', zone: null, zoneSource: null, warnings };
  }
  return { clock: 'device-local', zone, zoneSource, warnings };
}

/**
 * The shift (ns, to add to every time) that puts a device-local clock on UTC, from the local start time:
 * minus the zone's offset in force then. Zero for every other clock.
 */
export function utcShiftNs(plan: ClockPlan, localStartNs: bigint): { shiftNs: bigint; offsetMin: number } {
  if (plan.clock !== 'device-local' || plan.zone === null) return { shiftNs: 0n, offsetMin: 0 };
  const offsetMin = offsetAtLocal(plan.zone, Number(localStartNs / NS_PER_MS)) ?? 0;
  return { shiftNs: -BigInt(offsetMin) * 60_000n * NS_PER_MS, offsetMin };
}

/** What a person should know about a converted device-local clock: the conversion and any DST change inside. */
export function conversionWarnings(plan: ClockPlan, offsetMin: number, firstUtcNs: bigint | null, lastUtcNs: bigint | null): ClockWarning[] {
  if (plan.clock !== 'device-local' || plan.zone === null) return [];
  const out: ClockWarning[] = [{
    code: 'clock_converted',
    message: `The file's times are the device's local clock; they were put on UTC with ${plan.zone} (${offsetName(offsetMin)} at the start, from the ${plan.zoneSource === 'study' ? "study's settings" : plan.zoneSource === 'upload' ? "upload's metadata" : 'file'}).`,
  }];
  if (firstUtcNs === null || lastUtcNs === null) return out;
  const changes = offsetChanges(plan.zone, Number(firstUtcNs / NS_PER_MS), Number(lastUtcNs / NS_PER_MS));
  if (changes.length > 0) {
    const list = changes.map((c) => `${new Date(c.atMs).toISOString()} (${offsetName(c.before)} → ${offsetName(c.after)})`).join(', ');
    out.push({
      code: 'clock_dst_crossing',
      message: `The recording crosses ${changes.length === 1 ? 'a daylight-saving change' : `${changes.length} daylight-saving changes`} in ${plan.zone} at ${list}. A device clock does not follow it, so every sample was converted with the start's offset (${offsetName(offsetMin)}): UTC times stay continuous, and local times after the change differ from the device's by the change.`,
    });
  }
  return out;
}

/**
 * The clock of one recording while its file is read: the reader's `recording` event, the plan (decided on
 * first use, once the file's own zone may be known), and the UTC shift (fixed by the first time seen, the
 * reader's start when it gives one). Warnings go to `warn` as they arise.
 */
export class ClockPlacement {
  private reader: { startTimeNs: bigint | null; absoluteTime: boolean; clock?: WallClock } = { startTimeNs: null, absoluteTime: false };
  private plan: ClockPlan | null = null;
  private shift: { shiftNs: bigint; offsetMin: number } | null = null;

  constructor(
    private readonly zones: () => { file?: string | null; upload?: string | null; study?: string | null },
    private readonly warn: (w: ClockWarning) => void,
  ) {}

  /** The reader's `recording` event. */
  onRecording(ev: { startTimeNs: bigint | null; absoluteTime: boolean; clock?: WallClock }): void {
    this.reader = ev;
  }

  get absoluteTime(): boolean {
    return this.reader.absoluteTime;
  }

  current(): ClockPlan {
    if (this.plan === null) {
      this.plan = planClock(this.reader, this.zones());
      for (const w of this.plan.warnings) this.warn(w);
    }
    return this.plan;
  }

  /** Ns to add to a time of the file (0 unless a device-local clock with a known zone). */
  shiftFor(localNs: bigint): bigint {
    this.shift ??= utcShiftNs(this.current(), this.reader.startTimeNs ?? localNs);
    return this.shift.shiftNs;
  }

  /** The recording's UTC start: the reader's (shifted), else the earliest sample; null without a wall clock. */
  startTimeNs(earliestNs: bigint): bigint | null {
    if (!this.reader.absoluteTime) return null;
    return this.reader.startTimeNs === null ? earliestNs : this.reader.startTimeNs + (this.shift?.shiftNs ?? 0n);
  }

  /** Once every sample is read: the conversion and DST warnings for the recording's UTC span. */
  finish(firstUtcNs: bigint, lastUtcNs: bigint): void {
    for (const w of conversionWarnings(this.current(), this.shift?.offsetMin ?? 0, firstUtcNs, lastUtcNs)) this.warn(w);
  }
}
