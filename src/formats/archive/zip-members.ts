import type { ReaderEvent, WallClock } from '../../domain/stream.js';
import { AppError, isAppError } from '../../lib/errors.js';
import { concatBytes } from '../common/byte-source.js';
import { parseSmallCsv } from '../common/csv-small.js';
import { E4_SIDE_FILES, empaticaE4CsvReader, isEmpaticaSet } from '../empatica/empatica-e4.reader.js';
import { sensorLoggerCsvReader } from '../sensor-logger/sensor-logger-csv.reader.js';
import { isAnnotationHeader, isSensorLoggerMetadataHeader, parseSensorLoggerMetadata, type SensorLoggerSession } from '../sensor-logger/sensor-logger-zip.js';
import type { FormatReader, ReaderContext } from '../types.js';
import { METHOD_DEFLATE, METHOD_STORED, methodName, type ZipEntry, type ZipLimits } from './zip-central-directory.js';
import { entryBytes, entryDataStart, memberContext, type InflateBudget } from './zip-entry-source.js';
import { memberError } from './zip-merge.js';
import { archiveMagic, baseName } from './zip-names.js';

/**
 * Plans how each member of an archive is read, before any event is emitted: which reader (detected from
 * the member's first 64 KiB through `ctx.detect`, or one of the export layouts the container knows:
 * Sensor Logger's Metadata.csv / Annotation.csv, Empatica E4's file set), and where its clock starts (the
 * member reader is run up to its `recording` event, then stopped), so the container can emit one
 * `recording` event with the earliest start and place clock-less members on the same axis.
 */

const HEAD_BYTES = 64 * 1024;
/** Side files read whole (Metadata.csv, Annotation.csv, tags.csv) are refused past this. */
export const MAX_SIDE_FILE_BYTES = 16 * 1024 * 1024;

export type MemberRole =
  /** `clock`: the wall clock of an absolute member's times (its `recording` event's, `utc` when it says none). */
  | { kind: 'reader'; reader: FormatReader; startNs: bigint | null; absolute: boolean; clock: WallClock; family: 'sensor-logger' | 'empatica' | 'other' }
  | { kind: 'annotations' }
  | { kind: 'e4-tags' };

export interface PlannedMember {
  entry: ZipEntry;
  dataStart: number;
  role: MemberRole;
}

export interface ZipPlan {
  members: PlannedMember[];
  session: SensorLoggerSession | null;
  empatica: boolean;
  /** Warnings to emit after the recording event (skipped, empty members). */
  warnings: ReaderEvent[];
  /** What the archive holds, for the message when nothing in it is readable. */
  found: string[];
}

/** Reads the first `HEAD_BYTES` of a member (inflating only that much). */
async function readHead(ctx: ReaderContext, entry: ZipEntry, dataStart: number, limits: ZipLimits): Promise<Uint8Array> {
  const pieces: Uint8Array[] = [];
  let size = 0;
  for await (const p of entryBytes(ctx, entry, dataStart, { limits })) {
    pieces.push(p);
    size += p.length;
    if (size >= HEAD_BYTES) break;
  }
  const all = concatBytes(pieces);
  return all.subarray(0, Math.min(HEAD_BYTES, all.length));
}

/** Reads a whole small member as text (side files only). */
export async function readSmallMember(ctx: ReaderContext, entry: ZipEntry, dataStart: number, limits: ZipLimits, budget?: InflateBudget): Promise<string> {
  if (entry.uncompressedSize > MAX_SIDE_FILE_BYTES) {
    throw new AppError('format_limits', `${JSON.stringify(entry.name)} is ${entry.uncompressedSize} bytes; side files of at most ${MAX_SIDE_FILE_BYTES} bytes are read.`, { entry: entry.name });
  }
  const pieces: Uint8Array[] = [];
  for await (const p of entryBytes(ctx, entry, dataStart, budget === undefined ? { limits } : { limits, budget })) pieces.push(p);
  return new TextDecoder('utf-8', { fatal: false }).decode(concatBytes(pieces));
}

function firstLineCells(head: Uint8Array): string[] {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head.subarray(0, 4096));
  const nl = text.indexOf('\n');
  return parseSmallCsv(nl < 0 ? text : text.slice(0, nl))[0] ?? [];
}

/** Runs a member reader up to its `recording` event to learn where its clock starts, then stops it. */
async function probeStart(ctx: ReaderContext, entry: ZipEntry, dataStart: number, reader: FormatReader, limits: ZipLimits): Promise<{ startNs: bigint | null; absolute: boolean; clock: WallClock }> {
  const bytes = entryBytes(ctx, entry, dataStart, { limits });
  const events = reader.read(bytes, memberContext(ctx, entry, dataStart, limits));
  try {
    for (let i = 0; i < 64; i++) {
      const r = await events.next();
      if (r.done === true) break;
      if (r.value.type === 'recording') {
        const absolute = r.value.absoluteTime && r.value.startTimeNs !== null;
        return { startNs: r.value.absoluteTime ? r.value.startTimeNs : null, absolute, clock: absolute ? (r.value.clock ?? 'utc') : 'utc' };
      }
      if (r.value.type === 'stream' || r.value.type === 'chunk') break;
    }
    return { startNs: null, absolute: false, clock: 'utc' };
  } finally {
    await events.return(undefined);
    await bytes.return(undefined);
  }
}

