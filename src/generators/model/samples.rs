//! Sample values for the generated model tests: one Rust expression per column, chosen to catch
//! what a round trip can lose (non-ASCII text, extreme integers, decimal digits, microseconds),
//! yet fit the column (its length, its `(precision, scale)`, the fractional seconds it keeps).

use crate::driver::Driver;
use crate::schema::{Column, Kind};

/// Which of two different values: `First` is what a row is created with, `Second` what an
/// update writes over it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    First,
    Second,
}

/// A Rust expression of the column's type (without `Option`): for a unique or key column,
/// built from the test's `n` (a number unique to the call, so rows of parallel tests and of
/// earlier runs never collide), else a constant.
pub fn sample(driver: Driver, column: &Column, variant: Variant, unique: bool) -> String {
    if unique {
        return unique_sample(column);
    }
    let first = variant == Variant::First;
    let pick = |a: &str, b: &str| if first { a.to_owned() } else { b.to_owned() };
    match column.kind {
        Kind::Bool => pick("true", "false"),
        Kind::I8 => pick("i8::MIN", "i8::MAX"),
        Kind::I16 => pick("i16::MIN", "i16::MAX"),
        // MySQL's MEDIUMINT holds 24 bits.
        Kind::I32 if medium(column) => pick("-8_388_608", "8_388_607"),
        Kind::U32 if medium(column) => pick("16_777_215", "0"),
        Kind::I32 => pick("i32::MIN", "i32::MAX"),
        Kind::I64 => pick("i64::MIN", "i64::MAX"),
        Kind::U8 => pick("u8::MAX", "0"),
        Kind::U16 => pick("u16::MAX", "0"),
        Kind::U32 => pick("u32::MAX", "0"),
        Kind::U64 => pick("u64::MAX", "0"),
        Kind::F32 => pick("-1.5e-7", "0.1"),
        Kind::F64 => pick("-1.5e300", "0.1"),
        Kind::Decimal => decimal(driver, column, first),
        Kind::String => text(
            column,
            if first {
                "héllo wörld ✓ 日本語 "
            } else {
                "ça va? ½ "
            },
        ),
        Kind::Bytes => bytes(column, first),
        // `date`, `time` and `at` are helpers of the generated test (see test.rs.jinja).
        Kind::Date => pick("date(1999, 12, 31)", "date(2024, 2, 29)"),
        Kind::Time if keeps_micros(driver, column) => {
            pick("time(23, 59, 58, 123_456)", "time(0, 0, 1, 999_999)")
        }
        Kind::Time => pick("time(23, 59, 58, 0)", "time(0, 0, 1, 0)"),
        Kind::DateTime | Kind::NaiveDateTime => {
            let micros = keeps_micros(driver, column);
            let value = match (first, micros) {
                (true, true) => "at(1_709_211_255_161_718)",
                (false, true) => "at(951_782_400_000_001)",
                (true, false) => "at(1_709_211_255_000_000)",
                (false, false) => "at(951_782_400_000_000)",
            };
            match column.kind {
                Kind::NaiveDateTime => format!("{value}.naive_utc()"),
                _ => value.to_owned(),
            }
        }
        Kind::Uuid => pick(
            "Uuid::from_u128(0x0123_4567_89ab_cdef_fedc_ba98_7654_3210)",
            "Uuid::from_u128(1)",
        ),
        Kind::Json => pick(
            "json!({\"name\": \"héllo\", \"list\": [1, 2.5, null, true]})",
            "json!([])",
        ),
    }
}

/// Whether the column is MySQL's 24-bit MEDIUMINT.
fn medium(column: &Column) -> bool {
    column
        .sql_type
        .to_ascii_lowercase()
        .starts_with("mediumint")
}

/// A value made from `n` (an `i64` in the test), for unique and key columns.
pub fn unique_sample(column: &Column) -> String {
    match column.kind {
        Kind::Bool => "n % 2 == 0".to_owned(),
        Kind::String => match column.max_length {
            Some(max) if max < 19 => format!("(n % {}).to_string()", pow10(max)),
            _ => "format!(\"ü{n}\")".to_owned(),
        },
        Kind::I64 => "n".to_owned(),
        Kind::U64 => "n.unsigned_abs()".to_owned(),
        Kind::Decimal => {
            let (precision, scale) = column.numeric.unwrap_or((18, 6));
            let digits = precision.min(18);
            format!("Decimal::new(n % {}, {scale})", pow10(digits))
        }
        Kind::Date => "date(2000 + (n % 7000) as i32, 1, 1)".to_owned(),
        Kind::Uuid => "Uuid::from_u128(n.unsigned_abs().into())".to_owned(),
        Kind::Bytes => "n.to_be_bytes().to_vec()".to_owned(),
        Kind::Json => "json!(n)".to_owned(),
        Kind::F32 => "n as f32".to_owned(),
        Kind::F64 => "n as f64".to_owned(),
        Kind::Time => "time((n % 24) as u32, (n % 60) as u32, (n % 59) as u32, 0)".to_owned(),
        // Whole seconds before 2034, which every date-time column keeps.
        Kind::DateTime => "at(n % 2_000_000_000 * 1_000_000)".to_owned(),
        Kind::NaiveDateTime => "at(n % 2_000_000_000 * 1_000_000).naive_utc()".to_owned(),
        // The small integers wrap: fine for a value no other row of the test has.
        small => format!("(n % {}) as {}", small_range(small), small.rust_type()),
    }
}

