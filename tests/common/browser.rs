//! The browser checks: a script of tests/browser/ run by node against a running app, driving
//! Debian's Chromium ($CHROMIUM, /usr/bin/chromium by default) through playwright-core
//! (`npm ci --prefix tests/browser`). The tests that call it are `#[ignore]`d by build.rs's
//! `skip_browser` unless both are there or TSPAWN_REQUIRE_BROWSER is set.

use std::path::Path;

/// Runs `node tests/browser/SCRIPT URL`; fails the test when it fails, or naming what is
/// missing.
pub fn run(script: &str, url: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&chromium).exists(),
        "no Chromium at {chromium}: apt-get install chromium (or set CHROMIUM)"
    );
    assert!(
        dir.join("node_modules/playwright-core").is_dir(),
        "no playwright-core: npm ci --prefix tests/browser"
    );
    let status = std::process::Command::new("node")
        .arg(dir.join(script))
        .arg(url)
        .status()
        .expect("node runs");
    assert!(status.success(), "the browser check {script} failed");
}
