//! The command line and the environment, read into [`Args`]: every flag
//! has a `MOCK_OKTA_*` variable (its name, upper case, `-` as `_`), which
//! counts when the flag is not given. A repeatable flag's variable holds
//! several values: `MOCK_OKTA_CLIENT` and `MOCK_OKTA_USER` one per line
//! (a value never holds a line break: they refuse control characters),
//! `MOCK_OKTA_AUTH_SERVER`, `MOCK_OKTA_SCOPE` and `MOCK_OKTA_FAULT`
//! separated by spaces or lines (no name, scope or fault holds a space). A mistake, in a flag or a
//! variable, is one line that names it.

use super::Args;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches};
use std::ffi::OsString;

/// The arguments from the command line `argv` (program name first) and the
/// environment.
///
/// `--help` and `--version` print and exit here.
///
/// # Errors
/// One line naming the flag, or the variable and its flag, and what is
/// wrong (without the `error: ` that `main` puts before it).
pub(crate) fn parse(argv: Vec<OsString>) -> Result<Args, String> {
    let matches = match Args::command().try_get_matches_from(&argv) {
        Ok(matches) => matches,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            e.exit()
        }
        Err(e) => return Err(one_line(&e, &argv)),
    };
    let mut args = Args::from_arg_matches(&matches).map_err(|e| one_line(&e, &argv))?;
    let from_env = |id: &str| matches.value_source(id) == Some(ValueSource::EnvVariable);
    for (id, list) in [("clients", &mut args.clients), ("users", &mut args.users)] {
        if from_env(id) {
            *list = split(list, |c| c == '\n');
        }
    }
    let spaced = [
        ("auth_servers", &mut args.auth_servers),
        ("scopes", &mut args.scopes),
        ("faults", &mut args.faults),
    ];
    for (id, list) in spaced {
        if from_env(id) {
            *list = split(list, char::is_whitespace);
        }
    }
    Ok(args)
}

/// The values of one variable, split and trimmed; empty ones dropped.
fn split(values: &[String], at: fn(char) -> bool) -> Vec<String> {
    values
        .iter()
        .flat_map(|value| value.split(at))
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .map(String::from)
        .collect()
}

/// clap's error in one line: a bad value names its flag, or the variable
/// it came from (when the flag was not on the command line).
fn one_line(e: &clap::Error, argv: &[OsString]) -> String {
    let text = |kind| match e.get(kind) {
        Some(ContextValue::String(text)) => Some(text.clone()),
        _ => None,
    };
    let (Some(arg), Some(value)) = (
        text(ContextKind::InvalidArg),
        text(ContextKind::InvalidValue),
    ) else {
        let rendered = e.to_string();
        let first = rendered.lines().next().unwrap_or_default();
        return format!("{}; see --help", first.trim_start_matches("error: "));
    };
    // "--port <PORT>" → "--port"
    let flag = arg.split(' ').next().unwrap_or_default().to_string();
    let reason = std::error::Error::source(e).map_or_else(
        || "not a value it takes; see --help".to_string(),
        ToString::to_string,
    );
    let given = argv.iter().skip(1).any(|a| {
        let a = a.to_string_lossy();
        a == flag || a.starts_with(&format!("{flag}="))
    });
    let command = Args::command();
    let known = command
        .get_arguments()
        .find(|a| a.get_long().is_some_and(|long| format!("--{long}") == flag));
    let variable = known.and_then(|a| a.get_env().map(|v| v.to_string_lossy().into_owned()));
    // A switch (--tls) set from its variable.
    let reason = match known {
        Some(a) if !a.get_action().takes_values() => {
            "not a yes or no: write true or false (or 1/0, yes/no, on/off)".into()
        }
        _ => reason,
    };
    match variable {
        Some(variable) if !given => format!("{variable}={value:?} (for {flag}): {reason}"),
        _ => format!("{flag} {value:?}: {reason}"),
    }
}
