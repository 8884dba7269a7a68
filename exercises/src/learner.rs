//! A learner's folder (`my-exercises/` by default): their copies of the
//! stages they started (and the tests they write), and what lets cargo
//! build and test them.
//!
//! ```text
//! my-exercises/
//!   Cargo.toml             a workspace of the learner's stages (generated)
//!   Cargo.lock             the workbook's, so the versions match
//!   .cargo/config.toml     builds into the workbook's target/ (generated)
//!   .exercises/            runs the workbook's `exercises` command (generated)
//!   rustfmt.toml           the stages' format
//!   stage-2/               the learner's copy of stage 2: theirs to edit
//!   testing/               the test modules the learner writes tests in
//!   .check/stage-2/        the workbook's tests against that copy (generated)
//!   .check/testing/        the learner's tests against the stage (generated)
//!   .check/testing-broken-t.1/
//!                          the stage broken for exercise t.1, and the
//!                          learner's tests against it (generated)
//! ```
//!
//! A folder's tests are built against the learner's copy of its stage and
//! the workbook's own other stages. So a test that runs over every stage
//! fails only for the learner's stage, and a chapter left half done does
//! not hide the progress of another.

use crate::manifest::{Chapter, Exercise, Folder, Kind};
use crate::workbook::{TEST_BINARY, Workbook};
use std::fs;
use std::path::{Path, PathBuf};
use toml_edit::{Array, DocumentMut, Item, Table, Value, value};

/// Where `cargo` builds a learner's work: the workbook's own `target/`,
/// so the dependencies the workbook has built are not built again.
pub fn target_dir(workbook: &Workbook) -> PathBuf {
    workbook.root.join("target")
}

/// The chapters started in `dir`, in the book's order: those whose folder
/// is there.
pub fn started<'a>(workbook: &'a Workbook, dir: &Path) -> Vec<&'a Chapter> {
    let folders = started_folders(workbook, dir);
    let chapters = workbook.manifest.chapter.iter();
    chapters
        .filter(|c| folders.iter().any(|f| f.name == c.folder()))
        .collect()
}

/// The folders started in `dir`: a copy of a stage with its `Cargo.toml`,
/// or a folder of tests.
pub fn started_folders<'a>(workbook: &'a Workbook, dir: &Path) -> Vec<Folder<'a>> {
    let mut folders = workbook.manifest.folders();
    folders.retain(|f| match f.kind {
        Kind::Code => dir.join(&f.name).join("Cargo.toml").is_file(),
        Kind::Tests => dir.join(&f.name).is_dir(),
    });
    folders
}

/// The folder where the tests of the learner's folder `folder` are built,
/// under `dir`: `.check/stage-2`.
pub fn check_dir(dir: &Path, folder: &str) -> PathBuf {
    dir.join(".check").join(folder)
}

/// For a folder of tests: the folder under `dir` that holds the stage
/// broken for `exercise` (`stage-N/`) and the package that builds the
/// learner's tests against it (`check/`).
pub fn broken_dir(dir: &Path, folder: &str, exercise: &Exercise) -> PathBuf {
    dir.join(".check")
        .join(format!("{folder}-broken-{}", exercise.id))
}

/// Starts `chapter` in `dir`: writes the learner's folder it is in, with
/// every exercise in that folder taken out (of this chapter and of the
/// others that share it), and what builds it. `Ok(false)` when the folder
/// is already there: it is never written over.
///
/// # Errors
/// A file that cannot be written.
pub fn start(workbook: &Workbook, chapter: &Chapter, dir: &Path) -> Result<bool, String> {
    let folder = workbook.manifest.folder_of(chapter);
    let copy = dir.join(&folder.name);
    let fresh = !copy.exists();
    if fresh {
        let exercises = folder.exercises(&workbook.manifest);
        let files = workbook.folder_files(&folder, &exercises)?;
        Workbook::write_files(&copy, &files)?;
    }
    scaffold(workbook, dir)?;
    Ok(fresh)
}

