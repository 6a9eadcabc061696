-- Email verification links (lib/auth/email-verification.ts) are one-time
-- tokens of their own purpose.
ALTER TYPE "OneTimeTokenPurpose" ADD VALUE 'EMAIL_VERIFICATION';
