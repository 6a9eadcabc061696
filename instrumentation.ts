/**
 * Runs once when the Next server starts. The Node-only check lives in its own
 * module so the edge bundle never sees process.exit.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { checkConfigOrExit } = await import("./lib/config/startup");
    checkConfigOrExit();
    // SIGTERM: readiness 503, drain, close connections, stop the periodic tasks, exit within SHUTDOWN_TIMEOUT_MS.
    const { getConfig } = await import("./lib/config");
    (await import("./lib/shutdown")).installGracefulShutdown(getConfig().shutdown);
    // The client IP comes from the socket (Next gives route handlers no access to it): lib/client-ip.ts.
    (await import("./lib/client-ip")).capturePeerAddresses();
    // Benchmarks only (BENCH_TIMING=1): per-request Server-Timing (lib/observability).
    if (process.env.BENCH_TIMING === "1") (await import("./lib/observability/http")).installHttpTiming();
    // Payments whose webhook was lost: re-read from Stripe every RECONCILE_INTERVAL_MS (default 5 min, 0 = off).
    (await import("./lib/funding/reconcile")).startReconcileSchedule();
    // The mail outbox: delivered every MAIL_SEND_INTERVAL_MS (default 5 s, 0 = off), never inside a request.
    (await import("./lib/mail/sender")).startMailSender();
  }
}
