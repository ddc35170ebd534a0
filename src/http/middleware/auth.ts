import type { NextFunction, Request, Response } from 'express';
import type { Principal } from '../../domain/principal.js';
import { AppError } from '../../lib/errors.js';
import type { AuthService } from '../../services/auth.service.js';
import { locals } from './request-context.js';

/** Resolves `Authorization: Bearer <token>` into a principal; 401 when missing, unknown or revoked. */
export function authenticate(auth: AuthService) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const header = req.header('authorization') ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    locals(res).principal = await auth.authenticate(m?.[1]);
    next();
  };
}

export function principal(res: Response): Principal {
  const p = locals(res).principal;
  if (!p) throw new AppError('unauthorized', 'Send a token as "Authorization: Bearer <token>".');
  return p;
}
