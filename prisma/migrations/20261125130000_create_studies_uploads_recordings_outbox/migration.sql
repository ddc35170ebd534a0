-- CreateEnum
CREATE TYPE "CredentialKind" AS ENUM ('participant', 'annotator');

-- CreateEnum
CREATE TYPE "RecordingStatus" AS ENUM ('queued', 'processing', 'ready', 'rejected', 'failed');

-- CreateEnum
CREATE TYPE "PipelineStage" AS ENUM ('validate', 'segment', 'annotate');

-- CreateEnum
CREATE TYPE "AnnotationSource" AS ENUM ('auto', 'human', 'import');

-- CreateEnum
CREATE TYPE "AnnotationStatus" AS ENUM ('proposed', 'accepted', 'rejected');

-- CreateTable
CREATE TABLE "Study" (
    "id" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "labels" JSONB NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Study_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Participant" (
    "id" TEXT NOT NULL,
    "studyId" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Participant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Annotator" (
    "id" TEXT NOT NULL,
    "studyId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Annotator_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Credential" (
    "id" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "kind" "CredentialKind" NOT NULL,
    "studyId" TEXT NOT NULL,
    "participantId" TEXT,
    "annotatorId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Credential_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Upload" (
    "id" TEXT NOT NULL,
    "studyId" TEXT NOT NULL,
    "participantId" TEXT NOT NULL,
    "filename" TEXT NOT NULL,
    "bytes" BIGINT NOT NULL,
    "sha256" TEXT NOT NULL,
    "contentType" TEXT,
    "objectKey" TEXT NOT NULL,
    "idempotencyKey" TEXT,
    "metadata" JSONB,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Upload_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Recording" (
    "id" TEXT NOT NULL,
    "studyId" TEXT NOT NULL,
    "participantId" TEXT NOT NULL,
    "uploadId" TEXT NOT NULL,
    "status" "RecordingStatus" NOT NULL DEFAULT 'queued',
    "stage" "PipelineStage",
    "completedStage" "PipelineStage",
    "format" TEXT,
    "device" JSONB,
    "timezone" TEXT,
    "startTimeNs" BIGINT,
    "originNs" BIGINT,
    "processRun" INTEGER NOT NULL DEFAULT 0,
    "durationS" DOUBLE PRECISION,
    "quality" JSONB,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "pipelineVersion" TEXT,
    "warnings" JSONB,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Recording_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Stream" (
    "id" TEXT NOT NULL,
    "recordingId" TEXT NOT NULL,
    "pipelineVersion" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "sensor" TEXT NOT NULL,
    "channels" TEXT[],
    "unit" TEXT NOT NULL,
    "sampleRateHz" DOUBLE PRECISION,
    "measuredRateHz" DOUBLE PRECISION,
    "samples" BIGINT NOT NULL,
    "startS" DOUBLE PRECISION NOT NULL,
    "durationS" DOUBLE PRECISION NOT NULL,
    "firstNs" BIGINT,
    "objectKey" TEXT NOT NULL,
    "summaryKey" TEXT NOT NULL,

    CONSTRAINT "Stream_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Segment" (
    "id" TEXT NOT NULL,
    "recordingId" TEXT NOT NULL,
    "pipelineVersion" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "stream" TEXT,
    "startS" DOUBLE PRECISION NOT NULL,
    "endS" DOUBLE PRECISION NOT NULL,
    "attributes" JSONB NOT NULL,

    CONSTRAINT "Segment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Annotation" (
    "id" TEXT NOT NULL,
    "recordingId" TEXT NOT NULL,
    "startS" DOUBLE PRECISION NOT NULL,
    "endS" DOUBLE PRECISION NOT NULL,
    "label" TEXT NOT NULL,
    "source" "AnnotationSource" NOT NULL,
    "status" "AnnotationStatus" NOT NULL,
    "confidence" DOUBLE PRECISION,
    "detector" TEXT,
    "detectorVersion" TEXT,
    "pipelineVersion" TEXT,
    "annotatorId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Annotation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OutboxEvent" (
    "id" BIGSERIAL NOT NULL,
    "jobName" TEXT NOT NULL,
    "jobId" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "publishedAt" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,

    CONSTRAINT "OutboxEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Study_slug_key" ON "Study"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "Participant_studyId_code_key" ON "Participant"("studyId", "code");

-- CreateIndex
CREATE UNIQUE INDEX "Credential_tokenHash_key" ON "Credential"("tokenHash");

-- CreateIndex
CREATE UNIQUE INDEX "Upload_participantId_sha256_key" ON "Upload"("participantId", "sha256");

-- CreateIndex
CREATE UNIQUE INDEX "Upload_participantId_idempotencyKey_key" ON "Upload"("participantId", "idempotencyKey");

-- CreateIndex
CREATE UNIQUE INDEX "Recording_uploadId_key" ON "Recording"("uploadId");

-- CreateIndex
CREATE INDEX "Recording_studyId_status_idx" ON "Recording"("studyId", "status");

-- CreateIndex
CREATE INDEX "Recording_participantId_idx" ON "Recording"("participantId");

-- CreateIndex
CREATE UNIQUE INDEX "Stream_recordingId_pipelineVersion_name_key" ON "Stream"("recordingId", "pipelineVersion", "name");

-- CreateIndex
CREATE INDEX "Segment_recordingId_pipelineVersion_idx" ON "Segment"("recordingId", "pipelineVersion");

-- CreateIndex
CREATE INDEX "Annotation_recordingId_idx" ON "Annotation"("recordingId");

-- CreateIndex
CREATE INDEX "OutboxEvent_publishedAt_id_idx" ON "OutboxEvent"("publishedAt", "id");

-- AddForeignKey
ALTER TABLE "Participant" ADD CONSTRAINT "Participant_studyId_fkey" FOREIGN KEY ("studyId") REFERENCES "Study"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Annotator" ADD CONSTRAINT "Annotator_studyId_fkey" FOREIGN KEY ("studyId") REFERENCES "Study"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Credential" ADD CONSTRAINT "Credential_studyId_fkey" FOREIGN KEY ("studyId") REFERENCES "Study"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Credential" ADD CONSTRAINT "Credential_participantId_fkey" FOREIGN KEY ("participantId") REFERENCES "Participant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Credential" ADD CONSTRAINT "Credential_annotatorId_fkey" FOREIGN KEY ("annotatorId") REFERENCES "Annotator"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Upload" ADD CONSTRAINT "Upload_participantId_fkey" FOREIGN KEY ("participantId") REFERENCES "Participant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Recording" ADD CONSTRAINT "Recording_studyId_fkey" FOREIGN KEY ("studyId") REFERENCES "Study"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Recording" ADD CONSTRAINT "Recording_participantId_fkey" FOREIGN KEY ("participantId") REFERENCES "Participant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Recording" ADD CONSTRAINT "Recording_uploadId_fkey" FOREIGN KEY ("uploadId") REFERENCES "Upload"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Stream" ADD CONSTRAINT "Stream_recordingId_fkey" FOREIGN KEY ("recordingId") REFERENCES "Recording"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Segment" ADD CONSTRAINT "Segment_recordingId_fkey" FOREIGN KEY ("recordingId") REFERENCES "Recording"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Annotation" ADD CONSTRAINT "Annotation_recordingId_fkey" FOREIGN KEY ("recordingId") REFERENCES "Recording"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Annotation" ADD CONSTRAINT "Annotation_annotatorId_fkey" FOREIGN KEY ("annotatorId") REFERENCES "Annotator"("id") ON DELETE SET NULL ON UPDATE CASCADE;