/** A per-sensor CSV of Sensor Logger: a `time` column and other columns (any order, `seconds_elapsed` optional). */
function isSensorLoggerCsvHeader(cells: readonly string[]): boolean {
  const lower = cells.map((c) => c.trim().toLowerCase());
  return lower.includes('time') && lower.length >= 2;
}

function skipped(entry: ZipEntry, why: string): ReaderEvent {
  return { type: 'warning', code: 'zip_member_skipped', message: `${entry.name}: ${why}; skipped.` };
}

/** Decides the role of every member (see the file comment). */
export async function planMembers(ctx: ReaderContext, entries: readonly ZipEntry[], limits: ZipLimits): Promise<ZipPlan> {
  // Metadata.csv first: what it says (a Sensor Logger export) decides how the other files are read.
  const isMeta = (e: ZipEntry): boolean => baseName(e.name).toLowerCase() === 'metadata.csv';
  const all = entries.filter((e) => !e.isDirectory && !e.isJunk);
  const files = [...all.filter(isMeta), ...all.filter((e) => !isMeta(e))];
  const plan: ZipPlan = { members: [], session: null, empatica: isEmpaticaSet(files.map((e) => baseName(e.name))), warnings: [], found: [] };
  const unrecognised: string[] = [];
  for (const entry of files) {
    const base = baseName(entry.name);
    const lowerBase = base.toLowerCase();
    if (entry.method !== METHOD_STORED && entry.method !== METHOD_DEFLATE) {
      plan.found.push(`${entry.name} (${methodName(entry.method)})`);
      plan.warnings.push(skipped(entry, `compressed with ${methodName(entry.method)}, which FieldSense cannot unpack (use standard deflate compression)`));
      continue;
    }
    const dataStart = await entryDataStart(ctx, entry);
    if (plan.empatica && lowerBase === 'tags.csv') {
      plan.members.push({ entry, dataStart, role: { kind: 'e4-tags' } });
      continue;
    }
    if (plan.empatica && E4_SIDE_FILES.includes(lowerBase)) continue;
    if (entry.uncompressedSize === 0) {
      plan.found.push(`${entry.name} (empty)`);
      plan.warnings.push({ type: 'warning', code: 'zip_member_empty', message: `${entry.name} is empty (0 bytes); skipped.` });
      continue;
    }
    const head = await readHead(ctx, entry, dataStart, limits);
    const magic = archiveMagic(head);
    if (magic !== null) {
      throw new AppError('archive_unsafe', `The ZIP entry ${JSON.stringify(entry.name)} is itself a ${magic} archive; archives inside archives are refused. Unpack it and upload its files.`, { entry: entry.name });
    }
    if (lowerBase === 'metadata.csv' && isSensorLoggerMetadataHeader(firstLineCells(head))) {
      plan.session = parseSensorLoggerMetadata(await readSmallMember(ctx, entry, dataStart, limits));
      plan.found.push(`${entry.name} (Sensor Logger metadata)`);
      continue;
    }
    if (/^annotations?\.csv$/.test(lowerBase) && isAnnotationHeader(firstLineCells(head))) {
      plan.members.push({ entry, dataStart, role: { kind: 'annotations' } });
      plan.found.push(`${entry.name} (annotations)`);
      continue;
    }
    let reader: FormatReader;
    if (plan.empatica && empaticaE4CsvReader.sniff({ head, filename: entry.name })) {
      reader = empaticaE4CsvReader;
    } else if (plan.session !== null && lowerBase.endsWith('.csv') && isSensorLoggerCsvHeader(firstLineCells(head))) {
      // Android writes some files without `seconds_elapsed`; inside a Sensor Logger export they are still its CSVs.
      reader = sensorLoggerCsvReader;
    } else {
      try {
        reader = ctx.detect({ head, filename: entry.name });
      } catch (e) {
        if (isAppError(e) && (e.code === 'format_unrecognized' || e.code === 'file_empty')) {
          unrecognised.push(entry.name);
          plan.found.push(`${entry.name} (not a recognised format)`);
          continue;
        }
        throw memberError(e, entry.name);
      }
    }
    try {
      const start = await probeStart(ctx, entry, dataStart, reader, limits);
      const family = reader === empaticaE4CsvReader ? 'empatica' : reader.name.startsWith('sensor-logger') ? 'sensor-logger' : 'other';
      plan.members.push({ entry, dataStart, role: { kind: 'reader', reader, family, ...start } });
      plan.found.push(`${entry.name} (${reader.name})`);
    } catch (e) {
      if (isAppError(e) && (e.code === 'no_samples' || e.code === 'file_empty')) {
        plan.found.push(`${entry.name} (no samples)`);
        plan.warnings.push({ type: 'warning', code: 'zip_member_empty', message: `${entry.name} has no samples (${e.message}); skipped.` });
        continue;
      }
      if (isAppError(e) && (e.code === 'decoder_missing' || e.code === 'format_unsupported_variant')) {
        plan.found.push(`${entry.name} (${reader.name}: ${e.code})`);
        plan.warnings.push(skipped(entry, e.message));
        continue;
      }
      throw memberError(e, entry.name);
    }
  }
  if (unrecognised.length > 0) {
    const shown = unrecognised.slice(0, 20).join(', ');
    plan.warnings.push({
      type: 'warning',
      code: 'zip_member_skipped',
      message: `${unrecognised.length} file(s) in the archive are not a format FieldSense reads and were skipped: ${shown}${unrecognised.length > 20 ? ', …' : ''}.`,
      count: unrecognised.length,
    });
  }
  return plan;
}
