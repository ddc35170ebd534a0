import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import { AppError } from '../../../lib/errors.js';

/**
 * The annotator console: the files Vite built into `consoleDir` (console/dist), served at /console/ before
 * authentication (they hold no data: the app signs in against the API). Hashed assets are cached for a year;
 * index.html is revalidated every time, so a new build is picked up at once. Any other path under /console/
 * answers index.html, so a recording's address can be reloaded and shared. `GET /` leads to the console.
 */
export function consoleRouter(consoleDir: string): Router {
  const r = Router();
  const index = path.join(consoleDir, 'index.html');
  r.get('/', (_req, res) => res.redirect(302, '/console/'));
  // Routing is not strict, so '/console' also matches '/console/': only the bare path is redirected.
  r.get('/console', (req, res, next) => (req.path === '/console' ? res.redirect(301, '/console/') : next()));
  r.use('/console/assets', express.static(path.join(consoleDir, 'assets'), { immutable: true, maxAge: '365d', index: false }));
  // A missing asset is the API's JSON 404 (express.static's own would reach the error translator as a 500).
  r.use('/console/assets', (req) => {
    throw new AppError('not_found', `The console has no asset ${req.originalUrl.split('?')[0] ?? ''}: reload the console to get the current build's files.`);
  });
  r.get(/^\/console\/.*/, (_req, res) => {
    if (!existsSync(index)) throw new AppError('console_not_built', 'The console has not been built: run `npm run console:build` (npm install and npm start do it).');
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.sendFile(index);
  });
  return r;
}
