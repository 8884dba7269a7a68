//! `new PATH --from stage-N`: what it lays down, and the one-line refusals.
//! (CI goes on to build and test what it laid down: `.ci/run`.)

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh, empty folder of this test's own, outside the workbook.
fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("exercises-new-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temp folder");
    dir
}

fn new(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_exercises"))
        .arg("new")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the exercises binary runs")
}

fn workbook() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .expect("the workbook")
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("a folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
    found
}

#[test]
fn new_lays_a_stage_down_as_a_crate_of_ones_own_at_the_workbooks_exact_versions() {
    let dir = folder("lays-down");
    let out = new(&["My Shop", "--from", "stage-10"], &dir);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains("the crate my-shop, from stage 10") && said.contains("cargo test"),
        "{said}"
    );
    let app = dir.join("My Shop");
    for file in [
        "Cargo.toml",
        "Cargo.lock",
        ".env.example",
        ".gitignore",
        "README.md",
        "src/main.rs",
        "src/lib.rs",
        "src/okta.rs",
        "examples/call-api.rs",
        "tests/login.rs",
        "tests/call_api.rs",
        "tests/support/app.rs",
        // The user record, from stage 5 on.
        "src/users.rs",
        "migrations/0001_users.sql",
        "tests/users.rs",
    ] {
        assert!(app.join(file).is_file(), "{file} was not written");
    }
    // The stage's crate name is the learner's everywhere it is code.
    for file in rust_files(&app) {
        let text = std::fs::read_to_string(&file).expect("a source");
        assert!(
            !text.contains("stage_10::"),
            "{} still names stage_10",
            file.display()
        );
    }
    let main = std::fs::read_to_string(app.join("src/main.rs")).expect("main.rs");
    assert!(main.contains("use my_shop::"), "{main}");

    // Every dependency at the exact version the workbook's Cargo.lock has.
    let manifest: toml::Table = std::fs::read_to_string(app.join("Cargo.toml"))
        .expect("Cargo.toml")
        .parse()
        .expect("TOML");
    assert_eq!(manifest["package"]["name"].as_str(), Some("my-shop"));
    let lock = std::fs::read_to_string(workbook().join("Cargo.lock")).expect("the workbook's lock");
    let stage: toml::Table = std::fs::read_to_string(workbook().join("stages/stage-10/Cargo.toml"))
        .expect("stage 10's Cargo.toml")
        .parse()
        .expect("TOML");
    let deps = manifest["dependencies"].as_table().expect("dependencies");
    assert_eq!(
        deps.len(),
        stage["dependencies"].as_table().expect("stage deps").len() + 1,
        "the stage's, and sqlx for the user record"
    );
    for (name, spec) in deps {
        let version = spec["version"].as_str().expect("a version");
        let exact = version
            .strip_prefix('=')
            .unwrap_or_else(|| panic!("{name} = {version}: not exact"));
        assert!(
            lock.contains(&format!("name = \"{name}\"\nversion = \"{exact}\"")),
            "{name} {exact} is not in the workbook's Cargo.lock"
        );
        assert!(
            spec.get("workspace").is_none(),
            "{name} still inherits from a workspace"
        );
    }
    // A feature the stage adds to the workspace's is kept.
    let features = deps["tower-http"]["features"].as_array().expect("features");
    assert!(
        features.iter().any(|f| f.as_str() == Some("set-header")),
        "{features:?}"
    );
    // The tests' mock Okta: the workbook's, by path.
    let mock = manifest["dev-dependencies"]["mock-okta"]["path"]
        .as_str()
        .expect("a path");
    assert_eq!(Path::new(mock), workbook().join("mock-okta"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn new_refuses_in_one_line_a_folder_that_exists_one_inside_the_workbook_and_no_stage() {
    let dir = folder("refuses");
    std::fs::create_dir_all(dir.join("taken")).expect("a folder");
    let inside = workbook()
        .join("target")
        .join(format!("exercises-new-{}", std::process::id()));
    let inside = inside.to_str().expect("UTF-8").to_string();
    for (args, expected) in [
        (
            vec!["taken", "--from", "stage-4"],
            "taken already exists: new writes only into a new folder",
        ),
        (
            vec![inside.as_str(), "--from", "stage-4"],
            "is inside the workbook",
        ),
        (
            vec!["app", "--from", "stage-1"],
            "--from \"stage-1\" names no stage with a login: give stage-2 to stage-10",
        ),
        (vec!["42", "--from", "stage-4"], "42 makes no crate name"),
    ] {
        let out = new(&args, &dir);
        let said = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {said}");
        assert_eq!(said.lines().count(), 1, "{said}");
        assert!(said.contains(expected), "{args:?}: {said}");
    }
    assert!(
        !Path::new(&inside).exists(),
        "nothing is written inside the workbook"
    );
    assert!(
        !dir.join("app").exists() && !dir.join("42").exists(),
        "nothing is written"
    );
    assert_eq!(
        std::fs::read_dir(dir.join("taken")).expect("taken").count(),
        0
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_stages_own_tests_come_along_with_the_helper_they_share() {
    let dir = folder("helper");
    let out = new(&["shop", "--from", "4"], &dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let start = std::fs::read_to_string(dir.join("shop/tests/start.rs")).expect("stage 4's test");
    assert!(start.contains("#[path = \"support/binary.rs\"]"), "{start}");
    assert!(start.contains("env!(\"CARGO_BIN_EXE_shop\")"), "{start}");
    let helper =
        std::fs::read_to_string(dir.join("shop/tests/support/binary.rs")).expect("the helper");
    let shared =
        std::fs::read_to_string(workbook().join("stages/tests/src/binary.rs")).expect("shared");
    assert_eq!(helper, shared);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_stage_from_5_records_its_users_and_the_earlier_ones_say_nothing_of_it() {
    let dir = folder("every-stage");
    let users = std::fs::read_to_string(workbook().join("own-app/src/users.rs")).expect("users.rs");
    for stage in 2..=10 {
        let name = format!("app{stage}");
        let out = new(&[&name, "--from", &format!("stage-{stage}")], &dir);
        assert!(
            out.status.success(),
            "stage {stage}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let app = dir.join(&name);
        let okta = std::fs::read_to_string(app.join("src/okta.rs")).expect("okta.rs");
        let lib = std::fs::read_to_string(app.join("src/lib.rs")).expect("lib.rs");
        let main = std::fs::read_to_string(app.join("src/main.rs")).expect("main.rs");
        let records = stage >= 5;
        assert_eq!(
            okta.contains("crate::users::record_login(&okta.issuer, subject"),
            records,
            "stage {stage}"
        );
        assert_eq!(lib.contains("\npub mod users;\n"), records, "stage {stage}");
        assert_eq!(
            main.contains(&format!("app{stage}::users::init()?;")),
            records,
            "stage {stage}"
        );
        assert_eq!(
            app.join("tests/users.rs").is_file(),
            records,
            "stage {stage}"
        );
        if records {
            let copied = std::fs::read_to_string(app.join("src/users.rs")).expect("users.rs");
            let unmarked: Vec<&str> = users.lines().filter(|l| !l.contains("// ANCHOR")).collect();
            let unmarked = unmarked.join("\n") + "\n";
            assert_eq!(
                copied, unmarked,
                "stage {stage}: the workbook's users.rs, unmarked"
            );
            let env = std::fs::read_to_string(app.join(".env.example")).expect(".env.example");
            assert!(
                env.contains("# DATABASE_URL=sqlite://users.db"),
                "stage {stage}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
