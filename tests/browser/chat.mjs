// Opens a generated chat page twice in headless Chromium (Debian's, driven by playwright-core):
// a message typed and sent in one page appears in both, Enter sends while Shift+Enter (or an
// Enter that ends an input method's composition) only edits, and a message containing <script>
// is shown as text, not run. Usage: node chat.mjs http://127.0.0.1:PORT/chat.html
import { chromium } from "playwright-core";
import assert from "node:assert/strict";

const url = process.argv[2];
assert.ok(url, "usage: node chat.mjs URL");

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const context = await browser.newContext();
  const alice = await context.newPage();
  const bob = await context.newPage();
  const errors = [];
  for (const page of [alice, bob]) {
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("dialog", (d) => { errors.push("dialog: " + d.message()); d.dismiss(); });
    await page.goto(url);
  }
  // Both are connected once each has seen its own join notice.
  for (const page of [alice, bob]) {
    await page.locator("#log p", { hasText: "[ New person joined ]" }).first().waitFor();
  }

  await alice.fill("#name", "Alice");
  await alice.fill("#msg", "hello from the browser");
  await alice.click("#send");
  for (const page of [alice, bob]) {
    await page.locator("#log p", { hasText: "hello from the browser" }).last().waitFor();
    const line = await page.locator("#log p", { hasText: "hello from the browser" }).last().innerText();
    assert.match(line, /^Alice : \d{4}-\d\d-\d\dT[\d:.]+Z\nhello from the browser$/);
  }
  assert.equal(await alice.inputValue("#msg"), "", "the message box is cleared");

  // Enter sends; Shift+Enter starts a new line. sendMessage empties the box at once, so a box
  // that still holds the text proves nothing was sent.
  await alice.focus("#msg");
  await alice.keyboard.type("line one");
  await alice.keyboard.press("Shift+Enter");
  await alice.keyboard.type("line two");
  assert.equal(await alice.inputValue("#msg"), "line one\nline two", "Shift+Enter adds a line");
  // An Enter that confirms an input method's composition (kana to kanji) sends nothing either.
  await alice.dispatchEvent("#msg", "keydown", { key: "Enter", isComposing: true });
  assert.equal(await alice.inputValue("#msg"), "line one\nline two", "Enter while composing");
  await alice.keyboard.press("Enter");
  for (const page of [alice, bob]) {
    const line = page.locator("#log p", { hasText: "line two" });
    await line.waitFor();
    assert.match(await line.innerText(), /^Alice : [\dT:.Z-]+\nline one\nline two$/);
    assert.equal(await page.locator("#log p", { hasText: "line one" }).count(), 1, "sent once");
  }
  assert.equal(await alice.inputValue("#msg"), "", "Enter sent and emptied the box");

  // A nameless sender is "(I'm John Doe)"; HTML in a message is shown as text.
  const attack = "<script>window.pwned = true</script><b>bold</b>";
  await bob.fill("#msg", attack);
  await bob.click("#send");
  for (const page of [alice, bob]) {
    const line = page.locator("#log p", { hasText: "<script>" }).last();
    await line.waitFor();
    assert.ok((await line.innerText()).startsWith("(I'm John Doe) : "));
    assert.ok((await line.innerText()).endsWith(attack));
    assert.equal(await line.locator("b, script").count(), 0, "no element was made from the text");
    assert.equal(await page.evaluate(() => window.pwned), undefined);
  }
  assert.deepEqual(errors, []);
  console.log("browser chat: 2 pages, broadcast, Enter and Shift+Enter, escaping checked");
} finally {
  await browser.close();
}
