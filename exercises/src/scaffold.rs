//! `new PATH --from stage-N`: a stage laid down as a crate of the learner's
//! own, outside the workbook, to grow into their app.
//!
//! ```text
//! PATH/
//!   Cargo.toml      the stage's, with the learner's crate name and every
//!                   dependency at the exact version the workbook builds
//!   Cargo.lock      the workbook's: the same versions, offline
//!   src/ examples/  the stage's sources, `stage_N` renamed to the crate
//!   tests/          the stage's own tests, if it has any, and login.rs:
//!                   a login against mock-okta, through the app's binary
//!   .env.example    every setting, as in the workbook
//!   .gitignore      target/ and .env
//!   README.md       what to do next
//! ```
//!
//! The crate depends on the workbook's `mock-okta` by path, for its tests;
//! `Cargo.toml` says which line to use instead when the workbook is not
//! where it was.

use crate::workbook::Workbook;
use std::fs;
use std::path::{Component, Path, PathBuf};
use toml_edit::{DocumentMut, InlineTable, Item, Table, Value, value};

/// The stages a crate can be made from: those with a login.
pub const STAGES: std::ops::RangeInclusive<u32> = 2..=10;

/// What `new` laid down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scaffold {
    /// The folder, as given.
    pub path: PathBuf,
    /// The crate's name (the folder's name, as a crate name).
    pub name: String,
    /// The stage it was made from.
    pub stage: u32,
    /// Every file written, relative to `path`, sorted.
    pub files: Vec<PathBuf>,
}

