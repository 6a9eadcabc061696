import { defineConfig } from "prisma/config";

// Prisma 7 reads connection settings from here. Only `prisma generate` runs in
// this project (the CLI's migration engine needs a download); migrations are
// applied by `npm run db:migrate` (lib/db/migrate.ts).
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost/unused" },
});
