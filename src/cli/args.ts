import { parseArgs } from 'node:util';

/** Parses `--name value` options of a CLI command; unknown options are an error with the usage line. */
export function cliOptions<T extends Record<string, { type: 'string' | 'boolean'; default?: string | boolean }>>(
  usage: string,
  spec: T,
  argv: string[] = process.argv.slice(2),
): { [K in keyof T]: T[K]['type'] extends 'boolean' ? boolean : string | undefined } {
  try {
    const { values } = parseArgs({ args: argv, options: spec, allowPositionals: false, strict: true });
    return values as unknown as { [K in keyof T]: T[K]['type'] extends 'boolean' ? boolean : string | undefined };
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\nUsage: ${usage}\n`);
    process.exit(2);
  }
}