/// Lays down stage `from` (`stage-N` or `N`) of `workbook` as a crate at
/// `path`.
///
/// # Errors
/// One line saying what to do: `from` names no stage with a login, `path`
/// exists or is inside the workbook, its name is no crate name, or a file
/// cannot be read or written.
pub fn new_app(workbook: &Workbook, path: &Path, from: &str) -> Result<Scaffold, String> {
    let stage = stage_number(from)?;
    let name = crate_name(path)?;
    refuse_path(workbook, path)?;
    let stage_dir = workbook.stage_dir(stage);
    let ident_from = format!("stage_{stage}");
    let ident_to = name.replace('-', "_");

    let mut files = Vec::new();
    for dir in ["src", "examples", "tests"] {
        for source in rust_files(&stage_dir.join(dir))? {
            let relative = source
                .strip_prefix(&stage_dir)
                .unwrap_or(&source)
                .to_path_buf();
            let text = rename_ident(&read(&source)?, &ident_from, &ident_to).replace(
                &format!("CARGO_BIN_EXE_stage-{stage}"),
                &format!("CARGO_BIN_EXE_{name}"),
            );
            // The workbook's helper for running a binary, which a stage's
            // tests share, comes along beside them.
            let helper_taken = files.iter().any(|(p, _)| p == Path::new(OWN_HELPER));
            if text.contains(SHARED_HELPER) && !helper_taken {
                let helper = read(&workbook.root.join("stages/tests/src/binary.rs"))?;
                files.push((OWN_HELPER.into(), helper));
            }
            let text = text.replace(SHARED_HELPER, "#[path = \"support/binary.rs\"]");
            files.push((relative, text));
        }
    }
    let records_users = stage >= USER_RECORD_FROM;
    let mut env_example = read(&workbook.root.join(".env.example"))?;
    let mut gitignore = String::from("/target\n.env\n");
    if records_users {
        record_users(workbook, &mut files, &ident_to)?;
        env_example.push_str(DATABASE_URL_SETTING);
        gitignore.push_str("users.db*\n");
    }
    files.push(("Cargo.toml".into(), cargo_toml(workbook, stage, &name)?));
    files.push((
        "Cargo.lock".into(),
        read(&workbook.root.join("Cargo.lock"))?,
    ));
    files.push((".env.example".into(), env_example));
    files.push((".gitignore".into(), gitignore));
    for (test, with_users) in TEMPLATE_TESTS {
        if records_users || !with_users {
            let text = read(&workbook.root.join("own-app/template").join(test))?;
            files.push((test.into(), text.replace("CRATE_NAME", &name)));
        }
    }
    files.push(("README.md".into(), readme(&name, stage)));

    for (relative, text) in &files {
        let target = path.join(relative);
        if let Some(dir) = target.parent() {
            fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        fs::write(&target, text).map_err(|e| format!("{}: {e}", target.display()))?;
    }
    let mut written: Vec<PathBuf> = files.into_iter().map(|(p, _)| p).collect();
    written.sort();
    Ok(Scaffold {
        path: path.to_path_buf(),
        name,
        stage,
        files: written,
    })
}

/// The first stage whose crate records its users: the first that checks
/// the ID token, whose `iss` and `sub` say who the user is for good.
pub const USER_RECORD_FROM: u32 = 5;

/// What `new` changes in a stage from [`USER_RECORD_FROM`] on, so that
/// each login records its user (`own-app/src/users.rs`): in a file, a text
/// found exactly once, and what replaces it (`CRATE` is the crate's name).
/// The book's chapter "Your own app" walks through the same changes.
/// (`lib.rs` declares `pub mod users;` too, after the stage's last module:
/// `declare_module`.)
// ANCHOR: changes
pub const USER_RECORD_CHANGES: &[(&str, &str, &str)] = &[
    (
        "src/main.rs",
        "    let config = Config::from_env()?;\n",
        "    let config = Config::from_env()?;\n    CRATE::users::init()?;\n",
    ),
    (
        "src/error.rs",
        "pub enum AppError {\n",
        "pub enum AppError {\n    \
         /// 503: the app's own user database could not record the login.\n    \
         #[error(transparent)]\n    \
         Users(#[from] crate::users::Unavailable),\n",
    ),
    (
        "src/error.rs",
        "            AppError::NotReady(_) =>",
        "            AppError::Users(_) => (StatusCode::SERVICE_UNAVAILABLE, \"users\"),\n            \
         AppError::NotReady(_) =>",
    ),
    (
        "src/identity.rs",
        "    pub email: String,\n",
        "    pub email: String,\n    \
         /// The ID token's `name`, when Okta sends one (the `profile` scope).\n    \
         #[serde(default)]\n    \
         pub name: Option<String>,\n",
    ),
    (
        "src/identity.rs",
        "    Ok(Identity { subject: subject.to_string(), ",
        "    let name = claims.name().and_then(|n| n.get(None)).map(|n| n.to_string());\n    \
         Ok(Identity { name, subject: subject.to_string(), ",
    ),
    (
        "src/okta.rs",
        "    // A new session id for the logged-in user",
        "    // The app's own record of the user: by issuer and subject, never email.\n    \
         let (subject, name) = (&identity.subject, identity.name.as_deref());\n    \
         crate::users::record_login(&okta.issuer, subject, &identity.email, name).await?;\n\n    \
         // A new session id for the logged-in user",
    ),
];
// ANCHOR_END: changes

/// The setting the user record adds to `.env.example`.
const DATABASE_URL_SETTING: &str = "
# Your own app (from `exercises new`): the SQLite database of the app's
# users, keyed by issuer and subject. Unset: users.db in the folder the app
# runs in, made at the first login.
# DATABASE_URL=sqlite://users.db
";

/// Adds the user record to the stage's `files`: `src/users.rs` and
/// `migrations/` from the workbook's `own-app/`, and
/// [`USER_RECORD_CHANGES`] in the stage's own files.
fn record_users(
    workbook: &Workbook,
    files: &mut Vec<(PathBuf, String)>,
    ident: &str,
) -> Result<(), String> {
    let own_app = workbook.root.join("own-app");
    // As it is, less the marks the book includes it by.
    let users = read(&own_app.join("src/users.rs"))?;
    let users: Vec<&str> = users.lines().filter(|l| !l.contains("// ANCHOR")).collect();
    files.push(("src/users.rs".into(), users.join("\n") + "\n"));
    let migrations = own_app.join("migrations");
    let entries =
        fs::read_dir(&migrations).map_err(|e| format!("{}: {e}", migrations.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path.file_name().map(PathBuf::from).unwrap_or_default();
        files.push((Path::new("migrations").join(name), read(&path)?));
    }
    let lib = files
        .iter_mut()
        .find(|(p, _)| p == Path::new("src/lib.rs"))
        .ok_or("the stage has no src/lib.rs")?;
    lib.1 = declare_module(&lib.1, "users");
    for (file, find, replace) in USER_RECORD_CHANGES {
        let (_, text) = files
            .iter_mut()
            .find(|(p, _)| p == Path::new(file))
            .ok_or_else(|| format!("the stage has no {file}"))?;
        if text.matches(find).count() != 1 {
            return Err(format!(
                "{file}: {find:?} is not there exactly once: the user record needs a change here"
            ));
        }
        *text = text.replacen(find, &replace.replace("CRATE", ident), 1);
    }
    Ok(())
}

/// `lib` with `pub mod {module};` after its last `pub mod` line (where
/// rustfmt keeps it, the stages' modules being in order).
fn declare_module(lib: &str, module: &str) -> String {
    let mut lines: Vec<&str> = lib.lines().collect();
    let last = lines
        .iter()
        .rposition(|line| line.starts_with("pub mod "))
        .map_or(0, |i| i + 1);
    let declaration = format!("pub mod {module};");
    lines.insert(last, &declaration);
    lines.join("\n") + "\n"
}

/// How a stage's test takes the workbook's binary-running helper, and where
/// the helper goes in the learner's crate (a folder under `tests/`, which
/// cargo does not take for a test of its own).
const SHARED_HELPER: &str = "#[path = \"../../tests/src/binary.rs\"]";
const OWN_HELPER: &str = "tests/support/binary.rs";

/// `stage-N` or `N`, for a stage with a login.
fn stage_number(from: &str) -> Result<u32, String> {
    let number = from
        .trim()
        .trim_start_matches("stages/")
        .trim_start_matches("stage-");
    number
        .parse::<u32>()
        .ok()
        .filter(|n| STAGES.contains(n))
        .ok_or_else(|| {
            format!(
                "--from {from:?} names no stage with a login: give stage-{} to stage-{}",
                STAGES.start(),
                STAGES.end()
            )
        })
}

/// The crate name a folder gives: its name in lower case, with `-` for
/// anything but letters, digits, `-` and `_`; it must start with a letter.
fn crate_name(path: &Path) -> Result<String, String> {
    let folder = path
        .components()
        .next_back()
        .and_then(|c| match c {
            Component::Normal(name) => name.to_str(),
            _ => None,
        })
        .unwrap_or("");
    let name: String = folder
        .chars()
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9' | '-' | '_') => c,
            _ => '-',
        })
        .collect();
    let name = name.trim_matches('-').to_string();
    match name.chars().next() {
        Some(first) if first.is_ascii_lowercase() && !is_reserved(&name) => Ok(name),
        _ => Err(format!(
            "{} makes no crate name: name the folder with a letter first, then letters, digits and -, e.g. my-app",
            path.display()
        )),
    }
}

