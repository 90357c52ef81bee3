//! Two jobs, both for cargo's bookkeeping:
//!
//! - tspawn embeds templates/ and the runtime's sources with include_dir, which cargo does not
//!   track. This script hashes them and passes the hash to the compiler, so editing a template
//!   or the runtime rebuilds tspawn instead of shipping stale copies.
//! - The tests that need something this machine may lack (a database server, Chromium, root)
//!   are compiled `#[ignore = "reason"]` when it is missing, through the `skip_*` cfgs set
//!   here, so cargo's summary counts them as ignored instead of passing them in 0.00 s. With
//!   TSPAWN_REQUIRE_SERVICES / TSPAWN_REQUIRE_BROWSER set (as .ci/run does) nothing is skipped:
//!   a missing service fails its test, naming what is missing.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

const EMBEDDED: &[&str] = &["templates", "runtime/src", "runtime/Cargo.toml"];

fn main() {
    embed_stamp();
    test_cfgs();
}

fn embed_stamp() {
    let mut hasher = DefaultHasher::new();
    for root in EMBEDDED {
        println!("cargo::rerun-if-changed={root}");
        hash_tree(Path::new(root), &mut hasher);
    }
    println!(
        "cargo::rustc-env=TSPAWN_EMBED_STAMP={:016x}",
        hasher.finish()
    );
}

fn hash_tree(path: &Path, hasher: &mut impl Hasher) {
    if path.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path)
            .expect("readable folder")
            .map(|e| e.expect("readable entry").path())
            .collect();
        entries.sort();
        for entry in entries {
            hash_tree(&entry, hasher);
        }
    } else if let Ok(bytes) = std::fs::read(path) {
        path.hash(hasher);
        bytes.hash(hasher);
    }
}

/// Sets `skip_postgres`, `skip_mysql` (tests/e2e_databases.rs), `skip_browser`
/// (tests/e2e_websocket.rs) and `skip_root` (tests/permissions.rs) where the test cannot run
/// and is not required.
fn test_cfgs() {
    for cfg in ["skip_postgres", "skip_mysql", "skip_browser", "skip_root"] {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
    }
    let services = required("TSPAWN_REQUIRE_SERVICES");
    for (cfg, var) in [
        ("skip_postgres", "TSPAWN_TEST_POSTGRES_URL"),
        ("skip_mysql", "TSPAWN_TEST_MYSQL_URL"),
    ] {
        println!("cargo::rerun-if-env-changed={var}");
        if !services && std::env::var_os(var).is_none_or(|url| url.is_empty()) {
            println!("cargo::rustc-cfg={cfg}");
        }
    }

    // The browser check runs `node tests/browser/chat.mjs` with $CHROMIUM (Debian's chromium
    // by default) and playwright-core from `npm ci --prefix tests/browser`.
    println!("cargo::rerun-if-env-changed=CHROMIUM");
    let chromium = std::env::var_os("CHROMIUM").map_or("/usr/bin/chromium".into(), PathBuf::from);
    let playwright = Path::new("tests/browser/node_modules/playwright-core/package.json");
    let ready = [watch(&chromium), watch(playwright)] == [true, true];
    let require = required("TSPAWN_REQUIRE_BROWSER");
    if !ready && !require {
        println!("cargo::rustc-cfg=skip_browser");
    }

    // Root-ness is read when the tests are built (sudo changes USER, which reruns this); a
    // test binary built as root and run by another user fails, saying so.
    println!("cargo::rerun-if-env-changed=USER");
    let setpriv = std::env::var_os("PATH")
        .and_then(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join("setpriv"))
                .find(|p| p.is_file())
        })
        .unwrap_or_else(|| "/usr/bin/setpriv".into());
    if !(watch(&setpriv) && is_root()) {
        println!("cargo::rustc-cfg=skip_root");
    }
}

/// Whether the variable is set (to anything but the empty string).
fn required(var: &str) -> bool {
    println!("cargo::rerun-if-env-changed={var}");
    std::env::var_os(var).is_some_and(|v| !v.is_empty())
}

/// Whether `path` exists; reruns this script when that changes. A missing path is watched
/// through its nearest existing folder, whose modification time changes when an entry is
/// added (cargo reruns on every build for a missing file, and scans a folder recursively, so
/// never `/`).
fn watch(path: &Path) -> bool {
    let found = path.ancestors().find(|p| p.exists());
    if let Some(watched) = found.filter(|p| p.parent().is_some_and(|up| up != Path::new(""))) {
        println!("cargo::rerun-if-changed={}", watched.display());
    }
    found == Some(path)
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}
