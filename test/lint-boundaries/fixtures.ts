/**
 * One fixture per forbidden edge of the house's shape (docs/STYLE.md, eslint.config.js), and clean controls.
 * Each fixture is linted as if it lived at `at` (no file is written there), so the lint zones must reject it with
 * `rule` and the boundary's name in the message; each control must lint clean. Every import names a real file
 * (checked before linting): an import that resolves to nothing would pass every path zone and prove nothing.
 */
export interface Fixture {
  /** What the fixture shows, for the report. */
  name: string;
  /** The path (from the repository root) the code is linted as. */
  at: string;
  code: string;
}
export interface Forbidden extends Fixture {
  rule: 'import-x/no-restricted-paths' | 'no-restricted-imports' | 'no-restricted-syntax';
  /** The boundary's name, as it leads the lint message. */
  boundary: string;
}

const PATHS = 'import-x/no-restricted-paths';
const IMPORTS = 'no-restricted-imports';
const SYNTAX = 'no-restricted-syntax';

/** A value import of everything a module exports, used so that no other rule fires. */
const use = (specifier: string): string => `import * as imported from '${specifier}';\n\nexport const used = imported;\n`;

export const FORBIDDEN: Forbidden[] = [
  // Routes call services, never repositories, storage or jobs/queues.
  { name: 'a repository into a route', at: 'src/http/routes/studies/extra.ts', code: use('../../../repositories/studies.repository.js'), rule: PATHS, boundary: 'routes-call-services' },
  { name: 'a repository type into a route', at: 'src/http/routes/studies/extra.ts', code: "import type { StudyRow } from '../../../repositories/studies.repository.js';\n\nexport type Row = StudyRow;\n", rule: PATHS, boundary: 'routes-call-services' },
  { name: 'a repository re-exported by a route', at: 'src/http/routes/extra.ts', code: "export * from '../../repositories/studies.repository.js';\n", rule: PATHS, boundary: 'routes-call-services' },
  { name: 'the audio decoder into a route', at: 'src/http/routes/recordings/extra.ts', code: use('../../../decoders/audio-decoder.js'), rule: PATHS, boundary: 'routes-call-services' },
  { name: 'a repository type into the presenters', at: 'src/http/routes/presenters.ts', code: "import type { StudyRow } from '../../repositories/studies.repository.js';\n\nexport type Row = StudyRow;\n", rule: PATHS, boundary: 'routes-call-services' },
  { name: 'storage into a route', at: 'src/http/routes/extra.ts', code: use('../../storage/object-store.js'), rule: PATHS, boundary: 'routes-call-services' },
  { name: 'the queues into a route', at: 'src/http/routes/extra.ts', code: use('../../jobs/queues.js'), rule: PATHS, boundary: 'routes-call-services' },
  { name: 'a composition root into the app', at: 'src/http/extra.ts', code: use('../main/container.js'), rule: PATHS, boundary: 'routes-call-services' },
  // Only src/repositories imports Prisma.
  { name: '@prisma/client into formats', at: 'src/formats/extra.ts', code: use('@prisma/client'), rule: IMPORTS, boundary: 'only-repositories-import-prisma' },
  { name: 'the generated Prisma client into formats', at: 'src/formats/extra.ts', code: use('../generated/prisma/client.js'), rule: PATHS, boundary: 'only-repositories-import-prisma' },
  { name: 'the generated Prisma client into a service', at: 'src/services/extra.ts', code: use('../generated/prisma/client.js'), rule: PATHS, boundary: 'only-repositories-import-prisma' },
  { name: 'the Prisma adapter into a worker', at: 'workers/extra.ts', code: use('@prisma/adapter-pg'), rule: IMPORTS, boundary: 'only-repositories-import-prisma' },
  { name: '@prisma/client into storage', at: 'src/storage/extra.ts', code: use('@prisma/client'), rule: IMPORTS, boundary: 'only-repositories-import-prisma' },
  // Only src/storage imports the AWS SDK.
  { name: 'the AWS SDK into a service', at: 'src/services/extra.ts', code: use('@aws-sdk/client-s3'), rule: IMPORTS, boundary: 'only-storage-imports-aws-sdk' },
  { name: 'the AWS SDK into a route', at: 'src/http/routes/extra.ts', code: use('@aws-sdk/lib-storage'), rule: IMPORTS, boundary: 'only-storage-imports-aws-sdk' },
  { name: 'the SDK\'s HTTP handler into a repository', at: 'src/repositories/extra.ts', code: use('@smithy/node-http-handler'), rule: IMPORTS, boundary: 'only-storage-imports-aws-sdk' },
  // A package is imported through its public entry, never its private files.
  { name: 'hyparquet-writer\'s src/ into columnar', at: 'src/columnar/extra.ts', code: use('hyparquet-writer/src/delta.js'), rule: IMPORTS, boundary: 'packages-through-public-entry' },
  { name: 'hyparquet\'s src/ into a unit test', at: 'src/columnar/extra.test.ts', code: use('hyparquet/src/delta.js'), rule: IMPORTS, boundary: 'packages-through-public-entry' },
  { name: 'a scoped package\'s src/ into bench', at: 'bench/extra.ts', code: use('@eslint/js/src/index.js'), rule: IMPORTS, boundary: 'packages-through-public-entry' },
  // The science does no I/O.
  { name: 'node:child_process into pipeline', at: 'src/pipeline/extra.ts', code: use('node:child_process'), rule: IMPORTS, boundary: 'science-does-no-io' },
  { name: 'child_process into columnar', at: 'src/columnar/extra.ts', code: use('child_process'), rule: IMPORTS, boundary: 'science-does-no-io' },
  { name: 'node:http into evaluation', at: 'src/evaluation/extra.ts', code: use('node:http'), rule: IMPORTS, boundary: 'science-does-no-io' },
  { name: 'http into formats', at: 'src/formats/extra.ts', code: use('http'), rule: IMPORTS, boundary: 'science-does-no-io' },
  { name: 'node:net into domain', at: 'src/domain/extra.ts', code: use('node:net'), rule: IMPORTS, boundary: 'science-does-no-io' },
  { name: 'net into a detector', at: 'src/pipeline/detectors/extra.ts', code: use('net'), rule: IMPORTS, boundary: 'science-does-no-io' },
  { name: 'node:child_process through import() into formats', at: 'src/formats/extra.ts', code: "export const loaded = await import('node:child_process');\n", rule: SYNTAX, boundary: 'science-does-no-io' },
  { name: 'net through import() into domain', at: 'src/domain/extra.ts', code: "export const loaded = await import('net');\n", rule: SYNTAX, boundary: 'science-does-no-io' },
  { name: 'a repository through import() into a route', at: 'src/http/routes/extra.ts', code: "export const loaded = await import('../../repositories/studies.repository.js');\n", rule: PATHS, boundary: 'routes-call-services' },
  { name: 'node:child_process into the audio codec reader (decoder processes live in src/decoders)', at: 'src/formats/audio/audio-codec.reader.ts', code: use('node:child_process'), rule: IMPORTS, boundary: 'science-does-no-io' },
  { name: 'node:http into formats/audio (the range server lives in src/decoders)', at: 'src/formats/audio/extra.ts', code: use('node:http'), rule: IMPORTS, boundary: 'science-does-no-io' },
  // The science imports no app folder.
  { name: 'a repository into formats', at: 'src/formats/extra.ts', code: use('../repositories/recordings.repository.js'), rule: PATHS, boundary: 'science-is-pure' },
  { name: 'storage into pipeline', at: 'src/pipeline/extra.ts', code: use('../storage/keys.js'), rule: PATHS, boundary: 'science-is-pure' },
  { name: 'jobs into columnar', at: 'src/columnar/extra.ts', code: use('../jobs/catalogue.js'), rule: PATHS, boundary: 'science-is-pure' },
  { name: 'a service into evaluation', at: 'src/evaluation/extra.ts', code: use('../services/studies.service.js'), rule: PATHS, boundary: 'science-is-pure' },
  { name: 'http into domain', at: 'src/domain/extra.ts', code: use('../http/validate.js'), rule: PATHS, boundary: 'science-is-pure' },
  { name: 'a composition root into a detector', at: 'src/pipeline/detectors/extra.ts', code: use('../../main/container.js'), rule: PATHS, boundary: 'science-is-pure' },
  { name: 'the decoders into the audio codec reader (it gets them through its context)', at: 'src/formats/audio/audio-codec.reader.ts', code: use('../../decoders/audio-decoder.js'), rule: PATHS, boundary: 'science-is-pure' },
  { name: 'a decoder\'s type into formats', at: 'src/formats/extra.ts', code: "import type { FfmpegTools } from '../decoders/audio-decoder.js';\n\nexport type Tools = FfmpegTools;\n", rule: PATHS, boundary: 'science-is-pure' },
  { name: 'the range server into pipeline', at: 'src/pipeline/extra.ts', code: use('../decoders/range-server.js'), rule: PATHS, boundary: 'science-is-pure' },
  // lib/ imports no app folder.
  { name: 'a service into lib', at: 'src/lib/extra.ts', code: use('../services/studies.service.js'), rule: PATHS, boundary: 'lib-imports-no-app-folder' },
  { name: 'the decoders into lib', at: 'src/lib/extra.ts', code: use('../decoders/audio-decoder.js'), rule: PATHS, boundary: 'lib-imports-no-app-folder' },
  // Nothing in src/ imports workers/ or test support.
  { name: 'workers/ into a service', at: 'src/services/extra.ts', code: use('../../workers/handlers/steps.js'), rule: PATHS, boundary: 'src-imports-no-workers' },
  { name: 'workers/ into a composition root', at: 'src/main/extra.ts', code: use('../../workers/main.js'), rule: PATHS, boundary: 'src-imports-no-workers' },
  { name: 'a test helper into a service', at: 'src/services/extra.ts', code: use('../../test/helpers/harness.js'), rule: PATHS, boundary: 'src-imports-no-test-folder' },
  { name: 'test support into formats', at: 'src/formats/extra.ts', code: use('./audio/audio.test-support.js'), rule: PATHS, boundary: 'src-imports-no-test-support' },
  { name: 'test signals into pipeline', at: 'src/pipeline/extra.ts', code: use('./signals.test-support.js'), rule: PATHS, boundary: 'src-imports-no-test-support' },
  { name: 'test scenarios into a detector', at: 'src/pipeline/detectors/extra.ts', code: use('./imu-motion-scenarios.test-support.js'), rule: PATHS, boundary: 'src-imports-no-test-support' },
  { name: 'a test file into a service', at: 'src/services/extra.ts', code: use('../storage/keys.test.js'), rule: PATHS, boundary: 'src-imports-no-test-support' },
  // The console talks to the HTTP API only; the server never imports the console.
  { name: 'a service into the console', at: 'console/src/views/extra.ts', code: use('../../../src/services/studies.service.js'), rule: PATHS, boundary: 'console-talks-to-api-only' },
  { name: 'the server\'s domain types into the console', at: 'console/src/recording/extra.ts', code: "import type { StreamInfo } from '../../../src/domain/stream.js';\n\nexport type Info = StreamInfo;\n", rule: PATHS, boundary: 'console-talks-to-api-only' },
  { name: 'a test helper into the console', at: 'console/src/extra.ts', code: use('../../test/helpers/harness.js'), rule: PATHS, boundary: 'console-talks-to-api-only' },
  { name: 'the console into a route', at: 'src/http/routes/extra.ts', code: use('../../../console/src/router.js'), rule: PATHS, boundary: 'src-imports-no-console' },
];