/// Names cargo refuses for a package, or that its tooling takes for its own.
fn is_reserved(name: &str) -> bool {
    [
        "test",
        "std",
        "core",
        "alloc",
        "proc-macro",
        "build",
        "deps",
        "examples",
    ]
    .contains(&name)
}

/// `path` must not exist, and must be outside the workbook, whose
/// workspace would take it for one of its members.
fn refuse_path(workbook: &Workbook, path: &Path) -> Result<(), String> {
    if path.exists() {
        return Err(format!(
            "{} already exists: new writes only into a new folder; pick another, or move that one away",
            path.display()
        ));
    }
    let absolute = absolute(path)?;
    if absolute.starts_with(&workbook.root) {
        return Err(format!(
            "{} is inside the workbook ({}), whose workspace would claim it: pick a folder outside it, e.g. ../my-app",
            path.display(),
            workbook.root.display()
        ));
    }
    Ok(())
}

/// `path` made absolute, with its existing part's links resolved (so a
/// link into the workbook counts as inside it).
fn absolute(path: &Path) -> Result<PathBuf, String> {
    let joined = std::env::current_dir()
        .map_err(|e| format!("the current folder: {e}"))?
        .join(path);
    let mut existing = joined.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        let Some(parent) = existing.parent() else {
            break;
        };
        rest.push(existing.file_name().map(PathBuf::from).unwrap_or_default());
        existing = parent;
    }
    let mut resolved = existing
        .canonicalize()
        .unwrap_or_else(|_| existing.to_path_buf());
    for part in rest.into_iter().rev() {
        resolved.push(part);
    }
    Ok(resolved)
}

