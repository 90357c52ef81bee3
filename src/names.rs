//! The one validated name type. Every name a user types (an application, an endpoint, a
//! controller...) passes through [`Name::parse`] before anything is planned, so a bad name fails
//! with one clear line and nothing is written. The case forms generators need (`ChatEndpoint`,
//! `chat_endpoint`, `/chat`) are derived here and nowhere else.

use controller::action_problem;
use heck::{ToKebabCase, ToPascalCase, ToSnakeCase};
use model::{last_word, model_problem};
pub use model::{plural_of, singular_of};
use std::fmt;

mod controller;
mod model;

/// Rust's strict and reserved keywords (2021 and 2024 editions): a module or crate with such a
/// name does not compile, or needs `r#` everywhere.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Whether `word` is one of Rust's strict or reserved keywords (see [`KEYWORDS`]).
pub fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

/// Names cargo refuses for a package, or that would shadow a crate every app links (the
/// runtime and the app's own dependencies).
const RESERVED: &[&str] = &[
    "alloc",
    "axum",
    "build",
    "core",
    "deps",
    "examples",
    "http_body_util",
    "incremental",
    "proc_macro",
    "serde",
    "sqlx",
    "std",
    "test",
    "tokio",
    "tower",
    "tspawn",
    "tspawn_runtime",
];

/// What a name is for; it words the error message and decides which suffix is stripped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    Application,
    Endpoint,
    /// `tspawn model NAME`: a model (`Post`, `blog_entry`) or the table it maps (`posts`,
    /// `BlogEntry`, spelled as the database does). See [`Name::singular_snake`].
    Model,
    /// `tspawn helper NAME`: a module of src/helpers (`text`, `format_date`).
    Helper,
    /// `tspawn validator NAME`: the form of table or model NAME; a trailing "validator" is
    /// dropped as TreeFrog does (`BlogValidator` and `blog` both mean `blog`).
    Validator,
    /// `tspawn controller NAME ...`: written in snake_case without a trailing "controller"
    /// (`BlogController` is `blog`), as TreeFrog does.
    Controller,
    /// An action of `tspawn controller NAME ACTION...`: a handler function, a view file and a
    /// URL segment, so it must be snake_case already (see `names/controller.rs`).
    Action,
}

impl NameKind {
    /// `endpoint name`, for messages.
    pub fn label(self) -> &'static str {
        match self {
            NameKind::Application => "application name",
            NameKind::Endpoint => "endpoint name",
            NameKind::Model => "model name",
            NameKind::Helper => "helper name",
            NameKind::Validator => "validator name",
            NameKind::Controller => "controller name",
            NameKind::Action => "action name",
        }
    }

    fn example(self) -> &'static str {
        match self {
            NameKind::Application => "tspawn new chatapp",
            NameKind::Endpoint => "tspawn websocket chat",
            NameKind::Model => "tspawn model post title:string",
            NameKind::Helper => "tspawn helper text",
            NameKind::Validator => "tspawn validator blog",
            NameKind::Controller | NameKind::Action => "tspawn controller blog index show",
        }
    }
}

/// A name that is safe to use as a folder, a Cargo package, a Rust module and a type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    kind: NameKind,
    /// As typed (minus a stripped suffix): used for folder and package names.
    raw: String,
    /// Exactly as typed, for the note that says how a name was rewritten.
    typed: String,
}

/// Why a name was refused; `Display` gives the single line the user sees.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {} \"{input}\": {reason}", kind.label())]
pub struct NameError {
    kind: NameKind,
    input: String,
    reason: String,
}

impl Name {
    /// Validates `input` as a name of the given kind. Endpoint names lose a trailing
    /// "endpoint" (`chat_endpoint` and `ChatEndpoint` both mean `chat`), validator names a
    /// trailing "validator", as TreeFrog does.
    pub fn parse(kind: NameKind, input: &str) -> Result<Name, NameError> {
        let fail = |reason: String| NameError {
            kind,
            input: input.to_owned(),
            reason,
        };
        let mut raw = input.to_owned();
        let suffix = match kind {
            NameKind::Endpoint => Some("endpoint"),
            NameKind::Validator => Some("validator"),
            NameKind::Controller => Some("controller"),
            _ => None,
        };
        if let Some(suffix) = suffix {
            raw = strip_suffix_ignore_case(&raw, suffix)
                .trim_end_matches(['_', '-'])
                .to_owned();
        }
        if let Some(reason) = problem(kind, input, &raw) {
            return Err(fail(reason));
        }
        Ok(Name {
            kind,
            raw,
            typed: input.to_owned(),
        })
    }

