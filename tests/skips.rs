//! The `skip_*` cfgs build.rs sets (issue 7 item 2) match the environment the tests run in: a
//! test is ignored exactly when what it needs is missing and not required. This fails when
//! build.rs does not rerun after a variable or a probed file changed (a stale cfg would pass a
//! test unrun or fail one that cannot run), or when its rules drift from the ones below.

use std::path::Path;

fn set(var: &str) -> bool {
    std::env::var_os(var).is_some_and(|v| !v.is_empty())
}

#[test]
fn a_database_test_is_ignored_exactly_when_its_url_is_missing_and_not_required() {
    let required = set("TSPAWN_REQUIRE_SERVICES");
    let postgres = set("TSPAWN_TEST_POSTGRES_URL");
    let mysql = set("TSPAWN_TEST_MYSQL_URL");
    assert_eq!(cfg!(skip_postgres), !postgres && !required, "skip_postgres");
    assert_eq!(cfg!(skip_mysql), !mysql && !required, "skip_mysql");
}

#[test]
fn the_browser_check_is_ignored_exactly_when_chromium_or_playwright_is_missing() {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let playwright = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/browser/node_modules/playwright-core/package.json");
    let ready = Path::new(&chromium).exists() && playwright.exists();
    assert_eq!(
        cfg!(skip_browser),
        !ready && !set("TSPAWN_REQUIRE_BROWSER"),
        "skip_browser (Chromium at {chromium}: {}, playwright-core: {})",
        Path::new(&chromium).exists(),
        playwright.exists()
    );
}

#[test]
fn the_permission_tests_are_ignored_exactly_when_not_root_or_without_setpriv() {
    let uid = std::process::Command::new("id").arg("-u").output().unwrap();
    let root = String::from_utf8_lossy(&uid.stdout).trim() == "0";
    let setpriv = std::process::Command::new("setpriv")
        .arg("--version")
        .output()
        .is_ok();
    assert_eq!(cfg!(skip_root), !(root && setpriv), "skip_root");
}
