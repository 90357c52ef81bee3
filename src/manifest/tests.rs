//! The manifest edits, text in and text out: each layout keeps its style and every other byte.

use super::{enable_features, Trouble};

const DEP: &str = "tspawn-runtime";

/// `text` with `features` turned on, the edit asserted to be idempotent.
fn on(text: &str, features: &[&str]) -> String {
    let features: Vec<String> = features.iter().map(|f| (*f).to_owned()).collect();
    let new = enable_features(text, DEP, &features).unwrap();
    assert_eq!(
        enable_features(&new, DEP, &features).unwrap(),
        new,
        "a second run changes nothing"
    );
    new
}

fn trouble(text: &str) -> Trouble {
    enable_features(text, DEP, &["chrono".to_owned()]).unwrap_err()
}

/// The app's manifest as `tspawn new` writes it (templates/new/Cargo.toml.jinja).
const APP: &str = "[package]\nname = \"blog\"\n\n[dependencies]\n# The runtime.\n\
tspawn-runtime = { path = \"vendor/tspawn-runtime\", default-features = false, features = [\"sqlite\"] }\n\
\n[dev-dependencies]\ntokio = { version = \"1\", features = [\"macros\"] }\n";

#[test]
fn a_one_line_array_gets_the_missing_features_in_order() {
    let new = on(APP, &["chrono", "sqlite", "decimal", "chrono"]);
    assert_eq!(
        new,
        APP.replace("[\"sqlite\"] }", "[\"sqlite\", \"chrono\", \"decimal\"] }")
    );
}

#[test]
fn nothing_missing_gives_the_text_back() {
    assert_eq!(on(APP, &["sqlite"]), APP);
    assert_eq!(on(APP, &[]), APP);
}

#[test]
fn a_crlf_manifest_stays_crlf_and_keeps_every_other_byte() {
    let crlf = APP.replace('\n', "\r\n");
    let new = on(&crlf, &["uuid"]);
    assert_eq!(
        new,
        crlf.replace("[\"sqlite\"] }", "[\"sqlite\", \"uuid\"] }")
    );

    let table = "[dependencies.tspawn-runtime]\r\npath = \"v\" # here\r\n\r\n[x]\r\n";
    assert_eq!(
        on(table, &["json"]),
        "[dependencies.tspawn-runtime]\r\npath = \"v\" # here\r\nfeatures = [\"json\"]\r\n\r\n[x]\r\n"
    );
}

#[test]
fn the_spacing_inside_the_brackets_is_kept() {
    let text = "[dependencies]\ntspawn-runtime = { path = \"v\" , features = [ \"sqlite\" ] }\n";
    assert_eq!(
        on(text, &["json"]),
        text.replace("[ \"sqlite\" ]", "[ \"sqlite\", \"json\" ]")
    );
    let empty = "[dependencies]\ntspawn-runtime = { path = \"v\", features = [] }\n";
    assert_eq!(
        on(empty, &["a", "b"]),
        empty.replace("[]", "[\"a\", \"b\"]")
    );
}

#[test]
fn a_multi_line_array_gets_a_line_per_feature_below_the_comment() {
    let text = "[dependencies]\ntspawn-runtime = { path = \"v\", features = [\n    \"sqlite\", # the driver\n] } # end\n";
    assert_eq!(
        on(text, &["chrono", "uuid"]),
        "[dependencies]\ntspawn-runtime = { path = \"v\", features = [\n    \"sqlite\", # the driver\n    \"chrono\",\n    \"uuid\",\n] } # end\n"
    );
    let no_comma =
        "[dependencies.tspawn-runtime]\nfeatures = [\r\n  \"sqlite\" # the driver\r\n  ]\r\n";
    assert_eq!(
        on(no_comma, &["chrono", "uuid"]),
        "[dependencies.tspawn-runtime]\nfeatures = [\r\n  \"sqlite\", # the driver\r\n  \"chrono\",\r\n  \"uuid\"\r\n  ]\r\n"
    );
    let closing = "[dependencies.tspawn-runtime]\nfeatures = [\n  # the driver\n  \"sqlite\"]\n";
    assert_eq!(
        on(closing, &["json"]),
        "[dependencies.tspawn-runtime]\nfeatures = [\n  # the driver\n  \"sqlite\",\n  \"json\"]\n"
    );
}

#[test]
fn an_entry_without_features_gets_them() {
    let inline = "[dependencies]\ntspawn-runtime = { path = \"v\" } # ours\nserde = \"1\"\n";
    assert_eq!(
        on(inline, &["json"]),
        inline.replace("\"v\" }", "\"v\", features = [\"json\"] }")
    );
    let table =
        "[dependencies.tspawn-runtime]\npath = \"v\"\n# trailing comment\n\n[dev-dependencies]\n";
    assert_eq!(
        on(table, &["json"]),
        table.replace("\"v\"\n", "\"v\"\nfeatures = [\"json\"]\n")
    );
    let at_end = "[dependencies.tspawn-runtime]\npath = \"v\"";
    assert_eq!(
        on(at_end, &["json"]),
        format!("{at_end}\nfeatures = [\"json\"]\n")
    );
}

#[test]
fn what_cannot_be_edited_says_why() {
    assert_eq!(
        trouble("[dependencies]\nserde = \"1\"\n"),
        Trouble::NoDependency
    );
    assert_eq!(trouble("[package]\nname = \"x\"\n"), Trouble::NoDependency);
    assert_eq!(
        trouble("[dependencies]\ntspawn-runtime = \"0.1\"\n"),
        Trouble::NotATable
    );
    assert_eq!(
        trouble("[dependencies]\ntspawn-runtime = { path = \"v\", features = \"x\" }\n"),
        Trouble::FeaturesNotAList
    );
    assert_eq!(
        trouble("[dependencies]\ntspawn-runtime.path = \"v\"\n"),
        Trouble::Unsupported
    );
    assert!(matches!(
        trouble("[package]\nname = \"x\"\n\n[dependencies\n"),
        Trouble::NotToml { line: 4, .. }
    ));
}
