/**
 * @param {Writer} writer
 * @param {PageHeader} header
 */
export declare function writePageHeader(writer: Writer, header: PageHeader): void;
import type { PageHeader } from 'hyparquet';
import type { Writer } from 'hyparquet-writer';
