-- Completes 20261125140000_settings_provenance_lod_alignments on a database that applied one of the versions it
-- replaced (20261125140000_stream_provenance_lod_and_file_metadata, 20261125140000_study_settings_stream_provenance_lod):
-- what those already did is skipped, the rest is done, so the schema ends as the migration leaves it. Run by
-- src/main/migration-repair.ts in the transaction that records the migration as applied; safe to run twice.

DROP INDEX IF EXISTS "Recording_participantId_idx";

ALTER TABLE "Recording" ADD COLUMN IF NOT EXISTS "fileMetadata" JSONB;

ALTER TABLE "Stream" ADD COLUMN IF NOT EXISTS "frame" TEXT,
ADD COLUMN IF NOT EXISTS "lodKey" TEXT,
ADD COLUMN IF NOT EXISTS "originalUnit" TEXT,
ADD COLUMN IF NOT EXISTS "range" DOUBLE PRECISION,
ADD COLUMN IF NOT EXISTS "sourceFile" TEXT;

ALTER TABLE "Study" ADD COLUMN IF NOT EXISTS "settings" JSONB;

CREATE TABLE IF NOT EXISTS "RecordingAlignment" (
    "id" TEXT NOT NULL,
    "recordingId" TEXT NOT NULL,
    "otherRecordingId" TEXT NOT NULL,
    "offsetS" DOUBLE PRECISION NOT NULL,
    "confidence" DOUBLE PRECISION NOT NULL,
    "peak" DOUBLE PRECISION NOT NULL,
    "overlapS" DOUBLE PRECISION NOT NULL,
    "method" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RecordingAlignment_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX IF NOT EXISTS "RecordingAlignment_recordingId_otherRecordingId_method_vers_key" ON "RecordingAlignment"("recordingId", "otherRecordingId", "method", "version");

CREATE INDEX IF NOT EXISTS "Recording_participantId_startTimeNs_idx" ON "Recording"("participantId", "startTimeNs");

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'RecordingAlignment_recordingId_fkey') THEN
    ALTER TABLE "RecordingAlignment" ADD CONSTRAINT "RecordingAlignment_recordingId_fkey" FOREIGN KEY ("recordingId") REFERENCES "Recording"("id") ON DELETE CASCADE ON UPDATE CASCADE;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'RecordingAlignment_otherRecordingId_fkey') THEN
    ALTER TABLE "RecordingAlignment" ADD CONSTRAINT "RecordingAlignment_otherRecordingId_fkey" FOREIGN KEY ("otherRecordingId") REFERENCES "Recording"("id") ON DELETE CASCADE ON UPDATE CASCADE;
  END IF;
END $$;