/// The launcher's name in the learner's workspace: `cargo run -p
/// exercises` works there as it does in the workbook.
const LAUNCHER: &str = ".exercises";

/// (Re)writes everything in `dir` but the learner's own copies: the
/// workspace, the settings, and the check packages of each started folder.
/// Runs on every start and check, so a folder follows the workbook.
///
/// # Errors
/// A workbook file that cannot be read, or a file that cannot be written.
pub fn scaffold(workbook: &Workbook, dir: &Path) -> Result<(), String> {
    let folders = started_folders(workbook, dir);
    let root = read_toml(&workbook.root.join("Cargo.toml"))?;
    let copies: Vec<(u32, PathBuf)> = folders
        .iter()
        .filter(|f| f.kind == Kind::Code)
        .map(|f| (f.stage, dir.join(&f.name)))
        .collect();
    let mut members: Vec<String> = folders
        .iter()
        .filter(|f| f.kind == Kind::Code)
        .map(|f| f.name.clone())
        .collect();
    members.push(LAUNCHER.into());
    let mut learner = workspace(workbook, &root, &copies, dir, false)?;
    let mut list = Array::new();
    list.extend(members.iter().map(String::as_str));
    learner["workspace"]["members"] = value(list);
    learner["workspace"]["exclude"] = value(Array::from_iter([".check"]));
    write(&dir.join("Cargo.toml"), &generated(&learner))?;
    write_launcher(workbook, &dir.join(LAUNCHER))?;
    copy_if_missing(&workbook.root.join("Cargo.lock"), &dir.join("Cargo.lock"))?;
    let rustfmt = workbook.root.join("stages/rustfmt.toml");
    if rustfmt.is_file() {
        copy_if_missing(&rustfmt, &dir.join("rustfmt.toml"))?;
    }
    let target = target_dir(workbook);
    let config = format!(
        "# Generated by the workbook's `exercises` command: build where the\n# workbook builds, so its dependencies are not built again.\n[build]\ntarget-dir = {}\n",
        Value::from(target.display().to_string())
    );
    write(&dir.join(".cargo/config.toml"), &config)?;
    write(&dir.join("README.md"), &readme(&folders))?;

    for folder in &folders {
        let check = check_dir(dir, &folder.name);
        match folder.kind {
            Kind::Code => {
                let exercises = folder.exercises(&workbook.manifest);
                let tests: Vec<&str> = exercises
                    .iter()
                    .flat_map(|e| &e.tests)
                    .map(String::as_str)
                    .collect();
                write_check(
                    workbook,
                    &[(folder.stage, dir.join(&folder.name))],
                    &check,
                    &workbook.modules_for(&tests),
                )?;
            }
            Kind::Tests => {
                let modules = workbook
                    .folder_files(folder, &[])?
                    .into_iter()
                    .map(|(file, _)| dir.join(&folder.name).join(file))
                    .collect::<Vec<_>>();
                write_check(workbook, &[], &check, &modules)?;
                for exercise in folder.exercises(&workbook.manifest) {
                    let broken = broken_dir(dir, &folder.name, exercise);
                    let stage = broken.join(format!("stage-{}", folder.stage));
                    Workbook::write_files(&stage, &workbook.broken_stage(folder.stage, exercise)?)?;
                    write_check(
                        workbook,
                        &[(folder.stage, stage)],
                        &broken.join("check"),
                        &modules,
                    )?;
                }
            }
        }
    }
    Ok(())
}

