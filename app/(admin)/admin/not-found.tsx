import { NotFoundMessage } from "@/components/layout/status-messages";

/** notFound() in the admin area: inside its layout, so with the full header. */
export default function AdminNotFound() {
  return <NotFoundMessage />;
}
