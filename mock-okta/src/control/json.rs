//! The control API's JSON bodies: read with errors in JSON's words (never
//! a parser's or Rust's), and changed in part by a JSON Merge Patch
//! (RFC 7396).

use super::Refused;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A JSON body of type `T`, or the one line that says what is wrong in
/// JSON's terms and what to send, e.g. `groups[0]: expected a string, not
/// a number: send {…}`. The log line does not repeat it: it may quote a
/// value sent (a secret of the wrong type, say).
pub(super) fn body<T: DeserializeOwned>(bytes: &[u8], what_to_send: &str) -> Result<T, Refused> {
    let value = object(bytes, what_to_send)?;
    typed(value, what_to_send)
}

/// A body that is a JSON object, or the line saying it is not.
pub(super) fn object(bytes: &[u8], what_to_send: &str) -> Result<Value, Refused> {
    let refuse = |problem: String| Refused::bad_json(format!("{problem}: send {what_to_send}"));
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(refuse("the body is empty".into()));
    }
    let value: Value =
        serde_json::from_slice(bytes).map_err(|_| refuse("the body is not JSON".into()))?;
    if !value.is_object() {
        return Err(refuse(format!(
            "expected a JSON object, not {}",
            kind(&value)
        )));
    }
    Ok(value)
}

/// A JSON object read as a `T`, or the line naming the field at fault.
pub(super) fn typed<T: DeserializeOwned>(value: Value, what_to_send: &str) -> Result<T, Refused> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let problem = in_json_terms(&e.into_inner().to_string());
        // An unknown field's path is the field itself: the line names it.
        let line = if path == "." || problem.starts_with("unknown field") {
            format!("{problem}: send {what_to_send}")
        } else {
            format!("{path}: {problem}: send {what_to_send}")
        };
        Refused::bad_json(line)
    })
}

/// `what` changed by a JSON Merge Patch (RFC 7396): the fields the patch
/// names take its values, `null` removes one, the rest stay.
pub(super) fn patched<T: Serialize + DeserializeOwned>(
    what: &T,
    patch: &Value,
    what_to_send: &str,
) -> Result<T, Refused> {
    let mut document = serde_json::to_value(what).map_err(|_| {
        Refused::bad_json(format!("the mock cannot change this: send {what_to_send}"))
    })?;
    json_patch::merge(&mut document, patch);
    typed(document, what_to_send)
}

/// A JSON value's kind, as JSON names it: `an array`, `a string`, ….
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// serde's words for a type error, in JSON's: `invalid type: integer
/// `5`, expected a string` becomes `expected a string, not the number 5`;
/// `missing field `email`` becomes `"email" is missing`.
fn in_json_terms(serde: &str) -> String {
    if let Some(field) = serde
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        return format!("{field:?} is missing");
    }
    if let Some(rest) = serde.strip_prefix("unknown field `")
        && let Some((field, expected)) = rest.split_once("`, expected ")
    {
        let fields = expected
            .replace("one of ", "")
            .replace("` or `", ", ")
            .replace('`', "");
        return format!("unknown field {field:?}: the fields are {fields}");
    }
    let words = [
        ("a sequence", "an array"),
        ("sequence", "array"),
        ("a map", "an object"),
        ("map", "object"),
        ("unit value", "null"),
        ("integer", "number"),
        ("floating point", "number"),
        ("a borrowed string", "a string"),
        ("struct ", "object "),
    ];
    let mut line = serde.replace('`', "");
    for (serde_word, json_word) in words {
        line = line.replace(serde_word, json_word);
    }
    if let Some(rest) = line.strip_prefix("invalid type: ")
        && let Some((got, expected)) = rest.split_once(", expected ")
    {
        return format!("expected {expected}, not {got}");
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, Serialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Thing {
        email: String,
        #[serde(default)]
        groups: Vec<String>,
    }

    fn line(bytes: &str) -> String {
        body::<Thing>(bytes.as_bytes(), "{\"email\": …}")
            .expect_err(bytes)
            .line
    }

    #[test]
    fn errors_are_worded_in_json_never_in_the_parser_s_or_rust_s_terms() {
        let cases = [
            ("", "the body is empty: send {\"email\": …}"),
            ("{em", "the body is not JSON: send"),
            ("[1]", "expected a JSON object, not an array: send"),
            ("{}", "\"email\" is missing: send"),
            (
                r#"{"email": "e", "x": 1}"#,
                "unknown field \"x\": the fields are email, groups: send",
            ),
            (
                r#"{"email": 5}"#,
                "email: expected a string, not number 5: send",
            ),
            (
                r#"{"email": "e", "groups": [true]}"#,
                "groups[0]: expected a string, not boolean true: send",
            ),
            (
                r#"{"email": "e", "groups": {"a": 1}}"#,
                "groups: expected an array, not object: send",
            ),
        ];
        for (sent, expected) in cases {
            let line = line(sent);
            assert!(line.starts_with(expected), "{sent}: {line}");
            for internal in ["line 1", "column", "struct", "ident", "`"] {
                assert!(!line.contains(internal), "{sent}: {line}");
            }
        }
    }

    #[test]
    fn the_log_line_of_bad_json_never_quotes_what_was_sent() {
        use crate::error::Outcome;
        use axum::response::IntoResponse;
        let sent = br#"{"email": "c@example.com", "groups": [98765]}"#;
        let refused = body::<Thing>(sent, "…").expect_err("a number is no group");
        assert!(
            refused.line.contains("98765"),
            "the caller is told: {}",
            refused.line
        );
        let response = refused.into_response();
        let logged = response.extensions().get::<Outcome>().expect("an outcome");
        assert_eq!(logged.as_str(), "refused: not the JSON this endpoint takes");
    }

    #[test]
    fn a_merge_patch_changes_what_it_names_and_keeps_the_rest() {
        let thing = Thing {
            email: "a@example.com".into(),
            groups: vec!["admins".into()],
        };
        let patch = serde_json::json!({ "email": "b@example.com" });
        let changed: Thing = patched(&thing, &patch, "").expect("patched");
        assert_eq!(changed.email, "b@example.com");
        assert_eq!(changed.groups, ["admins"], "kept");
        let cleared: Thing =
            patched(&thing, &serde_json::json!({ "groups": null }), "").expect("patched");
        assert!(cleared.groups.is_empty(), "null removes a field");
    }
}
