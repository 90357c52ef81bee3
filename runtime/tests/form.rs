//! HTML forms: each `FormValue` reads what its input sends and writes what it reads back,
//! `FormInput` keeps the text and one message per problem, and as an extractor it takes what a
//! browser posts and refuses anything else as axum's `Form` does.
#![cfg(feature = "validation")]

use std::fmt::Debug;

use axum::body::{Body, Bytes};
use axum::http::header::CONTENT_TYPE;
use axum::http::{Request, StatusCode};
use tspawn_runtime::form::{FormInput, FormValue};
use tspawn_runtime::prelude::*;
use tspawn_runtime::testing::form_body;
use tspawn_runtime::tower::ServiceExt;
use tspawn_runtime::validation;
use tspawn_runtime::validator::Validate;

const URLENCODED: &str = "application/x-www-form-urlencoded";

/// `to_input` of each value, read back by `from_input`, gives the value again.
fn round_trip<T: FormValue + PartialEq + Debug>(values: impl IntoIterator<Item = T>) {
    for value in values {
        let text = value.to_input();
        let back = T::from_input(Some(&text));
        assert_eq!(back.as_ref(), Ok(&value), "{value:?} shown as {text:?}");
    }
}

/// What `text` reads as, for a type named by the caller.
fn read<T: FormValue>(text: Option<&str>) -> Result<T, String> {
    T::from_input(text)
}

/// The message `text` gets as a `T` (fails when it reads).
fn message<T: FormValue + Debug>(text: Option<&str>) -> String {
    read::<T>(text).unwrap_err()
}

#[test]
fn every_value_reads_back_what_it_shows() {
    round_trip(["", "a b", "line 1\nline 2", "ünï <b>&", " padded "].map(String::from));
    round_trip([true, false]);
    round_trip([i8::MIN, 0, i8::MAX]);
    round_trip([i16::MIN, -1, i16::MAX]);
    round_trip([i32::MIN, 7, i32::MAX]);
    round_trip([i64::MIN, 7, i64::MAX]);
    round_trip([u8::MIN, u8::MAX]);
    round_trip([u16::MIN, u16::MAX]);
    round_trip([u32::MIN, u32::MAX]);
    round_trip([u64::MIN, u64::MAX]);
    round_trip([0.0f32, -1.5, 0.1, 1e-7, f32::MAX, f32::MIN_POSITIVE]);
    round_trip([0.0f64, -1.5, 0.1, 1e-300, f64::MAX, f64::MIN_POSITIVE]);
    round_trip([None, Some(0), Some(-3)]);
    round_trip([None, Some(true), Some(false)]);
    round_trip([None, Some("x".to_owned())]);
    round_trip([b"hello".to_vec(), "é\n".as_bytes().to_vec(), Vec::new()]);
}

#[test]
fn text_is_kept_as_sent_with_crlf_as_lf() {
    assert_eq!(read::<String>(Some("a\r\nb\r\n")), Ok("a\nb\n".to_owned()));
    assert_eq!(read::<String>(Some("  x ")), Ok("  x ".to_owned()));
    assert_eq!(read::<String>(None), Ok(String::new()));
    assert_eq!(
        read::<Option<String>>(Some("a\r\nb")),
        Ok(Some("a\nb".into()))
    );
    assert_eq!(read::<Vec<u8>>(Some("a\r\nb")), Ok(b"a\nb".to_vec()));
}

#[test]
fn checkboxes_and_yes_no_selects() {
    for (text, value) in [(None, false), (Some(""), false), (Some("true"), true)] {
        assert_eq!(read::<bool>(text), Ok(value), "{text:?}");
    }
    for text in ["on", "1", " true "] {
        assert_eq!(read::<bool>(Some(text)), Ok(true), "{text:?}");
    }
    for text in ["off", "0", "false"] {
        assert_eq!(read::<bool>(Some(text)), Ok(false), "{text:?}");
    }
    assert_eq!(
        read::<bool>(Some("yes")),
        Err("must be true or false".into())
    );
    assert_eq!(read::<Option<bool>>(Some("")), Ok(None));
    assert_eq!(read::<Option<bool>>(None), Ok(None));
    assert_eq!(read::<Option<bool>>(Some("true")), Ok(Some(true)));
    assert_eq!(read::<Option<bool>>(Some("false")), Ok(Some(false)));
}

