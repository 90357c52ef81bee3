//! What tspawn tells the user around a run: conflicts counted in good English with advice that
//! cannot break the app, what was kept after a `n` at the prompt (not "nothing to do"), and
//! the note when a generator rewrites the name typed.

mod common;

use common::{chat_app, new_app, read_tree, tspawn};
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use tspawn::cli::GlobalArgs;
use tspawn::context::Context;
use tspawn::generators::Request;
use tspawn::names::{Name, NameKind};
use tspawn::prompt::LinePrompt;
use tspawn::shell::Shell;

/// What a refused or accepted `tspawn ARGS` in `root` printed on stderr.
fn stderr(root: &Path, args: &[&str]) -> (bool, String) {
    let output = tspawn(root).args(args).output().unwrap();
    let text = String::from_utf8(output.stderr).unwrap();
    (output.status.success(), text)
}

#[test]
fn conflicts_are_counted_and_the_advice_says_what_each_option_does() {
    let (_dir, root) = chat_app("sqlite");
    std::fs::write(root.join("public/chat.html"), "my page\n").unwrap();
    let (ok, one) = stderr(&root, &["websocket", "chat"]);
    assert!(!ok);
    assert!(
        one.starts_with(
            "error: 1 file differs from what tspawn would write. To overwrite it with tspawn's \
             version (your changes are lost), rerun with --force; to keep it as it is and write \
             the rest, rerun with --skip; nothing was written:\n    conflict  public/chat.html\n"
        ),
        "{one}"
    );
    std::fs::write(root.join("tests/chat_endpoint.rs"), "// my test\n").unwrap();
    let (_, two) = stderr(&root, &["websocket", "chat"]);
    assert!(two.starts_with("error: 2 files differ from"), "{two}");
    assert!(two.contains("To overwrite them with"), "{two}");
    assert!(two.contains("to keep them as they are"), "{two}");

    let before = read_tree(&root);
    let (ok, delete) = stderr(&root, &["delete", "chat"]);
    assert!(!ok);
    assert!(
        delete.starts_with(
            "error: 2 files changed since tspawn wrote them. To remove them anyway (your \
             changes are lost), rerun with --force; to keep your changes, copy them elsewhere \
             first; nothing was written:"
        ),
        "{delete}"
    );
    assert_eq!(read_tree(&root), before);
    for text in [&one, &two, &delete] {
        assert!(!text.contains("(or remove)"), "{text}");
    }
}

/// A migration the user changed may have run: `--force` (the advice for changed files) must
/// not rewrite it, or the runtime would refuse to start (an applied migration's checksum).
#[test]
fn a_changed_migration_is_kept_even_with_force() {
    let (_dir, root) = chat_app("sqlite");
    let migration = root.join("db/migrations/20261127120000_create_chat_messages.sql");
    let mine = std::fs::read_to_string(&migration).unwrap() + "-- my index\n";
    std::fs::write(&migration, &mine).unwrap();
    for force in [&[][..], &["--force"]] {
        let (ok, said) = stderr(&root, &[&["websocket", "chat"][..], force].concat());
        assert!(ok, "{force:?}: {said}");
        assert!(
            said.starts_with(
                "note: db/migrations/20261127120000_create_chat_messages.sql differs from what \
                 tspawn would write and is kept: a migration is never rewritten"
            ),
            "{said}"
        );
        assert!(said.contains("   skipped  db/migrations/"), "{said}");
        assert!(
            said.ends_with("nothing was written: 1 changed file was kept as it is\n"),
            "{said}"
        );
        assert_eq!(std::fs::read_to_string(&migration).unwrap(), mine);
    }
}

/// A `Write` the test can read back after the shell is done with it.
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

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

/// `tspawn websocket NAME` in `root` on a "terminal" whose user types `answers`: what it
/// printed.
fn websocket_answering(root: &Path, name: &str, answers: &str) -> String {
    let request = Request::Websocket {
        name: Name::parse(NameKind::Endpoint, name).unwrap(),
        bare: false,
    };
    // `Context` is what tspawn's own run uses: the working folder, read once here. No other
    // test in this file reads the working folder, so changing it cannot disturb them.
    std::env::set_current_dir(root).unwrap();
    let ctx = Context::from_env().unwrap();
    let global = GlobalArgs {
        dry_run: false,
        force: false,
        skip: false,
        quiet: false,
    };
    let out = Captured::default();
    let mut shell = Shell::from_write(out.clone(), false);
    let mut prompt = LinePrompt::new(answers.as_bytes());
    tspawn::execute(&request, &ctx, global, true, &mut shell, &mut prompt).unwrap();
    out.text()
}

#[test]
fn answering_no_says_what_was_kept_not_that_there_was_nothing_to_do() {
    let (_dir, root) = chat_app("sqlite");
    let page = root.join("public/chat.html");
    std::fs::write(&page, "my page\n").unwrap();
    let before = read_tree(&root);

    let said = websocket_answering(&root, "chat", "n\n");
    assert!(
        said.contains("Overwrite public/chat.html? [ynaqdh]"),
        "{said}"
    );
    assert!(said.contains("skipped  public/chat.html"), "{said}");
    assert!(
        said.ends_with("nothing was written: 1 changed file was kept as it is\n"),
        "{said}"
    );
    assert!(!said.contains("nothing to do"), "{said}");
    assert_eq!(read_tree(&root), before);

    // Two changed, one kept and one overwritten: the kept one is said, then the next step.
    std::fs::write(root.join("tests/chat_endpoint.rs"), "// my test\n").unwrap();
    let said = websocket_answering(&root, "chat", "n\ny\n");
    assert!(said.contains("updated  tests/chat_endpoint.rs"), "{said}");
    assert!(
        said.contains("1 changed file was kept as it is\nnext: cargo run"),
        "{said}"
    );
    assert_eq!(std::fs::read_to_string(&page).unwrap(), "my page\n");

    // Nothing changed at all: that is still "nothing to do".
    let said = websocket_answering(&root, "chat", "y\n");
    let said_again = websocket_answering(&root, "chat", "");
    assert!(said.contains("updated  public/chat.html"), "{said}");
    assert!(said_again.ends_with("nothing to do: everything is already as tspawn would write it\n"));

    // Two kept: the plural.
    std::fs::write(&page, "my page\n").unwrap();
    std::fs::write(root.join("tests/chat_endpoint.rs"), "// my test\n").unwrap();
    let said = websocket_answering(&root, "chat", "n\nn\n");
    assert!(
        said.ends_with("nothing was written: 2 changed files were kept as they are\n"),
        "{said}"
    );
}

#[test]
fn a_rewritten_name_gets_one_note_before_the_status_lines() {
    let (_dir, root) = new_app("sqlite");
    for (typed, written) in [("chat-room", "chat_room"), ("LobbyEndpoint", "lobby")] {
        let (ok, said) = stderr(&root, &["websocket", typed]);
        assert!(ok, "{said}");
        let first = said.lines().next().unwrap();
        assert_eq!(first, format!("note: `{typed}` is written as `{written}`"));
        assert_eq!(said.matches("note:").count(), 1, "{said}");
        assert!(root.join(format!("public/{written}.html")).is_file());
    }
    let (_, said) = stderr(&root, &["websocket", "echo"]);
    assert!(!said.contains("note:"), "{said}");
    let (_, said) = stderr(&root, &["-q", "websocket", "news-feed"]);
    assert!(said.is_empty(), "--quiet: {said}");
}
