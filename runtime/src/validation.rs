//! Validation messages per field (feature `validation`), from validator's
//! `ValidationErrors`, for views (beside each input) and JSON answers (422).
//!
//! Forms derive validator's `Validate` through this crate's re-export (`crate = ...` tells the
//! derive where it is, so the app needs no `validator` dependency of its own):
//!
//! ```
//! use tspawn_runtime::serde::Deserialize;
//! use tspawn_runtime::validation::{self, FieldErrors};
//! use tspawn_runtime::validator::Validate;
//!
//! #[derive(Debug, Deserialize, Validate)]
//! #[serde(crate = "tspawn_runtime::serde")]
//! #[validate(crate = "tspawn_runtime::validator")]
//! pub struct BlogForm {
//!     #[validate(
//!         custom(function = "validation::required", message = "title is required"),
//!         length(max = 20, message = "title must be at most 20 characters")
//!     )]
//!     pub title: String,
//! }
//!
//! let form = BlogForm { title: " ".into() };
//! let errors: FieldErrors = validation::check(&form).unwrap_err();
//! assert_eq!(errors.first("title"), Some("title is required"));
//! let form = BlogForm { title: "x".repeat(21) };
//! let errors = validation::check(&form).unwrap_err();
//! assert_eq!(errors.get("title"), ["title must be at most 20 characters"]);
//! ```
//!
//! validator takes one rule of each kind per field, so "required" and "at most N" on one
//! text field are [`required`] (a custom rule) plus `length(max = N)`, each with its message.

use std::collections::BTreeMap;

use serde::Serialize;
use validator::{Validate, ValidationError, ValidationErrors, ValidationErrorsKind};

/// Messages per field: `{"title": ["title is required"]}`, fields in name order, each
/// field's messages in the order its rules are declared.
///
/// A rule without a `message` gets `FIELD is invalid (CODE)` (`title is invalid (length)`).
/// A keyword field (`r#type`) is named without its `r#` (`type`), as the form and JSON name it.
/// Nested structs and lists name their fields by path: `author.name`, `tags[2]`.
/// Serializes as that map (the api's 422 envelope); in an askama view:
/// `{% if let Some(message) = errors.first("title") %}<p class="error">{{ message }}</p>{% endif %}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FieldErrors {
    fields: BTreeMap<String, Vec<String>>,
}

impl FieldErrors {
    /// No errors (what a fresh form shows).
    pub fn new() -> FieldErrors {
        FieldErrors::default()
    }

    /// Whether no field has a message.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Whether `field` has a message.
    pub fn has(&self, field: &str) -> bool {
        self.fields.contains_key(field)
    }

    /// The first message of `field`, the one a form shows beside its input.
    pub fn first(&self, field: &str) -> Option<&str> {
        self.get(field).first().map(String::as_str)
    }

    /// Every message of `field` (empty when it has none).
    pub fn get(&self, field: &str) -> &[String] {
        self.fields.get(field).map_or(&[], Vec::as_slice)
    }

    /// Adds a message the rules cannot know (a taken name, a stale revision).
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.fields
            .entry(field.into())
            .or_default()
            .push(message.into());
    }

    /// `(field, messages)` in field-name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.fields.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    fn collect(&mut self, prefix: &str, errors: &ValidationErrors) {
        for (field, kind) in errors.errors() {
            // validator names a field by its identifier, `r#type` for a keyword: the field
            // (and the JSON key, the form input) is `type`.
            let field = field.strip_prefix("r#").unwrap_or(field);
            let path = match prefix {
                "" => field.to_owned(),
                _ => format!("{prefix}.{field}"),
            };
            match kind {
                ValidationErrorsKind::Field(list) => {
                    for error in list {
                        let message = match &error.message {
                            Some(message) => message.to_string(),
                            None => format!("{path} is invalid ({})", error.code),
                        };
                        self.add(path.clone(), message);
                    }
                }
                ValidationErrorsKind::Struct(inner) => self.collect(&path, inner),
                ValidationErrorsKind::List(items) => {
                    for (index, inner) in items {
                        self.collect(&format!("{path}[{index}]"), inner);
                    }
                }
            }
        }
    }
}

