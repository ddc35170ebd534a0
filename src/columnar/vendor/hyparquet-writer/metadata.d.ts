import type { FileMetaData } from 'hyparquet';
import type { Writer } from 'hyparquet-writer';
/**
 * Write Parquet file metadata as thrift.
 *
 * @param {Writer} writer
 * @param {FileMetaData} metadata
 * @param {number} [statisticsTruncateLength] max bytes for a byte-array min/max
 */
export declare function writeMetadata(writer: Writer, metadata: FileMetaData, statisticsTruncateLength?: number): void;
