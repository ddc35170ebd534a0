-- DropIndex
DROP INDEX "Recording_participantId_idx";

-- AlterTable
ALTER TABLE "Recording" ADD COLUMN     "fileMetadata" JSONB;

-- AlterTable
ALTER TABLE "Stream" ADD COLUMN     "frame" TEXT,
ADD COLUMN     "lodKey" TEXT,
ADD COLUMN     "originalUnit" TEXT,
ADD COLUMN     "range" DOUBLE PRECISION,
ADD COLUMN     "sourceFile" TEXT;

-- AlterTable
ALTER TABLE "Study" ADD COLUMN     "settings" JSONB;

-- CreateTable
CREATE TABLE "RecordingAlignment" (
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

-- CreateIndex
CREATE UNIQUE INDEX "RecordingAlignment_recordingId_otherRecordingId_method_vers_key" ON "RecordingAlignment"("recordingId", "otherRecordingId", "method", "version");

-- CreateIndex
CREATE INDEX "Recording_participantId_startTimeNs_idx" ON "Recording"("participantId", "startTimeNs");

-- AddForeignKey
ALTER TABLE "RecordingAlignment" ADD CONSTRAINT "RecordingAlignment_recordingId_fkey" FOREIGN KEY ("recordingId") REFERENCES "Recording"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RecordingAlignment" ADD CONSTRAINT "RecordingAlignment_otherRecordingId_fkey" FOREIGN KEY ("otherRecordingId") REFERENCES "Recording"("id") ON DELETE CASCADE ON UPDATE CASCADE;

