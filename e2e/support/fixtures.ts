/**
 * The `test` every spec imports. Adds, for every test:
 * - on the real-sandbox target, tests tagged @local-sandbox are skipped with the reason;
 * - uncaught page errors and console errors of the app (hydration mismatches,
 *   React errors) fail the test, unless a spec opts out with
 *   `test.use({ failOnPageErrors: false })`.
 */
import { expect, test as base } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { LOCAL_SANDBOX_ONLY, LOCAL_SANDBOX_TAG, REAL_PROJECT } from "./targets";

export { expect };

export const test = base.extend<{ failOnPageErrors: boolean; _targetGate: void; _pageErrors: void }>({
  failOnPageErrors: [true, { option: true }],
  _targetGate: [
    async ({}, use, testInfo) => {
      testInfo.skip(testInfo.project.name === REAL_PROJECT && testInfo.tags.includes(LOCAL_SANDBOX_TAG), LOCAL_SANDBOX_ONLY);
      await use();
    },
    { auto: true },
  ],
  _pageErrors: [
    async ({ context, failOnPageErrors }, use) => {
      const problems: string[] = [];
      const watch = (page: Page) => {
        page.on("pageerror", (error) => problems.push(`${page.url()} pageerror: ${error.message}`));
        page.on("console", (message) => {
          if (message.type() === "error" && !/Failed to load resource/.test(message.text()))
            problems.push(`${page.url()} console: ${message.text()}`);
        });
      };
      context.pages().forEach(watch);
      context.on("page", watch);
      await use();
      if (failOnPageErrors) expect(problems, "errors in the browser console").toEqual([]);
    },
    { auto: true },
  ],
});

/** WCAG 2.1 A/AA scan of what the page shows (iframes included); fails on serious or critical violations. */
export async function expectNoSeriousA11yViolations(
  page: Page,
  label: string,
  options: { exclude?: string[]; include?: string } = {},
): Promise<void> {
  await test.step(`axe: ${label}`, async () => {
    // Judge the settled page: a button re-enabled a moment ago is still fading from its disabled
    // colour (transition-colors), and axe would measure the contrast of that in-between colour.
    await page.evaluate(() =>
      Promise.all(
        document
          .getAnimations()
          .filter((a) => a instanceof CSSTransition)
          .map((a) => a.finished.catch(() => undefined)),
      ),
    );
    let builder = new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]);
    if (options.include) builder = builder.include(options.include);
    for (const selector of options.exclude ?? []) builder = builder.exclude(selector);
    const { violations } = await builder.analyze();
    const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    expect(serious.map((v) => `${label}: ${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
  });
}