/// Writes, in `check`, a workspace whose one package builds a test binary
/// of `modules` (test modules: the workbook's that a check runs, or a
/// learner's copies of them) against `stages` (a stage's number and the
/// copy to use for it) and the workbook's own other stages.
///
/// Only the modules a check runs are built: the workbook's whole test
/// binary took 22 s to compile on its 2-core machine, the modules of one
/// chapter a fraction of that. And the package reuses what `cargo build
/// --workspace` built in the workbook: the same features (the check
/// package depends on every registry dependency of the workbook), and
/// the workbook's stages reached through links at their own places (see
/// the `linked` workspace), so a first check compiles the learner's stage
/// and the test binary, not the dependencies and the other stages again.
///
/// # Errors
/// A workbook file that cannot be read, or a file that cannot be written.
pub fn write_check(
    workbook: &Workbook,
    stages: &[(u32, PathBuf)],
    check: &Path,
    modules: &[PathBuf],
) -> Result<(), String> {
    let root = read_toml(&workbook.root.join("Cargo.toml"))?;
    let tests = read_toml(&workbook.root.join("stages/tests/Cargo.toml"))?;
    // The package first, then the workspace it is the root of.
    let mut doc = DocumentMut::new();
    for key in ["package", "dependencies", "dev-dependencies", "lints"] {
        if let Some(item) = tests.get(key) {
            doc[key] = item.clone();
        }
    }
    for auto in ["autotests", "autobenches", "autoexamples", "autobins"] {
        doc["package"][auto] = value(false);
    }
    let mut lib = Table::new();
    lib["name"] = value("stage_tests");
    lib["path"] = value(path_text(&workbook.root.join("stages/tests/src/lib.rs")));
    lib["doctest"] = value(false);
    lib["test"] = value(false);
    doc["lib"] = Item::Table(lib);
    let mut main = String::from(
        "//! Generated by the workbook's `exercises` command: the test modules this\n//! check runs, as one test binary.\n",
    );
    for module in modules {
        let name = module
            .file_stem()
            .map_or(String::new(), |s| s.to_string_lossy().into_owned());
        main.push_str(&format!(
            "\n#[path = {}]\nmod {name};\n",
            Value::from(relative(module, check))
        ));
    }
    write(&check.join("main.rs"), &main)?;
    let mut targets = toml_edit::ArrayOfTables::new();
    let mut test = Table::new();
    test["name"] = value(TEST_BINARY);
    test["path"] = value("main.rs");
    targets.push(test);
    doc["test"] = Item::ArrayOfTables(targets);
    let space = workspace(workbook, &root, stages, check, true)?;
    unify_with_workbook(&root, &mut doc);
    write(
        &check.join("Cargo.toml"),
        &format!(
            "{}
{space}",
            generated(&doc)
        ),
    )?;
    copy(&workbook.root.join("Cargo.lock"), &check.join("Cargo.lock"))
}

/// Makes the check package `doc` build its dependencies with the features
/// `cargo build --workspace` built them with in the workbook (whose
/// `Cargo.toml` is `root`), so that they are not built again. Cargo
/// enables the features that the packages it builds ask for, so the
/// workbook's build has those of every member: the `exercises` command's
/// `notify`, say, turns on `mio`'s `log`, which here would build tokio
/// and everything on it again. So the check package depends on every
/// registry dependency of the workbook too: that builds nothing new (each
/// is built in the workbook already), and the test binary links only what
/// it uses.
fn unify_with_workbook(root: &DocumentMut, doc: &mut DocumentMut) {
    let workbook_deps = root
        .get("workspace")
        .and_then(|w| w.get("dependencies"))
        .and_then(Item::as_table_like);
    let Some(workbook_deps) = workbook_deps else {
        return;
    };
    if let Some(deps) = doc["dependencies"].as_table_like_mut() {
        for (name, dep) in workbook_deps.iter() {
            let is_path = dep.as_table_like().is_some_and(|d| d.contains_key("path"));
            match is_path || deps.contains_key(name) {
                true => {}
                false => {
                    let mut inherited = toml_edit::InlineTable::new();
                    inherited.insert("workspace", Value::from(true));
                    deps.insert(name, value(inherited));
                }
            }
        }
    }
}

