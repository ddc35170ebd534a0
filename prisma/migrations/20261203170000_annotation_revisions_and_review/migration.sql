-- Annotation revisions (a change sent with If-Match applies only to the revision it names), the adjudicated
-- layer, and who reviewed a proposal and when.
-- AlterTable
ALTER TABLE "Annotation" ADD COLUMN     "adjudicated" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "reviewedAt" TIMESTAMPTZ(3),
ADD COLUMN     "reviewerId" TEXT,
ADD COLUMN     "revision" INTEGER NOT NULL DEFAULT 1;

-- AddForeignKey
ALTER TABLE "Annotation" ADD CONSTRAINT "Annotation_reviewerId_fkey" FOREIGN KEY ("reviewerId") REFERENCES "Annotator"("id") ON DELETE SET NULL ON UPDATE CASCADE;