/// The `.rs` files under `dir`, sorted; none when there is no `dir`.
fn rust_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut found = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// `text` with the identifier `from` (a whole word, as in `stage_4::app`)
/// renamed `to`.
fn rename_ident(text: &str, from: &str, to: &str) -> String {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (at, _) in text.match_indices(from) {
        let before = text[..at].chars().next_back();
        let after = text[at + from.len()..].chars().next();
        if at >= last && !before.is_some_and(is_ident) && !after.is_some_and(is_ident) {
            out.push_str(&text[last..at]);
            out.push_str(to);
            last = at + from.len();
        }
    }
    out.push_str(&text[last..]);
    out
}

/// The crate's `Cargo.toml`: the stage's, standing alone.
fn cargo_toml(workbook: &Workbook, stage: u32, name: &str) -> Result<String, String> {
    let root: DocumentMut = read(&workbook.root.join("Cargo.toml"))?
        .parse()
        .map_err(|e| format!("the workbook's Cargo.toml: {e}"))?;
    let stage_toml: DocumentMut = read(&workbook.stage_dir(stage).join("Cargo.toml"))?
        .parse()
        .map_err(|e| format!("stage {stage}'s Cargo.toml: {e}"))?;
    let lock = Lock::read(&workbook.root.join("Cargo.lock"))?;
    let workspace = &root["workspace"];
    let shared = workspace["dependencies"]
        .as_table()
        .ok_or("the workbook's Cargo.toml has no [workspace.dependencies]")?;

    let mut doc = DocumentMut::new();
    let mut package = Table::new();
    package.insert("name", value(name));
    package.insert("version", value("0.1.0"));
    for key in ["edition", "rust-version"] {
        if let Some(item) = workspace["package"].get(key) {
            package.insert(key, item.clone());
        }
    }
    package.insert("publish", value(false));
    doc.insert("package", Item::Table(package));

    let mut dependencies = Table::new();
    let stage_deps = stage_toml["dependencies"].as_table();
    for (dep, spec) in stage_deps.into_iter().flatten() {
        let table = standalone(dep, spec, shared, &lock)?;
        dependencies.insert(dep, Item::Value(Value::InlineTable(table)));
        // The stage's comment on why it takes the crate comes along.
        // `name.workspace = true` keeps it on the inner key `workspace`.
        let inner = spec
            .as_table_like()
            .and_then(|t| t.iter().next().map(|(k, _)| k.to_string()));
        let inner = inner.and_then(|k| spec.as_table_like()?.key(&k));
        let comment = stage_deps.and_then(|t| t.key(dep)).and_then(|key| {
            [
                Some(key.leaf_decor()),
                Some(key.dotted_decor()),
                inner.map(|k| k.leaf_decor()),
            ]
            .into_iter()
            .flatten()
            .filter_map(|decor| decor.prefix()?.as_str())
            .find(|prefix| prefix.contains('#'))
            .map(|prefix| prefix.trim_start_matches('\n').to_string())
        });
        if let (Some(comment), Some(mut key)) = (comment, dependencies.key_mut(dep)) {
            key.leaf_decor_mut().set_prefix(comment);
        }
    }
    if stage >= USER_RECORD_FROM {
        let sqlx = standalone("sqlx", &Item::None, shared, &lock)?;
        dependencies.insert("sqlx", Item::Value(Value::InlineTable(sqlx)));
        if let Some(mut key) = dependencies.key_mut("sqlx") {
            key.leaf_decor_mut()
                .set_prefix("# The app's own users (src/users.rs), in SQLite, with migrations/.\n");
        }
    }
    doc.insert("dependencies", Item::Table(dependencies));

    let mut dev = Table::new();
    let mut mock = InlineTable::new();
    let mock_path = workbook.root.join("mock-okta");
    mock.insert("path", mock_path.display().to_string().into());
    dev.insert("mock-okta", Item::Value(Value::InlineTable(mock)));
    if let Some(mut key) = dev.key_mut("mock-okta") {
        key.leaf_decor_mut().set_prefix(
            "# The workbook's mock Okta, for tests/login.rs. Without the workbook at\n\
             # that path: mock-okta = { git = \"<the workbook's repository URL>\" }\n",
        );
    }
    doc.insert("dev-dependencies", Item::Table(dev));

    let mut lints = Table::new();
    lints.set_implicit(true);
    for (kind, table) in workspace["lints"].as_table().into_iter().flatten() {
        lints.insert(kind, table.clone());
    }
    doc.insert("lints", Item::Table(lints));
    if let Some(profile) = root.get("profile") {
        doc.insert("profile", profile.clone());
    }
    Ok(format!(
        "# Made from the Okta Login Workbook's stage {stage} by\n\
         # `cargo run -p exercises -- new`: every version is the one the workbook\n\
         # builds and tests with (its Cargo.lock is beside this file).\n{doc}"
    ))
}

