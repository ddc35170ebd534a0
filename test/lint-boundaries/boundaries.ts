import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { ALLOWED, FORBIDDEN, type Fixture, type Forbidden } from './fixtures.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The rules that draw the house's boundaries (eslint.config.js). */
const BOUNDARY_RULES = new Set(['import-x/no-restricted-paths', 'no-restricted-imports', 'no-restricted-syntax']);

export interface Verdict {
  fixture: Fixture | Exception;
  ok: boolean;
  /** Why it failed, or what rejected it. */
  detail: string;
}

/** A named exception of eslint.config.js (today's breaches of a boundary). */
export interface Exception {
  name: string;
  files: string[];
  reason: string;
}
interface ConfigModule {
  EXISTING_VIOLATIONS: Exception[];
  strictBoundaryRules: (file: string) => Linter.RulesRecord;
}

/** The fixtures are not files the TypeScript project knows, and no boundary rule needs types. */
const untyped: Linter.Config = { files: ['**/*.ts'], ...(tseslint.configs.disableTypeChecked as Linter.Config) };

/** Relative imports of a fixture that name no file: such an import resolves to nothing, so no zone could see it. */
function missingTargets(fixture: Fixture): string[] {
  const specifiers = [...fixture.code.matchAll(/(?:from |import\()'(\.[^']+)'/g)].map(match => match[1] ?? '');
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
  if (!hit) return { fixture, ok: false, detail: `(at ${fixture.at}) expected ${fixture.rule} [${fixture.boundary}], got ${describe(messages)}` };
  if (stray.length > 0) return { fixture, ok: false, detail: `(at ${fixture.at}) the fixture itself is unclean: ${describe(stray)}` };
  return { fixture, ok: true, detail: `${hit.ruleId}: ${hit.message}` };
}

/**
 * Lints every fixture at its virtual path with the repository's own eslint.config.js (type-aware rules off: the
 * fixtures are not files the TypeScript project knows, and no boundary rule needs types) and judges it.
 */
export async function checkBoundaries(): Promise<Verdict[]> {
  const eslint = new ESLint({ cwd: ROOT, overrideConfig: [untyped] });
  const verdicts: Verdict[] = [];
  for (const fixture of [...FORBIDDEN, ...ALLOWED]) {
    const missing = missingTargets(fixture);
    if (missing.length > 0) {
      verdicts.push({ fixture, ok: false, detail: `(at ${fixture.at}) imports a file that does not exist (${missing.join(', ')}): update the fixture` });
      continue;
    }
    const [result] = await eslint.lintText(fixture.code, { filePath: path.join(ROOT, fixture.at), warnIgnored: true });
    const messages = result?.messages ?? [];
    if ('rule' in fixture) verdicts.push(judgeForbidden(fixture as Forbidden, messages));
    else verdicts.push({ fixture, ok: messages.length === 0, detail: messages.length === 0 ? 'clean' : `(at ${fixture.at}) expected clean, got ${describe(messages)}` });
  }
  return [...verdicts, ...await checkExceptions()];
}

/**
 * Each named exception must still cover a real breach: its files, linted with the boundary rules they would have
 * without it, must be rejected. An exception that covers nothing would quietly let a new breach in.
 */
async function checkExceptions(): Promise<Verdict[]> {
  const config = await import(pathToFileURL(path.join(ROOT, 'eslint.config.js')).href) as ConfigModule;
  const verdicts: Verdict[] = [];
  for (const exception of config.EXISTING_VIOLATIONS) {
    for (const file of exception.files) {
      const eslint = new ESLint({ cwd: ROOT, overrideConfig: [untyped, { files: [file], rules: config.strictBoundaryRules(file) }] });
      const [result] = await eslint.lintFiles([path.join(ROOT, file)]);
      const hits = (result?.messages ?? []).filter(m => m.ruleId !== null && BOUNDARY_RULES.has(m.ruleId));
      verdicts.push(hits.length > 0
        ? { fixture: exception, ok: true, detail: `still needed: ${describe(hits)}` }
        : { fixture: exception, ok: false, detail: `${file} no longer breaks a boundary: remove the exception ${exception.name} from eslint.config.js` });
    }
  }
  return verdicts;
}
