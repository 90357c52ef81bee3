//! The engine's three kinds of planned change beyond plain files and injections, applied to
//! real folders: generated files (rewritten without asking), user files (written once, then
//! left alone) and Cargo features (added to a manifest in its own style). Each outcome, its
//! status line, `--dry-run`, reruns and `delete` (the reversed plan).

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use tspawn::apply::{apply, OnConflict, Options, Outcome};
use tspawn::error::Error;
use tspawn::plan::Plan;
use tspawn::prompt::LinePrompt;
use tspawn::shell::Shell;

const SQLOBJECT: &str = "src/models/sqlobjects/blog.rs";
const MODEL: &str = "src/models/blog.rs";
const MANIFEST: &str = "Cargo.toml";

/// The app's manifest as `tspawn new` writes it, trimmed.
const CARGO_TOML: &str = "[package]\nname = \"blog\"\n\n[dependencies]\n# The runtime.\n\
tspawn-runtime = { path = \"vendor/tspawn-runtime\", default-features = false, features = [\"sqlite\"] }\n";

/// A `Write` the test reads back.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What one application of a plan did and said.
struct Run {
    result: Result<Outcome, Error>,
    said: String,
}

/// Applies `plan` in `root`, answering prompts (on a "terminal" when `policy` is Ask) with
/// `answers`.
fn run_with(root: &Path, plan: &Plan, dry_run: bool, policy: OnConflict, answers: &str) -> Run {
    let out = Captured::default();
    let mut shell = Shell::from_write(out.clone(), false);
    let mut prompt = LinePrompt::new(answers.as_bytes());
    let options = Options {
        dry_run,
        on_conflict: policy,
    };
    let result = apply(plan, root, options, &mut shell, &mut prompt);
    drop(shell);
    let said = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
    Run { result, said }
}

/// Applies `plan` with no terminal and no `--force`/`--skip` (a conflict fails), expecting
/// success: the status lines.
fn run(root: &Path, plan: &Plan) -> String {
    let run = run_with(root, plan, false, OnConflict::Fail, "");
    run.result.unwrap_or_else(|e| panic!("{e}"));
    run.said
}

fn write(root: &Path, path: &str, text: &str) {
    let full = root.join(path);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    std::fs::write(full, text).unwrap();
}

fn read(root: &Path, path: &str) -> String {
    std::fs::read_to_string(root.join(path)).unwrap()
}

/// The plan of a `tspawn model blog`-like generator.
fn model_plan(sqlobject: &str) -> Plan {
    let mut plan = Plan::default();
    plan.generated_file(SQLOBJECT, sqlobject);
    plan.user_file(MODEL, "pub use super::sqlobjects::blog::Blog;\n");
    plan.enable_features(MANIFEST, "tspawn-runtime", &["chrono", "decimal"]);
    plan
}

fn app() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), MANIFEST, CARGO_TOML);
    dir
}

#[test]
fn a_first_run_creates_and_a_second_is_identical() {
    let dir = app();
    let root = dir.path();
    let said = run(root, &model_plan("// v1\n"));
    assert_eq!(
        said,
        format!("     created  {SQLOBJECT}\n     created  {MODEL}\n     updated  {MANIFEST}\n")
    );
    assert_eq!(read(root, SQLOBJECT), "// v1\n");
    assert_eq!(
        read(root, MANIFEST),
        CARGO_TOML.replace("[\"sqlite\"]", "[\"sqlite\", \"chrono\", \"decimal\"]")
    );
    let again = run_with(root, &model_plan("// v1\n"), false, OnConflict::Fail, "");
    assert_eq!(
        again.said,
        format!("   identical  {SQLOBJECT}\n   identical  {MODEL}\n   identical  {MANIFEST}\n")
    );
    assert!(again.result.unwrap().unchanged());
}

#[test]
fn a_generated_file_is_rewritten_without_asking_and_a_user_file_is_kept() {
    let dir = app();
    let root = dir.path();
    run(root, &model_plan("// v1\n"));
    let mine = "pub use super::sqlobjects::blog::Blog;\n\nimpl Blog {\n    fn mine() {}\n}\n";
    write(root, MODEL, mine);

    // No terminal, no --force: a plain file's difference would fail here.
    let said = run(root, &model_plan("// v2\n"));
    assert_eq!(
        said,
        format!("     updated  {SQLOBJECT}\n      exists  {MODEL}\n   identical  {MANIFEST}\n")
    );
    assert_eq!(read(root, SQLOBJECT), "// v2\n");
    assert_eq!(read(root, MODEL), mine);

    // --force does not touch the user's file either, and a prompt is never shown.
    for policy in [OnConflict::Overwrite, OnConflict::Skip, OnConflict::Ask] {
        let run = run_with(root, &model_plan("// v2\n"), false, policy, "");
        let outcome = run.result.unwrap();
        assert!(outcome.unchanged(), "{policy:?}: {}", run.said);
        assert_eq!(outcome.kept(), 0, "a user's file is not a kept conflict");
        assert!(!run.said.contains('?'), "{policy:?} asked: {}", run.said);
        assert_eq!(read(root, MODEL), mine);
    }
}

