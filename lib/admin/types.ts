/** The admin performing an action (and where from, for the audit log). */
export interface AdminActor {
  id: string;
  ip?: string | null;
}

export const PAGE_SIZE = 25;

export function bankLabel(a: { institutionName: string | null; mask: string | null }): string {
  return `${a.institutionName ?? "Bank"}${a.mask ? ` ····${a.mask}` : ""}`;
}
