-- Consent withdrawal: the participant row stays as the tombstone (when, by whom) once its data is deleted, and
-- the datasets the export wrote, with the participants each holds.
-- AlterTable
ALTER TABLE "Participant" ADD COLUMN     "withdrawnAt" TIMESTAMPTZ(3),
ADD COLUMN     "withdrawnBy" TEXT;

-- CreateTable
CREATE TABLE "DatasetExport" (
    "id" TEXT NOT NULL,
    "studyId" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "location" TEXT NOT NULL,
    "participantIds" TEXT[],
    "recordings" INTEGER NOT NULL,
    "windows" INTEGER NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DatasetExport_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "DatasetExport_studyId_idx" ON "DatasetExport"("studyId");

-- AddForeignKey
ALTER TABLE "DatasetExport" ADD CONSTRAINT "DatasetExport_studyId_fkey" FOREIGN KEY ("studyId") REFERENCES "Study"("id") ON DELETE CASCADE ON UPDATE CASCADE;
