//! HTML forms (feature `validation`): the text a browser submits ([`FormInput`]), read field
//! by field into typed values ([`FormValue`]), checked by the form struct's validator rules,
//! and shown again beside the inputs with one message per problem when something is wrong.
//!
//! A create action, as `tspawn scaffold` writes it:
//!
//! ```
//! use tspawn_runtime::axum::http::StatusCode;
//! use tspawn_runtime::form::FormInput;
//! use tspawn_runtime::prelude::*;
//! use tspawn_runtime::validation;
//! use tspawn_runtime::validator::Validate;
//!
//! #[derive(Validate)]
//! #[validate(crate = "tspawn_runtime::validator")]
//! struct BlogForm {
//!     #[validate(custom(function = "validation::required", message = "title is required"))]
//!     title: String,
//!     stars: Option<i32>,
//! }
//!
//! async fn create(mut input: FormInput) -> Response {
//!     let form = BlogForm { title: input.read("title"), stars: input.read("stars") };
//!     if !input.check(&form) {
//!         // The page again: the user's text in the inputs, the messages beside them.
//!         return (StatusCode::UNPROCESSABLE_ENTITY, new_page(&input)).into_response();
//!     }
//!     // ... insert the row ...
//!     Redirect::to("/blog/show/1").into_response()
//! }
//!
//! /// An askama view in an app: `value="{{ input.value("title") }}"` and
//! /// `{% if let Some(m) = input.error("title") %}<p class="error">{{ m }}</p>{% endif %}`.
//! fn new_page(input: &FormInput) -> Html<String> {
//!     # Html(String::new())
//! }
//!
//! let routes: Router = Router::new().route("/blog/create", post(create));
//! let mut input = FormInput::from_pairs([("title", " "), ("stars", "many")]);
//! let form = BlogForm { title: input.read("title"), stars: input.read("stars") };
//! assert!(!input.check(&form));
//! assert_eq!(input.error("title"), Some("title is required"));
//! assert_eq!(input.error("stars"), Some("stars must be a whole number"));
//! assert_eq!(input.value("stars"), "many");
//! ```
//!
//! A message is the field's name and the reason: `count must be a whole number`, `day must be
//! a date (YYYY-MM-DD)`, or the rule's own `message`. The name is the one the code gives, a
//! leading `r#` stripped (`read("r#type")` reads the input named `type`).

mod value;

use std::collections::BTreeMap;

use axum::extract::rejection::FormRejection;
use axum::extract::{FromRequest, Request};
use axum::Form;
use validator::Validate;

use crate::validation::{self, FieldErrors};

pub use value::FormValue;

/// A submitted form: the text of each field as sent, the typed values read from it, and the
/// messages per field (parse errors and failed rules) a re-rendered page shows beside the inputs.
///
/// As an axum extractor it takes the request's body, so it is a handler's last argument. The
/// body must be `application/x-www-form-urlencoded` (parameters after `;` allowed), what an
/// HTML `<form method="post">` sends; it is read by axum's `Form`, with its answers: another
/// or no `Content-Type` is `415`, a body that cannot be read `400` (over axum's body limit,
/// 2 MB by default, `413`), each a plain-text line. Bytes that are not UTF-8 read as U+FFFD.
/// On a `GET` the query string is the form. A name sent twice keeps its first value.
#[derive(Debug, Clone, Default)]
pub struct FormInput {
    fields: BTreeMap<String, String>,
    errors: FieldErrors,
    /// Messages about the form as a whole (see [`FormInput::add_form_error`]).
    form: Vec<String>,
}

/// The field's name as the form and the messages spell it: a leading `r#` stripped.
fn name(field: &str) -> &str {
    field.strip_prefix("r#").unwrap_or(field)
}

impl FormInput {
    /// The empty form of a "new" page: no text, no messages.
    pub fn new() -> FormInput {
        FormInput::default()
    }

    /// A form holding `pairs` (name, text) as a browser would send them; when a name repeats,
    /// its first value wins.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> FormInput {
        let mut fields = BTreeMap::new();
        for (field, text) in pairs {
            fields.entry(field.into()).or_insert_with(|| text.into());
        }
        FormInput {
            fields,
            ..FormInput::default()
        }
    }

    /// The text of `field` as sent, for the input's `value` on a re-rendered page (`""` when
    /// the field was not sent).
    pub fn value(&self, field: &str) -> &str {
        self.fields.get(name(field)).map_or("", String::as_str)
    }

    /// Fills `field` with the text of `value` (the edit page, from the row):
    /// `input.set("title", &row.title)`.
    pub fn set(&mut self, field: &str, value: &impl FormValue) {
        self.fields.insert(name(field).to_owned(), value.to_input());
    }

    /// Reads `field` as a `T` ([`FormValue::from_input`]). When the text does not read,
    /// records `FIELD must be …` (once, however often the field is read) and returns
    /// `T::default()`, so the form struct can still be built and its rules run.
    pub fn read<T: FormValue + Default>(&mut self, field: &str) -> T {
        let field = name(field);
        match T::from_input(self.fields.get(field).map(String::as_str)) {
            Ok(value) => value,
            Err(reason) => {
                let message = format!("{field} {reason}");
                if !self.errors.get(field).contains(&message) {
                    self.errors.add(field, message);
                }
                T::default()
            }
        }
    }

    /// Runs `form`'s validator rules and adds their messages
    /// ([`validation::check`]), except on fields that already have one (a field whose text
    /// did not read has a default value the rules would only misjudge). `true` when the form
    /// has no message at all: every field read and every rule passed.
    pub fn check<F: Validate>(&mut self, form: &F) -> bool {
        if let Err(failed) = validation::check(form) {
            for (raw, messages) in failed.iter() {
                let field = name(raw);
                if self.errors.has(field) {
                    continue;
                }
                for message in messages {
                    // validator names a rule without a message by the raw identifier.
                    let message = match raw == field {
                        true => message,
                        false => message.strip_prefix("r#").unwrap_or(message),
                    };
                    self.errors.add(field, message);
                }
            }
        }
        self.is_valid()
    }

    /// The first message of `field`, the one the view shows beside its input.
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors.first(name(field))
    }

    /// Adds a message no rule can know: a stale revision, a value a UNIQUE key already holds.
    pub fn add_error(&mut self, field: &str, message: impl Into<String>) {
        self.errors.add(name(field), message);
    }

    /// Adds a message about the form as a whole, which no field owns (the row changed since
    /// the form was opened, the database refused it): kept apart from the fields' messages,
    /// so no column's name can collide with it.
    pub fn add_form_error(&mut self, message: impl Into<String>) {
        self.form.push(message.into());
    }

    /// The first message about the form as a whole, the one the view shows above the fields.
    pub fn form_error(&self) -> Option<&str> {
        self.form.first().map(String::as_str)
    }

    /// Every field's messages, per field (a JSON answer, a list at the top of the page).
    pub fn errors(&self) -> &FieldErrors {
        &self.errors
    }

    /// Whether the form has no message, neither a field's nor the form's.
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty() && self.form.is_empty()
    }
}

impl<S: Send + Sync> FromRequest<S> for FormInput {
    type Rejection = FormRejection;

    async fn from_request(req: Request, state: &S) -> Result<FormInput, FormRejection> {
        let Form(pairs) = Form::<Vec<(String, String)>>::from_request(req, state).await?;
        Ok(FormInput::from_pairs(pairs))
    }
}