impl From<ValidationErrors> for FieldErrors {
    fn from(errors: ValidationErrors) -> FieldErrors {
        FieldErrors::from(&errors)
    }
}

impl From<&ValidationErrors> for FieldErrors {
    fn from(errors: &ValidationErrors) -> FieldErrors {
        let mut out = FieldErrors::new();
        out.collect("", errors);
        out
    }
}

/// A rule for `custom(function = "tspawn_runtime::validation::required", message = "...")`:
/// the text must hold something besides whitespace (an HTML form sends an empty input as
/// `""`, not as a missing field). Error code `required`.
pub fn required(value: &str) -> Result<(), ValidationError> {
    match value.trim().is_empty() {
        true => Err(ValidationError::new("required")),
        false => Ok(()),
    }
}

/// Runs `value`'s rules: `Ok(())`, or every failed rule's message per field.
pub fn check(value: &impl Validate) -> Result<(), FieldErrors> {
    value.validate().map_err(FieldErrors::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Validate)]
    #[validate(crate = "crate::validator")]
    struct Author {
        #[validate(length(min = 1))]
        name: String,
    }

    #[derive(Validate)]
    #[validate(crate = "crate::validator")]
    struct Form {
        #[validate(
            custom(function = "required", message = "title is required"),
            length(max = 5, message = "title must be at most 5 characters")
        )]
        title: String,
        #[validate(email(message = "mail must be an e-mail address"))]
        mail: String,
        #[validate(range(min = 1, max = 5, message = "stars must be 1 to 5"))]
        stars: i32,
        #[validate(nested)]
        author: Author,
    }

    #[derive(Validate)]
    #[validate(crate = "crate::validator")]
    struct Keyword {
        #[validate(length(min = 2))]
        r#type: String,
    }

    #[test]
    fn a_keyword_field_is_named_without_its_r_hash() {
        let errors = check(&Keyword { r#type: "x".into() }).unwrap_err();
        assert_eq!(errors.get("type"), ["type is invalid (length)"]);
        assert!(!errors.has("r#type"));
    }

    fn form(title: &str, mail: &str, stars: i32, author: &str) -> Form {
        Form {
            title: title.into(),
            mail: mail.into(),
            stars,
            author: Author {
                name: author.into(),
            },
        }
    }

    #[test]
    fn a_valid_form_has_no_errors() {
        assert_eq!(check(&form("Hi", "a@b.example", 3, "Ann")), Ok(()));
    }

    #[test]
    fn each_failed_rule_gives_its_message_under_its_field() {
        let errors = check(&form("", "nope", 9, "")).unwrap_err();
        assert_eq!(errors.first("title"), Some("title is required"));
        assert_eq!(errors.get("mail"), ["mail must be an e-mail address"]);
        assert_eq!(errors.first("stars"), Some("stars must be 1 to 5"));
        assert_eq!(
            errors.first("author.name"),
            Some("author.name is invalid (length)")
        );
        assert!(!errors.has("nothing") && errors.get("nothing").is_empty());
        let errors = check(&form("Too long", "a@b.example", 3, "Ann")).unwrap_err();
        let fields: Vec<_> = errors.iter().collect();
        assert_eq!(
            fields,
            [(
                "title",
                &["title must be at most 5 characters".to_owned()][..]
            )]
        );
    }

    #[test]
    fn serializes_as_a_map_of_message_lists() {
        let mut errors = FieldErrors::new();
        assert!(errors.is_empty());
        errors.add("title", "title is taken");
        errors.add("title", "title is short");
        assert_eq!(
            serde_json::to_string(&errors).unwrap(),
            r#"{"title":["title is taken","title is short"]}"#
        );
    }
}