#[test]
fn a_generated_file_in_crlf_stays_crlf() {
    let dir = app();
    let root = dir.path();
    write(root, SQLOBJECT, "// v1\r\nfn a() {}\r\n");
    assert_eq!(
        run(root, &model_plan("// v1\nfn a() {}\n")).lines().next(),
        Some(format!("   identical  {SQLOBJECT}").as_str())
    );
    run(root, &model_plan("// v2\nfn a() {}\n"));
    assert_eq!(read(root, SQLOBJECT), "// v2\r\nfn a() {}\r\n");
}

#[test]
fn features_go_into_a_crlf_manifest_with_comments_in_its_own_style() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let manifest = "[package]\r\nname = \"blog\"\r\n\r\n[dependencies]\r\ntspawn-runtime = { path = \"v\", features = [\r\n    \"sqlite\", # the database driver\r\n] }\r\nserde = \"1\" # last\r\n";
    write(root, MANIFEST, manifest);
    let mut plan = Plan::default();
    plan.enable_features(MANIFEST, "tspawn-runtime", &["sqlite", "uuid", "json"]);
    assert_eq!(run(root, &plan), format!("     updated  {MANIFEST}\n"));
    assert_eq!(
        read(root, MANIFEST),
        manifest.replace(
            "# the database driver\r\n",
            "# the database driver\r\n    \"uuid\",\r\n    \"json\",\r\n"
        )
    );
    assert_eq!(run(root, &plan), format!("   identical  {MANIFEST}\n"));
}

#[test]
fn a_manifest_that_cannot_take_the_features_stops_the_whole_plan() {
    let cases = [
        (
            "[dependencies]\nserde = \"1\"\n",
            "Cargo.toml has no `tspawn-runtime` under [dependencies]; add it there with \
             `features = [\"chrono\", \"decimal\"]`, then run again",
        ),
        (
            "[dependencies]\ntspawn-runtime = \"0.1\"\n",
            "`tspawn-runtime` under [dependencies] in Cargo.toml is not a table; write it as \
             `tspawn-runtime = { version = \"...\", features = [\"chrono\", \"decimal\"] }`, \
             keeping what it says now, then run again",
        ),
    ];
    for (manifest, line) in cases {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, MANIFEST, manifest);
        let run = run_with(
            root,
            &model_plan("// v1\n"),
            false,
            OnConflict::Overwrite,
            "",
        );
        let error = run.result.unwrap_err().to_string();
        assert_eq!(error, format!("nothing was written:\n  - {line}"));
        assert_eq!(read(root, MANIFEST), manifest);
        assert!(!root.join("src").exists(), "nothing else was written");
    }
    let dir = tempfile::tempdir().unwrap();
    let run = run_with(dir.path(), &model_plan(""), false, OnConflict::Fail, "");
    let error = run.result.unwrap_err().to_string();
    assert!(error.contains("Cargo.toml is missing"), "{error}");
}

#[test]
fn a_dry_run_says_what_a_run_would_do_and_writes_nothing() {
    let dir = app();
    let root = dir.path();
    let first = run_with(root, &model_plan("// v1\n"), true, OnConflict::Fail, "");
    assert_eq!(
        first.said,
        format!("     created  {SQLOBJECT}\n     created  {MODEL}\n     updated  {MANIFEST}\n")
    );
    first.result.unwrap();
    assert!(!root.join("src").exists());
    assert_eq!(read(root, MANIFEST), CARGO_TOML);

    run(root, &model_plan("// v1\n"));
    write(root, MODEL, "// mine\n");
    let manifest = read(root, MANIFEST);
    let mut plan = model_plan("// v2\n");
    plan.enable_features(MANIFEST, "tspawn-runtime", &["uuid"]);
    let second = run_with(root, &plan, true, OnConflict::Fail, "");
    assert_eq!(
        second.said,
        format!("     updated  {SQLOBJECT}\n      exists  {MODEL}\n     updated  {MANIFEST}\n")
    );
    assert_eq!(read(root, SQLOBJECT), "// v1\n");
    assert_eq!(read(root, MODEL), "// mine\n");
    assert_eq!(read(root, MANIFEST), manifest);
}