#[test]
fn whole_numbers_name_their_range() {
    assert_eq!(read::<i32>(Some(" -42 ")), Ok(-42));
    assert_eq!(read::<u8>(Some("+7")), Ok(7));
    let whole = "must be a whole number";
    for text in [
        None,
        Some(""),
        Some("  "),
        Some("1.5"),
        Some("1e3"),
        Some("ten"),
    ] {
        assert_eq!(message::<i64>(text), whole, "{text:?}");
    }
    let range = |min: &str, max: &str| format!("must be a whole number from {min} to {max}");
    assert_eq!(message::<i8>(Some("128")), range("-128", "127"));
    assert_eq!(message::<u8>(Some("-1")), range("0", "255"));
    assert_eq!(message::<u32>(Some("4294967296")), range("0", "4294967295"));
    let i64_range = range("-9223372036854775808", "9223372036854775807");
    assert_eq!(message::<i64>(Some("9223372036854775808")), i64_range);
    let digits = "9".repeat(50);
    assert_eq!(
        message::<u64>(Some(&digits)),
        range("0", "18446744073709551615")
    );
    assert_eq!(
        message::<u64>(Some(&format!("-{digits}"))),
        range("0", "18446744073709551615")
    );
}

#[test]
fn floats_are_finite_numbers() {
    assert_eq!(read::<f64>(Some(" 2.5 ")), Ok(2.5));
    assert_eq!(read::<f64>(Some("-2e3")), Ok(-2000.0));
    assert_eq!(read::<f32>(Some(".5")), Ok(0.5));
    let number = "must be a number";
    for text in [
        "",
        " ",
        "NaN",
        "nan",
        "inf",
        "-infinity",
        "1e400",
        "1,5",
        "x",
    ] {
        assert_eq!(message::<f64>(Some(text)), number, "{text:?}");
    }
    assert_eq!(message::<f32>(Some("1e39")), number);
    assert_eq!(message::<f32>(None), number);
}

#[test]
fn optional_values_are_none_when_empty_and_checked_otherwise() {
    for text in [None, Some(""), Some("   ")] {
        assert_eq!(read::<Option<i32>>(text), Ok(None), "{text:?}");
        assert_eq!(read::<Option<f64>>(text), Ok(None), "{text:?}");
        assert_eq!(read::<Option<String>>(text), Ok(None), "{text:?}");
    }
    assert_eq!(read::<Option<i32>>(Some("5")), Ok(Some(5)));
    let whole = "must be a whole number";
    assert_eq!(message::<Option<i32>>(Some("five")), whole);
    assert_eq!(
        read::<Option<u8>>(Some("300")).unwrap_err(),
        "must be a whole number from 0 to 255"
    );
}

