// Drives the server's admin page in headless Chromium (Debian's /usr/bin/chromium, through
// playwright-core from tools/node) the way an owner would, and prints what the page showed
// as one JSON object on stdout. server/tests/admin_page.rs runs it and checks the answers.
//
// Usage: node drive_admin_page.cjs <base url> <token> <screenshot.png> <load reducer> <load args json>
// Every wait has a deadline (WAIT_MS); a missed one fails with what the page showed.
"use strict";

const path = require("path");
const { chromium } = require(path.join(__dirname, "../../tools/node/node_modules/playwright-core"));

const WAIT_MS = 20000;
/** Reducer calls made while the page watches, so commits/s has something to show. */
const LOAD_CALLS = 40;
const CHROMIUM_FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

async function main() {
  const [base, token, screenshot, loadReducer, loadArgs] = process.argv.slice(2);
  const userDataDir = require("fs").mkdtempSync(path.join(require("os").tmpdir(), "lightcone-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 1100 },
  });
  const seen = { console_errors: [] };
  try {
    const page = context.pages()[0] || (await context.newPage());
    page.on("console", (m) => { if (m.type() === "error") seen.console_errors.push(m.text()); });
    page.on("pageerror", (e) => seen.console_errors.push(String(e)));
    await page.goto(base + "/admin", { timeout: WAIT_MS });
    await page.fill("#token", token);
    await page.click("#login");
    await page.waitForSelector("#tables tbody tr", { timeout: WAIT_MS });
    await page.waitForSelector("#logs li", { timeout: WAIT_MS });
    await page.waitForSelector("#clients tbody tr td:nth-child(4):not(:empty)", { timeout: WAIT_MS });

    seen.databases = await page.$$eval("#databases button", (bs) => bs.map((b) => b.textContent));
    seen.title = await page.textContent("#db-title");
    seen.tables = await page.$$eval("#tables tbody tr", (rows) =>
      Object.fromEntries(rows.map((r) => [r.dataset.table, r.cells[1].textContent])));
    seen.logs = await page.$$eval("#logs li", (items) => items.map((i) => i.textContent));
    seen.clients = await page.$$eval("#clients tbody tr", (rows) =>
      rows.map((r) => ({ query_sets: r.cells[2].textContent, queries: r.cells[3].textContent })));

    // The row browser: click a table, read its rows.
    await page.click('#tables tbody tr[data-table="message"]');
    await page.waitForSelector("#rows tbody tr", { timeout: WAIT_MS });
    seen.browsed_columns = await page.$$eval("#rows thead th", (ths) => ths.map((t) => t.textContent));
    seen.browsed_rows = await page.$$eval("#rows tbody tr", (rows) =>
      rows.map((r) => Array.from(r.cells, (c) => c.textContent)));

    // Commits while the page watches: commits/s must rise above zero while they happen.
    const rising = page.waitForFunction(
      () => parseFloat(document.getElementById("stat-rate").textContent) > 0, null, { timeout: WAIT_MS });
    for (let i = 0; i < LOAD_CALLS; i++) {
      const r = await fetch(base + "/v1/database/" + encodeURIComponent(process.env.DB || "chat") + "/call/" + loadReducer, {
        method: "POST",
        headers: { Authorization: "Bearer " + token, "Content-Type": "application/json" },
        body: loadArgs,
      });
      if (!r.ok) throw new Error("load call failed: " + r.status + " " + (await r.text()));
      await new Promise((resolve) => setTimeout(resolve, 50)); // pacing the load, not a wait for the page
    }
    await rising;
    seen.commits_per_second = await page.textContent("#stat-rate");
    seen.transactions = await page.textContent("#stat-transactions");
    await page.screenshot({ path: screenshot, fullPage: true });
  } finally {
    await context.close();
    require("fs").rmSync(userDataDir, { recursive: true, force: true });
  }
  process.stdout.write(JSON.stringify(seen) + "\n");
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack || e) + "\n");
  process.exit(1);
});
