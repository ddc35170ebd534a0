// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const root = import.meta.dirname;

// ---------------------------------------------------------------------------------------------------------------
// The shape of the house (docs/STYLE.md): data flows one way, the science is pure, each outside library has one
// home. Every boundary is named; its name leads the lint message, so a failure says which rule of the house it
// breaks, and test/lint-boundaries/ proves each one rejects a forbidden import (`npm run check:boundaries`).
//
// Path zones need a resolver that maps TypeScript's ESM specifiers (`./foo.js` meaning `./foo.ts`) to files:
// without one an import resolves to nothing and `no-restricted-paths` skips it silently.
// ---------------------------------------------------------------------------------------------------------------

/** The science: pure code that takes samples and returns results. */
const PURE = ['./src/formats', './src/pipeline', './src/columnar', './src/evaluation', './src/domain'];
/**
 * Folders that do I/O or wire the app together; the science imports none of them. `src/decoders` runs the
 * external decoders (ffmpeg, libFLAC, the loopback range server) behind the science's Decoder port.
 */
const IO_FOLDERS = ['./src/repositories', './src/storage', './src/jobs', './src/services', './src/http', './src/main', './src/config', './src/cli', './src/decoders'];
/**
 * Unit tests and their support files inside src/, one convention: `*.test.ts` and `*.test-support.ts` (signals,
 * synthetic files, in-memory contexts). Tests, test/ and bench/ import them; shipped code never does.
 */
const TEST_SUPPORT_GLOBS = ['./src/**/*.test.ts', './src/**/*.test-support.ts'];

/**
 * Zones for `import-x/no-restricted-paths`, by name (a name may hold several zones: globs and plain paths cannot
 * share one). Targets and sources are folders, files or globs from the repository root.
 * @type {Record<string, { target: string | string[], from: string | string[], message: string }[]>}
 */
const ZONES = {
  'src-imports-no-workers': [{ target: './src', from: './workers', message: 'nothing in src/ imports workers/' }],
  'src-imports-no-test-folder': [{ target: './src', from: './test', message: 'nothing in src/ imports test/ (fixtures, helpers)' }],
  'src-imports-no-test-support': [{ target: './src', from: TEST_SUPPORT_GLOBS, message: 'shipped code imports no test or test support (*.test.ts, *.test-support.ts)' }],
  'lib-imports-no-app-folder': [{
    target: './src/lib',
    from: ['./src/config', './src/domain', './src/formats', './src/pipeline', './src/columnar', './src/evaluation', './src/repositories', './src/storage', './src/jobs', './src/services', './src/http', './src/cli', './src/main', './src/decoders'],
    message: 'lib/ imports no app folder',
  }],
  'science-is-pure': [{ target: PURE, from: IO_FOLDERS, message: 'the science is pure: no database, S3, Redis, queue, service, route, decoder process or composition root inside it' }],
  'routes-call-services': [{
    target: './src/http',
    from: ['./src/repositories', './src/storage', './src/jobs', './src/main', './src/cli', './src/decoders'],
    message: 'routes call services (and use schemas, middleware, lib), never repositories, storage, jobs/queues or decoders',
  }],
  'console-talks-to-api-only': [{
    target: './console',
    from: ['./src', './workers', './test', './bench'],
    message: 'the console talks to the HTTP API only: it imports nothing of the server (src/, workers/, test/, bench/)',
  }],
  'src-imports-no-console': [{ target: './src', from: './console', message: 'nothing in src/ imports console/ (the API serves its built files)' }],
  'only-repositories-import-prisma': [{
    target: ['./src/!(repositories)/**', './workers', './bench'],
    from: './src/generated/prisma',
    message: 'only src/repositories imports the Prisma client',
  }],
};

/** Outside modules with one home, for core `no-restricted-imports` (matched on the import specifier). */
const PRISMA = { group: ['@prisma/*', '**/generated/prisma', '**/generated/prisma/**'], message: '[only-repositories-import-prisma] only src/repositories imports Prisma' };
const AWS = { group: ['@aws-sdk/*', '@smithy/*'], message: '[only-storage-imports-aws-sdk] only src/storage imports the AWS SDK' };
/**
 * A package is imported through its public entry, never its private files (`<package>/src/…`, which its `exports`
 * map may still resolve): they change without notice. What a package does not export is vendored, with its licence
 * (src/columnar/vendor/<package>/).
 */
const PRIVATE_FILES = {
  regex: '^(@[^/]+/[^/]+|[^@./#][^/]*)/src(/|$)',
  message: '[packages-through-public-entry] import a package through its public entry, never its src/ files; vendor what it does not export (src/columnar/vendor/)',
};
/** Process control and networking: the science does none of it (bare and `node:` forms). */
const IO_MODULES = ['child_process', 'http', 'https', 'http2', 'net', 'tls', 'dgram'].flatMap(name => [name, `node:${name}`]);
/** The same modules loaded with `import()`, which `no-restricted-imports` does not see. */
const NO_DYNAMIC_IO = ['error', {
  selector: `ImportExpression[source.value=/^(node:)?(${IO_MODULES.filter(name => !name.startsWith('node:')).join('|')})$/]`,
  message: '[science-does-no-io] the science is pure: no process control or networking, not even through import()',
}];

/**
 * `import-x/no-restricted-paths` with every zone, less the edges in `allow` (zone name → the `from` entries to
 * drop). Flat config replaces a rule's options whole, so an exception re-states every other edge rather than
 * switching the rule off.
 * @param {Record<string, string[]>} [allow]
 */