#[cfg(feature = "chrono")]
mod dates {
    use super::{message, read, round_trip};
    use tspawn_runtime::chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
    use tspawn_runtime::form::FormValue;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, micro: u32) -> NaiveDateTime {
        date(y, mo, d).and_hms_micro_opt(h, mi, s, micro).unwrap()
    }

    #[test]
    fn dates_and_times_read_back_what_they_show() {
        round_trip([date(2026, 1, 2), date(1, 1, 1), date(9999, 12, 31)]);
        let times = [
            (0, 0, 0, 0),
            (12, 30, 5, 0),
            (12, 30, 5, 123_000),
            (23, 59, 59, 999_000),
        ];
        round_trip(times.map(|(h, m, s, u)| NaiveTime::from_hms_micro_opt(h, m, s, u).unwrap()));
        let moments = [
            at(2026, 1, 2, 12, 30, 0, 0),
            at(1999, 12, 31, 23, 59, 59, 250_000),
        ];
        round_trip(moments);
        round_trip(moments.map(|moment| moment.and_utc()));
    }

    #[test]
    fn inputs_show_seconds_and_a_fraction_only_when_there_is_one() {
        assert_eq!(
            at(2026, 1, 2, 12, 30, 0, 0).to_input(),
            "2026-01-02T12:30:00"
        );
        assert_eq!(
            at(2026, 1, 2, 12, 30, 5, 250_000).to_input(),
            "2026-01-02T12:30:05.250"
        );
        assert_eq!(
            at(2026, 1, 2, 9, 5, 0, 0).and_utc().to_input(),
            "2026-01-02T09:05:00"
        );
        assert_eq!(date(2026, 1, 2).to_input(), "2026-01-02");
        let time = NaiveTime::from_hms_opt(8, 0, 0).unwrap();
        assert_eq!(time.to_input(), "08:00:00");
    }

    #[test]
    fn inputs_show_at_most_milliseconds_as_html_inputs_take() {
        let fine = at(2026, 1, 2, 12, 30, 5, 123_456);
        assert_eq!(fine.to_input(), "2026-01-02T12:30:05.123");
        assert_eq!(fine.time().to_input(), "12:30:05.123");
        assert_eq!(
            at(2026, 1, 2, 12, 30, 5, 999).to_input(),
            "2026-01-02T12:30:05"
        );
    }

    #[test]
    fn datetime_local_without_seconds_and_other_spellings() {
        let noon = Ok(at(2026, 1, 2, 12, 30, 0, 0));
        for text in [
            "2026-01-02T12:30",
            "2026-01-02T12:30:00",
            "2026-01-02 12:30",
            " 2026-01-02 12:30:00 ",
        ] {
            assert_eq!(read::<NaiveDateTime>(Some(text)), noon, "{text:?}");
        }
        let fraction = read::<NaiveDateTime>(Some("2026-01-02T12:30:05.123456"));
        assert_eq!(fraction, Ok(at(2026, 1, 2, 12, 30, 5, 123_456)));
        let utc = Ok(at(2026, 1, 2, 12, 30, 0, 0).and_utc());
        for text in [
            "2026-01-02T12:30",
            "2026-01-02T14:30:00+02:00",
            "2026-01-02T12:30:00Z",
        ] {
            assert_eq!(read::<DateTime<Utc>>(Some(text)), utc, "{text:?}");
        }
        assert_eq!(
            read::<NaiveTime>(Some("12:30")),
            Ok(NaiveTime::from_hms_opt(12, 30, 0).unwrap())
        );
        let precise = NaiveTime::from_hms_milli_opt(12, 30, 5, 250).unwrap();
        assert_eq!(read::<NaiveTime>(Some("12:30:05.25")), Ok(precise));
    }

    #[test]
    fn empty_absent_and_garbage_dates_say_the_format() {
        let day = "must be a date (YYYY-MM-DD)";
        let time = "must be a time (HH:MM:SS)";
        let moment = "must be a date and time (YYYY-MM-DDTHH:MM:SS)";
        for text in [
            None,
            Some(""),
            Some("soon"),
            Some("2026-02-30"),
            Some("02/01/2026"),
        ] {
            assert_eq!(message::<NaiveDate>(text), day, "{text:?}");
            assert_eq!(message::<NaiveDateTime>(text), moment, "{text:?}");
            assert_eq!(message::<DateTime<Utc>>(text), moment, "{text:?}");
        }
        for text in [None, Some(""), Some("noon"), Some("25:00"), Some("12")] {
            assert_eq!(message::<NaiveTime>(text), time, "{text:?}");
        }
        assert_eq!(message::<NaiveDateTime>(Some("2026-01-02")), moment);
        assert_eq!(read::<Option<NaiveDate>>(Some("")), Ok(None));
    }
}

#[cfg(feature = "decimal")]
#[test]
fn decimals_keep_their_scale() {
    use tspawn_runtime::rust_decimal::Decimal;
    let decimals = ["12.50", "-0.001", "0", "79228162514264337593543950335"];
    round_trip(decimals.map(|text| text.parse::<Decimal>().unwrap()));
    assert_eq!(
        read::<Decimal>(Some(" 12.50 ")).unwrap().to_input(),
        "12.50"
    );
    assert_eq!(read::<Decimal>(Some("1.5e3")), Ok(Decimal::from(1500)));
    let number = "must be a number";
    for text in [
        None,
        Some(""),
        Some("NaN"),
        Some("1,5"),
        Some("99999999999999999999999999999999"),
    ] {
        assert_eq!(message::<Decimal>(text), number, "{text:?}");
    }
}

#[cfg(feature = "uuid")]
#[test]
fn uuids() {
    use tspawn_runtime::uuid::Uuid;
    let key = "67e55044-10b1-426f-9247-bb680e5fe0c8";
    round_trip([Uuid::nil(), key.parse().unwrap()]);
    assert_eq!(
        read::<Uuid>(Some(&key.to_uppercase())).unwrap().to_input(),
        key
    );
    for text in [None, Some(""), Some("67e55044")] {
        assert_eq!(message::<Uuid>(text), "must be a UUID", "{text:?}");
    }
}

