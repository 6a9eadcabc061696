/** The admin performing an action (and where from, for the audit log). */
export interface AdminActor {
  id: string;
  ip?: string | null;
}

export const PAGE_SIZE = 25;
