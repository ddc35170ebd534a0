-- AlterTable
ALTER TABLE "Recording" ADD COLUMN     "clock" TEXT,
ADD COLUMN     "clockZone" TEXT,
ADD COLUMN     "clockZoneSource" TEXT;
