/**
 * Consent withdrawal: a participant's raw uploads, everything derived from their recordings, and their
 * recordings, uploads and annotations are deleted, from object storage and the database; their tokens are
 * revoked first, so nothing new comes in; the participant row stays as the tombstone (id, when, by whom). The
 * datasets exported before keep what they hold (they are files elsewhere): `exports` says which they are.
 *
 * Running it again finishes a withdrawal that was interrupted (a store outage, a crash) and sweeps objects a
 * processing step still running at the time wrote after the first pass.
 */
import { AppError } from '../lib/errors.js';
import type { Principal } from '../domain/principal.js';
import type { WithdrawalRepository } from '../repositories/withdrawal.repository.js';
import type { ObjectStore } from '../storage/object-store.js';
import { keys } from '../storage/keys.js';

export interface Withdrawal {
  participantId: string;
  withdrawnAt: Date;
  withdrawnBy: string;
  deleted: { recordings: number; uploads: number; objects: number };
}

export class WithdrawParticipantService {
  constructor(private readonly repo: WithdrawalRepository, private readonly store: ObjectStore) {}

  async withdraw(p: Principal, participantId: string): Promise<Withdrawal> {
    requireAdmin(p);
    const participant = await this.repo.participant(participantId);
    if (!participant) throw new AppError('not_found', `There is no participant ${participantId}.`);
    const mark = await this.repo.markWithdrawn(participantId, 'admin');
    const { uploads, recordings } = await this.repo.dataOf(participantId);
    // Objects first, rows last: a pass cut short leaves rows that name what is still to delete, and a second
    // pass finds it all again.
    const objectKeys = new Set<string>(uploads.map((u) => u.objectKey));
    const prefixes = [keys.participantRawPrefix(participant.studyId, participantId), ...recordings.map((r) => keys.recordingDerivedPrefix(r))];
    for (const prefix of prefixes) for (const k of await this.store.list(prefix)) objectKeys.add(k);
    for (const k of objectKeys) await this.store.delete(k);
    const rows = await this.repo.deleteData(participantId, recordings);
    // A step that was running wrote after the listing: look once more.
    let late = 0;
    for (const prefix of prefixes) {
      for (const k of await this.store.list(prefix)) {
        await this.store.delete(k);
        late++;
      }
    }
    return { participantId, ...mark, deleted: { ...rows, objects: objectKeys.size + late } };
  }

  /** The datasets exported with this participant's recordings (before a withdrawal too). */
  async exports(p: Principal, participantId: string): Promise<{ id: string; version: string; location: string; recordings: number; windows: number; createdAt: Date }[]> {
    requireAdmin(p);
    if (!(await this.repo.participant(participantId))) throw new AppError('not_found', `There is no participant ${participantId}.`);
    return this.repo.exportsWith(participantId);
  }
}

function requireAdmin(p: Principal): void {
  if (p.kind !== 'admin') throw new AppError('forbidden', 'Only the admin token may withdraw participants or list their exports.');
}
