//! [`FormValue`]: how a column's Rust type reads from the text of an HTML input, and the text
//! an input shows for it.

use std::fmt::Display;
use std::num::IntErrorKind;

/// A value an HTML form input carries as text.
///
/// | type | reads | `to_input` |
/// |---|---|---|
/// | `String` | the text as sent, CRLF as LF (textareas send CRLF); absent → `""` | the text |
/// | `bool` | absent, `""`, `false`, `off`, `0` → false; `true`, `on`, `1` → true | `true` / `false` |
/// | `i8` … `u64` | trimmed decimal digits, an optional sign | `-12` |
/// | `f32`, `f64` | trimmed, `1.5`, `-2e3`; never NaN or infinity | the shortest text that reads back |
/// | `Option<T>` | absent, `""` or only whitespace → `None`, else `T`'s reading | `""` for `None` |
/// | `Vec<u8>` | as `String`, its UTF-8 bytes | the bytes as UTF-8 (invalid bytes as U+FFFD) |
/// | `NaiveDate` (feature `chrono`) | `2026-01-02`, as `<input type="date">` sends | `2026-01-02` |
/// | `NaiveTime` (`chrono`) | `12:30`, `12:30:05`, `12:30:05.25` | `12:30:05`, milliseconds when there are any (`12:30:05.250`) |
/// | `NaiveDateTime` (`chrono`) | `2026-01-02T12:30`, `2026-01-02T12:30:05[.ffffff]`, a space for `T` | `2026-01-02T12:30:05`, milliseconds when there are any |
/// | `DateTime<Utc>` (`chrono`) | as `NaiveDateTime`, taken as UTC, or RFC 3339 with an offset | as `NaiveDateTime`, in UTC |
/// | `Decimal` (feature `decimal`) | `12.50`, `-3`, `1.5e3` | `12.50` (its scale kept) |
/// | `Uuid` (feature `uuid`) | any form `Uuid::parse_str` takes | `67e55044-10b1-426f-9247-bb680e5fe0c8` |
/// | `serde_json::Value` (feature `json`) | JSON text | compact JSON |
///
/// Text is trimmed except for `String`, `Vec<u8>` and JSON (whose parser skips whitespace).
/// An empty or absent field is an error for every type that has no empty value (numbers,
/// dates, UUIDs, JSON): such a column is NOT NULL, so the form must give it one; a nullable
/// column is an `Option`. What `to_input` writes, `from_input` reads back to the same value,
/// except that times show at most milliseconds: HTML's time and `datetime-local` inputs take
/// one to three fraction digits (HTML, "valid time string") and show nothing for more, so a
/// stored `12:30:05.123456` is shown, and saved back from an edit form, as `12:30:05.123`.
pub trait FormValue: Sized {
    /// Reads the value. `text` is `None` when the browser did not send the field (an unchecked
    /// checkbox), `Some("")` for an empty input. `Err` is the message after the field's name:
    /// `"must be a whole number"`.
    fn from_input(text: Option<&str>) -> Result<Self, String>;

    /// The text an input shows for the value (the edit page): what `from_input` reads back.
    fn to_input(&self) -> String;
}

/// The message of a field that must hold a number (a float or a decimal).
const NOT_A_NUMBER: &str = "must be a number";

/// The text of a field that is trimmed before reading; absent reads as `""`.
fn trimmed(text: Option<&str>) -> &str {
    text.unwrap_or_default().trim()
}

impl FormValue for String {
    fn from_input(text: Option<&str>) -> Result<String, String> {
        Ok(text.unwrap_or_default().replace("\r\n", "\n"))
    }

    fn to_input(&self) -> String {
        self.clone()
    }
}

impl FormValue for bool {
    fn from_input(text: Option<&str>) -> Result<bool, String> {
        match trimmed(text) {
            "" | "false" | "off" | "0" => Ok(false),
            "true" | "on" | "1" => Ok(true),
            _ => Err("must be true or false".into()),
        }
    }

    fn to_input(&self) -> String {
        self.to_string()
    }
}

/// Reads a whole number of type `T`, whose range is `min..=max` (named in the message).
fn whole_number<T: TryFrom<i128>>(
    text: Option<&str>,
    min: impl Display,
    max: impl Display,
) -> Result<T, String> {
    let out_of_range = || format!("must be a whole number from {min} to {max}");
    match trimmed(text).parse::<i128>() {
        Ok(n) => T::try_from(n).map_err(|_| out_of_range()),
        Err(e) => match e.kind() {
            IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => Err(out_of_range()),
            _ => Err("must be a whole number".into()),
        },
    }
}

macro_rules! whole_numbers {
    ($($t:ty),*) => {$(
        impl FormValue for $t {
            fn from_input(text: Option<&str>) -> Result<$t, String> {
                whole_number(text, <$t>::MIN, <$t>::MAX)
            }

            fn to_input(&self) -> String {
                self.to_string()
            }
        }
    )*};
}

whole_numbers!(i8, i16, i32, i64, u8, u16, u32, u64);

