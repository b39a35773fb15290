// The dashboard in headless Chromium: token, upload a zip of CSV files,
// pick a date, run, read the summary, click a teacher, screenshot.
// Usage: node dashboard.mjs http://127.0.0.1:PORT TOKEN ZIP OUT.png
import { chromium } from "playwright-core";
const [base, token, zip, out] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const fail = (m) => { console.error("dashboard: " + m); process.exit(1); };
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
  const external = [];
  page.on("request", (r) => { if (!r.url().startsWith(base) && !r.url().startsWith("blob:") && !r.url().startsWith("data:") && r.url() !== "about:srcdoc") external.push(r.url()); });
  await page.goto(base + "/");
  if ((await page.textContent("h1")) !== "Tenet 培训合规检查") fail("the page is not Chinese first");
  await page.fill("#token", token);
  await page.dispatchEvent("#token", "change");
  await page.waitForSelector("input[name=policy]");
  await page.setInputFiles("#file", zip);
  await page.fill("#asof", "2024-01-01");
  await page.click("#run");
  page.on("console", (m) => console.error("page: " + m.text()));
  try {
    await page.waitForSelector("#failrows a", { timeout: 30000 });
  } catch (e) {
    fail("no failures table; the page says: " + (await page.textContent("#error")) + " / " + (await page.textContent("#status")));
  }
  const fails = await page.textContent("#cards");
  if (!/未通过/.test(fails)) fail("no summary cards: " + fails);
  const rules = await page.$$("#rules .bar");
  if (rules.length === 0) fail("no per-rule chart");
  const teacher = await page.$$eval("#failrows a", (as) => { const a = as.find((x) => x.textContent.startsWith("lv-t")); if (a) a.click(); return a && a.textContent; });
  if (!teacher) fail("no teacher among the failures");
  await page.waitForSelector("#detail .result");
  const detail = await page.textContent("#detailbody");
  if (!/计入|不计入/.test(detail)) fail("the teacher's records are not listed: " + detail.slice(0, 200));
  // Every result of the teacher, passing ones too, not only the failures,
  // each with its counted / not-counted records (or a note that none bear on it).
  const results = await page.$$eval("#detailbody .result", (rs) => rs.map((r) => ({
    status: r.dataset.status,
    counted: !!r.querySelector("h4.counted"),
    excluded: !!r.querySelector("h4.excluded"),
    none: !!r.querySelector(".norecords"),
  })));
  const statuses = new Set(results.map((r) => r.status));
  if (!statuses.has("pass") || !statuses.has("fail")) fail("the teacher view does not list passing and failing results: " + [...statuses].join(","));
  if (!results.some((r) => r.status === "pass" && r.counted)) fail("no passing result lists the records it counted");
  if (!results.every((r) => r.counted || r.excluded || r.none)) fail("a result lists neither records nor says none bear on it");
  // The server agrees: as many results for this subject as a check of it alone.
  const expected = await page.evaluate(async ([id, tok]) => {
    const r = await fetch("/v1/check", { method: "POST", headers: { "Content-Type": "application/json", Authorization: "Bearer " + tok },
      body: JSON.stringify({ as_of: "2024-01-01", subjects: [id], detail: "brief" }) });
    const b = await r.json();
    return b.reports.reduce((n, rep) => n + rep.results.length, 0);
  }, [teacher, token]);
  if (results.length !== expected) fail(`the teacher view lists ${results.length} results, the server has ${expected}`);
  await page.screenshot({ path: out, fullPage: true });
  await page.click("#lang");
  if ((await page.textContent("h1")) !== "Tenet training compliance") fail("no English toggle");
  if (external.length) fail("requests left the server: " + external.join(", "));
  if ((await page.textContent("#detail h2")).indexOf("Records") < 0) fail("the teacher view is not translated");
  console.log(`dashboard: ok (teacher ${teacher}: ${results.length} results, ${rules.length} rule bars, screenshot ${out})`);
} finally {
  await browser.close();
}