/// The launcher: a package named `exercises` in the learner's workspace
/// that runs the workbook's own command, so that `cargo run -p exercises
/// -- check` works in the learner's folder as it does in the workbook.
fn write_launcher(workbook: &Workbook, at: &Path) -> Result<(), String> {
    let manifest = String::from(
        "# Generated by the workbook's `exercises` command: `cargo run -p exercises`\n# here runs the workbook's own.\n[package]\nname = \"exercises\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n# Its own name: the workbook's `exercises` builds into the same target/.\n[[bin]]\nname = \"exercises-launcher\"\npath = \"main.rs\"\n",
    );
    write(&at.join("Cargo.toml"), &manifest)?;
    let source = format!(
        r#"//! Generated by the workbook's `exercises` command: runs the workbook's
//! own `exercises` command (in {workbook}), for the folder you are in.

use std::process::{{Command, ExitCode}};

fn main() -> ExitCode {{
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut run = Command::new(cargo);
    run.args(["run", "--quiet", "--manifest-path", {manifest}, "-p", "exercises", "--"]);
    run.args(std::env::args_os().skip(1));
    // What `cargo run` told this program about itself is not for that one.
    for (name, _) in std::env::vars_os() {{
        let name = name.to_string_lossy();
        if name.starts_with("CARGO_PKG_") || name.starts_with("CARGO_MANIFEST") || name.starts_with("CARGO_BIN") || name == "CARGO_PRIMARY_PACKAGE" || name == "CARGO_CRATE_NAME" {{
            run.env_remove(&*name);
        }}
    }}
    match run.status() {{
        Ok(status) => ExitCode::from(status.code().map_or(1, |c| c as u8)),
        Err(e) => {{
            eprintln!("error: cargo could not be run: {{e}}");
            ExitCode::from(2)
        }}
    }}
}}
"#,
        workbook = workbook.root.display(),
        manifest = Value::from(path_text(&workbook.root.join("Cargo.toml"))),
    );
    write(&at.join("main.rs"), &source)
}

/// The workbook's `[workspace]` (members aside), `[profile]` and lints, for
/// a workspace at `at` in which each of `stages` (a stage's number and a
/// copy of it) is that copy, and every other path points into the workbook.
///
/// With `linked` (a check's workspace), the workbook's own packages are
/// reached through links at their places in the workbook (`at/stages/stage-4`
/// → the workbook's `stages/stage-4`): inside the workspace, at the same
/// place, cargo builds them as members, with the same hash as the
/// workbook's build (it hashes a path package by its place in the
/// workspace), so a check reuses what `cargo build --workspace` built
/// instead of building every stage again. Where the system makes no links,
/// they are named by their full path, which builds them once more.
fn workspace(
    workbook: &Workbook,
    root: &DocumentMut,
    stages: &[(u32, PathBuf)],
    at: &Path,
    linked: bool,
) -> Result<DocumentMut, String> {
    let mut doc = DocumentMut::new();
    let mut space = root
        .get("workspace")
        .and_then(Item::as_table)
        .cloned()
        .unwrap_or_default();
    space.remove("members");
    space.remove("default-members");
    space.remove("exclude");
    if let Some(deps) = space
        .get_mut("dependencies")
        .and_then(Item::as_table_like_mut)
    {
        for (name, dep) in deps.iter_mut() {
            let Some(dep) = dep.as_table_like_mut() else {
                continue;
            };
            let Some(path) = dep.get("path").and_then(Item::as_str) else {
                continue;
            };
            let copy = stages
                .iter()
                .find(|(stage, _)| name == format!("stage-{stage}").as_str());
            let inside = !path.starts_with("..") && Path::new(path).is_relative();
            let target = match copy {
                Some((_, copy)) => relative(copy, at),
                None if linked && inside && link_dir(&workbook.root.join(path), &at.join(path)) => {
                    path.to_string()
                }
                None => path_text(&workbook.root.join(path)),
            };
            dep.insert("path", value(target));
        }
    }
    doc["workspace"] = Item::Table(space);
    if let Some(profile) = root.get("profile") {
        doc["profile"] = profile.clone();
    }
    Ok(doc)
}

