import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { defineConfig } from 'prisma/config';
import { pgConnectionFields } from './src/config/database-url.js';

/**
 * Prisma 6.19 migrates offline through its WebAssembly schema engine and the pg driver adapter
 * (the native engine is a download that this project's machines cannot fetch).
 * Three upstream adapter bugs are worked around here:
 * - `Column type 'name' could not be deserialized` (prisma/orm#27403): the adapter has no mapping for
 *   Postgres' `name` (oid 19) and `char` (oid 18) columns that the engine's catalogue queries return, so
 *   they are reported as `text` (oid 25), which they are compatible with;
 * - the shadow database silently becomes the main one when the adapter gets a connectionString,
 *   so host/port/user/database are passed as separate fields;
 * - the shadow database cannot be dropped while the adapter's pool holds it: close the pool first,
 *   then drop WITH (FORCE).
 */
const TEXT_OID = 25;
interface PgField { dataTypeID: number }
interface PgResultProto { addFields: (this: PgResultProto, fields: PgField[]) => void }
const resultProto = (pg as unknown as { Result: { prototype: PgResultProto } }).Result.prototype;
const addFields = resultProto.addFields;
resultProto.addFields = function patchedAddFields(this: PgResultProto, fields: PgField[]) {
  for (const f of fields) if (f.dataTypeID === 19 || f.dataTypeID === 18) f.dataTypeID = TEXT_OID;
  addFields.call(this, fields);
};

/** Shadow database pools are closed before their database is dropped WITH (FORCE). */
class MigratingPg extends PrismaPg {
  override async connectToShadowDb(): ReturnType<PrismaPg['connectToShadowDb']> {
    const database = `prisma_migrate_shadow_db_${globalThis.crypto.randomUUID().replaceAll('-', '')}`;
    const admin = new pg.Client(this.fieldsFor(undefined));
    await admin.connect();
    await admin.query(`CREATE DATABASE "${database}"`);
    await admin.end();
    const shadow = new PrismaPg({ ...this.fieldsFor(database) });
    const adapter = await shadow.connect();
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      const dropper = new pg.Client(this.fieldsFor(undefined));
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await dropper.end();
    };
    return adapter;
  }

  constructor(private readonly base: ReturnType<typeof pgConnectionFields>['fields'], schema: string | undefined) {
    super(base, schema ? { schema } : undefined);
  }

  private fieldsFor(database: string | undefined): pg.ClientConfig {
    return { ...this.base, database: database ?? this.base.database };
  }
}

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  async adapter() {
    const url = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/fieldsense';
    const { fields, schema } = pgConnectionFields(url);
    return Promise.resolve(new MigratingPg(fields, schema));
  },
});
