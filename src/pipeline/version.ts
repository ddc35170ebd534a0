/** Version of the processing pipeline as a whole; stored with every result so reprocessing can be targeted. */
export const PIPELINE_VERSION = '1.0.0';
