import "server-only";
interface DriverAdapterCause {
  kind?: string;
  originalCode?: string;
  constraint?: { index?: string; fields?: string[] };
}

/**
 * Whether a Prisma error is a unique-constraint violation, from the query
 * builder (P2002) or from raw SQL through the driver adapter (P2010 whose
 * cause is PostgreSQL's 23505). With `index`, only that constraint counts.
 */
export function isUniqueViolation(err: unknown, index?: string): boolean {
  if (typeof err !== "object" || err === null) return false;
  const { code, meta } = err as { code?: unknown; meta?: { target?: unknown; driverAdapterError?: { cause?: DriverAdapterCause } } };
  if (code === "P2002") return index === undefined || JSON.stringify(meta ?? {}).includes(index);
  const cause = meta?.driverAdapterError?.cause;
  if (code !== "P2010" || !cause) return false;
  if (cause.kind !== "UniqueConstraintViolation" && cause.originalCode !== "23505") return false;
  return index === undefined || cause.constraint?.index === index;
}
