//! Taking a lesson out of a stage's file: a function's body, or an exact
//! text, replaced by a placeholder. Rust is read with rustc's own lexer
//! (published as `ra-ap-rustc_lexer`), so a brace in a string, a comment or
//! a character literal never confuses the search for a body.

use crate::manifest::Edit;
use ra_ap_rustc_lexer::{FrontmatterAllowed, TokenKind, tokenize};

/// A token that is not whitespace or a comment, with where it is.
#[derive(Debug, Clone, Copy)]
struct Token {
    kind: TokenKind,
    start: usize,
    end: usize,
}

/// The tokens of `source` that mean something: no whitespace, no comments.
fn tokens(source: &str) -> Vec<Token> {
    let mut at = 0;
    let mut found = Vec::new();
    for token in tokenize(source, FrontmatterAllowed::No) {
        let (start, end) = (at, at + token.len as usize);
        at = end;
        if !matches!(
            token.kind,
            TokenKind::Whitespace | TokenKind::LineComment { .. } | TokenKind::BlockComment { .. }
        ) {
            found.push(Token {
                kind: token.kind,
                start,
                end,
            });
        }
    }
    found
}

/// Where the body of `fn name` is: from just after its `{` to just before
/// its `}`.
///
/// # Errors
/// When there is no `fn name`, more than one, or one without a body.
pub fn fn_body(source: &str, name: &str) -> Result<std::ops::Range<usize>, String> {
    let tokens = tokens(source);
    let text = |t: &Token| &source[t.start..t.end];
    let found: Vec<usize> = (1..tokens.len())
        .filter(|&i| {
            tokens[i - 1].kind == TokenKind::Ident
                && text(&tokens[i - 1]) == "fn"
                && tokens[i].kind == TokenKind::Ident
                && text(&tokens[i]) == name
        })
        .collect();
    let at = match found[..] {
        [at] => at,
        [] => return Err(format!("there is no `fn {name}`")),
        _ => return Err(format!("`fn {name}` is there {} times", found.len())),
    };
    // The body opens at the first `{` outside the signature's brackets (a
    // `;` there first: a declaration, such as `[u8; 4]` cannot be).
    let mut nested = 0usize;
    let open = (at..tokens.len())
        .find(|&i| match tokens[i].kind {
            TokenKind::OpenParen | TokenKind::OpenBracket => {
                nested += 1;
                false
            }
            TokenKind::CloseParen | TokenKind::CloseBracket => {
                nested = nested.saturating_sub(1);
                false
            }
            TokenKind::OpenBrace | TokenKind::Semi => nested == 0,
            _ => false,
        })
        .filter(|&i| tokens[i].kind == TokenKind::OpenBrace)
        .ok_or(format!("`fn {name}` has no body"))?;
    let mut depth = 0usize;
    for token in &tokens[open..] {
        match token.kind {
            TokenKind::OpenBrace => depth += 1,
            TokenKind::CloseBrace => {
                depth -= 1;
                if depth == 0 {
                    return Ok(tokens[open].end..token.start);
                }
            }
            _ => {}
        }
    }
    Err(format!("the body of `fn {name}` is never closed"))
}