/// A stage's dependency `spec` (`x.workspace = true`, with features of its
/// own perhaps) as a table of its own: the workspace's spec, its version
/// exact, as the workbook's lock has it.
fn standalone(dep: &str, spec: &Item, shared: &Table, lock: &Lock) -> Result<InlineTable, String> {
    let mut table = match shared.get(dep) {
        Some(Item::Value(Value::String(version))) => {
            let mut table = InlineTable::new();
            table.insert("version", version.value().as_str().into());
            table
        }
        Some(Item::Value(Value::InlineTable(table))) => table.clone(),
        Some(Item::Table(table)) => table.clone().into_inline_table(),
        _ => {
            return Err(format!(
                "{dep} is not in the workbook's [workspace.dependencies]"
            ));
        }
    };
    let requirement = table
        .get("version")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{dep} has no version in [workspace.dependencies]"))?
        .to_string();
    let exact = lock.version(dep, &requirement)?;
    table.insert("version", format!("={exact}").into());
    if let Some(own) = spec.get("features").and_then(Item::as_array) {
        let mut features = table
            .get("features")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for feature in own {
            if !features.iter().any(|f| f.as_str() == feature.as_str()) {
                features.push(feature.clone());
            }
        }
        table.insert("features", Value::Array(features));
    }
    table.fmt();
    Ok(table)
}

/// The packages of a `Cargo.lock`: name and version.
#[derive(Debug)]
struct Lock(Vec<(String, String)>);

impl Lock {
    fn read(path: &Path) -> Result<Lock, String> {
        let doc: DocumentMut = read(path)?
            .parse()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let packages = doc["package"]
            .as_array_of_tables()
            .ok_or_else(|| format!("{} lists no packages", path.display()))?;
        Ok(Lock(
            packages
                .iter()
                .filter_map(|p| {
                    Some((
                        p.get("name")?.as_str()?.into(),
                        p.get("version")?.as_str()?.into(),
                    ))
                })
                .collect(),
        ))
    }

    /// The locked version of `name` that `requirement` (cargo's default,
    /// caret, e.g. `0.8` or `1`) takes: the highest, if several do.
    fn version(&self, name: &str, requirement: &str) -> Result<String, String> {
        let wanted = numbers(requirement.trim_start_matches(['^', '=']));
        self.0
            .iter()
            .filter(|(n, v)| n == name && caret_takes(&wanted, &numbers(v)))
            .map(|(_, v)| v.clone())
            .max_by_key(|v| numbers(v))
            .ok_or_else(|| format!("the workbook's Cargo.lock has no {name} for {requirement:?}: run cargo build in the workbook first"))
    }
}

/// A version's leading numbers: `0.8.4` → `[0, 8, 4]`.
fn numbers(version: &str) -> Vec<u64> {
    version
        .split(['.', '-', '+'])
        .map_while(|part| part.parse().ok())
        .collect()
}

