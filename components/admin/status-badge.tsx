import { Badge, type BadgeTone } from "@/components/ui/badge";

const TONES: Record<string, BadgeTone> = {
  SUCCEEDED: "success",
  APPROVED: "success",
  ACTIVE: "success",
  MATCH: "success",
  PROCESSING: "info",
  PENDING: "warning",
  REQUESTED: "warning",
  PARTIAL: "warning",
  LOGIN_REQUIRED: "warning",
  PENDING_DISCONNECT: "warning",
  LINKING: "neutral",
  UNAVAILABLE: "neutral",
  FAILED: "danger",
  BLOCKED: "danger",
  NO_MATCH: "danger",
  REVOKED: "danger",
  UNUSABLE: "danger",
  CANCELED: "neutral",
  REMOVED: "neutral",
};

export function StatusBadge({ status }: { status: string }) {
  return <Badge tone={TONES[status] ?? "neutral"}>{status.replace(/_/g, " ").toLowerCase()}</Badge>;
}