function zones(allow = {}) {
  for (const [name, from] of Object.entries(allow)) {
    const known = ZONES[name]?.flatMap(zone => [zone.from].flat()) ?? [];
    for (const edge of from) if (!known.includes(edge)) throw new Error(`eslint.config.js: zone ${name} has no edge from ${edge}`);
  }
  const all = Object.entries(ZONES).flatMap(([name, list]) => list.map(zone => {
    const from = [zone.from].flat().filter(edge => !(allow[name] ?? []).includes(edge));
    return from.length === 0 ? null : { ...zone, from, message: `[${name}] ${zone.message}` };
  }));
  return ['error', { basePath: root, zones: all.filter(zone => zone !== null) }];
}

/**
 * Core `no-restricted-imports` for one kind of file.
 * @param {{ prisma?: boolean, aws?: boolean, io?: boolean, allowIo?: string[] }} which
 */
function restrictedImports({ prisma = true, aws = true, io = false, allowIo = [] }) {
  for (const name of allowIo) if (!IO_MODULES.includes(name)) throw new Error(`eslint.config.js: ${name} is no restricted I/O module`);
  const paths = io
    ? IO_MODULES.filter(name => !allowIo.includes(name)).map(name => ({ name, message: `[science-does-no-io] the science is pure: no process control or networking (${name})` }))
    : [];
  return ['error', { paths, patterns: [PRIVATE_FILES, ...(prisma ? [PRISMA] : []), ...(aws ? [AWS] : [])] }];
}

const pureFiles = PURE.map(folder => `${folder.slice(2)}/**`);
/** @param {string} file */
const isPure = file => PURE.some(folder => file.startsWith(`${folder.slice(2)}/`));
const testFiles = ['**/*.test.ts', '**/*.test-support.ts'];

/**
 * Known breaches of the boundaries, each named with its reason: none today. Every other import across a boundary
 * fails the lint; an entry stays visible here until its code moves, and `npm run check:boundaries` fails once one
 * is no longer needed. `zones` drops edges of a path zone for these files, `allowIo` lets them import those I/O
 * modules.
 * @type {{ name: string, files: string[], reason: string, zones?: Record<string, string[]>, allowIo?: string[] }[]}
 */
export const EXISTING_VIOLATIONS = [];

/**
 * The boundary rules an exception's file would have without its exception (outside repositories and storage), so
 * that the check can prove each exception still covers a real breach.
 * @param {string} file
 */
export function strictBoundaryRules(file) {
  return { 'import-x/no-restricted-paths': zones(), 'no-restricted-imports': restrictedImports({ io: isPure(file) }) };
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'src/generated/**', 'dist/**', 'coverage/**', '.tmp/**', 'console/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js'] }, tsconfigRootDir: root },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: `${root}/tsconfig.json` })],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      'import-x/no-restricted-paths': zones(),
      'no-restricted-imports': restrictedImports({}),
    },
  },
  // Outside libraries' homes (and the tooling that needs them).
  { files: ['src/repositories/**', 'prisma/**', 'prisma.config.ts', 'test/helpers/**'], rules: { 'no-restricted-imports': restrictedImports({ prisma: false }) } },
  { files: ['src/storage/**', 'bench/**'], rules: { 'no-restricted-imports': restrictedImports({ aws: false }) } },
  // The science does no I/O; its unit tests may (fixtures made with ffmpeg, a loopback client, the real decoders).
  { files: pureFiles, rules: { 'no-restricted-imports': restrictedImports({ io: true }), 'no-restricted-syntax': NO_DYNAMIC_IO } },
  { files: testFiles.flatMap(test => test.startsWith('**/') ? pureFiles.map(folder => `${folder}/${test.slice(3)}`) : isPure(test) ? [test] : []), rules: { 'no-restricted-imports': restrictedImports({}), 'no-restricted-syntax': 'off' } },
  // Tests and their support files may import test support, and the science's tests the decoders behind its port.
  { files: testFiles, rules: { 'import-x/no-restricted-paths': zones({ 'src-imports-no-test-support': TEST_SUPPORT_GLOBS, 'science-is-pure': ['./src/decoders'] }) } },
  // Named exceptions: today's breaches, listed one by one (see EXISTING_VIOLATIONS).
  ...EXISTING_VIOLATIONS.map(({ name, files, zones: allow, allowIo }) => ({
    name: `existing-violation/${name}`,
    files,
    rules: {
      ...(allow ? { 'import-x/no-restricted-paths': zones(allow) } : {}),
      ...(allowIo ? { 'no-restricted-imports': restrictedImports({ io: files.every(isPure), allowIo }) } : {}),
    },
  })),
  { files: ['bench/**', 'src/cli/**'], rules: { 'no-console': 'off' } },
  // The console runs in the browser; it is type-checked against its own tsconfig (DOM, JSX for Preact).
  {
    files: ['console/**/*.ts', 'console/**/*.tsx'],
    languageOptions: { globals: globals.browser, parserOptions: { projectService: false, project: `${root}/console/tsconfig.json` } },
  },
  {
    // Tests read untyped JSON answers from the API.
    files: ['test/**', '**/*.test.ts', 'bench/**', 'src/cli/demo.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  // Vendored upstream JavaScript (src/columnar/vendor/*/README.md), left as upstream wrote it for the WHATWG encoding API.
  { files: ['src/columnar/vendor/**/*.js'], languageOptions: { globals: { TextEncoder: 'readonly', TextDecoder: 'readonly' } } },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
);