/// Whether the caret requirement `wanted` takes `version`: the same
/// leftmost non-zero number (and those before it), and not lower.
fn caret_takes(wanted: &[u64], version: &[u64]) -> bool {
    let fixed = wanted
        .iter()
        .position(|&n| n != 0)
        .map_or(wanted.len(), |i| i + 1);
    wanted.iter().take(fixed).zip(version).all(|(w, v)| w == v) && version >= wanted
}

/// The tests `new` adds, from `own-app/template/` (`CRATE_NAME` is the
/// crate's name): a login, its shared start-up, and, with the user
/// record, the record's promises.
const TEMPLATE_TESTS: [(&str, bool); 3] = [
    ("tests/login.rs", false),
    ("tests/support/app.rs", false),
    ("tests/users.rs", true),
];

/// The crate's README: what it is, and the next steps.
fn readme(name: &str, stage: u32) -> String {
    format!(
        "# {name}\n\n\
         Made from stage {stage} of the Okta Login Workbook by\n\
         `cargo run -p exercises -- new`. It is yours now: nothing here refers to\n\
         the workbook but the test's `mock-okta` (see `Cargo.toml`).\n\n\
         ## Next steps\n\n\
         1. Run it against the workbook's mock Okta: in the workbook,\n   \
            `cargo run -p mock-okta`; here, `cargo run`, then open\n   \
            <http://localhost:8080/> and log in as `alice@example.com` /\n   \
            `alice-password`.\n\
         2. `cargo test`: alice logs in through `tests/login.rs`, offline.\n\
         3. For your Okta org: `cp .env.example .env` and fill it in; the\n   \
            workbook's chapter \"Register the app in Okta\" says where each value\n   \
            is, and \"What each stage needs at Okta\" what stage {stage} needs.\n\
         4. Make it your app: add your routes to the `Router` in `src/lib.rs`;\n   \
            the `//!` comment of each file says what it does, and the\n   \
            workbook's chapter for stage {stage} why.\n\n\
         A cold `cargo build` here compiles every dependency (minutes on two\n\
         cores); with `CARGO_TARGET_DIR` set to the workbook's `target/`, it\n\
         reuses what the workbook built and compiles this crate alone.\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_name_becomes_a_crate_name_or_a_line_saying_how() {
        assert_eq!(crate_name(Path::new("/tmp/My App")), Ok("my-app".into()));
        assert_eq!(
            crate_name(Path::new("../shop_front")),
            Ok("shop_front".into())
        );
        for bad in ["/tmp/2fast", "/tmp/test", "/", ".."] {
            let line = crate_name(Path::new(bad)).expect_err(bad);
            assert!(line.contains("makes no crate name"), "{line}");
        }
    }

    #[test]
    fn a_stage_is_named_by_its_folder_or_number_from_2_to_10() {
        assert_eq!(stage_number("stage-4"), Ok(4));
        assert_eq!(stage_number("10"), Ok(10));
        for bad in ["stage-1", "11", "four"] {
            let line = stage_number(bad).expect_err(bad);
            assert!(line.contains("stage-2 to stage-10"), "{line}");
        }
    }

    #[test]
    fn only_the_whole_identifier_is_renamed() {
        let text = "use stage_4::app;\nlet stage_40 = 1; // stage_4\nmy_stage_4::x";
        assert_eq!(
            rename_ident(text, "stage_4", "my_app"),
            "use my_app::app;\nlet stage_40 = 1; // my_app\nmy_stage_4::x"
        );
    }

    #[test]
    fn a_caret_requirement_takes_the_versions_cargo_would() {
        let lock = Lock(vec![
            ("axum".into(), "0.7.9".into()),
            ("axum".into(), "0.8.4".into()),
            ("tokio".into(), "1.47.1".into()),
            ("rand".into(), "0.8.5".into()),
            ("rand".into(), "0.9.2".into()),
        ]);
        assert_eq!(lock.version("axum", "0.8"), Ok("0.8.4".into()));
        assert_eq!(lock.version("tokio", "1"), Ok("1.47.1".into()));
        assert_eq!(lock.version("rand", "0.9"), Ok("0.9.2".into()));
        assert!(lock.version("tokio", "2").is_err());
    }
}