    /// What the name is for.
    pub fn kind(&self) -> NameKind {
        self.kind
    }

    /// The name as typed: the application folder and Cargo package name.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// `chat_room`: modules, files, crate names, tables.
    pub fn snake(&self) -> String {
        self.raw.to_snake_case()
    }

    /// `ChatRoom`: types.
    pub fn pascal(&self) -> String {
        self.raw.to_pascal_case()
    }

    /// A different name of the same kind, for a refusal's "pick another name, such as ...":
    /// `index` gives the endpoint `index_chat`.
    pub fn alternative(&self) -> String {
        another(self.kind, &self.snake())
    }

    /// The one-line note a generator prints when the name it writes differs from the name as
    /// typed: `note: \`chat-room\` is written as \`chat_room\``. Endpoints are written in
    /// snake_case (files, modules, the URL path) without a trailing "endpoint"; an application
    /// keeps the name as typed, so it never gets a note. `None` when nothing changed.
    pub fn rename_note(&self) -> Option<String> {
        let written = match self.kind {
            NameKind::Application => self.raw.clone(),
            NameKind::Endpoint | NameKind::Helper | NameKind::Validator | NameKind::Controller => {
                self.snake()
            }
            // Refused unless already snake_case.
            NameKind::Action => return None,
            // The model generator says itself which struct, module and table it writes.
            NameKind::Model => return None,
        };
        (written != self.typed).then(|| format!("note: `{}` is written as `{written}`", self.typed))
    }

    /// `chat-room`: URLs and HTML ids.
    pub fn kebab(&self) -> String {
        self.raw.to_kebab_case()
    }

    /// The model's module and file name: snake_case with the last word made singular
    /// (pluralizer's English rules): `Post` and `posts` give `post`, `blog_entries` and
    /// `BlogEntry` give `blog_entry`, `people` gives `person`.
    pub fn singular_snake(&self) -> String {
        last_word(&self.snake(), 1)
    }

    /// The model's row struct: [`Name::singular_snake`] in PascalCase (`BlogEntry`).
    pub fn singular_pascal(&self) -> String {
        self.singular_snake().to_pascal_case()
    }

    /// The table a field list creates: snake_case with the last word made plural (`post` →
    /// `posts`, `BlogEntry` → `blog_entries`, `person` → `people`; `posts` stays `posts`).
    pub fn plural_snake(&self) -> String {
        last_word(&self.singular_snake(), 2)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

fn strip_suffix_ignore_case<'a>(s: &'a str, suffix: &str) -> &'a str {
    let cut = s.len().saturating_sub(suffix.len());
    match s.get(cut..) {
        Some(tail) if tail.eq_ignore_ascii_case(suffix) => &s[..cut],
        _ => s,
    }
}

