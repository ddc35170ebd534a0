export interface PgFields {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  options?: string;
}

/**
 * Splits a postgres URL into pg's separate connection fields plus Prisma's `?schema=` parameter.
 * Separate fields (not a connectionString) keep Prisma's shadow database apart from the main one.
 */
export function pgConnectionFields(url: string): {
  fields: PgFields;
  schema: string | undefined;
} {
  const u = new URL(url);
  const fields: PgFields = {
    host: decodeURIComponent(u.hostname) || '127.0.0.1',
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username) || 'postgres',
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres',
  };
  if (u.password) fields.password = decodeURIComponent(u.password);
  const host = u.searchParams.get('host');
  if (host) fields.host = host;
  const schema = u.searchParams.get('schema') ?? undefined;
  // The adapter's `schema` option names the schema but does not route unqualified SQL to it; the
  // connection's search_path does (migrations and queries alike).
  if (schema) fields.options = `-c search_path="${schema.replaceAll('"', '')}"`;
  return { fields, schema };
}
