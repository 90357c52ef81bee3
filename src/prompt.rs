//! The `[ynaqdh]` question asked for each conflict when tspawn runs on a terminal. Answers are
//! read line by line from any `BufRead`, so tests can script them and piped input reaches every
//! prompt, not only the first (a TreeFrog shortcoming).

use crate::error::Error;
use crate::shell::Shell;
use similar::TextDiff;
use std::io::BufRead;

/// A decision about one conflicting file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Yes,
    No,
    /// Overwrite this and every later conflict.
    All,
    /// Stop; nothing is written.
    Quit,
}

/// Something that can settle a conflict.
pub trait Prompt {
    /// Asks `question` ("Overwrite src/routes.rs?"); `d` shows `old` against `new`.
    fn ask(
        &mut self,
        shell: &mut Shell,
        question: &str,
        path: &str,
        old: &str,
        new: &str,
    ) -> Result<Answer, Error>;
}

/// Reads answers from a line-based input.
pub struct LinePrompt<R> {
    input: R,
}

impl<R: BufRead> LinePrompt<R> {
    pub fn new(input: R) -> Self {
        LinePrompt { input }
    }
}

const HELP: &str = "  y - yes, for this file\n  n - no: keep this file as it is\n  a - yes, for this and all \
                    remaining conflicts\n  q - quit; nothing is written\n  d - show the changes\n  h - help\n";

impl<R: BufRead> Prompt for LinePrompt<R> {
    fn ask(
        &mut self,
        shell: &mut Shell,
        question: &str,
        path: &str,
        old: &str,
        new: &str,
    ) -> Result<Answer, Error> {
        loop {
            shell.always(&format!("{question} [ynaqdh] "));
            let mut line = String::new();
            let read = self
                .input
                .read_line(&mut line)
                .map_err(|e| Error::io("stdin", e))?;
            if read == 0 {
                shell.always("\n");
                return Ok(Answer::Quit);
            }
            match line.trim().to_ascii_lowercase().as_str() {
                "y" | "yes" => return Ok(Answer::Yes),
                "n" | "no" => return Ok(Answer::No),
                "a" | "all" => return Ok(Answer::All),
                "q" | "quit" => return Ok(Answer::Quit),
                "d" | "diff" => {
                    let diff = TextDiff::from_lines(old, new);
                    let text = diff
                        .unified_diff()
                        .header(path, &format!("{path} (new)"))
                        .to_string();
                    shell.always(&text);
                }
                _ => shell.always(HELP),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_one_answer_per_line_and_shows_diff_and_help() {
        let mut shell = Shell::from_write(std::io::sink(), false);
        let mut prompt = LinePrompt::new("d\nwhat\ny\nn\na\n".as_bytes());
        let mut ask = || {
            prompt
                .ask(&mut shell, "Overwrite f?", "f", "a\n", "b\n")
                .unwrap()
        };
        assert_eq!(ask(), Answer::Yes);
        assert_eq!(ask(), Answer::No);
        assert_eq!(ask(), Answer::All);
        assert_eq!(ask(), Answer::Quit, "end of input quits");
    }
}
