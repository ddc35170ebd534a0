-- CreateTable
CREATE TABLE "IdempotencyClaim" (
    "participantId" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "IdempotencyClaim_pkey" PRIMARY KEY ("participantId","idempotencyKey")
);

-- AddForeignKey
ALTER TABLE "IdempotencyClaim" ADD CONSTRAINT "IdempotencyClaim_participantId_fkey" FOREIGN KEY ("participantId") REFERENCES "Participant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
