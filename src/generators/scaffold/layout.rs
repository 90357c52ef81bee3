//! Rust lines of the scaffold's controller and tests laid out as rustfmt (edition 2021,
//! max_width 100) lays them out for the names they hold: one line while it fits, else one item
//! per line. tspawn never runs rustfmt; tests/scaffold.rs checks short and long names.

use std::fmt::Write;

/// rustfmt's `max_width`.
const MAX_WIDTH: usize = 100;
/// rustfmt's `fn_call_width`: wider arguments go one per line.
const CALL_WIDTH: usize = 60;
/// rustfmt's `attr_fn_like_width`: the same for an attribute's arguments.
const ATTR_WIDTH: usize = 70;

/// `HEAD(PARAMS) -> RET {` (`HEAD` such as `pub async fn show`), or the parameters one per
/// line.
pub fn signature(head: &str, params: &[String], ret: &str) -> String {
    let one = format!("{head}({}) -> {ret} {{", params.join(", "));
    if one.len() <= MAX_WIDTH {
        return one;
    }
    let mut out = format!("{head}(\n");
    for param in params {
        let _ = writeln!(out, "    {param},");
    }
    let _ = write!(out, ") -> {ret} {{");
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
        let _ = writeln!(out, "{pad}    {arg},");
    }
    let _ = write!(out, "{pad}){suffix}");
    out
}

/// `format!("PATTERN", ARGS)` at `indent` spaces, as the last expression of a function. When
/// it does not fit, the string goes on a line of its own, then the arguments: together on one
/// line when they are plain (`row.id`), else one per line (rustfmt's rule for format macros,
/// which get no trailing comma).
pub fn format_call(indent: usize, pattern: &str, args: &[String]) -> String {
    formatted(indent, "", pattern, args, "")
}

/// `HEADformat!("PATTERN", ARGS)TAIL` at `indent` spaces, laid out as rustfmt lays out a
/// `format!` call: on one line when it fits, else the pattern and the arguments on lines of
/// their own (one argument per line when one of them is a call).
fn formatted(indent: usize, head: &str, pattern: &str, args: &[String], tail: &str) -> String {
    let pad = " ".repeat(indent);
    let joined = format!("\"{pattern}\", {}", args.join(", "));
    let one = format!("{pad}{head}format!({joined}){tail}");
    if joined.len() <= CALL_WIDTH && one.len() <= MAX_WIDTH {
        return one;
    }
    let separator = if args.iter().any(|a| a.contains('(')) {
        format!(",\n{pad}    ")
    } else {
        ", ".to_owned()
    };
    format!(
        "{pad}{head}format!(\n{pad}    \"{pattern}\",\n{pad}    {}\n{pad}){tail}",
        args.join(&separator)
    )
}

/// `let PATTERN = CALL.await? else {` at `indent` spaces. When it is too long: `else {` on a
/// line of its own, then the call on the next line, then `.await?` on one more.
pub fn let_else(indent: usize, pattern: &str, call: &str) -> String {
    let pad = " ".repeat(indent);
    // rustfmt keeps a column or two in reserve here (measured: a 100-column line breaks).
    let head = format!("{pad}let {pattern} = {call}.await?");
    if head.len() + " else {".len() < MAX_WIDTH {
        return format!("{head} else {{");
    }
    if head.len() < MAX_WIDTH - 1 {
        return format!("{head}\n{pad}else {{");
    }
    let next = format!("{pad}    {call}.await?");
    if next.len() < MAX_WIDTH - 1 {
        format!("{pad}let {pattern} =\n{next}\n{pad}else {{")
    } else {
        format!("{pad}let {pattern} =\n{pad}    {call}\n{pad}        .await?\n{pad}else {{")
    }
}

/// `let PATTERN = VALUE else {`, `return not_found();` and `};` at `indent` spaces (`else {`
/// on a line of its own when the first line is too long).
pub fn let_else_plain(indent: usize, pattern: &str, value: &str) -> String {
    let pad = " ".repeat(indent);
    let head = format!("{pad}let {pattern} = {value}");
    let head = if head.len() + " else {".len() < MAX_WIDTH {
        format!("{head} else {{")
    } else {
        format!("{head}\n{pad}else {{")
    };
    format!("{head}\n{pad}    return not_found();\n{pad}}};")
}

/// `let NAME = format!("PATTERN", ARGS);` at `indent` spaces, laid out as [`format_call`].
pub fn let_format(indent: usize, name: &str, pattern: &str, args: &[String]) -> String {
    formatted(indent, &format!("let {name} = "), pattern, args, ";")
}

/// `let NAME = CALL.await?;` at `indent` spaces (`QUESTION` `?` or nothing): the call on the
/// next line when the line is too long, and `.await` on one more when that is too.
pub fn awaited_let(indent: usize, name: &str, call: &str, question: &str) -> String {
    let pad = " ".repeat(indent);
    let one = format!("{pad}let {name} = {call}.await{question};");
    if one.len() <= MAX_WIDTH {
        return one;
    }
    let next = format!("{pad}    {call}.await{question};");
    if next.len() <= MAX_WIDTH {
        format!("{pad}let {name} =\n{next}")
    } else {
        format!("{pad}let {name} =\n{pad}    {call}\n{pad}        .await{question};")
    }
}

/// `TARGET = VALUE;` at `indent` spaces, or the value on the next line.
pub fn assignment(indent: usize, target: &str, value: &str) -> String {
    let pad = " ".repeat(indent);
    let one = format!("{pad}{target} = {value};");
    if one.len() <= MAX_WIDTH {
        one
    } else {
        format!("{pad}{target} =\n{pad}    {value};")
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
            let _ = writeln!(out, "    {}", line.trim_end());
            line.clear();
        }
        let _ = write!(line, "{name}, ");
    }
    let _ = write!(out, "    {}\n}};", line.trim_end());
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
        let line = format!("{pad}    {field},");
        // `name: receiver.rest`, too long: the chain breaks before its first `.`.
        match (line.len() <= MAX_WIDTH, field.split_once(": ")) {
            (false, Some((name, value))) if value.contains('.') => {
                let (receiver, rest) = value.split_once('.').unwrap_or((value, ""));
                let _ = writeln!(out, "{pad}    {name}: {receiver}\n{pad}        .{rest},");
            }
            _ => {
                let _ = writeln!(out, "{line}");
            }
        }
    }
    let _ = write!(out, "{pad}}}{tail}");
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
        if i == last {
            let _ = write!(out, "{line}\";");
        } else {
            // The space ends the line, before the `\` that continues it.
            let _ = write!(out, "{line} \\\n{pad}");
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
            signature("pub async fn show", &params, "Result<Response>"),
            "pub async fn show(State(db): State<Db>, flash: Flash) -> Result<Response> {"
        );
        let long = signature(&"x".repeat(60), &params, "Result<Response>");
        assert!(long.starts_with("xxx"), "{long}");
        assert!(long.contains("(\n    State(db): State<Db>,\n    flash: Flash,\n) ->"));
        assert_eq!(call(4, "f", &["a".to_owned()], ";"), "    f(a);");
        let text = "word ".repeat(40);
        for line in str_const("STALE", text.trim()).lines() {
            assert!(line.len() <= MAX_WIDTH, "{line}");
        }
    }
}
