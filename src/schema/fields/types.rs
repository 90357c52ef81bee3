//! Field types: parsing `string{80}` / `decimal{10-2}` and what each type is on each driver.

use super::{MAX_PRECISION, MAX_STRING, TYPES};
use crate::driver::Driver;
use crate::schema::Kind;

/// A field's type, with its length or precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Type {
    String(u32),
    Text,
    Integer,
    Bigint,
    Float,
    Decimal(u32, u32),
    Bool,
    Date,
    Datetime,
    Uuid,
    Json,
    References,
}

/// `string{80}`, `decimal{10-2}`, `Boolean` into a [`Type`].
pub(super) fn parse_type(text: &str) -> Result<Type, String> {
    let (word, args) = match text.split_once('{') {
        Some((word, rest)) => match rest.strip_suffix('}') {
            Some(args) => (word, Some(args)),
            None => return Err(format!("`{text}` has no closing '}}', e.g. string{{80}}")),
        },
        None => (text, None),
    };
    let word = word.to_ascii_lowercase();
    let ty = match word.as_str() {
        "string" => Type::String(255),
        "text" => Type::Text,
        "integer" | "int" => Type::Integer,
        "bigint" => Type::Bigint,
        "float" => Type::Float,
        "decimal" => Type::Decimal(18, 6),
        "bool" | "boolean" => Type::Bool,
        "date" => Type::Date,
        "datetime" | "timestamp" => Type::Datetime,
        "uuid" => Type::Uuid,
        "json" => Type::Json,
        "references" | "belongs_to" => Type::References,
        other if expanded_braces(other) => {
            return Err(format!(
                "unknown type `{other}`: the shell expands decimal{{10,2}} into two words \
                 unless it is quoted; write decimal{{10-2}} (or string{{80}})"
            ));
        }
        other => {
            let near = TYPES
                .iter()
                .find(|t| strsim::damerau_levenshtein(t, other) <= 2)
                .map(|t| format!(" (did you mean {t}?)"))
                .unwrap_or_default();
            return Err(format!(
                "unknown type `{other}`{near}; use one of {}",
                TYPES.join(", ")
            ));
        }
    };
    let Some(args) = args else { return Ok(ty) };
    let number = |s: &str| s.trim().parse::<u32>().ok();
    match ty {
        Type::String(_) => match number(args) {
            Some(n) if (1..=MAX_STRING).contains(&n) => Ok(Type::String(n)),
            _ => Err(format!(
                "the length in `{text}` must be a whole number from 1 to {MAX_STRING} \
                 (MySQL's longest VARCHAR in utf8mb4), e.g. string{{80}}"
            )),
        },
        Type::Decimal(..) => {
            let pair = args.split_once(['-', '.', ',']);
            match pair.and_then(|(p, s)| Some((number(p)?, number(s)?))) {
                Some((p, s)) if (1..=MAX_PRECISION).contains(&p) && s <= p => {
                    Ok(Type::Decimal(p, s))
                }
                _ => Err(format!(
                    "`{text}` needs precision-scale: precision (all digits) from 1 to \
                     {MAX_PRECISION} (what rust_decimal holds), scale (digits after the point) \
                     at most the precision, e.g. decimal{{10-2}}"
                )),
            }
        }
        _ => Err(format!(
            "only string{{n}} and decimal{{p-s}} take {{...}}; write `{word}`"
        )),
    }
}

/// `decimal10`, `string80`: what `{10,2}` / `{80,120}` leave after the shell's brace expansion.
fn expanded_braces(word: &str) -> bool {
    let digits = word.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let letters = &word[..word.len() - digits.len()];
    ["decimal", "string"].contains(&letters)
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
}

pub(super) fn type_word(ty: Type) -> &'static str {
    match ty {
        Type::Text => "text",
        _ => "json",
    }
}

/// The SQL type of a field type on `driver`, as the README's table of field types gives it:
/// string VARCHAR(n), float DOUBLE PRECISION / DOUBLE / REAL, datetime TIMESTAMPTZ /
/// DATETIME(6) / DATETIME, uuid UUID / BINARY(16) / UUID, json JSONB / JSON / JSON.
pub(super) fn sql_type(driver: Driver, ty: Type) -> String {
    use Driver::*;
    let fixed = match (ty, driver) {
        (Type::String(n), _) => return format!("VARCHAR({n})"),
        (Type::Decimal(p, s), Postgresql) => return format!("NUMERIC({p},{s})"),
        (Type::Decimal(p, s), _) => return format!("DECIMAL({p},{s})"),
        (Type::Text, _) => "TEXT",
        (Type::Integer, _) => "INTEGER",
        (Type::Bigint | Type::References, _) => "BIGINT",
        (Type::Float, Postgresql) => "DOUBLE PRECISION",
        (Type::Float, Mysql) => "DOUBLE",
        (Type::Float, Sqlite) => "REAL",
        (Type::Bool, _) => "BOOLEAN",
        (Type::Date, _) => "DATE",
        (Type::Datetime, Postgresql) => "TIMESTAMPTZ",
        (Type::Datetime, Mysql) => "DATETIME(6)",
        (Type::Datetime, Sqlite) => "DATETIME",
        (Type::Uuid, Mysql) => "BINARY(16)",
        (Type::Uuid, _) => "UUID",
        (Type::Json, Postgresql) => "JSONB",
        (Type::Json, _) => "JSON",
    };
    fixed.to_owned()
}

pub(super) fn kind_of(driver: Driver, ty: Type) -> Kind {
    match ty {
        Type::String(_) | Type::Text => Kind::String,
        Type::Integer => integer_kind(driver),
        Type::Bigint | Type::References => Kind::I64,
        Type::Float => Kind::F64,
        Type::Decimal(..) => Kind::Decimal,
        Type::Bool => Kind::Bool,
        Type::Date => Kind::Date,
        Type::Datetime => Kind::DateTime,
        Type::Uuid => Kind::Uuid,
        Type::Json => Kind::Json,
    }
}

/// INTEGER is 32 bits on PostgreSQL and MySQL, 64 on SQLite.
pub(super) fn integer_kind(driver: Driver) -> Kind {
    match driver {
        Driver::Sqlite => Kind::I64,
        _ => Kind::I32,
    }
}
