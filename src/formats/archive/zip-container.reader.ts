import type { ReaderEvent, StreamInfo } from '../../domain/stream.js';
import { AppError } from '../../lib/errors.js';
import { E4_METADATA, parseE4Tags } from '../empatica/empatica-e4.reader.js';
import { adjustSensorLoggerStream, isWatchStream, parseAnnotations } from '../sensor-logger/sensor-logger-zip.js';
import type { FormatReader, ReaderContext, SniffInput } from '../types.js';
import { DEFAULT_ZIP_LIMITS, readZipDirectory, type ZipLimits } from './zip-central-directory.js';
import { entryBytes, memberContext, type InflateBudget } from './zip-entry-source.js';
import { planMembers, readSmallMember, type PlannedMember, type ZipPlan } from './zip-members.js';
import { mergeMember, StreamNames } from './zip-merge.js';

/**
 * A ZIP archive holding one session's files (Sensor Logger's export, Empatica E4's download, or any set of
 * files FieldSense reads) → one recording with several streams on one time axis. The archive is read
 * through `ctx.readAt` from its central directory (never from local headers alone), checked against the
 * caps and safety rules before anything is inflated, and its members are read one after another, each by
 * the reader its own content selects, so memory stays that of one member reader.
 */

/**
 * The format names a container gives the recording (the `format` event) when the archive is a known export;
 * any other archive keeps the container's own name, `zip-container`.
 */
export const CONTAINER_FORMATS = ['sensor-logger-zip', 'empatica-e4-zip'] as const;
export type ContainerFormat = (typeof CONTAINER_FORMATS)[number];

/** What the archive is: Sensor Logger's export (its Metadata.csv, or only its CSVs), Empatica E4's download, or neither. */
export function containerFormat(plan: ZipPlan): ContainerFormat | null {
  const readers = plan.members.flatMap((m) => (m.role.kind === 'reader' ? [m.role] : []));
  if (plan.session !== null) return 'sensor-logger-zip';
  if (plan.empatica) return 'empatica-e4-zip';
  if (readers.length > 0 && readers.every((r) => r.family === 'sensor-logger')) return 'sensor-logger-zip';
  return null;
}

/** A relative member is only moved onto an absolute axis whose session start is this close. */
const MAX_SESSION_SKEW_NS = 86_400n * 1_000_000_000n;

function minBigint(values: readonly bigint[]): bigint | null {
  let m: bigint | null = null;
  for (const v of values) if (m === null || v < m) m = v;
  return m;
}

/** Where a clock-less member starts on the recording's axis, and whether that was an assumption to report. */
function placement(plan: ZipPlan, member: PlannedMember, earliest: bigint | null): { offsetNs: bigint; assumed: boolean } {
  if (member.role.kind !== 'reader' || member.role.absolute || earliest === null) return { offsetNs: 0n, assumed: false };
  // Sensor Logger's audio starts when Start Recording is tapped, which Metadata.csv gives to the millisecond.
  const sessionStart = plan.session?.startNs ?? null;
  if (sessionStart !== null) {
    const skew = sessionStart > earliest ? sessionStart - earliest : earliest - sessionStart;
    return { offsetNs: skew <= MAX_SESSION_SKEW_NS ? sessionStart : earliest, assumed: false };
  }
  const shared = plan.members.some((m) => m.role.kind === 'reader' && m.role.family === 'sensor-logger');
  return { offsetNs: earliest, assumed: !shared };
}

async function* readSideFile(ctx: ReaderContext, plan: ZipPlan, member: PlannedMember, limits: ZipLimits, budget: InflateBudget, absolute: boolean): AsyncGenerator<ReaderEvent> {
  const { entry } = member;
  const text = await readSmallMember(ctx, entry, member.dataStart, limits, budget);
  const read = member.role.kind === 'e4-tags' ? (() => {
    const r = parseE4Tags(text, entry.name);
    return { labels: r.labels, badRows: r.bad, firstBadLine: 0 };
  })() : parseAnnotations(text, entry.name, plan.session);
  if (!absolute && read.labels.length > 0) {
    yield { type: 'warning', code: 'annotations_dropped', message: `${entry.name}: its ${read.labels.length} label(s) are in Unix time but no file of the archive has a clock; they were not imported.` };
    return;
  }
  for (const annotation of read.labels) yield { type: 'annotation', annotation };
  if (read.badRows > 0) {
    yield {
      type: 'warning',
      code: 'annotation_bad_time',
      message: `${entry.name}: ${read.badRows} row(s) have no readable time${read.firstBadLine > 0 ? ` (first at line ${read.firstBadLine})` : ''}; they were skipped.`,
      count: read.badRows,
    };
  }
}

