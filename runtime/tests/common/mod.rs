//! A throwaway app tree for the runtime's tests.

use std::path::Path;

use tempfile::TempDir;

/// The `config/app.toml` a generated app starts with.
pub const EXAMPLE: &str = r#"
[default]
listen = "127.0.0.1"
port = 8800
public_dir = "public"
log = "info,tower_http=info"
shutdown_timeout = 10   # seconds

[dev]
database_url = "sqlite:db/dev.sqlite3"
log = "debug,tower_http=debug"

[test]
database_url = "sqlite:db/test.sqlite3"

[product]
listen = "0.0.0.0"
secret_key = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
database_url = "sqlite:db/product.sqlite3"
"#;

/// A temp folder holding `config/app.toml` (with `app_toml`) and `public/index.html`.
pub fn app_root(app_toml: &str) -> TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "config/app.toml", app_toml);
    write(dir.path(), "public/index.html", "<h1>home</h1>\n");
    dir
}

/// Writes `contents` to `root/relative`, creating folders.
pub fn write(root: &Path, relative: &str, contents: &str) {
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().expect("has a parent")).expect("create folders");
    std::fs::write(path, contents).expect("write file");
}
