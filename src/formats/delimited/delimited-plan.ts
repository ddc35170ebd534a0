/**
 * The reading plan of a delimited text file: which field is the time (and how it counts), which fields are
 * the channels of which stream (with the factor to SI units), which one holds labels. Planners (generic
 * delimited, Core Motion) build it from the head; the row parser follows it byte by byte.
 */

import type { RecordingMetadata, StreamInfo, WallClock } from '../../domain/stream.js';
import type { Dialect } from './delimited-dialect.js';
import type { TimeMode } from './delimited-time.js';
import type { TimeUnit } from './delimited-units.js';

export interface StreamPlan {
  info: StreamInfo;
  /** Field index (0-based) of each channel, in `info.channels` order. */
  fields: number[];
  /** Factor from the file's unit to the stored unit, per channel. */
  scales: number[];
}

/** A column whose runs of equal values become annotations (a label column, a categorical text column). */
export interface LabelPlan {
  index: number;
  name: string;
  /** Where the annotations came from, for people: `label column "activity"`, `text column "gt"`. */
  origin: string;
}

export type TimePlan =
  /** No time column: row i (or the sample number in `indexField`) is at i / rate. */
  | { kind: 'rate'; rateHz: number; indexField: number | null }
  | {
      kind: 'column'; index: number; name: string; mode: TimeMode; unit: TimeUnit; absolute: boolean; shiftNs: number;
      /** Which wall clock absolute times are: `utc` (epoch, ISO with an offset) or `device-local` (ISO without one). */
      clock: WallClock;
    };

export interface Plan {
  dialect: Dialect;
  time: TimePlan;
  streams: StreamPlan[];
  /** Columns whose runs of equal values become annotations. */
  labels: LabelPlan[];
  /** One label for the whole file (MotionSense's activity folder), emitted as an annotation over all rows. */
  fileLabel: { label: string; origin: string } | null;
  warnings: { code: string; message: string }[];
  metadata: RecordingMetadata | null;
  /** What the file is, for messages: `delimited text file`, `Core Motion CSV file`. */
  what: string;
}

/** Most channels (numeric columns) one file may have: more is a hostile or broken header. */
export const MAX_COLUMNS = 2048;
/** Most streams one file may split into. */
export const MAX_STREAMS = 64;
/** Most annotations a label column may produce (runs of equal labels). */
export const MAX_ANNOTATIONS = 10_000;
