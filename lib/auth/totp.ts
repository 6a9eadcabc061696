import "server-only";
import { generateSecret, generateSync, generateURI, verifySync } from "otplib";
import QRCode from "qrcode";

/**
 * TOTP as authenticator apps speak it (RFC 6238: SHA-1, 6 digits, 30 s),
 * through otplib. What this app adds is in lib/auth/two-factor.ts: codes are
 * single-use (a code is accepted only for a time step after the last one
 * accepted) and the secret is sealed at rest.
 */

export const TOTP_ISSUER = "Fundwell";
export const TOTP_PERIOD_SECONDS = 30;
/** One step either side of now: a phone clock a little off still works. */
const TOLERANCE_SECONDS = TOTP_PERIOD_SECONDS;

/** Six digits, spaces allowed as apps show them ("123 456"). */
export const TOTP_CODE = /^\d{6}$/;

/** A new secret: 20 random bytes in base32 (RFC 4226's recommended length). */
export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

/** The otpauth:// URI an authenticator app reads from the QR code. */
export function totpUri(accountEmail: string, secret: string): string {
  return generateURI({ issuer: TOTP_ISSUER, label: accountEmail, secret });
}

/** The QR code of `uri` as an SVG document, rendered here (no request leaves the server). */
export async function qrCodeSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: "svg", margin: 1, errorCorrectionLevel: "M" });
}

/**
 * The time step `code` belongs to, when it is valid now and for a step after
 * `afterTimeStep` (the last one accepted for this secret); otherwise null.
 */
export function totpTimeStep(secret: string, code: string, afterTimeStep: number | null, now = new Date()): number | null {
  const token = code.replace(/\s+/g, "");
  if (!TOTP_CODE.test(token)) return null;
  const result = verifySync({
    secret,
    token,
    epoch: Math.floor(now.getTime() / 1000),
    epochTolerance: TOLERANCE_SECONDS,
    ...(afterTimeStep === null ? {} : { afterTimeStep }),
  });
  // The functional API's result type also covers HOTP; a TOTP match carries its time step.
  return result.valid && "timeStep" in result ? result.timeStep : null;
}

/** The code for `now` (local mode shows the demo admin's; tests sign in with it). */
export function totpCode(secret: string, now = new Date()): string {
  return generateSync({ secret, epoch: Math.floor(now.getTime() / 1000) });
}

/** The time step `now` falls in. */
export function totpStepOf(now: Date): number {
  return Math.floor(now.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}