/// Makes `link` a link to the folder `to` (or keeps the one there); false
/// when the system makes none (Windows without the right to), or
/// something else is in its place.
fn link_dir(to: &Path, link: &Path) -> bool {
    if fs::read_link(link).is_ok_and(|there| there == to) {
        return true;
    }
    if fs::symlink_metadata(link).is_ok_and(|m| m.file_type().is_symlink()) {
        let _ = fs::remove_file(link);
    }
    if let Some(parent) = link.parent() {
        let _ = fs::create_dir_all(parent);
    }
    #[cfg(unix)]
    let made = std::os::unix::fs::symlink(to, link);
    #[cfg(windows)]
    let made = std::os::windows::fs::symlink_dir(to, link);
    #[cfg(not(any(unix, windows)))]
    let made: std::io::Result<()> = Err(std::io::ErrorKind::Unsupported.into());
    made.is_ok()
}

/// `to`, written relative to the folder `from` when it is inside it, or
/// under the same parent (`../../stage-2`); otherwise in full.
fn relative(to: &Path, from: &Path) -> String {
    let mut up = PathBuf::new();
    let mut base = from;
    loop {
        if let Ok(rest) = to.strip_prefix(base) {
            return path_text(&up.join(rest));
        }
        match base.parent() {
            Some(parent) => {
                up.push("..");
                base = parent;
            }
            None => return path_text(to),
        }
    }
}

/// A path as TOML text, with `/` on every system.
fn path_text(path: &Path) -> String {
    path.display().to_string().replace('\\', "/")
}

/// A generated manifest, with a line that says so.
fn generated(doc: &DocumentMut) -> String {
    format!(
        "# Generated by the workbook's `exercises` command, and written again on\n# every check: do not edit it (your work is in the stage-N folders).\n\n{doc}"
    )
}

fn read_toml(path: &Path) -> Result<DocumentMut, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.parse::<DocumentMut>()
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    if fs::read_to_string(path).ok().as_deref() == Some(text) {
        return Ok(());
    }
    fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    let text = fs::read_to_string(from).map_err(|e| format!("{}: {e}", from.display()))?;
    write(to, &text)
}

fn copy_if_missing(from: &Path, to: &Path) -> Result<(), String> {
    match to.exists() {
        true => Ok(()),
        false => copy(from, to),
    }
}

/// What the folder is, for a learner who opens it.
fn readme(folders: &[Folder<'_>]) -> String {
    let mut lines = Vec::new();
    for folder in folders {
        let titles: Vec<String> = folder
            .chapters
            .iter()
            .map(|c| format!("\"{}\"", c.title))
            .collect();
        let what = match folder.kind {
            Kind::Code => format!("your copy of stage {}", folder.stage),
            Kind::Tests => format!("your tests of stage {}", folder.stage),
        };
        lines.push(format!(
            "- `{}/`: {what}, for {}",
            folder.name,
            titles.join(" and ")
        ));
    }
    format!(
        "# Your exercises\n\nWritten by `cargo run -p exercises -- start <chapter>`, from the workbook.\nYour work is in these folders, with the exercises taken out (look for\n`Exercise` in them):\n\n{}\n\nFrom this folder or the workbook's, the loop is:\n\n```console\ncargo run -p exercises -- watch    # checks now, and again at each save\n```\n\n(`check` checks once; `list`, `hint 2.3` and `reset 2.3` are the others.)\n\nRun your own stage (with `cargo run -p mock-okta` in another terminal),\nfrom this folder: `cargo run -p stage-N`.\n\nEverything else here is generated, and written again on every check.\n",
        lines.join("\n")
    )
}
