import { Router } from 'express';
import type { OpenApiRegistry } from '../../openapi.js';
import { route } from '../../route.js';
import { principal } from '../../middleware/auth.js';
import type { AuthService } from '../../../services/auth.service.js';
import { Whoami } from '../schemas.js';

/** The session: who the caller's token belongs to, so a client can show it and choose what to offer. */
export function sessionRouter(auth: AuthService, registry: OpenApiRegistry): Router {
  const r = Router();
  route(r, registry, { operationId: 'whoami', method: 'get', path: '/v1/whoami', summary: 'Who this token belongs to: admin, an annotator or a participant, with its name and study', tags: ['session'], auth: 'any',
    responses: { 200: { description: 'The token\'s holder', schema: Whoami } } },
  async (_input, _req, res, send) => {
    send(200, await auth.whoami(principal(res)));
  });
  return r;
}
