//! Loading `config/app.toml`: precedence, defaults and the errors a person sees.
#![cfg(feature = "sqlite")]

mod common;

use std::time::Duration;

use common::{app_root, write, EXAMPLE};
use serde::Deserialize;
use tspawn_runtime::{Config, Error};

fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn config_error(toml: &str, env: &str, pairs: &[(&str, &str)]) -> (String, String) {
    let root = app_root(toml);
    match Config::load_with(root.path(), env, vars(pairs)) {
        Err(Error::Config { key, message, .. }) => (key, message),
        other => panic!("expected a config error, got {other:?}"),
    }
}

#[test]
fn example_config_loads_with_typed_values() {
    let root = app_root(EXAMPLE);
    let config = Config::load_with(root.path(), "dev", vars(&[])).unwrap();
    assert_eq!(config.env, "dev");
    assert_eq!(config.listen.to_string(), "127.0.0.1");
    assert_eq!(config.port, 8800);
    assert_eq!(config.log, "debug,tower_http=debug");
    assert_eq!(config.shutdown_timeout, Duration::from_secs(10));
    assert_eq!(config.public_dir, root.path().join("public"));
    let db = root.path().join("db/dev.sqlite3");
    assert_eq!(config.database_url, format!("sqlite:{}", db.display()));
    let product = Config::load_with(root.path(), "product", vars(&[])).unwrap();
    assert_eq!(product.listen.to_string(), "0.0.0.0");
}

#[derive(Debug, Deserialize, PartialEq)]
struct Chat {
    a: i64,
    b: i64,
    c: i64,
}

#[test]
fn environment_table_beats_default_and_variables_beat_both() {
    let toml = "[default]\nport = 1\n[default.chat]\na = 1\nb = 1\nc = 1\n\
                [test]\nport = 2\n[test.chat]\nb = 2\nc = 2\n";
    let root = app_root(toml);
    let env = vars(&[
        ("TSPAWN_PORT", "3"),
        ("TSPAWN_CHAT__C", "3"),
        ("OTHER", "x"),
        ("TSPAWN_ENV", "dev"),
    ]);
    let config = Config::load_with(root.path(), "test", env).unwrap();
    assert_eq!(config.port, 3);
    assert_eq!(
        config.section::<Chat>("chat").unwrap(),
        Some(Chat { a: 1, b: 2, c: 3 })
    );
    assert_eq!(config.section::<Chat>("missing").unwrap(), None);
}

#[test]
fn defaults_apply_when_keys_are_absent() {
    let root = app_root("[dev]\n");
    let config = Config::load_with(root.path(), "dev", vars(&[])).unwrap();
    assert_eq!((config.port, config.log.as_str()), (8800, "info,sqlx=warn"));
    assert_eq!(config.shutdown_timeout, Duration::from_secs(10));
    assert!(
        config.database_url.ends_with("/db/dev.sqlite3"),
        "{}",
        config.database_url
    );
}

#[test]
fn unknown_environment_lists_the_known_ones() {
    let (key, message) = config_error(EXAMPLE, "staging", &[]);
    assert_eq!(key, "staging");
    assert_eq!(
        message,
        "no [staging] table; environments in this file: dev, product, test"
    );
}

#[test]
fn bad_values_name_their_key() {
    assert_eq!(config_error("[dev]\nport = \"abc\"", "dev", &[]).0, "port");
    assert_eq!(
        config_error("[dev]\nlisten = \"nope\"", "dev", &[]).0,
        "listen"
    );
    assert_eq!(
        config_error("[dev]\nshutdown_timeout = -1", "dev", &[]).0,
        "shutdown_timeout"
    );
    assert_eq!(
        config_error("[dev]\nlog = \"a=notalevel\"", "dev", &[]).0,
        "log"
    );
    let (key, message) = config_error("[dev]\n", "dev", &[("TSPAWN_PORT", "99999")]);
    assert_eq!(key, "port (from TSPAWN_PORT)");
    assert!(message.contains("99999"), "{message}");
}

#[test]
fn error_message_names_file_and_key() {
    let root = app_root("[dev]\nport = 70000\n");
    let err = Config::load_with(root.path(), "dev", vars(&[]))
        .unwrap_err()
        .to_string();
    let file = root.path().join("config/app.toml");
    assert!(
        err.starts_with(&format!("{}: port: ", file.display())),
        "{err}"
    );
}