#[test]
fn delete_removes_unchanged_files_and_leaves_the_features() {
    let dir = app();
    let root = dir.path();
    run(root, &model_plan("// v1\n"));
    let manifest = read(root, MANIFEST);
    let said = run(root, &model_plan("// v1\n").reverse());
    assert_eq!(
        said,
        format!("     removed  {SQLOBJECT}\n     removed  {MODEL}\n")
    );
    assert!(!root.join(SQLOBJECT).exists() && !root.join(MODEL).exists());
    assert_eq!(read(root, MANIFEST), manifest, "features stay on");
}

#[test]
fn delete_of_changed_files_follows_the_conflict_rules() {
    let dir = app();
    let root = dir.path();
    run(root, &model_plan("// v1\n"));
    write(root, MODEL, "// mine\n");
    // The sqlobject no longer holds what this plan generates (a schema changed since).
    let reverse = model_plan("// v2\n").reverse();

    let failed = run_with(root, &reverse, false, OnConflict::Fail, "");
    let error = failed.result.unwrap_err().to_string();
    assert!(
        error.contains(SQLOBJECT) && error.contains(MODEL),
        "{error}"
    );
    assert!(root.join(SQLOBJECT).exists() && root.join(MODEL).exists());

    let skipped = run_with(root, &reverse, false, OnConflict::Skip, "");
    assert_eq!(skipped.result.unwrap().kept(), 2);
    assert_eq!(read(root, MODEL), "// mine\n");

    // On a terminal: keep the sqlobject, remove the model.
    let asked = run_with(root, &reverse, false, OnConflict::Ask, "n\ny\n");
    asked.result.unwrap();
    assert!(asked
        .said
        .contains(&format!("Remove {MODEL} (changed since it was generated)?")));
    assert!(root.join(SQLOBJECT).exists() && !root.join(MODEL).exists());

    let forced = run_with(root, &reverse, false, OnConflict::Overwrite, "");
    assert_eq!(forced.said, format!("     removed  {SQLOBJECT}\n"));
    forced.result.unwrap();
    assert!(!root.join(SQLOBJECT).exists());
}

#[test]
fn a_line_injected_into_a_kept_user_file_still_goes_in() {
    let dir = app();
    let root = dir.path();
    write(
        root,
        "src/models/mod.rs",
        "pub mod other;\n// tspawn:models\n",
    );
    let mut plan = Plan::default();
    plan.user_file("src/models/mod.rs", "// tspawn:models\n");
    plan.inject("src/models/mod.rs", "tspawn:models", "pub mod blog;");
    assert_eq!(run(root, &plan), "     updated  src/models/mod.rs\n");
    assert_eq!(
        read(root, "src/models/mod.rs"),
        "pub mod blog;\npub mod other;\n// tspawn:models\n"
    );
}

/// A manifest this user may not write is refused before anything is written. Root may write
/// any file its mode forbids, so under root the file is made immutable (`chattr +i`) instead.
#[test]
fn a_read_only_manifest_is_refused_before_anything_is_written() {
    use std::os::unix::fs::PermissionsExt;
    let dir = app();
    let root = dir.path();
    let full = root.join(MANIFEST);
    std::fs::set_permissions(&full, std::fs::Permissions::from_mode(0o444)).unwrap();
    // SAFETY: no arguments, cannot fail.
    let as_root = unsafe { libc::geteuid() } == 0;
    if as_root {
        let status = std::process::Command::new("chattr")
            .arg("+i")
            .arg(&full)
            .status()
            .expect("chattr (e2fsprogs) makes the manifest read-only for root");
        assert!(status.success(), "chattr +i failed on this file system");
    }
    let refused = run_with(
        root,
        &model_plan("// v1\n"),
        false,
        OnConflict::Overwrite,
        "",
    );
    if as_root {
        let _ = std::process::Command::new("chattr")
            .arg("-i")
            .arg(&full)
            .status();
    }
    let error = refused.result.unwrap_err().to_string();
    assert!(
        error.starts_with("nothing was written:\n  - Cargo.toml cannot be written ("),
        "{error}"
    );
    assert!(!root.join("src").exists());
}
