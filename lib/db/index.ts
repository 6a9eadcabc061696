export { getDb, createPrismaClient, type Db } from "./client";
export type { Prisma, User, Role, AuditLog } from "@/lib/generated/prisma/client";
