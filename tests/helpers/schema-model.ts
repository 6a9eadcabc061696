import { readFileSync } from "node:fs";
import { get_dmmf } from "@prisma/prisma-schema-wasm";
import pg from "pg";

/**
 * A database schema reduced to what must match between schema.prisma and the
 * migrations: tables, columns (type, nullability, default), primary keys,
 * indexes, foreign keys and enums. Built once from Prisma's own parser (DMMF,
 * offline WASM) following Prisma's PostgreSQL conventions, and once from the
 * live database's catalog; the drift test compares the two.
 */
export interface SchemaModel {
  enums: Record<string, string[]>;
  tables: Record<string, TableModel>;
}

interface TableModel {
  columns: Record<string, { type: string; nullable: boolean; default: string | null }>;
  primaryKey: { name: string; columns: string[] };
  indexes: Record<string, { columns: string[]; unique: boolean }>;
  foreignKeys: Record<string, { columns: string[]; references: string; referencedColumns: string[]; onDelete: string; onUpdate: string }>;
}

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: "scalar" | "object" | "enum" | "unsupported";
  type: string;
  isList: boolean;
  isRequired: boolean;
  isUpdatedAt: boolean;
  hasDefaultValue: boolean;
  nativeType?: [string, string[]] | null;
  default?: unknown;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
  relationOnUpdate?: string;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
  primaryKey: { name: string | null; fields: string[] } | null;
}
interface DmmfIndex {
  model: string;
  type: "id" | "unique" | "normal" | "fulltext";
  dbName?: string | null;
  fields: { name: string }[];
}
interface Dmmf {
  datamodel: {
    models: DmmfModel[];
    enums: { name: string; dbName: string | null; values: { name: string; dbName: string | null }[] }[];
    indexes: DmmfIndex[];
  };
}

const SCALAR_TYPES: Record<string, string> = {
  String: "text",
  Int: "integer",
  BigInt: "bigint",
  Boolean: "boolean",
  DateTime: "timestamp(3) without time zone",
  Json: "jsonb",
  Float: "double precision",
  Decimal: "numeric(65,30)",
  Bytes: "bytea",
};

const NATIVE_TYPES: Record<string, (args: string[]) => string> = {
  Text: () => "text",
  VarChar: (a) => (a[0] ? `character varying(${a[0]})` : "character varying"),
  Char: (a) => `character(${a[0] ?? 1})`,
  Uuid: () => "uuid",
  Integer: () => "integer",
  SmallInt: () => "smallint",
  BigInt: () => "bigint",
  Decimal: (a) => `numeric(${a.join(",")})`,
  Timestamptz: (a) => `timestamp(${a[0] ?? 6}) with time zone`,
  Timestamp: (a) => `timestamp(${a[0] ?? 6}) without time zone`,
  Date: () => "date",
  JsonB: () => "jsonb",
  Inet: () => "inet",
};

const REFERENTIAL_ACTIONS: Record<string, string> = {
  Cascade: "CASCADE",
  Restrict: "RESTRICT",
  NoAction: "NO ACTION",
  SetNull: "SET NULL",
  SetDefault: "SET DEFAULT",
};

export function modelFromPrismaSchema(schemaPath: string): SchemaModel {
  const dmmf = JSON.parse(get_dmmf(JSON.stringify({ prismaSchema: readFileSync(schemaPath, "utf8") }))) as Dmmf;
  const { models, enums, indexes } = dmmf.datamodel;
  const tableOf = (m: DmmfModel) => m.dbName ?? m.name;
  const columnOf = (m: DmmfModel, fieldName: string) => {
    const f = m.fields.find((x) => x.name === fieldName);
    if (!f) throw new Error(`unknown field ${m.name}.${fieldName}`);
    return f.dbName ?? f.name;
  };
  const enumDbName = (name: string) => enums.find((e) => e.name === name)?.dbName ?? name;

  const model: SchemaModel = {
    enums: Object.fromEntries(enums.map((e) => [e.dbName ?? e.name, e.values.map((v) => v.dbName ?? v.name)])),
    tables: {},
  };

  for (const m of models) {
    const table = tableOf(m);
    const t: TableModel = { columns: {}, primaryKey: { name: `${table}_pkey`, columns: [] }, indexes: {}, foreignKeys: {} };
    for (const f of m.fields) {
      if (f.kind === "object") continue;
      let type: string;
      if (f.kind === "enum") type = enumDbName(f.type);
      else if (f.nativeType) {
        const native = NATIVE_TYPES[f.nativeType[0]];
        if (!native) throw new Error(`drift test: add native type ${f.nativeType[0]} to NATIVE_TYPES`);
        type = native(f.nativeType[1]);
      } else {
        const scalar = SCALAR_TYPES[f.type];
        if (!scalar) throw new Error(`drift test: add scalar type ${f.type} to SCALAR_TYPES`);
        type = scalar;
      }
      if (f.isList) type = `${type}[]`;
      t.columns[f.dbName ?? f.name] = { type, nullable: !f.isRequired, default: expectedDefault(f, type) };
    }
    for (const f of m.fields) {
      if (f.kind !== "object" || !f.relationFromFields?.length) continue;
      const target = models.find((x) => x.name === f.type)!;
      const columns = f.relationFromFields.map((n) => columnOf(m, n));
      const optional = f.relationFromFields.some((n) => !m.fields.find((x) => x.name === n)!.isRequired);
      t.foreignKeys[`${table}_${columns.join("_")}_fkey`] = {
        columns,
        references: tableOf(target),
        referencedColumns: (f.relationToFields ?? []).map((n) => columnOf(target, n)),
        onDelete: REFERENTIAL_ACTIONS[f.relationOnDelete ?? (optional ? "SetNull" : "Restrict")]!,
        onUpdate: REFERENTIAL_ACTIONS[f.relationOnUpdate ?? "Cascade"]!,
      };
    }
    for (const idx of indexes.filter((i) => i.model === m.name)) {
      const columns = idx.fields.map((x) => columnOf(m, x.name));
      if (idx.type === "id") {
        t.primaryKey = { name: idx.dbName ?? `${table}_pkey`, columns };
        continue;
      }
      const suffix = idx.type === "unique" ? "key" : "idx";
      t.indexes[idx.dbName ?? `${table}_${columns.join("_")}_${suffix}`] = { columns, unique: idx.type === "unique" };
    }
    model.tables[table] = t;
  }
  return model;
}

