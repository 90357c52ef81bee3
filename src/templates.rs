//! The templates generators render, embedded in the binary from templates/ (include_dir), one
//! folder per generator. A file ending in `.jinja` is rendered with minijinja and loses the
//! suffix; any other file is copied as it is. A name starting with `dot-` gets a leading dot. Undefined variables are errors, so a typo in a
//! template fails the test suite instead of writing an empty string into a user's code.

use crate::error::Error;
use crate::rustfmt;
use include_dir::{include_dir, Dir};
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::Serialize;
use std::sync::OnceLock;

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

/// Renders `templates/<name>` (a path such as `websocket/endpoint.rs.jinja`). Rust output is
/// passed through rustfmt when it is installed, so a long app or endpoint name never leaves a
/// line rustfmt would wrap.
pub fn render(name: &str, context: &impl Serialize) -> Result<String, Error> {
    let template = environment()
        .get_template(name)
        .map_err(|e| Error::Template(format!("template {name}: {e}")))?;
    let text = template
        .render(context)
        .map_err(|e| Error::Template(format!("template {name}: {e:#}")))?;
    Ok(if name.ends_with(".rs.jinja") {
        rustfmt::format(text)
    } else {
        text
    })
}

fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // The output is source code and pages whose values are validated names, not user
        // content: HTML-escaping them would turn `/chat` into `&#x2f;chat`.
        env.set_auto_escape_callback(|_| AutoEscape::None);
        env.set_keep_trailing_newline(true);
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        add_all(&mut env, &TEMPLATES);
        env
    })
}

fn add_all(env: &mut Environment<'static>, dir: &'static Dir<'static>) {
    for file in dir.files() {
        let name = file.path().to_string_lossy().replace('\\', "/");
        if name.ends_with(".jinja") {
            let source = file.contents_utf8().expect("templates are UTF-8");
            env.add_template_owned(name, source)
                .expect("templates parse (checked by tests)");
        }
    }
    for sub in dir.dirs() {
        add_all(env, sub);
    }
}
