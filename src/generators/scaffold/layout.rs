//! Rust lines of the scaffold's controller and tests laid out as rustfmt (edition 2021,
//! max_width 100) lays them out for the names they hold: one line while it fits, else one item
//! per line. tspawn never runs rustfmt; tests/scaffold.rs checks short and long names.

/// rustfmt's `max_width`.
const MAX_WIDTH: usize = 100;
/// rustfmt's `fn_call_width`: wider arguments go one per line.
const CALL_WIDTH: usize = 60;
/// rustfmt's `attr_fn_like_width`: the same for an attribute's arguments.
const ATTR_WIDTH: usize = 70;

/// `pub async fn NAME(PARAMS) -> RET {`, or the parameters one per line.
pub fn signature(name: &str, params: &[String], ret: &str) -> String {
    let one = format!("pub async fn {name}({}) -> {ret} {{", params.join(", "));
    if one.len() <= MAX_WIDTH {
        return one;
    }
    let mut out = format!("pub async fn {name}(\n");
    for param in params {
        out.push_str(&format!("    {param},\n"));
    }
    out.push_str(&format!(") -> {ret} {{"));
    out
}

/// A call statement at `indent` spaces: `CALLEE(ARGS)SUFFIX` (`SUFFIX` such as `;` or `,`),
/// or the arguments one per line.
pub fn call(indent: usize, callee: &str, args: &[String], suffix: &str) -> String {
    let pad = " ".repeat(indent);
    let joined = args.join(", ");
    let one = format!("{pad}{callee}({joined}){suffix}");
    if joined.len() <= CALL_WIDTH && one.len() <= MAX_WIDTH {
        return one;
    }
    let mut out = format!("{pad}{callee}(\n");
    for arg in args {
        out.push_str(&format!("{pad}    {arg},\n"));
    }
    out.push_str(&format!("{pad}){suffix}"));
    out
}

/// `format!("PATTERN", ARGS)` at `indent` spaces, as the last expression of a function. When
/// it does not fit, the string goes on a line of its own, then the arguments: together on one
/// line when they are plain (`row.id`), else one per line (rustfmt's rule for format macros,
/// which get no trailing comma).
pub fn format_call(indent: usize, pattern: &str, args: &[String]) -> String {
    let pad = " ".repeat(indent);
    let joined = format!("\"{pattern}\", {}", args.join(", "));
    let one = format!("{pad}format!({joined})");
    if joined.len() <= CALL_WIDTH && one.len() <= MAX_WIDTH {
        return one;
    }
    let separator = match args.iter().any(|a| a.contains('(')) {
        true => format!(",\n{pad}    "),
        false => ", ".to_owned(),
    };
    format!(
        "{pad}format!(\n{pad}    \"{pattern}\",\n{pad}    {}\n{pad})",
        args.join(&separator)
    )
}

/// `let PATTERN = CALL.await? else {` at `indent` spaces; `else {` on a line of its own when
/// the line would be too long.
pub fn let_else(indent: usize, pattern: &str, call: &str) -> String {
    let pad = " ".repeat(indent);
    let head = format!("{pad}let {pattern} = {call}.await?");
    match head.len() + " else {".len() <= MAX_WIDTH {
        true => format!("{head} else {{"),
        false => format!("{head}\n{pad}else {{"),
    }
}

/// `use PATH::{NAMES};`, or the names on lines of their own (as many as fit on each).
pub fn use_list(path: &str, names: &[String]) -> String {
    let one = format!("use {path}::{{{}}};", names.join(", "));
    if one.len() <= MAX_WIDTH {
        return one;
    }
    let mut out = format!("use {path}::{{\n");
    let mut line = String::new();
    for name in names {
        if !line.is_empty() && 4 + line.len() + name.len() + 2 > MAX_WIDTH {
            out.push_str(&format!("    {}\n", line.trim_end()));
            line.clear();
        }
        line.push_str(&format!("{name}, "));
    }
    out.push_str(&format!("    {}\n}};", line.trim_end()));
    out
}

/// rustfmt's `struct_lit_width`: a struct literal whose fields are wider goes one per line.
const STRUCT_WIDTH: usize = 18;

/// `HEAD { FIELDS }TAIL` at `indent` spaces (`let new = NewBlog`, `;`), or the fields one per
/// line.
pub fn struct_literal(indent: usize, head: &str, fields: &[String], tail: &str) -> String {
    let pad = " ".repeat(indent);
    let body = fields.join(", ");
    let one = format!("{pad}{head} {{ {body} }}{tail}");
    if body.len() <= STRUCT_WIDTH && one.len() <= MAX_WIDTH {
        return one;
    }
    let mut out = format!("{pad}{head} {{\n");
    for field in fields {
        out.push_str(&format!("{pad}    {field},\n"));
    }
    out.push_str(&format!("{pad}}}{tail}"));
    out
}

/// `#[template(path = "PATH", askama = tspawn_runtime::askama)]`, or its arguments one per
/// line.
pub fn template_attribute(path: &str) -> String {
    let args = [
        format!("path = \"{path}\""),
        "askama = tspawn_runtime::askama".to_owned(),
    ];
    let joined = args.join(", ");
    let one = format!("#[template({joined})]");
    if joined.len() <= ATTR_WIDTH && one.len() <= MAX_WIDTH {
        return one;
    }
    format!("#[template(\n    {},\n    {}\n)]", args[0], args[1])
}

/// `const NAME: &str = "TEXT";` with `TEXT` continued over lines (`\` at each end) so no line
/// is over `max_width`; the continued lines align with the text's first character.
pub fn str_const(name: &str, text: &str) -> String {
    let head = format!("const {name}: &str = \"");
    let pad = " ".repeat(head.len());
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let room = MAX_WIDTH - head.len() - 3;
        if !line.is_empty() && line.len() + 1 + word.len() > room {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    let last = lines.len() - 1;
    let mut out = head;
    for (i, line) in lines.iter().enumerate() {
        match i == last {
            true => out.push_str(&format!("{line}\";")),
            // The space ends the line, before the `\` that continues it.
            false => out.push_str(&format!("{line} \\\n{pad}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_break_as_rustfmt_breaks_them() {
        let params = ["State(db): State<Db>".to_owned(), "flash: Flash".to_owned()];
        assert_eq!(
            signature("show", &params, "Result<Response>"),
            "pub async fn show(State(db): State<Db>, flash: Flash) -> Result<Response> {"
        );
        let long = signature(&"x".repeat(60), &params, "Result<Response>");
        assert!(long.contains("(\n    State(db): State<Db>,\n    flash: Flash,\n) ->"));
        assert_eq!(call(4, "f", &["a".to_owned()], ";"), "    f(a);");
        let text = "word ".repeat(40);
        for line in str_const("STALE", text.trim()).lines() {
            assert!(line.len() <= MAX_WIDTH, "{line}");
        }
    }
}
