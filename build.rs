//! tspawn embeds templates/ and the runtime's sources with include_dir, which cargo does not
//! track. This script hashes them and passes the hash to the compiler, so editing a template or
//! the runtime rebuilds tspawn instead of shipping stale copies.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::Path;

const EMBEDDED: &[&str] = &["templates", "runtime/src", "runtime/Cargo.toml"];

fn main() {
    let mut hasher = DefaultHasher::new();
    for root in EMBEDDED {
        println!("cargo:rerun-if-changed={root}");
        hash_tree(Path::new(root), &mut hasher);
    }
    println!(
        "cargo:rustc-env=TSPAWN_EMBED_STAMP={:016x}",
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
