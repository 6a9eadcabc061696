-- Sign-in throttle keyed per (email, IP) pair and per IP, with attempts
-- reserved before the password is checked (lib/auth/throttle.ts). "lockouts"
-- counts a key's locks so each further one lasts twice as long.
ALTER TABLE "login_throttles" ADD COLUMN "lockouts" INTEGER NOT NULL DEFAULT 0;

-- The per-email keys are no longer read: a stranger could lock an account with them.
DELETE FROM "login_throttles" WHERE "key" LIKE 'email:%';