#[cfg(feature = "json")]
#[test]
fn json_text() {
    use tspawn_runtime::serde_json::{json, Value};
    round_trip([
        Value::Null,
        json!({"a": [1, 2.5, "x"]}),
        json!("text"),
        json!(-3),
    ]);
    assert_eq!(json!({"a": [1, 2]}).to_input(), r#"{"a":[1,2]}"#);
    assert_eq!(
        read::<Value>(Some("{\r\n \"a\": 1\r\n}")),
        Ok(json!({"a": 1}))
    );
    let missing = read::<Value>(Some("")).unwrap_err();
    assert_eq!(
        missing,
        "must be JSON: EOF while parsing a value at line 1 column 0"
    );
    let trailing = read::<Value>(Some("{\"a\": 1,}")).unwrap_err();
    assert!(
        trailing.starts_with("must be JSON: trailing comma at line 1"),
        "{trailing}"
    );
}

#[test]
fn the_input_keeps_the_first_value_of_a_name_and_shows_rows() {
    let mut input = FormInput::from_pairs([("title", "one"), ("tag", "a"), ("title", "two")]);
    assert_eq!(input.value("title"), "one");
    assert_eq!(input.value("tag"), "a");
    assert_eq!(input.value("missing"), "");
    input.set("title", &"three".to_owned());
    input.set("count", &Some(4u8));
    input.set("r#type", &true);
    assert_eq!(
        [
            input.value("title"),
            input.value("count"),
            input.value("type")
        ],
        ["three", "4", "true"]
    );
    assert!(FormInput::new().value("title").is_empty() && FormInput::new().is_valid());
}

#[test]
fn read_records_one_message_per_field_and_returns_the_default() {
    let mut input = FormInput::from_pairs([("count", "many"), ("r#type", "x"), ("type", "maybe")]);
    assert_eq!(input.read::<i32>("count"), 0);
    assert_eq!(input.read::<i32>("count"), 0);
    assert_eq!(input.error("count"), Some("count must be a whole number"));
    assert_eq!(input.errors().get("count").len(), 1);
    assert!(!input.read::<bool>("r#type"));
    assert_eq!(input.error("type"), Some("type must be true or false"));
    assert_eq!(input.error("r#type"), Some("type must be true or false"));
    assert_eq!(input.read::<String>("absent"), "");
    assert_eq!(input.read::<Option<i64>>("absent"), None);
    assert!(!input.is_valid());
    let fields: Vec<_> = input.errors().iter().map(|(field, _)| field).collect();
    assert_eq!(fields, ["count", "type"]);
}

#[derive(Validate)]
#[validate(crate = "tspawn_runtime::validator")]
struct Blog {
    #[validate(
        custom(function = "validation::required", message = "title is required"),
        length(max = 5, message = "title must be at most 5 characters")
    )]
    title: String,
    #[validate(range(min = 1, message = "count must be at least 1"))]
    count: i32,
    #[validate(length(min = 2))]
    r#type: String,
}

fn blog(input: &mut FormInput) -> Blog {
    Blog {
        title: input.read("title"),
        count: input.read("count"),
        r#type: input.read("r#type"),
    }
}

#[test]
fn check_merges_parse_errors_and_rules_without_duplicates() {
    // count does not read (its default 0 would also break its rule): only the parse error.
    let mut input =
        FormInput::from_pairs([("title", "much too long"), ("count", "x"), ("type", "a")]);
    let form = blog(&mut input);
    assert!(!input.check(&form));
    assert_eq!(
        input.errors().get("count"),
        ["count must be a whole number"]
    );
    assert_eq!(
        input.errors().get("title"),
        ["title must be at most 5 characters"]
    );
    assert_eq!(input.errors().get("type"), ["type is invalid (length)"]);
    // Checking again adds nothing.
    assert!(!input.check(&form));
    let total: usize = input
        .errors()
        .iter()
        .map(|(_, messages)| messages.len())
        .sum();
    assert_eq!(total, 3);

    let mut input = FormInput::from_pairs([("title", " "), ("count", "0"), ("type", "ab")]);
    let form = blog(&mut input);
    assert!(!input.check(&form));
    assert_eq!(input.error("title"), Some("title is required"));
    assert_eq!(input.error("count"), Some("count must be at least 1"));
    assert_eq!(input.error("type"), None);

    let mut input = FormInput::from_pairs([("title", "Hi"), ("count", "2"), ("type", "ab")]);
    let form = blog(&mut input);
    assert!(input.check(&form) && input.is_valid());
    input.add_error("title", "title is taken");
    assert!(!input.is_valid() && !input.check(&form));
    assert_eq!(input.errors().get("title"), ["title is taken"]);
}

