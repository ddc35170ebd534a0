import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { ALLOWED, FORBIDDEN, type Fixture, type Forbidden } from './fixtures.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The rules that draw the house's boundaries (eslint.config.js). */
const BOUNDARY_RULES = new Set(['import-x/no-restricted-paths', 'no-restricted-imports']);

export interface Verdict {
  fixture: Fixture;
  ok: boolean;
  /** Why it failed, or what rejected it. */
  detail: string;
}

/** Relative imports of a fixture that name no file: such an import resolves to nothing, so no zone could see it. */
function missingTargets(fixture: Fixture): string[] {
  const specifiers = [...fixture.code.matchAll(/from '(\.[^']+)'/g)].map(match => match[1] ?? '');
  return specifiers.filter(specifier => {
    const file = path.resolve(ROOT, path.dirname(fixture.at), specifier);
    return ![file, file.replace(/\.js$/, '.ts')].some(candidate => existsSync(candidate));
  });
}

function describe(messages: Linter.LintMessage[]): string {
  return messages.length === 0 ? 'no lint message' : messages.map(m => `${m.ruleId ?? 'fatal'}: ${m.message}`).join(' | ');
}

function judgeForbidden(fixture: Forbidden, messages: Linter.LintMessage[]): Verdict {
  const hit = messages.find(m => m.ruleId === fixture.rule && m.message.includes(`[${fixture.boundary}]`));
  const stray = messages.filter(m => m.ruleId === null || !BOUNDARY_RULES.has(m.ruleId));
  if (!hit) return { fixture, ok: false, detail: `expected ${fixture.rule} [${fixture.boundary}], got ${describe(messages)}` };
  if (stray.length > 0) return { fixture, ok: false, detail: `the fixture itself is unclean: ${describe(stray)}` };
  return { fixture, ok: true, detail: `${hit.ruleId}: ${hit.message}` };
}

/**
 * Lints every fixture at its virtual path with the repository's own eslint.config.js (type-aware rules off: the
 * fixtures are not files the TypeScript project knows, and no boundary rule needs types) and judges it.
 */
export async function checkBoundaries(): Promise<Verdict[]> {
  const eslint = new ESLint({
    cwd: ROOT,
    overrideConfig: [{ files: ['**/*.ts'], ...(tseslint.configs.disableTypeChecked as Linter.Config) }],
  });
  const verdicts: Verdict[] = [];
  for (const fixture of [...FORBIDDEN, ...ALLOWED]) {
    const missing = missingTargets(fixture);
    if (missing.length > 0) {
      verdicts.push({ fixture, ok: false, detail: `imports a file that does not exist (${missing.join(', ')}): update the fixture` });
      continue;
    }
    const [result] = await eslint.lintText(fixture.code, { filePath: path.join(ROOT, fixture.at), warnIgnored: true });
    const messages = result?.messages ?? [];
    if ('rule' in fixture) verdicts.push(judgeForbidden(fixture as Forbidden, messages));
    else verdicts.push({ fixture, ok: messages.length === 0, detail: messages.length === 0 ? 'clean' : `expected clean, got ${describe(messages)}` });
  }
  return verdicts;
}