/// The first thing wrong with a name, worded as "what is wrong; what to do".
fn problem(kind: NameKind, input: &str, raw: &str) -> Option<String> {
    if input.trim().is_empty() {
        return Some(format!(
            "it is empty; give a name, e.g. `{}`",
            kind.example()
        ));
    }
    if raw.is_empty() {
        return Some(format!(
            "it holds no name once separators and the \"{}\" suffix are removed; give one, \
             e.g. `{}`",
            kind.label().split(' ').next().unwrap_or_default(),
            kind.example()
        ));
    }
    if input.contains(['/', '\\']) || input.contains("..") {
        return Some(
            "it is a path; give a plain name and run tspawn from the folder it belongs in".into(),
        );
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    if let Some(c) = raw.chars().find(|&c| !allowed(c) && !c.is_whitespace()) {
        return Some(format!(
            "'{c}' is not allowed; use only ASCII letters, digits, '_' or '-'"
        ));
    }
    if raw.chars().any(char::is_whitespace) {
        return Some(format!(
            "it contains a space; use letters, digits, '_' or '-', e.g. \"{}\"",
            usable(kind, suggestion(raw))
        ));
    }
    if raw.starts_with(|c: char| c.is_ascii_digit()) {
        return Some(format!(
            "it starts with a digit; start it with a letter, e.g. \"{}\"",
            usable(kind, suggestion(raw))
        ));
    }
    if !raw.starts_with(|c: char| c.is_ascii_alphabetic()) {
        let letters = raw.trim_start_matches(|c: char| !c.is_ascii_alphabetic());
        return Some(format!(
            "it must start with a letter, e.g. \"{}\"",
            usable(kind, letters.to_owned())
        ));
    }
    let snake = raw.to_snake_case();
    if kind == NameKind::Model {
        return model_problem(raw);
    }
    // `tspawn validator post` writes src/helpers/post_validator.rs.
    if let Some(form) = snake
        .strip_suffix("_validator")
        .filter(|_| kind == NameKind::Helper)
    {
        return Some(format!(
            "src/helpers/{snake}.rs is the validator's file; use `tspawn validator {form}`"
        ));
    }
    if kind == NameKind::Action {
        if let Some(reason) = action_problem(raw, &snake) {
            return Some(reason);
        }
    }
    if KEYWORDS.contains(&snake.as_str()) {
        return Some(format!(
            "it is a Rust keyword; pick another, e.g. \"{}\"",
            another(kind, &snake)
        ));
    }
    if is_windows_device(&snake) {
        return Some(format!(
            "it is a device name on Windows (CON, PRN, AUX, NUL, COM1-9, LPT1-9), where its \
             files could not be checked out; pick another, e.g. \"{}\"",
            another(kind, &snake)
        ));
    }
    // A controller or an action never names a crate, so cargo's names are fine for it.
    let crate_like = !matches!(kind, NameKind::Controller | NameKind::Action);
    if crate_like && RESERVED.contains(&snake.as_str()) {
        return Some(format!(
            "it clashes with a name Rust or cargo reserves; pick another, e.g. \"my_{snake}\""
        ));
    }
    // Cargo names the crate by replacing '-' with '_'; that must be the snake_case form the
    // generated code refers to (no capitals, no doubled or trailing separators).
    if kind == NameKind::Application && raw.replace('-', "_") != snake {
        return Some(format!(
            "use lowercase words separated by single '_' or '-', e.g. \"{snake}\""
        ));
    }
    None
}

/// Another name of `kind` built on `snake`: `index` gives the endpoint `index_chat`.
fn another(kind: NameKind, snake: &str) -> String {
    match kind {
        NameKind::Application => format!("{snake}_app"),
        NameKind::Endpoint => format!("{snake}_chat"),
        NameKind::Model => format!("{snake}_entry"),
        NameKind::Helper => format!("{snake}_helper"),
        NameKind::Validator => format!("{snake}_form"),
        NameKind::Controller => format!("{snake}_page"),
        NameKind::Action => format!("{snake}_action"),
    }
}

/// Windows refuses files and folders named after a device, whatever the extension
/// (`nul.html`): CON, PRN, AUX, NUL, COM1-COM9, LPT1-LPT9 (Microsoft, "Naming Files, Paths,
/// and Namespaces").
fn is_windows_device(snake: &str) -> bool {
    match snake.as_bytes() {
        b"con" | b"prn" | b"aux" | b"nul" => true,
        [b'c', b'o', b'm', n] | [b'l', b'p', b't', n] => (b'1'..=b'9').contains(n),
        _ => false,
    }
}

/// A close valid spelling for the message: spaces become '_', leading digits move to the end.
/// `candidate` if it is a name to suggest (a letter first, then letters, digits and single
/// separators, none last), else a plain one of `kind`: `_` must not be told `e.g. ""`.
fn usable(kind: NameKind, candidate: String) -> String {
    let fits = candidate.starts_with(|c: char| c.is_ascii_alphabetic())
        && candidate
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !candidate.ends_with(['_', '-'])
        && !["__", "--", "_-", "-_"]
            .iter()
            .any(|d| candidate.contains(d));
    match fits {
        true => candidate,
        false => match kind {
            NameKind::Application => "chatapp".to_owned(),
            NameKind::Endpoint => "chat".to_owned(),
            NameKind::Model => "post".to_owned(),
            NameKind::Helper => "text".to_owned(),
            NameKind::Validator => "blog".to_owned(),
            NameKind::Controller => "blog".to_owned(),
            NameKind::Action => "index".to_owned(),
        },
    }
}

fn suggestion(raw: &str) -> String {
    let cleaned: String = raw
        .chars()
        .map(|c| if c.is_whitespace() { '_' } else { c })
        .collect();
    let digits: String = cleaned.chars().take_while(|c| c.is_ascii_digit()).collect();
    let rest = &cleaned[digits.len()..];
    if rest.is_empty() {
        format!("app{digits}")
    } else {
        format!("{rest}{digits}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derives_case_forms() {
        let name = Name::parse(NameKind::Endpoint, "ChatRoomEndpoint").unwrap();
        assert_eq!(name.snake(), "chat_room");
        assert_eq!(name.pascal(), "ChatRoom");
        assert_eq!(name.kebab(), "chat-room");
    }

    #[test]
    fn strips_endpoint_suffix() {
        for input in ["chat", "chat_endpoint", "ChatEndpoint", "chatendpoint"] {
            assert_eq!(
                Name::parse(NameKind::Endpoint, input).unwrap().snake(),
                "chat"
            );
        }
        for input in ["endpoint", "_", "-endpoint"] {
            let err = Name::parse(NameKind::Endpoint, input).unwrap_err();
            assert!(err.to_string().contains("it holds no name"), "{err}");
        }
        let err = Name::parse(NameKind::Endpoint, "self").unwrap_err();
        assert!(err.to_string().ends_with("e.g. \"self_chat\""), "{err}");
        assert_eq!(
            Name::parse(NameKind::Application, "myendpoint")
                .unwrap()
                .as_str(),
            "myendpoint"
        );
    }

    #[test]
    fn validators_lose_their_suffix_and_helpers_keep_theirs() {
        for input in ["blog", "blog_validator", "BlogValidator"] {
            let name = Name::parse(NameKind::Validator, input).unwrap();
            assert_eq!(name.snake(), "blog");
        }
        let err = Name::parse(NameKind::Validator, "validator").unwrap_err();
        assert!(
            err.to_string().contains("the \"validator\" suffix"),
            "{err}"
        );
        let helper = Name::parse(NameKind::Helper, "TextHelper").unwrap();
        assert_eq!(helper.snake(), "text_helper");
        let err = Name::parse(NameKind::Helper, "mod").unwrap_err();
        assert!(err.to_string().ends_with("e.g. \"mod_helper\""), "{err}");
    }

    #[test]
    fn refuses_bad_names_with_a_fix() {
        let cases = [
            (
                "123app",
                "starts with a digit; start it with a letter, e.g. \"app123\"",
            ),
            ("fn", "Rust keyword"),
            ("self", "Rust keyword"),
            ("../x", "it is a path"),
            ("a/b", "it is a path"),
            ("", "it is empty"),
            ("my app", "e.g. \"my_app\""),
            ("héllo wörld", "'é' is not allowed"),
            ("héllo", "'é' is not allowed"),
            ("test", "reserves"),
            ("_x", "must start with a letter, e.g. \"x\""),
            ("nul", "device name on Windows"),
            ("Com1", "e.g. \"com1_app\""),
            ("ChatApp", "e.g. \"chat_app\""),
            ("chat--app", "e.g. \"chat_app\""),
            ("chat_", "e.g. \"chat\""),
            ("tokio", "reserves"),
            // No letters to keep: a plain name, never `e.g. ""` or `e.g. "_1"`.
            ("_", "must start with a letter, e.g. \"chatapp\""),
            ("__", "must start with a letter, e.g. \"chatapp\""),
            ("-1", "must start with a letter, e.g. \"chatapp\""),
            (
                "1_",
                "starts with a digit; start it with a letter, e.g. \"chatapp\"",
            ),
        ];
        for (input, expected) in cases {
            let err = Name::parse(NameKind::Application, input)
                .unwrap_err()
                .to_string();
            assert!(err.contains(expected), "{input:?}: {err}");
            assert!(!err.contains('\n'), "{input:?}: one line only");
        }
    }

    #[test]
    fn a_rewritten_endpoint_name_gets_a_note() {
        let note = |input: &str| {
            Name::parse(NameKind::Endpoint, input)
                .unwrap()
                .rename_note()
        };
        assert_eq!(
            note("chat-room").as_deref(),
            Some("note: `chat-room` is written as `chat_room`")
        );
        assert_eq!(
            note("ChatEndpoint").as_deref(),
            Some("note: `ChatEndpoint` is written as `chat`")
        );
        assert_eq!(note("chat_room"), None);
        let app = Name::parse(NameKind::Application, "chat-app").unwrap();
        assert_eq!(app.rename_note(), None, "the folder is named as typed");
    }

    #[test]
    fn accepts_dashes_and_underscores() {
        let name = Name::parse(NameKind::Application, "chat-app_2").unwrap();
        assert_eq!(name.as_str(), "chat-app_2");
        assert_eq!(name.snake(), "chat_app_2");
    }
}