macro_rules! floats {
    ($($t:ty),*) => {$(
        impl FormValue for $t {
            fn from_input(text: Option<&str>) -> Result<$t, String> {
                match trimmed(text).parse::<$t>() {
                    Ok(n) if n.is_finite() => Ok(n),
                    _ => Err(NOT_A_NUMBER.into()),
                }
            }

            fn to_input(&self) -> String {
                self.to_string()
            }
        }
    )*};
}

floats!(f32, f64);

impl<T: FormValue> FormValue for Option<T> {
    fn from_input(text: Option<&str>) -> Result<Option<T>, String> {
        match text {
            Some(text) if !text.trim().is_empty() => T::from_input(Some(text)).map(Some),
            _ => Ok(None),
        }
    }

    fn to_input(&self) -> String {
        self.as_ref().map_or_else(String::new, T::to_input)
    }
}

impl FormValue for Vec<u8> {
    fn from_input(text: Option<&str>) -> Result<Vec<u8>, String> {
        String::from_input(text).map(String::into_bytes)
    }

    fn to_input(&self) -> String {
        String::from_utf8_lossy(self).into_owned()
    }
}

#[cfg(feature = "chrono")]
mod dates {
    use super::{trimmed, FormValue};
    use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc};

    const DATE: &str = "must be a date (YYYY-MM-DD)";
    const TIME: &str = "must be a time (HH:MM:SS)";
    const DATE_TIME: &str = "must be a date and time (YYYY-MM-DDTHH:MM:SS)";
    /// `%.f` reads an optional fraction (any number of digits).
    const TIME_FORMATS: [&str; 2] = ["%H:%M:%S%.f", "%H:%M"];
    const DATE_TIME_FORMATS: [&str; 4] = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ];

    /// `12:30:05`, or `12:30:05.123` when the time has a millisecond or more past the second
    /// (finer digits dropped: an input shows at most three).
    fn clock(time: &NaiveTime) -> String {
        let millis = time.nanosecond() % 1_000_000_000 / 1_000_000;
        match millis {
            0 => time.format("%H:%M:%S").to_string(),
            _ => format!("{}.{millis:03}", time.format("%H:%M:%S")),
        }
    }

    fn date_time(text: &str) -> Option<NaiveDateTime> {
        DATE_TIME_FORMATS
            .iter()
            .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
    }

    impl FormValue for NaiveDate {
        fn from_input(text: Option<&str>) -> Result<NaiveDate, String> {
            NaiveDate::parse_from_str(trimmed(text), "%Y-%m-%d").map_err(|_| DATE.into())
        }

        fn to_input(&self) -> String {
            self.format("%Y-%m-%d").to_string()
        }
    }

    impl FormValue for NaiveTime {
        fn from_input(text: Option<&str>) -> Result<NaiveTime, String> {
            let text = trimmed(text);
            TIME_FORMATS
                .iter()
                .find_map(|format| NaiveTime::parse_from_str(text, format).ok())
                .ok_or_else(|| TIME.into())
        }

        fn to_input(&self) -> String {
            clock(self)
        }
    }

    impl FormValue for NaiveDateTime {
        fn from_input(text: Option<&str>) -> Result<NaiveDateTime, String> {
            date_time(trimmed(text)).ok_or_else(|| DATE_TIME.into())
        }

        fn to_input(&self) -> String {
            format!("{}T{}", self.format("%Y-%m-%d"), clock(&self.time()))
        }
    }

    impl FormValue for DateTime<Utc> {
        fn from_input(text: Option<&str>) -> Result<DateTime<Utc>, String> {
            let text = trimmed(text);
            match DateTime::parse_from_rfc3339(text) {
                Ok(at) => Ok(at.with_timezone(&Utc)),
                Err(_) => date_time(text)
                    .map(|at| at.and_utc())
                    .ok_or_else(|| DATE_TIME.into()),
            }
        }

        fn to_input(&self) -> String {
            self.naive_utc().to_input()
        }
    }
}

#[cfg(feature = "decimal")]
impl FormValue for rust_decimal::Decimal {
    fn from_input(text: Option<&str>) -> Result<rust_decimal::Decimal, String> {
        let text = trimmed(text);
        text.parse()
            .or_else(|_| rust_decimal::Decimal::from_scientific(text))
            .map_err(|_| NOT_A_NUMBER.into())
    }

    fn to_input(&self) -> String {
        self.to_string()
    }
}

#[cfg(feature = "uuid")]
impl FormValue for uuid::Uuid {
    fn from_input(text: Option<&str>) -> Result<uuid::Uuid, String> {
        uuid::Uuid::parse_str(trimmed(text)).map_err(|_| "must be a UUID".into())
    }

    fn to_input(&self) -> String {
        self.to_string()
    }
}

#[cfg(feature = "json")]
impl FormValue for serde_json::Value {
    fn from_input(text: Option<&str>) -> Result<serde_json::Value, String> {
        serde_json::from_str(text.unwrap_or_default()).map_err(|e| format!("must be JSON: {e}"))
    }

    fn to_input(&self) -> String {
        self.to_string()
    }
}
