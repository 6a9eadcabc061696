import "server-only";
import { getDb } from "@/lib/db";
import { recordAudit } from "@/lib/audit";
import { logger } from "@/lib/log";

/** Metadata fields worth keeping from Link callbacks (no tokens are ever in them, but keep the list closed). */
const KEPT = [
  "link_session_id",
  "request_id",
  "institution_id",
  "institution_name",
  "view_name",
  "status",
  "error_code",
  "error_type",
  "exit_status",
  "mfa_type",
  "timestamp",
  "is_update_mode",
] as const;

export async function logLinkEvent(
  userId: string,
  input: {
    type: "exit" | "event";
    eventName?: string;
    error?: { error_type: string; error_code: string; error_message: string; display_message?: string | null } | null;
    metadata: Record<string, unknown>;
  },
): Promise<void> {
  const metadata: Record<string, string | boolean | null> = {};
  const flat = {
    ...input.metadata,
    ...(typeof input.metadata.institution === "object" && input.metadata.institution
      ? prefix(input.metadata.institution as Record<string, unknown>)
      : {}),
  };
  for (const key of KEPT) {
    const value = flat[key];
    if (typeof value === "string") metadata[key] = value.slice(0, 200);
    else if (typeof value === "boolean" || value === null) metadata[key] = value;
  }
  const line = { userId, type: input.type, eventName: input.eventName ?? null, error: input.error?.error_code ?? null, ...metadata };
  logger.info(line, "plaid link event");
  if (input.type === "exit" || input.eventName === "ERROR") {
    await recordAudit(getDb(), {
      actorId: userId,
      action: input.type === "exit" ? "link.exit" : "link.error",
      metadata: { ...metadata, ...(input.error ? { error_code: input.error.error_code, error_type: input.error.error_type } : {}) },
    });
  }
}

function prefix(institution: Record<string, unknown>): Record<string, unknown> {
  return { institution_id: institution.institution_id, institution_name: institution.name };
}
