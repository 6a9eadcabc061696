import { expect } from "vitest";
import { AppError, type ErrorCode } from "@/lib/errors";

/** The AppError a promise rejects with (asserting that it does), for checks of its fields. */
export async function rejection(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, "expected the promise to reject with an AppError").toBeInstanceOf(AppError);
  return err as AppError;
}

/** Asserts that `run` throws (or rejects with) the app's error with this status and code, and returns it for further checks. */
export async function expectAppError(
  run: () => unknown,
  expected: { status: number; code: ErrorCode; message?: string | RegExp },
): Promise<AppError> {
  let thrown: unknown;
  try {
    await run();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, "expected an AppError to be thrown").toBeInstanceOf(AppError);
  const error = thrown as AppError;
  expect({ status: error.status, code: error.code }).toEqual({ status: expected.status, code: expected.code });
  if (expected.message !== undefined) expect(error.message).toMatch(expected.message);
  return error;
}