/// A handler taking the form: the text of `title`, `body` and `tag` and the `count` read.
async fn echo(mut input: FormInput) -> String {
    let count: Option<i32> = input.read("count");
    let values = ["title", "body", "tag"].map(|field| input.value(field).to_owned());
    format!("{values:?} count={count:?} errors={:?}", input.errors())
}

fn router() -> Router {
    Router::new().route("/blog/create", post(echo).get(echo))
}

/// Status and body of `POST /blog/create` with `body` and, when given, `Content-Type`.
async fn post_form(content_type: Option<&str>, body: Body) -> (StatusCode, String) {
    let mut request = Request::builder().method("POST").uri("/blog/create");
    if let Some(content_type) = content_type {
        request = request.header(CONTENT_TYPE, content_type);
    }
    let response = router().oneshot(request.body(body).unwrap()).await.unwrap();
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

#[test]
fn form_body_encodes_as_a_browser_does() {
    let body = form_body(&[("title", "a b&c=d"), ("body", "é\r\n+%"), ("tag", "")]);
    assert_eq!(body, "title=a+b%26c%3Dd&body=%C3%A9%0D%0A%2B%25&tag=");
}

#[tokio::test]
async fn a_posted_form_is_read_as_the_browser_sent_it() {
    let body = form_body(&[("title", "a b&c=d"), ("body", "é\r\n+%"), ("count", "3")]);
    let (status, text) = post_form(Some(URLENCODED), Body::from(body)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(
        text,
        r#"["a b&c=d", "é\r\n+%", ""] count=Some(3) errors=FieldErrors { fields: {} }"#
    );

    // Written by hand: `+` and `%20` are spaces, a repeated name keeps its first value, a
    // charset parameter is fine, a bad count is a message (not a rejection).
    let body = "title=first+one&tag=x%20y&title=second&count=lots";
    let (status, text) = post_form(
        Some("application/x-www-form-urlencoded; charset=UTF-8"),
        Body::from(body),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(
        text.starts_with(r#"["first one", "", "x y"] count=None errors="#),
        "{text}"
    );
    assert!(text.contains("count must be a whole number"), "{text}");
}

#[tokio::test]
async fn other_bodies_are_refused_with_one_plain_line() {
    let json = Body::from(r#"{"title":"x"}"#);
    let (status, text) = post_form(Some("application/json"), json).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        text,
        "Form requests must have `Content-Type: application/x-www-form-urlencoded`"
    );
    let (status, text) = post_form(None, Body::from("title=x")).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(
        !text.contains('\n') && text.contains("Content-Type"),
        "{text}"
    );

    // A body that breaks off while it is read (a client gone, broken chunking): 400.
    let chunks: [Result<Bytes, std::io::Error>; 2] = [
        Ok(Bytes::from("title=x&bo")),
        Err(std::io::Error::other("connection reset")),
    ];
    let broken = Body::from_stream(futures_util::stream::iter(chunks));
    let (status, text) = post_form(Some(URLENCODED), broken).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert!(
        text.starts_with("Failed to buffer the request body") && !text.contains('\n'),
        "{text}"
    );
}

#[tokio::test]
async fn over_tcp_broken_chunking_is_a_bad_request() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, router()).await });
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = "POST /blog/create HTTP/1.1\r\nHost: x\r\nContent-Type: \
                   application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n\
                   7\r\ntitle=x\r\nzz\r\n";
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let read = stream.read_to_end(&mut answer);
    tokio::time::timeout(std::time::Duration::from_secs(10), read)
        .await
        .expect("the server answers and closes")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
    let (_, body) = answer.split_once("\r\n\r\n").unwrap();
    assert!(body.starts_with("Failed to buffer the request body: ") && !body.contains('\n'));
    server.abort();
}

#[tokio::test]
async fn on_a_get_the_query_string_is_the_form() {
    let request = Request::get("/blog/create?title=a%2Bb&count=2")
        .body(Body::empty())
        .unwrap();
    let response = router().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    assert!(
        body.starts_with(br#"["a+b", "", ""] count=Some(2)"#),
        "{body:?}"
    );
}

#[test]
fn a_form_error_is_apart_from_every_field_even_one_named_form() {
    let mut input = FormInput::from_pairs([("form", "x")]);
    assert!(input.is_valid());
    input.add_form_error("Not saved: someone else changed it.");
    assert_eq!(
        input.form_error(),
        Some("Not saved: someone else changed it.")
    );
    assert_eq!(input.error("form"), None);
    assert!(input.errors().is_empty());
    assert!(!input.is_valid());
}
