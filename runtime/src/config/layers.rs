//! How the layers of configuration combine: `[default]`, then the environment's table, then
//! `TSPAWN_*` environment variables.
//!
//! Kept apart from the typed [`Config`](super::Config) so the precedence rules can be read
//! (and tested) without the validation around them.

use std::collections::HashMap;
use std::path::Path;

use toml::{Table, Value};

use crate::error::{Error, Result};

/// Prefix of the environment variables that override config keys.
pub(super) const PREFIX: &str = "TSPAWN_";

/// `TSPAWN_ENV` chooses the environment (read by the app binary); it is not a config key.
const ENV_SELECTOR: &str = "TSPAWN_ENV";

/// Which environment variable supplied a dotted key, so errors can point at it.
pub(super) type Origins = HashMap<String, String>;

/// Merges `over` into `base`: sub-tables merge key by key, any other value replaces.
pub(super) fn deep_merge(base: &mut Table, over: Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(Value::Table(inner)), Value::Table(value)) => deep_merge(inner, value),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// Applies `TSPAWN_KEY=value` and `TSPAWN_SECTION__KEY=value` overrides to `table`.
///
/// Names are lower-cased and split on `__`, so `TSPAWN_CHAT__HISTORY=50` sets
/// `[chat] history = 50`. Variables are applied in name order, which makes the result
/// independent of the order the process environment happens to list them in.
pub(super) fn apply_env_overrides(
    table: &mut Table,
    vars: impl IntoIterator<Item = (String, String)>,
    file: &Path,
) -> Result<Origins> {
    let mut vars: Vec<_> = vars
        .into_iter()
        .filter(|(name, _)| name.starts_with(PREFIX) && name != ENV_SELECTOR)
        .collect();
    vars.sort();
    let mut origins = Origins::new();
    for (name, raw) in vars {
        let path: Vec<String> = name[PREFIX.len()..]
            .split("__")
            .map(str::to_lowercase)
            .collect();
        if path.iter().any(String::is_empty) {
            let message = "empty key segment (use TSPAWN_KEY or TSPAWN_SECTION__KEY)";
            return Err(Error::config(file, name, message));
        }
        set_path(table, &path, parse_scalar(&raw))
            .map_err(|message| Error::config(file, &name, message))?;
        origins.insert(path.join("."), name);
    }
    Ok(origins)
}

/// Sets `path` in `table`, creating sub-tables on the way.
fn set_path(table: &mut Table, path: &[String], value: Value) -> Result<(), String> {
    let (last, parents) = path
        .split_last()
        .expect("split yields at least one segment");
    let mut current = table;
    for (depth, segment) in parents.iter().enumerate() {
        let entry = current
            .entry(segment.clone())
            .or_insert_with(|| Value::Table(Table::new()));
        current = match entry {
            Value::Table(inner) => inner,
            _ => return Err(format!("`{}` is not a table", path[..=depth].join("."))),
        };
    }
    current.insert(last.clone(), value);
    Ok(())
}

/// Reads an environment variable's text the way a person means it: integers, floats and
/// booleans become TOML numbers and booleans, anything else stays a string (so
/// `TSPAWN_LISTEN=0.0.0.0` is the address, not a malformed float).
pub(super) fn parse_scalar(raw: &str) -> Value {
    if let Ok(int) = raw.parse::<i64>() {
        return Value::Integer(int);
    }
    match raw {
        "true" => return Value::Boolean(true),
        "false" => return Value::Boolean(false),
        _ => {}
    }
    let numeric = raw
        .chars()
        .all(|c| c.is_ascii_digit() || "+-.eE".contains(c));
    match raw.parse::<f64>() {
        Ok(float) if numeric && raw.contains(|c: char| c.is_ascii_digit()) => Value::Float(float),
        _ => Value::String(raw.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> Table {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn deep_merge_keeps_untouched_sub_keys() {
        let mut base = table("a = 1\n[s]\nx = 1\ny = 2");
        deep_merge(&mut base, table("a = 2\n[s]\ny = 3"));
        assert_eq!(base, table("a = 2\n[s]\nx = 1\ny = 3"));
    }

    #[test]
    fn scalars_parse_like_a_person_means_them() {
        assert_eq!(parse_scalar("8080"), Value::Integer(8080));
        assert_eq!(parse_scalar("1.5"), Value::Float(1.5));
        assert_eq!(parse_scalar("true"), Value::Boolean(true));
        assert_eq!(parse_scalar("0.0.0.0"), Value::String("0.0.0.0".into()));
        assert_eq!(parse_scalar("inf"), Value::String("inf".into()));
        assert_eq!(parse_scalar("e"), Value::String("e".into()));
    }

    #[test]
    fn nested_override_creates_the_section() {
        let mut base = Table::new();
        let vars = [("TSPAWN_CHAT__HISTORY".to_owned(), "50".to_owned())];
        let origins = apply_env_overrides(&mut base, vars, Path::new("app.toml")).unwrap();
        assert_eq!(base, table("[chat]\nhistory = 50"));
        assert_eq!(origins["chat.history"], "TSPAWN_CHAT__HISTORY");
    }

    #[test]
    fn override_through_a_scalar_is_an_error() {
        let mut base = table("port = 1");
        let vars = [("TSPAWN_PORT__X".to_owned(), "1".to_owned())];
        let err = apply_env_overrides(&mut base, vars, Path::new("app.toml")).unwrap_err();
        assert!(
            err.to_string()
                .contains("TSPAWN_PORT__X: `port` is not a table"),
            "{err}"
        );
    }
}
