//! `tspawn controller NAME ACTION...`: what it writes and injects (snapshots), running it again,
//! names and layouts at their limits (rustfmt-clean), the refusals, and a generated app that
//! passes clippy, rustfmt and its own request tests.

mod common;

use common::{changes, new_app, read_tree, run_ok, tspawn};
use std::collections::BTreeMap;
use std::path::Path;

#[test]
fn controller_writes_and_injects() {
    let (_dir, root) = new_app("sqlite");
    let before = read_tree(&root);
    let output = run_ok(&root, &["controller", "BlogController", "index", "show"]);
    insta::assert_snapshot!("blog_output", output);
    insta::assert_snapshot!("blog_files", changes(&before, &read_tree(&root)));
}

#[test]
fn without_index_there_is_no_default_route() {
    let (_dir, root) = new_app("sqlite");
    run_ok(&root, &["c", "account", "login"]);
    let tree = read_tree(&root);
    let controller = &tree["src/controllers/account_controller.rs"];
    assert!(!controller.contains(".route(\"/account\","), "{controller}");
    assert!(controller.contains(".route(\"/account/login/{*args}\", get(login))"));
    assert!(tree["public/index.html"].contains("href=\"/account/login\""));
    assert!(!tree["tests/account_controller.rs"].contains("default_action"));
}

#[test]
fn running_it_again_changes_no_byte() {
    let (_dir, root) = new_app("sqlite");
    run_ok(&root, &["controller", "blog", "index", "show"]);
    let before = read_tree(&root);
    let output = run_ok(&root, &["controller", "blog_controller", "index", "show"]);
    assert!(output.contains("nothing to do"), "{output}");
    assert_eq!(read_tree(&root), before);
}

#[test]
fn a_second_controller_keeps_the_users_layout() {
    let (_dir, root) = new_app("sqlite");
    run_ok(&root, &["controller", "blog", "index"]);
    let layout = root.join("views/layouts/application.html");
    let mine = std::fs::read_to_string(&layout)
        .unwrap()
        .replace("<main>", "<main class=\"mine\">");
    std::fs::write(&layout, &mine).unwrap();
    let output = run_ok(&root, &["controller", "shop", "cart"]);
    assert!(
        output.contains("exists  views/layouts/application.html"),
        "{output}"
    );
    assert_eq!(std::fs::read_to_string(&layout).unwrap(), mine);
    let routes = std::fs::read_to_string(root.join("src/routes.rs")).unwrap();
    let blog = routes.find("blog_controller::routes()").unwrap();
    let shop = routes.find("shop_controller::routes()").unwrap();
    assert!(blog < shop, "{routes}");
}

/// Every generated Rust line is rustfmt-clean for names from 1 character to the longest URL
/// taken (48 characters for `/controller/action`), one controller per length.
#[test]
fn long_names_are_laid_out_as_rustfmt_would() {
    let (_dir, root) = new_app("sqlite");
    for len in 1..=45 {
        let (controller, action) = ("c".repeat(len), "a".repeat(46 - len));
        let mut args = vec!["-q", "controller", &controller, &action];
        if len <= 41 {
            args.push("index"); // `/CONTROLLER/index` within the 48 characters
        }
        run_ok(&root, &args);
    }
    let files: Vec<_> = read_tree(&root)
        .into_keys()
        .filter(|p| p.ends_with(".rs") && !p.contains("vendor/"))
        .map(|p| root.join(p))
        .collect();
    let out = std::process::Command::new("rustfmt")
        .args(["--edition", "2021", "--check", "--color", "never"])
        .args(&files)
        .output()
        .expect("rustfmt runs (rustup component add rustfmt)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// A refusal: one line on stderr, a failure exit, nothing written.
fn assert_refused(root: &Path, args: &[&str], needle: &str) {
    let before = read_tree(root);
    let output = tspawn(root).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{args:?} succeeded");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains(needle), "{args:?}: {stderr}");
    assert_eq!(read_tree(root), before, "{args:?} wrote something");
}

#[test]
fn bad_input_is_refused_in_one_line_and_nothing_is_written() {
    let (_dir, root) = new_app("sqlite");
    let c = "controller";
    assert_refused(&root, &[c, "blog", "showAll"], "use \"show_all\"");
    assert_refused(&root, &[c, "blog", "fn"], "Rust keyword");
    assert_refused(&root, &[c, "blog", "routes"], "uses `routes` itself");
    assert_refused(&root, &[c, "blog", "show", "show"], "give each action once");
    assert_refused(&root, &[c, "blog", "show_2", "show2"], "Show2View");
    assert_refused(&root, &[c, "fn", "index"], "invalid controller name");
    assert_refused(&root, &[c, "Controller", "index"], "\"controller\" suffix");
    // Its views would land in views/layouts/, `application` on the layout itself.
    assert_refused(&root, &[c, "layouts", "application"], "`layouts` is taken");
    assert_refused(
        &root,
        &[c, "LayoutsController", "index"],
        "`layouts` is taken",
    );
    let long = "a".repeat(43);
    assert_refused(&root, &[c, "blog", &long], "over 48 characters");
    // No action at all: clap's usage error, TreeFrog's exit 0 refused.
    let output = tspawn(&root).args([c, "blog"]).output().unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("<action>"));
}

/// The generated app builds without warnings, is rustfmt-clean and passes its own request
/// tests (which fail on a wrong route: see the README's "Controllers and views").
#[test]
fn a_generated_app_passes_clippy_fmt_and_its_controller_tests() {
    let (_dir, root) = common::new_app_named("controllerapp", "sqlite");
    run_ok(&root, &["controller", "blog", "index", "show"]);
    run_ok(&root, &["controller", "account", "login", "log_out"]);
    common::app::cargo(&root, &["fmt", "--check"]);
    common::app::cargo(&root, &["clippy", "--all-targets", "--", "-D", "warnings"]);
    common::app::cargo(&root, &["test"]);
}

/// `tspawn delete` rebuilds the plan from the controller's first line and takes out what it
/// wrote; what stays is what delete always leaves: folders and the runtime feature.
#[test]
fn generate_then_delete_gives_back_the_original_files() {
    let (_dir, root) = new_app("sqlite");
    let files = |root: &Path| -> BTreeMap<String, String> {
        let mut tree = read_tree(root);
        tree.retain(|path, _| !path.ends_with('/'));
        tree.remove("Cargo.toml");
        tree
    };
    let before = files(&root);
    run_ok(&root, &["controller", "blog", "index", "show"]);
    run_ok(&root, &["delete", "blog"]);
    assert_eq!(files(&root), before);
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("features = [\"sqlite\", \"views\"]"));
}

/// A controller and a WebSocket endpoint of one name would both route `GET /NAME` (axum
/// panics at startup): the second is refused in one line, whichever came first.
#[test]
fn a_controller_and_an_endpoint_never_share_a_name() {
    let (_dir, root) = common::new_app("sqlite");
    tspawn(&root).args(["websocket", "chat"]).assert().success();
    let before = read_tree(&root);
    let out = tspawn(&root)
        .args(["controller", "chat", "index"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("pick another name"), "{err}");
    assert_eq!(read_tree(&root), before);

    let (_dir, root) = common::new_app("sqlite");
    tspawn(&root)
        .args(["controller", "chat", "index"])
        .assert()
        .success();
    let before = read_tree(&root);
    let out = tspawn(&root).args(["websocket", "chat"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("pick another"), "{err}");
    assert_eq!(read_tree(&root), before);
}
