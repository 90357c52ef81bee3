// Drives the blog pages of `tspawn scaffold blog` in headless Chromium (Debian's, through
// playwright-core), as a person would: the list's link to the form; an empty required field
// submitted (no HTML `required` stops it) and the server's message shown beside it, what was
// typed kept; a row created, edited and removed (the confirm dialog dismissed once, then
// accepted), each with its flash notice; a title of markup shown as text (no dialog, no script
// run, no element made); a form on another origin posting to the app refused with 403 and
// nothing stored. Leaves exactly one row: the markup one (tests/e2e_scaffold.rs checks it in
// the database). Usage: node scaffold.mjs http://127.0.0.1:PORT
import { chromium } from "playwright-core";
import assert from "node:assert/strict";
import http from "node:http";

const base = process.argv[2];
assert.ok(base, "usage: node scaffold.mjs http://127.0.0.1:PORT");

const TITLE = "<script>x()</script>";
const BODY = '<img src=x onerror="window.pwned=1"><b>bold</b>';

// The other origin: a page on localhost (the app is on 127.0.0.1, another site) whose form
// posts to the app, as a forging site would.
const forger = http.createServer((request, response) => {
  response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
  response.end(`<!doctype html><title>elsewhere</title>
<form method="post" action="${base}/blog/create">
  <input name="title" value="Forged"><input name="body" value="from another origin">
  <button type="submit">Send</button>
</form>`);
});
await new Promise((resolve) => forger.listen(0, "127.0.0.1", resolve));
const elsewhere = `http://localhost:${forger.address().port}/`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await (await browser.newContext()).newPage();
  const errors = [];
  const confirms = [];
  // The answer to the next confirm dialog; any other dialog is an error (an alert would mean
  // a value ran as script).
  let answer = null;
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("dialog", async (dialog) => {
    if (dialog.type() === "confirm" && answer !== null) {
      confirms.push(dialog.message());
      await (answer ? dialog.accept() : dialog.dismiss());
    } else {
      errors.push(`dialog ${dialog.type()}: ${dialog.message()}`);
      await dialog.dismiss();
    }
  });
  const h1 = () => page.locator("h1").innerText();
  const flash = () => page.locator("p.flash.notice").innerText();
  // Clicks the button named `name`; the status of the POST the click sent, once the page
  // it led to (after any redirect) has loaded.
  const submit = async (name) => {
    const posted = page.waitForResponse((r) => r.request().method() === "POST");
    await page.getByRole("button", { name }).click();
    const response = await posted;
    await page.waitForLoadState();
    return response.status();
  };

  // The list (empty), its link to the form.
  await page.goto(`${base}/blog`);
  assert.equal(await h1(), "Listing Blog");
  await page.getByRole("link", { name: "New blog" }).click();
  await page.waitForURL(`${base}/blog/create`);
  assert.equal(await h1(), "New Blog");

  // An empty required field reaches the server, which answers 422 with the message beside it.
  await page.fill("#body", "typed before the error");
  assert.equal(await submit("Create"), 422);
  assert.equal(await h1(), "New Blog");
  assert.equal(await page.locator("#title-error").innerText(), "title is required");
  assert.equal(await page.getAttribute("#title", "aria-invalid"), "true");
  assert.equal(await page.getAttribute("#title", "aria-describedby"), "title-error");
  assert.equal(await page.inputValue("#body"), "typed before the error");

  // Created: the row's page with the notice.
  await page.fill("#title", "From Chromium");
  assert.equal(await submit("Create"), 303);
  assert.match(page.url(), /\/blog\/show\/\d+$/);
  assert.equal(await h1(), "Showing Blog");
  assert.equal(await flash(), "Blog created.");
  assert.ok((await page.locator("dl").innerText()).includes("From Chromium"));

  // Edited through the row's Edit link: the form is filled from the row.
  await page.getByRole("link", { name: "Edit" }).click();
  await page.waitForURL(/\/blog\/save\/\d+$/);
  assert.equal(await h1(), "Editing Blog");
  assert.equal(await page.inputValue("#title"), "From Chromium");
  assert.equal(await page.inputValue("#body"), "typed before the error");
  await page.fill("#title", "Edited in Chromium");
  assert.equal(await submit("Save"), 303);
  assert.equal(await h1(), "Showing Blog");
  assert.equal(await flash(), "Blog updated.");
  const shown = await page.locator("dl").innerText();
  assert.ok(shown.includes("Edited in Chromium") && !shown.includes("From Chromium"), shown);

  // Removed from the list: a dismissed confirm keeps the row, an accepted one removes it.
  await page.goto(`${base}/blog`);
  const row = page.locator("tr", { hasText: "Edited in Chromium" });
  assert.equal(await row.count(), 1);
  answer = false;
  await row.getByRole("button", { name: "Remove" }).click();
  await page.waitForTimeout(500);
  assert.equal(page.url(), `${base}/blog`, "a dismissed confirm submits nothing");
  assert.equal(await row.count(), 1);
  answer = true;
  const removed = page.waitForResponse((r) => r.request().method() === "POST");
  await row.getByRole("button", { name: "Remove" }).click();
  assert.equal((await removed).status(), 303);
  await page.waitForURL(`${base}/blog/index`);
  assert.equal(await flash(), "Blog removed.");
  assert.equal(await page.locator("tr", { hasText: "Edited in Chromium" }).count(), 0);
  answer = null;
  assert.deepEqual(confirms, ["Remove this blog?", "Remove this blog?"]);

  // Markup in a value is text: nothing runs, no element is made from it.
  await page.goto(`${base}/blog/create`);
  await page.fill("#title", TITLE);
  await page.fill("#body", BODY);
  assert.equal(await submit("Create"), 303);
  assert.equal(await flash(), "Blog created.");
  for (const url of [page.url(), `${base}/blog`]) {
    await page.goto(url);
    const text = await page.locator("body").innerText();
    assert.ok(text.includes(TITLE) && text.includes(BODY), text);
    assert.equal(await page.locator("dl script, dl img, dl b, table script, table img, table b").count(), 0);
    assert.equal(await page.evaluate(() => window.pwned), undefined);
  }

  // A form on another site posting to the app: 403, nothing stored.
  await page.goto(elsewhere);
  assert.equal(await submit("Send"), 403);
  assert.match(await page.locator("body").innerText(), /403 Forbidden/);
  await page.goto(`${base}/blog`);
  assert.equal(await page.locator("tr", { hasText: "Forged" }).count(), 0);
  assert.equal(await page.locator("tr", { hasText: TITLE }).count(), 1);

  assert.deepEqual(errors, []);
  console.log("browser scaffold: create, 422 message, edit, confirm and remove, escaping, cross-origin 403 checked");
} finally {
  await browser.close();
  forger.close();
}
