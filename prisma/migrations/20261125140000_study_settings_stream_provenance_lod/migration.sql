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

