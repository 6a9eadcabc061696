import { ForbiddenMessage } from "@/components/layout/status-messages";

/** requireAdmin's forbidden(): inside the admin layout, so with the full header. */
export default function AdminForbidden() {
  return <ForbiddenMessage />;
}
