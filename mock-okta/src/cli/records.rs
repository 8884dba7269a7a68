//! `--client FIELD=VALUE` and `--user FIELD=VALUE`: a client or a user
//! given one field per flag, in order, starting with its `id=` or `email=`.

use mock_okta::{Client, User};

/// The fields of the records a repeated `--FLAG FIELD=VALUE` describes, in
/// order: each occurrence of `first` starts a record. Only the first `=`
/// splits, so a value may hold `=`, `:` or `,`.
fn records<'a>(
    flag: &str,
    fields: &[&str],
    occurrences: &'a [String],
) -> Result<Vec<Vec<(&'a str, &'a str)>>, String> {
    let first = fields[0];
    let mut records: Vec<Vec<(&str, &str)>> = Vec::new();
    for occurrence in occurrences {
        // An error never repeats a secret.
        let shown = match occurrence.split_once('=') {
            Some(("secret", _)) => "secret=…".to_string(),
            _ => occurrence.to_string(),
        };
        let Some((field, value)) = occurrence.split_once('=') else {
            return Err(format!(
                "--{flag} {shown:?}: write one FIELD=VALUE per --{flag}, starting with --{flag} {first}=…; see --help"
            ));
        };
        if !fields.contains(&field) {
            return Err(format!(
                "--{flag} {shown:?}: unknown field {field:?}; the fields are {}",
                fields.join(", ")
            ));
        }
        if value.is_empty() {
            return Err(format!("--{flag} {shown:?}: {field} is empty"));
        }
        if value.chars().any(char::is_control) {
            return Err(format!(
                "--{flag} {field}=…: the value holds a control character (a newline?): remove it"
            ));
        }
        if field == first && records.iter().any(|r| r[0].1 == value) {
            return Err(format!(
                "--{flag} {shown:?}: given twice: give each {first} once"
            ));
        }
        if field == first {
            records.push(vec![(field, value)]);
        } else if let Some(record) = records.last_mut() {
            record.push((field, value));
        } else {
            return Err(format!(
                "--{flag} {shown:?}: each {flag} starts with --{flag} {first}=…"
            ));
        }
    }
    Ok(records)
}

/// The one value of a field a record may give once.
fn single<'a>(
    flag: &str,
    record: &[(&str, &'a str)],
    field: &str,
) -> Result<Option<&'a str>, String> {
    let mut values = record.iter().filter(|(f, _)| *f == field).map(|(_, v)| *v);
    let value = values.next();
    if values.next().is_some() {
        return Err(format!(
            "--{flag} {}={}: {field}= is given twice",
            record[0].0, record[0].1
        ));
    }
    Ok(value)
}

pub(crate) fn parse_clients(occurrences: &[String]) -> Result<Vec<Client>, String> {
    const FIELDS: &[&str] = &["id", "secret", "redirect-uri", "post-logout-redirect-uri"];
    let mut clients = Vec::new();
    for record in records("client", FIELDS, occurrences)? {
        let id = record[0].1;
        let mut client = match single("client", &record, "secret")? {
            Some(secret) => Client::web(id, secret),
            None => Client::public(id),
        };
        let uris = record.iter().filter(|(field, _)| field.ends_with("uri"));
        for &(field, uri) in uris {
            url::Url::parse(uri).map_err(|e| {
                format!("--client {field}={uri}: not an absolute URL ({e}), e.g. http://localhost:3000/callback")
            })?;
            client = if field == "redirect-uri" {
                client.redirect_uri(uri)
            } else {
                client.post_logout_redirect_uri(uri)
            };
        }
        let Some(first) = client.redirect_uris.first() else {
            return Err(format!(
                "--client id={id}: it has no redirect-uri: add --client redirect-uri=URI after it"
            ));
        };
        let origin = url::Url::parse(first).expect("checked above").origin();
        // An app's own scheme (com.example.app:/callback) has no origin to
        // come back to: no sign-out redirect URI unless one is given.
        if client.post_logout_redirect_uris.is_empty() && origin.is_tuple() {
            client = client.post_logout_redirect_uri(origin.ascii_serialization());
        }
        client
            .check()
            .map_err(|problem| format!("--client id={id}: {problem}"))?;
        clients.push(client);
    }
    Ok(clients)
}

