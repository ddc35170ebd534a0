-- Dataset exports as jobs (POST /v1/exports): a row is made when the export is asked for, with its parameters,
-- and carries its state, its plan's size, its result (version, counts) and its error. Rows written before are
-- finished exports. Each shard of an export has a progress row the workers update as they go.
-- AlterTable
ALTER TABLE "DatasetExport" ALTER COLUMN "version" DROP NOT NULL,
ADD COLUMN     "status" TEXT NOT NULL DEFAULT 'finished',
ADD COLUMN     "params" JSONB,
ADD COLUMN     "shards" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "plannedRecordings" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "plannedSeconds" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN     "error" TEXT,
ADD COLUMN     "startedAt" TIMESTAMPTZ(3),
ADD COLUMN     "finishedAt" TIMESTAMPTZ(3),
ADD CONSTRAINT "DatasetExport_status_check" CHECK ("status" IN ('queued', 'running', 'finished', 'failed'));

-- CreateTable
CREATE TABLE "DatasetExportShard" (
    "exportId" TEXT NOT NULL,
    "index" INTEGER NOT NULL,
    "recordings" INTEGER NOT NULL,
    "seconds" DOUBLE PRECISION NOT NULL,
    "recordingsDone" INTEGER NOT NULL DEFAULT 0,
    "secondsDone" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "windows" INTEGER NOT NULL DEFAULT 0,
    "done" BOOLEAN NOT NULL DEFAULT false,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DatasetExportShard_pkey" PRIMARY KEY ("exportId", "index")
);

-- AddForeignKey
ALTER TABLE "DatasetExportShard" ADD CONSTRAINT "DatasetExportShard_exportId_fkey" FOREIGN KEY ("exportId") REFERENCES "DatasetExport"("id") ON DELETE CASCADE ON UPDATE CASCADE;
