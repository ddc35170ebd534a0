-- Who made an annotation's current revision (its creation or latest change), so a person whose edit met a
-- newer revision is told whose it is.
-- AlterTable
ALTER TABLE "Annotation" ADD COLUMN     "changedById" TEXT;

-- AddForeignKey
ALTER TABLE "Annotation" ADD CONSTRAINT "Annotation_changedById_fkey" FOREIGN KEY ("changedById") REFERENCES "Annotator"("id") ON DELETE SET NULL ON UPDATE CASCADE;