/// The start of the line that `at` is on, and that line's indentation.
fn line_start(source: &str, at: usize) -> (usize, &str) {
    let start = source[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = &source[start..];
    (
        start,
        &line[..line.len() - line.trim_start_matches([' ', '\t']).len()],
    )
}

/// `text`'s lines, each after `indent`.
fn indented(text: &str, indent: &str) -> String {
    text.trim_end()
        .lines()
        .map(|line| {
            if line.is_empty() {
                "\n".to_string()
            } else {
                format!("{indent}{line}\n")
            }
        })
        .collect()
}

/// Where `needle` is in `haystack`, if it is there exactly once.
fn once(haystack: &str, needle: &str, what: &str) -> Result<usize, String> {
    let mut found = haystack.match_indices(needle).map(|(at, _)| at);
    match (found.next(), found.next()) {
        (Some(at), None) => Ok(at),
        (None, _) => Err(format!("{what} {needle:?} is not there")),
        (Some(_), Some(_)) => Err(format!(
            "{what} {needle:?} is there {} times",
            haystack.matches(needle).count()
        )),
    }
}

/// `source` with `edit` made. `todo` is the `todo!` a function's body
/// becomes when the edit gives no `with`.
///
/// # Errors
/// One line saying which region is missing or not unique.
pub fn apply(source: &str, edit: &Edit, todo: &str) -> Result<String, String> {
    let file = &edit.file;
    if let Some(find) = &edit.find {
        let at = once(source, find, "the text").map_err(|e| format!("{file}: {e}"))?;
        let with = edit.with.as_deref().unwrap_or_default();
        return Ok(format!(
            "{}{with}{}",
            &source[..at],
            &source[at + find.len()..]
        ));
    }
    let name = edit
        .function
        .as_deref()
        .ok_or(format!("{file}: an edit with no region"))?;
    let body = fn_body(source, name).map_err(|e| format!("{file}: {e}"))?;
    let with = edit
        .with
        .clone()
        .unwrap_or_else(|| format!("todo!({todo:?})"));
    let (_, fn_indent) = line_start(source, body.start);
    // A region that starts or ends a line takes the whole line, so what
    // replaces it is indented like the code around it.
    let alone = |from: usize, to: usize| source[from..to].trim().is_empty();
    let (close_line, _) = line_start(source, body.end);
    let (end, close) = match alone(close_line, body.end) {
        true => (close_line, String::new()),
        false => (body.end, fn_indent.to_string()),
    };
    let (start, lead, indent) = match &edit.from {
        None => (body.start, "\n", format!("{fn_indent}    ")),
        Some(from) => {
            let inside = &source[body.start..end];
            let at = once(
                inside,
                from,
                &format!("in the body of `fn {name}`, the text"),
            )
            .map_err(|e| format!("{file}: {e}"))?;
            let (line, indent) = line_start(source, body.start + at);
            match alone(line, body.start + at) {
                true => (line, "", indent.to_string()),
                false => (body.start + at, "\n", indent.to_string()),
            }
        }
    };
    let with = indented(&with, &indent);
    Ok(format!(
        "{}{lead}{with}{close}{}",
        &source[..start],
        &source[end..]
    ))
}

/// How many lines of code the learner writes for `edit` in `source` (the
/// solution): the region's lines that are neither blank nor only a
/// comment.
///
/// # Errors
/// As [`apply`]: the region is not there exactly once.
pub fn region_lines(source: &str, edit: &Edit) -> Result<usize, String> {
    let region = match (&edit.find, &edit.function) {
        (Some(find), _) => find.clone(),
        (None, Some(name)) => {
            let body = &source[fn_body(source, name)?];
            match &edit.from {
                None => body.to_string(),
                Some(from) => body[once(body, from, "the text")?..].to_string(),
            }
        }
        (None, None) => String::new(),
    };
    Ok(region
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .count())
}

/// A source without mdBook's anchor lines, which mean nothing in a
/// learner's copy.
pub fn without_anchors(source: &str) -> String {
    source
        .lines()
        .filter(|line| !line.contains("ANCHOR:") && !line.contains("ANCHOR_END:"))
        .map(|line| format!("{line}\n"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_of(name: &str) -> Edit {
        Edit {
            file: "f.rs".into(),
            function: Some(name.into()),
            from: None,
            find: None,
            with: None,
        }
    }

    const SOURCE: &str = r#"/// A `fn nope() {` in a comment
fn first(x: &str) -> Option<(u8, u8)> {
    let brace = '{';
    let text = "}} fn second() {";
    if x.is_empty() { None } else { Some((1, 2)) }
}

impl Thing {
    pub async fn second(&self) -> u8 {
        // }
        let a = 1;
        let b = 2;
        a + b
    }
}
"#;

    #[test]
    fn a_body_is_found_past_braces_in_strings_chars_and_comments() {
        let body = fn_body(SOURCE, "first").expect("found");
        assert!(SOURCE[body.clone()].trim_start().starts_with("let brace"));
        assert!(SOURCE[body].trim_end().ends_with("Some((1, 2)) }"));
    }

    #[test]
    fn a_body_becomes_a_todo_at_its_indentation() {
        let edited = apply(SOURCE, &body_of("second"), "Exercise 1.1: \"add\"").expect("applied");
        assert!(
            edited.contains(
                "pub async fn second(&self) -> u8 {\n        todo!(\"Exercise 1.1: \\\"add\\\"\")\n    }\n}"
            ),
            "{edited}"
        );
        assert!(
            edited.contains("let text = \"}} fn second() {\";"),
            "the rest is kept"
        );
    }

    #[test]
    fn from_replaces_the_rest_of_a_body() {
        let edit = Edit {
            from: Some("let b".into()),
            with: Some("a".into()),
            ..body_of("second")
        };
        let edited = apply(SOURCE, &edit, "unused").expect("applied");
        assert!(
            edited.contains("let a = 1;\n        a\n    }\n}"),
            "{edited}"
        );
    }

    #[test]
    fn a_find_replaces_exactly_that_text() {
        let edit = Edit {
            function: None,
            find: Some("let a = 1;\n".into()),
            with: Some("// gone\n".into()),
            ..body_of("x")
        };
        let edited = apply(SOURCE, &edit, "unused").expect("applied");
        assert_eq!(edited, SOURCE.replace("let a = 1;\n", "// gone\n"));
    }

    #[test]
    fn a_missing_or_repeated_region_is_an_error_that_names_it() {
        let missing = apply(SOURCE, &body_of("third"), "t").expect_err("missing");
        assert_eq!(missing, "f.rs: there is no `fn third`");
        let twice = format!("{SOURCE}\nfn first() {{}}\n");
        let repeated = apply(&twice, &body_of("first"), "t").expect_err("twice");
        assert_eq!(repeated, "f.rs: `fn first` is there 2 times");
        let edit = Edit {
            function: None,
            find: Some("let".into()),
            with: Some(String::new()),
            ..body_of("x")
        };
        let error = apply(SOURCE, &edit, "t").expect_err("repeated text");
        assert_eq!(error, "f.rs: the text \"let\" is there 4 times");
        let edit = Edit {
            from: Some("nowhere".into()),
            ..body_of("second")
        };
        let error = apply(SOURCE, &edit, "t").expect_err("missing from");
        assert!(error.contains("in the body of `fn second`, the text \"nowhere\" is not there"));
    }

    #[test]
    fn a_declaration_without_a_body_is_an_error() {
        let error = fn_body("trait T { fn f(&self); }", "f").expect_err("no body");
        assert_eq!(error, "`fn f` has no body");
    }
}
