import { describe, expect, it } from 'vitest';
import { OutageError, asStorageOutage, isConnectionFault, outageOf } from './outages.js';

/** Errors shaped as the clients throw them (seen against stopped and cut services on this machine). */
function sys(code: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { code, ...extra });
}
function prisma(name: string, fields: Record<string, unknown>): Error {
  const e = new Error('Invalid `prisma.upload.findUnique()` invocation');
  e.name = name;
  return Object.assign(e, fields);
}

describe('outages', () => {
  it('the storage layer tags connection faults and 5xx answers of the store, nothing else', () => {
    const refused = sys('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:4569', { $metadata: { attempts: 3 } });
    const cut = sys('ECONNRESET', 'aborted');
    const slowDown = Object.assign(new Error('Please reduce your request rate.'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } });
    const internal = Object.assign(new Error('We encountered an internal error.'), { name: 'InternalError', $metadata: { httpStatusCode: 500 } });
    for (const e of [refused, cut, slowDown, internal, sys('EPIPE', 'write EPIPE'), Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })]) {
      const tagged = asStorageOutage(e);
      expect(tagged).toBeInstanceOf(OutageError);
      expect(outageOf(tagged)).toBe('storage');
      expect((tagged as Error).cause).toBe(e);
    }
    const notFound = Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
    const denied = Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    const tooLong = Object.assign(new Error('Your key is too long'), { name: 'KeyTooLongError', $metadata: { httpStatusCode: 400 } });
    for (const e of [notFound, denied, tooLong, new Error('Upload aborted.')]) expect(asStorageOutage(e)).toBe(e);
  });

  it('Prisma errors of an unreachable or closed database are database outages; query errors are not', () => {
    const unreachable = prisma('PrismaClientKnownRequestError', { code: 'P1001', meta: { driverAdapterError: { name: 'DriverAdapterError', cause: { kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 5432 } } } });
    const rawClosed = prisma('PrismaClientKnownRequestError', { code: 'P2010', meta: { driverAdapterError: { name: 'DriverAdapterError', cause: { kind: 'ConnectionClosed' } } } });
    const shutdown = prisma('PrismaClientKnownRequestError', { code: 'P2010', meta: { driverAdapterError: { cause: { kind: 'postgres', code: '57P01' } } } });
    const init = prisma('PrismaClientInitializationError', {});
    for (const e of [unreachable, rawClosed, shutdown, init, prisma('PrismaClientKnownRequestError', { code: 'P1017' })]) expect(outageOf(e)).toBe('database');

    const unique = prisma('PrismaClientKnownRequestError', { code: 'P2002', meta: { target: ['sha256'] } });
    const syntax = prisma('PrismaClientKnownRequestError', { code: 'P2010', meta: { driverAdapterError: { cause: { kind: 'postgres', code: '42601' } } } });
    for (const e of [unique, syntax, prisma('PrismaClientValidationError', {})]) expect(outageOf(e)).toBeNull();
  });

  it('ioredis refusing commands while Redis is away is a queue outage', () => {
    const maxRetries = Object.assign(new Error('Reached the max retries per request limit (which is 1).'), { name: 'MaxRetriesPerRequestError' });
    expect(outageOf(maxRetries)).toBe('queue');
    expect(outageOf(new Error("Stream isn't writeable and enableOfflineQueue options is false"))).toBe('queue');
  });

  it('found through causes; a bare socket error names no service, and ordinary errors are none', () => {
    expect(outageOf(new Error('step failed', { cause: new OutageError('storage', new Error('x')) }))).toBe('storage');
    expect(isConnectionFault(sys('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'))).toBe(true);
    expect(outageOf(sys('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'))).toBeNull();
    expect(outageOf(new Error('The upload was interrupted'))).toBeNull();
    expect(outageOf(undefined)).toBeNull();
    expect(isConnectionFault(new Error('file_empty'))).toBe(false);
  });
});