function expectedDefault(f: DmmfField, type: string): string | null {
  if (!f.hasDefaultValue || f.default === undefined) return null;
  const d = f.default as { name?: string; args?: unknown[] } | string | number | boolean;
  if (typeof d === "object" && d !== null && "name" in d) {
    if (d.name === "now") return "CURRENT_TIMESTAMP";
    if (d.name === "autoincrement") return "nextval";
    if (d.name === "cuid" || d.name === "uuid" || d.name === "nanoid" || d.name === "ulid") return null; // generated by the client
    if (d.name === "dbgenerated") return String(d.args?.[0] ?? "");
    throw new Error(`drift test: unknown default function ${d.name}`);
  }
  if (typeof d === "boolean" || typeof d === "number") return String(d);
  if (f.kind === "enum") return `'${d}'::"${type}"`;
  if (type === "jsonb") return `'${d}'::jsonb`;
  return `'${String(d).replace(/'/g, "''")}'::${type}`;
}

export async function modelFromDatabase(url: string): Promise<SchemaModel> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const q = async <T extends pg.QueryResultRow>(sql: string) => (await client.query<T>(sql)).rows;
    const model: SchemaModel = { enums: {}, tables: {} };

    for (const e of await q<{ name: string; values: string[] }>(`
      SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS values
      FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = current_schema() GROUP BY t.typname`)) {
      model.enums[e.name] = e.values;
    }

    const columns = await q<{ table: string; column: string; type: string; nullable: boolean; default: string | null }>(`
      SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
             NOT a.attnotnull AS nullable, pg_get_expr(d.adbin, d.adrelid) AS default
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE n.nspname = current_schema() AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
        AND c.relname <> '_prisma_migrations'
      ORDER BY c.relname, a.attnum`);
    for (const c of columns) {
      const table = (model.tables[c.table] ??= { columns: {}, primaryKey: { name: "", columns: [] }, indexes: {}, foreignKeys: {} });
      const def = c.default?.startsWith("nextval(") ? "nextval" : c.default;
      table.columns[c.column] = { type: c.type.replace(/"/g, ""), nullable: c.nullable, default: def };
    }

    for (const i of await q<{ table: string; name: string; columns: string[]; unique: boolean; primary: boolean }>(`
      SELECT t.relname AS table, ic.relname AS name, ix.indisunique AS unique, ix.indisprimary AS primary,
             array(SELECT a.attname FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, ord)
                   JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns
      FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_class ic ON ic.oid = ix.indexrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = current_schema() AND t.relname <> '_prisma_migrations'`)) {
      const table = model.tables[i.table];
      if (!table) continue;
      if (i.primary) table.primaryKey = { name: i.name, columns: i.columns };
      else table.indexes[i.name] = { columns: i.columns, unique: i.unique };
    }

    const actions: Record<string, string> = { a: "NO ACTION", r: "RESTRICT", c: "CASCADE", n: "SET NULL", d: "SET DEFAULT" };
    for (const f of await q<{
      table: string;
      name: string;
      columns: string[];
      references: string;
      referenced: string[];
      del: string;
      upd: string;
    }>(`
      SELECT t.relname AS table, con.conname AS name, rt.relname AS references,
             con.confdeltype AS del, con.confupdtype AS upd,
             array(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
                   JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns,
             array(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
                   JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS referenced
      FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid JOIN pg_class rt ON rt.oid = con.confrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE con.contype = 'f' AND n.nspname = current_schema()`)) {
      const table = model.tables[f.table];
      if (!table) continue;
      table.foreignKeys[f.name] = {
        columns: f.columns,
        references: f.references,
        referencedColumns: f.referenced,
        onDelete: actions[f.del] ?? f.del,
        onUpdate: actions[f.upd] ?? f.upd,
      };
    }
    return model;
  } finally {
    await client.end();
  }
}