#[test]
fn foreign_database_url_is_rejected_at_load() {
    let (key, message) = config_error(
        "[dev]\ndatabase_url = \"postgres://localhost/x\"",
        "dev",
        &[],
    );
    assert_eq!(key, "database_url");
    assert!(message.contains("sqlite"), "{message}");
}

#[test]
fn syntax_errors_and_missing_files_are_reported() {
    assert_eq!(config_error("[dev\n", "dev", &[]).0, "(syntax)");
    let root = tempfile::tempdir().unwrap();
    let err = Config::load_with(root.path(), "dev", vars(&[])).unwrap_err();
    assert!(
        matches!(&err, Error::Io { path, .. } if path.ends_with("config/app.toml")),
        "{err}"
    );
}

#[test]
fn a_bad_section_names_the_section() {
    let root = app_root("[dev]\n[dev.chat]\na = \"x\"\n");
    write(root.path(), "public/other.txt", "unused");
    let config = Config::load_with(root.path(), "dev", vars(&[])).unwrap();
    match config.section::<Chat>("chat") {
        Err(Error::Config { key, message, .. }) => {
            assert_eq!(key, "chat.a");
            assert_eq!(message, "invalid type: string \"x\", expected i64");
        }
        other => panic!("expected a config error, got {other:?}"),
    }
}

#[test]
fn product_needs_a_secret_key_and_other_environments_fall_back() {
    let without = EXAMPLE.replace("secret_key =", "# secret_key =");
    let (key, message) = config_error(&without, "product", &[]);
    assert_eq!(key, "secret_key");
    assert!(message.contains("missing"), "{message}");
    let root = app_root(&without);
    let dev = Config::load_with(root.path(), "dev", vars(&[])).unwrap();
    assert!(dev.session_key.is_generated());
    let product = Config::load_with(
        root.path(),
        "product",
        vars(&[("TSPAWN_SECRET_KEY", &"k".repeat(64))]),
    );
    assert!(!product.unwrap().session_key.is_generated());
    let (key, message) = config_error(EXAMPLE, "dev", &[("TSPAWN_SECRET_KEY", "short")]);
    assert_eq!(key, "secret_key (from TSPAWN_SECRET_KEY)");
    assert!(message.contains("64"), "{message}");
}

#[test]
fn websocket_limits_default_and_are_checked() {
    let root = app_root(EXAMPLE);
    let config = Config::load_with(root.path(), "dev", vars(&[])).unwrap();
    assert_eq!(config.websocket.max_message_size, 64 * 1024);
    assert_eq!(config.websocket.queue_capacity, 1024);
    assert_eq!(config.websocket.read_buffer_size, 4096);
    assert!(config.websocket.allowed_origins.is_empty());
    let set = vars(&[("TSPAWN_WEBSOCKET__QUEUE_CAPACITY", "16")]);
    let config = Config::load_with(root.path(), "dev", set).unwrap();
    assert_eq!(config.websocket.queue_capacity, 16);
    let zero = [("TSPAWN_WEBSOCKET__QUEUE_CAPACITY", "0")];
    let (key, message) = config_error(EXAMPLE, "dev", &zero);
    assert_eq!(
        key,
        "websocket.queue_capacity (from TSPAWN_WEBSOCKET__QUEUE_CAPACITY)"
    );
    assert!(message.contains("between 1 and 1000000"), "{message}");
    let huge = [("TSPAWN_WEBSOCKET__MAX_MESSAGE_SIZE", "2000000000")];
    let (key, message) = config_error(EXAMPLE, "dev", &huge);
    assert_eq!(
        key,
        "websocket.max_message_size (from TSPAWN_WEBSOCKET__MAX_MESSAGE_SIZE)"
    );
    assert!(message.contains("1 GiB"), "{message}");
    let typo = format!("{EXAMPLE}\n[dev.websocket]\nqueue_capacty = 3\n");
    let (key, message) = config_error(&typo, "dev", &[]);
    assert_eq!(key, "websocket.queue_capacty");
    assert!(
        message.starts_with("unknown field `queue_capacty`"),
        "{message}"
    );
}

