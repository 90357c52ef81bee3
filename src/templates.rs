//! The templates generators render, embedded in the binary from templates/ (include_dir), one
//! folder per generator. A file ending in `.jinja` is rendered with tera (Jinja2 syntax) and
//! loses the suffix; any other file is copied as it is. A name starting with `dot-` gets a
//! leading dot. Undefined variables are errors, so a typo in a template fails the test suite
//! instead of writing an empty string into a user's code.
//!
//! Templates are written so their output is final: LF line endings, rustfmt-clean Rust for any
//! valid name, and no formatter runs afterwards (output must not depend on what the machine has
//! installed). A Rust line holding a name is laid out with the macros of
//! `templates/rustfmt.jinja`, which break it where rustfmt would for that name's length
//! (tests/layout.rs checks names from 1 to 200 characters). tera has no `trim_blocks`: a tag
//! alone on its line is written `{%- ... %}`, which eats the line break before it, so the tag's
//! line leaves nothing behind.

use crate::error::Error;
use include_dir::{include_dir, Dir};
use serde::Serialize;
use std::error::Error as _;
use std::sync::OnceLock;
use tera::{Context, Tera};

/// Forces a rebuild when an embedded file changes (see build.rs).
const _STAMP: &str = env!("TSPAWN_EMBED_STAMP");

static TEMPLATES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// One file of a template folder, with its path inside that folder.
pub struct TemplateFile {
    pub path: String,
    source: &'static str,
    name: String,
}

impl TemplateFile {
    /// The file's output: rendered when it is a `.jinja` template, else as it is.
    pub fn render(&self, context: &impl Serialize) -> Result<String, Error> {
        if self.name.ends_with(".jinja") {
            render(&self.name, context)
        } else {
            Ok(self.source.to_owned())
        }
    }
}

/// Every file under `templates/<folder>`, sorted by path.
pub fn folder(folder: &str) -> Vec<TemplateFile> {
    let mut files = Vec::new();
    if let Some(dir) = TEMPLATES.get_dir(folder) {
        collect(dir, folder, &mut files);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

fn collect(dir: &'static Dir<'static>, folder: &str, out: &mut Vec<TemplateFile>) {
    for file in dir.files() {
        let name = file.path().to_string_lossy().replace('\\', "/");
        let inner = name[folder.len() + 1..].to_owned();
        let path = inner.strip_suffix(".jinja").unwrap_or(&inner);
        // `dot-gitignore` is written as `.gitignore`: a real dot file would act on this repo.
        let path = path.replace("/dot-", "/.");
        let path = path
            .strip_prefix("dot-")
            .map(|p| format!(".{p}"))
            .unwrap_or(path);
        let source = file.contents_utf8().expect("templates are UTF-8");
        out.push(TemplateFile { path, source, name });
    }
    for sub in dir.dirs() {
        collect(sub, folder, out);
    }
}

/// Renders `templates/<name>` (a path such as `websocket/endpoint.rs.jinja`) with `context`,
/// a struct whose fields are the template's variables. Errors (a missing template, an undefined
/// variable) name the template and give tera's whole chain of causes.
pub fn render(name: &str, context: &impl Serialize) -> Result<String, Error> {
    let fail = |e: tera::Error| Error::Template(format!("template {name}: {}", chain(&e)));
    let context = Context::from_serialize(context).map_err(fail)?;
    engine().render(name, &context).map_err(fail)
}

/// An error and its causes, joined with ": ".
fn chain(error: &tera::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn engine() -> &'static Tera {
    static ENGINE: OnceLock<Tera> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut tera = Tera::default();
        // The output is source code and pages whose values are validated names, not user
        // content: HTML-escaping them would turn `/chat` into `&#x2F;chat`.
        tera.autoescape_on(Vec::new());
        let mut sources = Vec::new();
        collect_sources(&TEMPLATES, &mut sources);
        tera.add_raw_templates(sources)
            .expect("templates parse (checked by tests)");
        tera
    })
}

/// Every `.jinja` file under `dir` as (name, source).
fn collect_sources(dir: &'static Dir<'static>, out: &mut Vec<(String, &'static str)>) {
    for file in dir.files() {
        let name = file.path().to_string_lossy().replace('\\', "/");
        if name.ends_with(".jinja") {
            out.push((name, file.contents_utf8().expect("templates are UTF-8")));
        }
    }
    for sub in dir.dirs() {
        collect_sources(sub, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Only {
        name: &'static str,
    }

    #[test]
    fn every_template_parses() {
        let count = engine().get_template_names().count();
        assert!(count >= 10, "only {count} templates");
    }

    #[test]
    fn an_undefined_variable_is_an_error_naming_it() {
        // The endpoint template uses `pascal`, `path` and more besides `name`.
        let err = render("websocket/endpoint.rs.jinja", &Only { name: "chat" }).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("websocket/endpoint.rs.jinja"), "{text}");
        assert!(text.contains("not found in context"), "{text}");
    }

    #[test]
    fn output_is_not_html_escaped_and_keeps_its_last_newline() {
        let out = render("websocket/settings.toml.jinja", &Only { name: "a<b>&/c" });
        let out = out.unwrap();
        assert!(out.contains("[default.a<b>&/c_endpoint]"), "{out}");
        assert!(out.ends_with("= off\n"), "{out:?}");
    }
}