async function* readZip(ctx: ReaderContext, limits: ZipLimits): AsyncGenerator<ReaderEvent> {
  const entries = await readZipDirectory(ctx, limits);
  const plan = await planMembers(ctx, entries, limits);
  const readers = plan.members.filter((m) => m.role.kind === 'reader');
  if (readers.length === 0) {
    const found = plan.found.length === 0 ? 'no files at all' : plan.found.slice(0, 30).join(', ') + (plan.found.length > 30 ? ', …' : '');
    throw new AppError(
      'format_unrecognized',
      `The ZIP archive holds no file FieldSense can read as samples. Found: ${found}. Zip the sensor files themselves (e.g. Sensor Logger's "Export → Zip", an Empatica E4 download, WAV or CSV files).`,
      { entries: plan.found.slice(0, 100) },
    );
  }
  const earliest = minBigint(readers.flatMap((m) => (m.role.kind === 'reader' && m.role.absolute && m.role.startNs !== null ? [m.role.startNs] : [])));
  const placements = new Map(readers.map((m) => [m, placement(plan, m, earliest)]));
  // A clock-less member placed at the session start (the Start tap) may begin before the first timed sample.
  const placedStarts = readers.flatMap((m) => (m.role.kind === 'reader' && !m.role.absolute ? [placements.get(m)?.offsetNs ?? 0n] : []));
  const start = earliest === null ? null : minBigint([earliest, ...placedStarts]);
  // One clock for the recording: a member on the device's local clock makes the whole recording device-local
  // (the pipeline converts it with the recording's zone; UTC members are not mixed in silently, see the warning).
  const clocks = new Set(readers.flatMap((m) => (m.role.kind === 'reader' && m.role.absolute ? [m.role.clock] : [])));
  const deviceLocal = clocks.has('device-local');
  yield { type: 'recording', startTimeNs: start, absoluteTime: earliest !== null, ...(deviceLocal ? { clock: 'device-local' as const } : {}) };
  const format = containerFormat(plan);
  if (format !== null) yield { type: 'format', name: format };
  if (deviceLocal && clocks.has('utc')) {
    yield {
      type: 'warning',
      code: 'zip_mixed_clocks',
      message: "Some files of the archive are on the device's local clock and others on UTC; all were treated as the device's local clock. Check their alignment.",
    };
  }
  if (plan.session !== null) yield { type: 'metadata', metadata: plan.session.metadata };
  if (plan.empatica) yield { type: 'metadata', metadata: E4_METADATA };
  yield* plan.warnings;

  const names = new StreamNames();
  const budget: InflateBudget = { produced: 0 };
  const declared: StreamInfo[] = [];
  for (const member of plan.members) {
    const role = member.role;
    if (role.kind !== 'reader') {
      yield* readSideFile(ctx, plan, member, limits, budget, earliest !== null);
      continue;
    }
    const { offsetNs, assumed } = placements.get(member) ?? { offsetNs: 0n, assumed: false };
    if (assumed) {
      yield {
        type: 'warning',
        code: 'zip_member_time_assumed',
        message: `${member.entry.name} has no clock of its own; it was placed at the start of the earliest file of the archive. Check its alignment.`,
      };
    }
    const session = plan.session;
    const bytes = entryBytes(ctx, member.entry, member.dataStart, { limits, budget });
    yield* mergeMember(role.reader.read(bytes, memberContext(ctx, member.entry, member.dataStart, limits)), {
      entryName: member.entry.name,
      names,
      offsetNs,
      onStream: (info) => declared.push(info),
      ...(role.family === 'sensor-logger' ? { adjust: (info: StreamInfo) => adjustSensorLoggerStream(info, session) } : {}),
    });
  }
  const watch = declared.filter((s) => isWatchStream(s.name) && s.kind !== 'audio');
  if (plan.session !== null && watch.length > 0) {
    const onlyWatch = declared.every((s) => isWatchStream(s.name));
    yield {
      type: 'metadata',
      metadata: {
        ...(onlyWatch ? { device: { kind: 'watch' as const } } : {}),
        session: { watchStreams: watch.map((s) => s.name).join(', ') },
      },
    };
  }
}

/** Local file header, empty archive, or spanned-archive marker at the very start. */
function sniffZip(input: SniffInput): boolean {
  const h = input.head;
  return h.length >= 4 && h[0] === 0x50 && h[1] === 0x4b && ((h[2] === 3 && h[3] === 4) || (h[2] === 5 && h[3] === 6) || (h[2] === 7 && h[3] === 8));
}

/** Builds the container reader with other caps (tests; the registry uses `zipContainerReader`). */
export function createZipContainerReader(limits: ZipLimits = DEFAULT_ZIP_LIMITS): FormatReader {
  return {
    name: 'zip-container',
    description: 'ZIP archive of one session (Sensor Logger export, Empatica E4 download, or several sensor/audio files FieldSense reads)',
    sniff: sniffZip,
    read: (source, ctx) => {
      // The archive is read through random access from its end; the byte stream is not needed.
      void source[Symbol.asyncIterator]().return?.().catch(() => undefined);
      return readZip(ctx, limits);
    },
  };
}

/** ZIP archives of one session's files → one recording. */
export const zipContainerReader: FormatReader = createZipContainerReader();
