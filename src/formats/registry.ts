import { AppError } from '../lib/errors.js';
import { sensorLoggerCsvReader } from './sensor-logger/sensor-logger-csv.reader.js';
import type { FormatReader, SniffInput } from './types.js';
import { wavReader } from './audio/wav.reader.js';
import { coreMotionCsvReader } from './delimited/core-motion-csv.reader.js';
import { axivityCwaReader } from './axivity/axivity-cwa.reader.js';
import { geneactivBinReader } from './geneactiv/geneactiv-bin.reader.js';
import { CONTAINER_FORMATS, zipContainerReader } from './archive/zip-container.reader.js';
import { audioCodecReader } from './audio/audio-codec.reader.js';
import { edgeImpulseReader } from './edge-impulse/edge-impulse.reader.js';
import { sensorLoggerJsonReader } from './sensor-logger/sensor-logger-json.reader.js';
import { empaticaE4CsvReader } from './empatica/empatica-e4.reader.js';
import { segmentsLabelsReader } from './labels/segments-labels.reader.js';
import { genericDelimitedReader } from './delimited/generic-delimited.reader.js';

/**
 * Every format FieldSense reads, in sniffing order: binary formats by their magic first, then text formats
 * from the most specific header to the most general; generic delimited text is always last.
 */
export const readers: FormatReader[] = [
  // binary, by magic bytes
  wavReader,
  axivityCwaReader,
  zipContainerReader,
  audioCodecReader,
  // structured text with a telling header
  geneactivBinReader,
  edgeImpulseReader,
  sensorLoggerJsonReader,
  sensorLoggerCsvReader,
  empaticaE4CsvReader,
  coreMotionCsvReader,
  segmentsLabelsReader,
  // anything delimited, last
  genericDelimitedReader,
];

/**
 * Every name a recording's `format` can have: a reader's name, or the name a container gives the export it
 * found inside (`sensor-logger-zip`, `empatica-e4-zip`; any other archive stays `zip-container`).
 */
export const formatNames: readonly string[] = [...readers.map((r) => r.name), ...CONTAINER_FORMATS];

/**
 * Picks the reader for a file by its content (the first bytes), never by its name.
 * @throws AppError `file_empty` when there are no bytes, `format_unrecognized` when no reader claims them.
 */
export function detectFormat(input: SniffInput): FormatReader {
  if (input.head.length === 0) {
    throw new AppError('file_empty', `The file${input.filename ? ` "${input.filename}"` : ''} is empty (0 bytes); upload it again.`);
  }
  const found = readers.find((r) => r.sniff(input));
  if (found === undefined) {
    throw new AppError(
      'format_unrecognized',
      `This file is not a format FieldSense reads. Supported: ${readers.map((r) => r.description).join('; ')}.`,
      { filename: input.filename },
    );
  }
  return found;
}
