//! What an action name must be on top of the common checks: it becomes a function of the
//! controller module (`pub async fn show`), a view file (`views/blog/show.html`) and a URL
//! segment (`/blog/show`), each spelled the same, so it is taken only in snake_case and never as
//! a name the generated module already uses.

/// Names the generated controller module itself uses (templates/controller/controller.rs.jinja):
/// `routes` is its route list, `get` the routing function it calls, `render` the view renderer
/// it imports; an action of that name would shadow or clash with them.
const TAKEN: &[&str] = &["get", "render", "routes"];

/// What is wrong with action `raw` (its snake_case form `snake`) once its characters are fine.
pub(super) fn action_problem(raw: &str, snake: &str) -> Option<String> {
    if raw != snake {
        return Some(format!(
            "actions are function names and URL segments, written in snake_case; use \"{snake}\""
        ));
    }
    if TAKEN.contains(&raw) {
        return Some(format!(
            "the controller module uses `{raw}` itself ({}); pick another, e.g. \"{raw}_action\"",
            TAKEN.join(", ")
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::names::{Name, NameKind};

    #[test]
    fn actions_are_snake_case_and_free() {
        for fine in ["index", "show", "show_all", "page2", "new", "edit"] {
            assert!(Name::parse(NameKind::Action, fine).is_ok(), "{fine}");
        }
        let cases = [
            ("showAll", "use \"show_all\""),
            ("show-all", "use \"show_all\""),
            ("Index", "use \"index\""),
            ("fn", "Rust keyword; pick another, e.g. \"fn_action\""),
            ("routes", "uses `routes` itself"),
            ("get", "e.g. \"get_action\""),
            ("nul", "device name on Windows"),
            ("2nd", "starts with a digit"),
            ("a.b", "'.' is not allowed"),
        ];
        for (input, expected) in cases {
            let err = Name::parse(NameKind::Action, input)
                .unwrap_err()
                .to_string();
            assert!(err.starts_with("invalid action name"), "{err}");
            assert!(err.contains(expected), "{input:?}: {err}");
        }
        // Cargo's reserved names are fine: an action never names a crate.
        assert!(Name::parse(NameKind::Action, "test").is_ok());
    }

    #[test]
    fn controllers_lose_a_trailing_controller() {
        for input in [
            "blog",
            "BlogController",
            "blog_controller",
            "blog-controller",
        ] {
            let name = Name::parse(NameKind::Controller, input).unwrap();
            assert_eq!(name.snake(), "blog", "{input}");
        }
        let name = Name::parse(NameKind::Controller, "BlogController").unwrap();
        assert_eq!(
            name.rename_note().as_deref(),
            Some("note: `BlogController` is written as `blog`")
        );
        let err = Name::parse(NameKind::Controller, "controller").unwrap_err();
        assert!(
            err.to_string().contains("the \"controller\" suffix"),
            "{err}"
        );
        let err = Name::parse(NameKind::Controller, "self").unwrap_err();
        assert!(err.to_string().contains("e.g. \"self_page\""), "{err}");
    }
}
