import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The annotator console is built by Vite into console/dist (`npm run console:build`, run by `npm install`).
 * `npm start` and the test suite call this to build it when its sources are newer than the build, so a fresh
 * clone or an edited console never serves stale files.
 */
export async function ensureConsoleBuilt(root: string): Promise<'fresh' | 'built'> {
  const consoleRoot = path.join(root, 'console');
  const built = mtime(path.join(consoleRoot, 'dist', 'index.html'));
  const sources = Math.max(newest(path.join(consoleRoot, 'src')), mtime(path.join(consoleRoot, 'index.html')), mtime(path.join(consoleRoot, 'vite.config.ts')));
  if (built !== 0 && built >= sources) return 'fresh';
  const { build } = await import('vite');
  await build({ configFile: path.join(consoleRoot, 'vite.config.ts'), logLevel: 'warn' });
  return 'built';
}

function mtime(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function newest(dir: string): number {
  let m = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && !/\.test\.tsx?$/.test(e.name)) m = Math.max(m, mtime(path.join(e.parentPath, e.name)));
  }
  return m;
}