/** Imports the house allows; each must lint clean (so a zone that rejects everything fails too). */
export const ALLOWED: Fixture[] = [
  { name: 'a route importing a service, schemas, middleware and lib', at: 'src/http/routes/studies/extra.ts', code: "import * as service from '../../../services/studies.service.js';\nimport * as schemas from '../schemas.js';\nimport * as auth from '../../middleware/auth.js';\nimport * as errors from '../../../lib/errors.js';\n\nexport const used = [service, schemas, auth, errors];\n" },
  { name: 'formats importing domain and node:fs', at: 'src/formats/extra.ts', code: "import * as stream from '../domain/stream.js';\nimport * as fs from 'node:fs';\n\nexport const used = [stream, fs];\n" },
  { name: 'formats loading a pure module and node:zlib through import()', at: 'src/formats/extra.ts', code: "export const loaded = [await import('./registry.js'), await import('node:zlib')];\n" },
  { name: 'a unit test in formats using test support and child_process', at: 'src/formats/extra.test.ts', code: "import * as support from './audio/audio.test-support.js';\nimport * as cp from 'node:child_process';\n\nexport const used = [support, cp];\n" },
  { name: 'the decoders importing child_process, http, net and the port they implement', at: 'src/decoders/extra.ts', code: "import * as cp from 'node:child_process';\nimport * as http from 'node:http';\nimport * as net from 'net';\nimport * as port from '../formats/audio/decoder.js';\n\nexport const used = [cp, http, net, port];\n" },
  { name: 'formats/audio importing the Decoder port (types only)', at: 'src/formats/audio/extra.ts', code: "import type { Decoder } from './decoder.js';\n\nexport type Port = Decoder;\n" },
  { name: 'a service importing the decoders', at: 'src/services/extra.ts', code: use('../decoders/audio-decoder.js') },
  { name: 'a benchmark child importing the decoders', at: 'bench/extra.ts', code: use('../src/decoders/audio-decoder.js') },
  { name: 'a unit test in formats using the real decoders', at: 'src/formats/audio/extra.test.ts', code: use('../../decoders/audio-decoder.js') },
  { name: 'columnar importing vendored hyparquet-writer code and the packages\' public entries', at: 'src/columnar/extra.ts', code: "import * as vendored from './vendor/hyparquet-writer/metadata.js';\nimport * as writer from 'hyparquet-writer';\nimport * as reader from 'hyparquet';\n\nexport const used = [vendored, writer, reader];\n" },
  { name: 'a repository importing Prisma', at: 'src/repositories/extra.ts', code: "import * as prisma from '@prisma/client';\nimport * as generated from '../generated/prisma/client.js';\n\nexport const used = [prisma, generated];\n" },
  { name: 'storage importing the AWS SDK', at: 'src/storage/extra.ts', code: "import * as s3 from '@aws-sdk/client-s3';\nimport * as handler from '@smithy/node-http-handler';\n\nexport const used = [s3, handler];\n" },
  { name: 'a service importing repositories, storage and jobs', at: 'src/services/extra.ts', code: "import * as repo from '../repositories/studies.repository.js';\nimport * as keys from '../storage/keys.js';\nimport * as jobs from '../jobs/catalogue.js';\n\nexport const used = [repo, keys, jobs];\n" },
  { name: 'a worker importing services and the queues', at: 'workers/extra.ts', code: "import * as service from '../src/services/studies.service.js';\nimport * as queues from '../src/jobs/queues.js';\n\nexport const used = [service, queues];\n" },
  { name: 'the console importing its own modules and its generated API client', at: 'console/src/views/extra.ts', code: "import * as router from '../router.js';\nimport * as client from '../api/client.js';\n\nexport const used = [router, client];\n" },
  { name: 'an integration test importing src/ and test support', at: 'test/integration/extra.test.ts', code: "import * as harness from '../helpers/harness.js';\nimport * as support from '../../src/formats/audio/audio.test-support.js';\n\nexport const used = [harness, support];\n" },
];