pub(crate) fn parse_users(occurrences: &[String]) -> Result<Vec<User>, String> {
    const FIELDS: &[&str] = &["email", "password", "name", "groups"];
    let mut users = Vec::new();
    for record in records("user", FIELDS, occurrences)? {
        let email = record[0].1;
        if !email.contains('@') {
            return Err(format!("--user email={email}: not an email address"));
        }
        let Some(password) = single("user", &record, "password")? else {
            return Err(format!(
                "--user email={email}: it has no password: add --user password=PASSWORD after it"
            ));
        };
        let name = single("user", &record, "name")?.unwrap_or(email);
        let mut user = User::new(email, name, password);
        for group in single("user", &record, "groups")?.unwrap_or("").split(',') {
            if !group.trim().is_empty() {
                user = user.group(group.trim());
            }
        }
        users.push(user);
    }
    Ok(users)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_client_value_may_hold_colons_commas_and_equals() {
        let clients = parse_clients(&strings(&[
            "id=app",
            "secret=se:cr,et=",
            "redirect-uri=http://localhost:3000/cb?a=1,2",
            "id=spa",
            "redirect-uri=http://localhost:4000/cb",
            "post-logout-redirect-uri=http://localhost:4000/bye",
        ]))
        .expect("two clients");
        assert_eq!(clients[0].secret.as_deref(), Some("se:cr,et="));
        assert_eq!(clients[0].redirect_uris, ["http://localhost:3000/cb?a=1,2"]);
        assert_eq!(
            clients[0].post_logout_redirect_uris,
            ["http://localhost:3000"]
        );
        assert_eq!(
            (clients[1].id.as_str(), clients[1].secret.as_deref()),
            ("spa", None)
        );
        assert_eq!(
            clients[1].post_logout_redirect_uris,
            ["http://localhost:4000/bye"]
        );
    }

    #[test]
    fn a_client_flag_that_could_be_misread_is_refused_with_one_line() {
        let cases: [(&[&str], &str); 8] = [
            (
                &["app:se:cret:http://localhost:3000/cb"],
                "--client \"app:se:cret:http://localhost:3000/cb\": write one FIELD=VALUE per --client",
            ),
            (
                &["secret=s"],
                "--client \"secret=…\": each client starts with --client id=…",
            ),
            (
                &["id=app", "colour=blue"],
                "unknown field \"colour\"; the fields are id, secret, redirect-uri, post-logout-redirect-uri",
            ),
            (
                &["id=app", "secret=a", "secret=b", "redirect-uri=http://x/cb"],
                "--client id=app: secret= is given twice",
            ),
            (
                &["id=app", "redirect-uri=cb"],
                "--client redirect-uri=cb: not an absolute URL",
            ),
            (
                &["id=app", "secret=s"],
                "--client id=app: it has no redirect-uri",
            ),
            (
                &["id=app", "redirect-uri=javascript:alert(1)"],
                "--client id=app: redirect_uris[0]: \"javascript:alert(1)\": a redirect URI may not use the javascript: scheme",
            ),
            (
                &["id=app", "redirect-uri=http://localhost:3000/cb#x"],
                "--client id=app: redirect_uris[0]: \"http://localhost:3000/cb#x\" has a fragment (#x)",
            ),
        ];
        for (flags, expected) in cases {
            let problem = parse_clients(&strings(flags)).expect_err(expected);
            assert!(problem.contains(expected), "{flags:?} gave {problem:?}");
            assert!(!problem.contains('\n'));
        }
    }

    #[test]
    fn a_native_apps_own_scheme_is_a_redirect_uri_with_no_default_sign_out_uri() {
        let clients = parse_clients(&strings(&[
            "id=native",
            "redirect-uri=com.example.app:/callback",
        ]))
        .expect("a native client");
        assert_eq!(clients[0].redirect_uris, ["com.example.app:/callback"]);
        assert!(
            clients[0].post_logout_redirect_uris.is_empty(),
            "not \"null\""
        );
    }

    #[test]
    fn users_are_read_field_by_field() {
        let users = parse_users(&strings(&[
            "email=carol@example.com",
            "password=pa:ss=word",
            "name=Carol Example",
            "email=dan@example.com",
            "password=p",
            "groups=admins, finance",
        ]))
        .expect("two users");
        assert_eq!(users[1].groups, ["admins", "finance"]);
        assert_eq!(
            (users[0].password.as_str(), users[0].name.as_str()),
            ("pa:ss=word", "Carol Example")
        );
        assert_eq!(users[1].name, "dan@example.com");
        for (flags, expected) in [
            (
                &["carol@example.com:pw"][..],
                "write one FIELD=VALUE per --user",
            ),
            (
                &["email=carol"][..],
                "--user email=carol: not an email address",
            ),
            (&["email=c@example.com"][..], "it has no password"),
        ] {
            let problem = parse_users(&strings(flags)).expect_err(expected);
            assert!(problem.contains(expected), "{flags:?} gave {problem:?}");
        }
    }
}