#[test]
fn a_value_of_the_wrong_type_names_its_key_and_variable_in_one_line() {
    let lots = [("TSPAWN_WEBSOCKET__QUEUE_CAPACITY", "lots")];
    let (key, message) = config_error(EXAMPLE, "dev", &lots);
    assert_eq!(
        key,
        "websocket.queue_capacity (from TSPAWN_WEBSOCKET__QUEUE_CAPACITY)"
    );
    assert_eq!(message, "invalid type: string \"lots\", expected usize");
}

/// Without a `secret_key`, each start signs with a key of its own: a cookie from the last
/// start is ignored (the session ended), while a configured key reads it back.
#[test]
fn a_key_made_per_start_ends_sessions_at_restart() {
    use tspawn_runtime::axum::http::{header::COOKIE, HeaderMap, HeaderValue};
    use tspawn_runtime::{session_cookie, HttpSession};

    let cookie_of = |config: &Config| {
        let mut session = HttpSession::new();
        session.insert("user", "ann");
        let cookie = session_cookie(config, &session);
        let mut headers = HeaderMap::new();
        let pair = format!("{}={}", cookie.name(), cookie.value());
        headers.insert(COOKIE, HeaderValue::from_str(&pair).unwrap());
        headers
    };
    let root = app_root(&EXAMPLE.replace("secret_key =", "# secret_key ="));
    let start = || Config::load_with(root.path(), "dev", vars(&[])).unwrap();
    let (first, second) = (start(), start());
    let headers = cookie_of(&first);
    assert!(HttpSession::from_headers(&headers, &first.session_key).is_user_logged_in());
    assert!(!HttpSession::from_headers(&headers, &second.session_key).is_user_logged_in());

    let key = "k".repeat(64);
    let keyed = || Config::load_with(root.path(), "dev", vars(&[("TSPAWN_SECRET_KEY", &key)]));
    let headers = cookie_of(&keyed().unwrap());
    let restarted = keyed().unwrap();
    assert!(HttpSession::from_headers(&headers, &restarted.session_key).is_user_logged_in());
}

/// `synchronous` (SQLite's PRAGMA synchronous) defaults to NORMAL and takes SQLite's names in
/// any case, or their numbers, from the file or a variable.
#[test]
fn synchronous_defaults_to_normal_and_reads_sqlite_levels() {
    use tspawn_runtime::config::Synchronous;
    let root = app_root(EXAMPLE);
    let config = Config::load_with(root.path(), "dev", vars(&[])).unwrap();
    assert_eq!(config.synchronous, Synchronous::Normal);
    let toml = EXAMPLE.replace("[default]\n", "[default]\nsynchronous = \"full\"\n");
    let root = app_root(&toml);
    let config = Config::load_with(root.path(), "dev", vars(&[])).unwrap();
    assert_eq!(config.synchronous, Synchronous::Full);
    let config =
        Config::load_with(root.path(), "dev", vars(&[("TSPAWN_SYNCHRONOUS", "0")])).unwrap();
    assert_eq!(config.synchronous, Synchronous::Off);
}

/// A value that is not a level stops the load with one line naming the file, the key (and
/// the variable that set it) and the levels there are.
#[test]
fn a_bad_synchronous_value_is_refused_naming_the_file_and_key() {
    let toml = EXAMPLE.replace("[default]\n", "[default]\nsynchronous = \"fsync\"\n");
    let root = app_root(&toml);
    let err = Config::load_with(root.path(), "dev", vars(&[])).unwrap_err();
    let line = err.to_string();
    assert_eq!(line.lines().count(), 1, "{line}");
    let file = root.path().join("config").join("app.toml");
    assert!(
        line.starts_with(&format!(
            "{}: synchronous: \"fsync\" is not a level",
            file.display()
        )),
        "{line}"
    );
    assert!(line.contains("\"FULL\" (an fsync per commit"), "{line}");
    let (key, message) = config_error(EXAMPLE, "dev", &[("TSPAWN_SYNCHRONOUS", "4")]);
    assert_eq!(key, "synchronous (from TSPAWN_SYNCHRONOUS)");
    assert!(message.starts_with("4 is not a level"), "{message}");
    let (key, _) = config_error(EXAMPLE, "dev", &[("TSPAWN_SYNCHRONOUS", "true")]);
    assert_eq!(key, "synchronous (from TSPAWN_SYNCHRONOUS)");
}
