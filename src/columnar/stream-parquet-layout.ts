/**
 * The layout of one stream stored as a Parquet file, shared by the writer and the reader:
 * a `time` column (INT64, TIMESTAMP(NANOS, UTC)) then one FLOAT column per channel, in `StreamInfo.channels`
 * order, all REQUIRED, and the `StreamInfo` as JSON in the footer's key-value metadata.
 */

/** Name of the timestamp column (int64 ns, see `SampleChunk.t`). A channel may not use it. */
export const TIME_COLUMN = 'time';

/** Footer key holding the Arrow schema with each column's unit as field metadata (see arrow-schema.ts). */
export const ARROW_SCHEMA_KEY = 'ARROW:schema';

/** Footer key-value metadata key holding `JSON.stringify(StreamInfo)`. */
export const STREAM_INFO_KEY = 'fieldsense.stream';

/** Footer key naming the recording's clock (`utc`, `device-local`, …); also on the `time` field of ARROW:schema. */
export const CLOCK_KEY = 'fieldsense.clock';

/** The footer key-value metadata that tells any Parquet reader what the `time` column is (see RecordingClock). */
export function clockMetadata(clock: string, zone: string | null): Record<string, string> {
  return {
    [CLOCK_KEY]: clock,
    // A relative recording's times count from its start: read as timestamps they sit at 1970-01-01.
    'fieldsense.time_origin': clock === 'relative' ? 'recording-start' : 'unix-epoch',
    ...(zone ? { 'fieldsense.timezone': zone } : {}),
  };
}