fn small_range(kind: Kind) -> &'static str {
    match kind {
        Kind::I8 => "i8::MAX as i64",
        Kind::U8 => "u8::MAX as i64",
        Kind::I16 => "i16::MAX as i64",
        Kind::U16 => "u16::MAX as i64",
        Kind::I32 => "i32::MAX as i64",
        _ => "u32::MAX as i64",
    }
}

/// `10^digits` as a Rust literal with `_` separators every three digits (clippy's
/// `unreadable_literal` is pedantic, but the output is for people).
fn pow10(digits: u32) -> String {
    group(&format!("1{}", "0".repeat(digits as usize)))
}

/// Whether the column keeps microseconds: PostgreSQL's and SQLite's always do, MySQL's only
/// with a fractional precision of 6 (`DATETIME(6)`, `TIME(6)`).
fn keeps_micros(driver: Driver, column: &Column) -> bool {
    driver != Driver::Mysql || column.sql_type.ends_with("(6)")
}

/// A decimal with as many digits as the column holds (at most 15 significant ones on SQLite,
/// which keeps decimals as 64-bit floats) and every fractional digit it keeps.
fn decimal(driver: Driver, column: &Column, first: bool) -> String {
    let (precision, scale) = column.numeric.unwrap_or((18, 6));
    if !first {
        return format!("Decimal::new(7, {})", scale.min(1));
    }
    let max = if driver == Driver::Sqlite { 15 } else { 18 };
    let digits = precision.min(max).max(1);
    let scale = scale.min(digits);
    let mantissa: String = "1234567890".chars().cycle().take(digits as usize).collect();
    format!("Decimal::new(-{}, {scale})", group(&mantissa))
}

/// `1234567` → `1_234_567`.
fn group(digits: &str) -> String {
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('_');
        }
        out.push(c);
    }
    out
}

/// Text cut to the column's length; a fixed-length CHAR(n) gets exactly n characters (the
/// database would pad a shorter one with spaces).
fn text(column: &Column, base: &str) -> String {
    let sql = column.sql_type.to_ascii_lowercase();
    let fixed = sql.starts_with("char") || sql.starts_with("character(") || sql == "character";
    let value: String = match column.max_length {
        Some(max) if fixed => base.chars().cycle().take(max as usize).collect(),
        Some(max) => base.trim_end().chars().take(max as usize).collect(),
        None => base.trim_end().to_owned(),
    };
    format!("{:?}.to_owned()", value)
}

/// Bytes that are not UTF-8; a fixed-length BINARY(n) gets exactly n of them (MySQL pads).
fn bytes(column: &Column, first: bool) -> String {
    let sql = column.sql_type.to_ascii_lowercase();
    let fixed = sql
        .strip_prefix("binary(")
        .and_then(|rest| rest.strip_suffix(')'))
        .and_then(|n| n.parse::<usize>().ok());
    let base: &[u8] = if first {
        &[0, 159, 146, 150, 255]
    } else {
        b"tspawn"
    };
    let value: Vec<String> = match fixed {
        Some(n) => base.iter().cycle().take(n).map(u8::to_string).collect(),
        None => base.iter().map(u8::to_string).collect(),
    };
    format!("vec![{}]", value.join(", "))
}

/// A value of `column` as an SQL literal on `driver`, for the row of a parent table the
/// generated test inserts with plain SQL (so a foreign key has a row to point at).
pub fn literal(driver: Driver, column: &Column) -> String {
    let quoted = |text: &str| format!("'{text}'");
    match column.kind {
        Kind::Bool if driver == Driver::Postgresql => "TRUE".to_owned(),
        Kind::Bool => "1".to_owned(),
        Kind::F32 | Kind::F64 => "1.5".to_owned(),
        Kind::Decimal => "1".to_owned(),
        Kind::String => {
            let sql = column.sql_type.to_ascii_lowercase();
            let fixed = sql.starts_with("char") || sql.starts_with("character(");
            match column.max_length {
                Some(max) if fixed => quoted(&"x".repeat(max as usize)),
                _ => quoted("x"),
            }
        }
        Kind::Uuid if driver == Driver::Postgresql => {
            quoted("00000000-0000-0000-0000-000000000001")
        }
        Kind::Bytes if driver == Driver::Postgresql => "'\\x00'::bytea".to_owned(),
        Kind::Uuid => format!("X'{}1'", "0".repeat(31)),
        Kind::Bytes => "X'00'".to_owned(),
        Kind::Date => quoted("2000-01-01"),
        Kind::Time => quoted("12:00:00"),
        Kind::DateTime | Kind::NaiveDateTime => quoted("2000-01-01 00:00:00"),
        Kind::Json => quoted("{}"),
        _ => "1".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_grouped() {
        assert_eq!(pow10(6), "1_000_000");
        assert_eq!(pow10(2), "100");
        assert_eq!(group("1234567"), "1_234_567");
    }
}
