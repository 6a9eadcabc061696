import "server-only";
import { randomBytes } from "node:crypto";

let counter = 0;

/**
 * A row id for inserts written in SQL (the hot funding path), shaped like
 * the cuids Prisma generates for the same columns: "c", the time in base 36,
 * a counter and random characters; 25 lowercase characters, roughly ordered
 * by creation time.
 */
export function createId(): string {
  counter = (counter + 1) % 1_679_616; // 36^4
  const time = Date.now().toString(36).padStart(8, "0").slice(-8);
  const count = counter.toString(36).padStart(4, "0");
  const random = BigInt(`0x${randomBytes(8).toString("hex")}`)
    .toString(36)
    .padStart(12, "0")
    .slice(-12);
  return `c${time}${count}${random}`;
}
