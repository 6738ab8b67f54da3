import { PostgresDialect, sql, type DatabaseIntrospector, type DatabaseMetadata, type DatabaseMetadataOptions, type Kysely, type SchemaMetadata, type TableMetadata } from 'kysely';

/**
 * PostgreSQL as Kysely has it, except that the migrator looks only at the store's own schema. Kysely's
 * introspector reads every schema's catalogue through functions that take names (`has_schema_privilege`,
 * `pg_get_serial_sequence`), which fail ("schema does not exist", "relation does not exist") when another
 * session drops a table or a schema in the same database meanwhile: another trust's store, another
 * application, a test. The store's migrations need to know of nothing else.
 */
export class OwnSchemaPostgresDialect extends PostgresDialect {
  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new OwnSchemaIntrospector(db);
  }
}

interface ColumnRow {
  readonly table_name: string;
  readonly table_schema: string;
  readonly table_type: string;
  readonly column_name: string;
  readonly data_type: string;
  readonly is_nullable: string;
  readonly column_default: string | null;
}

/** Kysely's internal tables, which the migrator asks about and nothing else should see. */
const KYSELY_TABLES = ['kysely_migration', 'kysely_migration_lock'];

class OwnSchemaIntrospector implements DatabaseIntrospector {
  constructor(private readonly db: Kysely<unknown>) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    const { rows } = await sql<{ name: string }>`select nspname as name from pg_catalog.pg_namespace`.execute(this.db);
    return rows.map((row) => ({ name: row.name }));
  }

  /** The tables of the schema in use (`current_schema()`, which the store's `search_path` names). */
  async getTables(options: DatabaseMetadataOptions = { withInternalKyselyTables: false }): Promise<TableMetadata[]> {
    const { rows } = await sql<ColumnRow>`
      select c.table_name, c.table_schema, t.table_type, c.column_name, c.data_type, c.is_nullable, c.column_default
      from information_schema.columns c
      join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
      where c.table_schema = current_schema()
      order by c.table_name, c.ordinal_position`.execute(this.db);
    const tables = new Map<string, TableMetadata>();
    for (const row of rows) {
      if (!options.withInternalKyselyTables && KYSELY_TABLES.includes(row.table_name)) continue;
      const table = tables.get(row.table_name) ?? { name: row.table_name, schema: row.table_schema, isView: row.table_type === 'VIEW', columns: [] };
      table.columns.push({
        name: row.column_name,
        dataType: row.data_type,
        isNullable: row.is_nullable === 'YES',
        hasDefaultValue: row.column_default !== null,
        isAutoIncrementing: row.column_default?.startsWith('nextval(') ?? false,
      });
      tables.set(row.table_name, table);
    }
    return [...tables.values()];
  }

  async getMetadata(options?: DatabaseMetadataOptions): Promise<DatabaseMetadata> {
    return { tables: await this.getTables(options) };
  }
}
