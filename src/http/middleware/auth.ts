import type { NextFunction, Request, Response } from 'express';
import type { Principal } from '../../domain/principal.js';
import { AppError } from '../../lib/errors.js';
import type { AuthService } from '../../services/auth.service.js';
import { locals } from './request-context.js';

function bearerToken(req: Request): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(req.header('authorization') ?? '')?.[1];
}

/** Resolves `Authorization: Bearer <token>` into a principal; 401 when missing, unknown or revoked. */
export function authenticate(auth: AuthService) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    locals(res).principal = await auth.authenticate(bearerToken(req));
    next();
  };
}

/**
 * For routes open to everyone that show more to some callers (/readyz): the principal of a valid token,
 * else null — a missing, unknown or revoked token, or one that cannot be checked now, is simply anonymous.
 */
export async function optionalPrincipal(auth: AuthService, req: Request): Promise<Principal | null> {
  const token = bearerToken(req);
  if (!token) return null;
  return auth.authenticate(token).catch(() => null);
}

export function principal(res: Response): Principal {
  const p = locals(res).principal;
  if (!p) throw new AppError('unauthorized', 'Send a token as "Authorization: Bearer <token>".');
  return p;
}
