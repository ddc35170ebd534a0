declare module 's3rver' {
  import type { AddressInfo } from 'node:net';
  interface S3rverOptions {
    address?: string;
    port?: number;
    directory?: string;
    silent?: boolean;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    vhostBuckets?: boolean;
    configureBuckets?: { name: string; configs: (string | Buffer)[] }[];
  }
  /** The part of Koa's context the project's middleware uses. */
  export interface S3rverContext {
    readonly path: string;
    status: number;
    type: string;
    body: unknown;
  }
  export default class S3rver {
    constructor(options?: S3rverOptions);
    /** Koa's middleware stack (S3rver is a Koa application); composed when the server starts. */
    middleware: ((ctx: S3rverContext, next: () => Promise<void>) => Promise<void>)[];
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  }
}
