import "server-only";
export { getDb, createPrismaClient, type Db } from "./client";
export type { Prisma, User } from "@/lib/generated/prisma/client";
export { createId } from "./ids";
export { isUniqueViolation } from "./errors";
