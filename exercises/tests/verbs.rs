//! The verbs that build, on a workbook in miniature (`tests/fixture/`:
//! one stage of nothing but std, its tests, two exercises of code and one
//! test to write), so each test builds in seconds: check, watch, list,
//! hint and reset as a learner meets them.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

/// A copy of the fixture workbook, of this test's own, with the learner's
/// folder `mine/` in it.
struct Workbook {
    root: PathBuf,
}

impl Workbook {
    fn new(name: &str) -> Workbook {
        let root =
            std::env::temp_dir().join(format!("exercises-verbs-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixture"),
            &root,
        );
        Workbook { root }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_exercises"));
        command
            .args(args)
            .env("EXERCISES_WORKBOOK", &self.root)
            .current_dir(&self.root);
        command
    }

    /// Runs `exercises ARGS --dir mine`.
    fn run(&self, args: &[&str]) -> Output {
        let args = [args, &["--dir", "mine"]].concat();
        self.command(&args)
            .output()
            .expect("the exercises binary runs")
    }

    fn path(&self, file: &str) -> PathBuf {
        self.root.join("mine").join(file)
    }

    fn read(&self, file: &str) -> String {
        std::fs::read_to_string(self.path(file)).expect("the learner's file")
    }

    /// Writes the learner's `file` with `from` replaced by `to`.
    fn edit(&self, file: &str, from: &str, to: &str) {
        let text = self.read(file);
        assert!(text.contains(from), "{file} has no {from:?}:\n{text}");
        std::fs::write(self.path(file), text.replacen(from, to, 1)).expect("written");
    }
}

impl Drop for Workbook {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("a folder");
    for entry in std::fs::read_dir(from).expect("the fixture").flatten() {
        let target = to.join(entry.file_name());
        match entry.file_type().expect("a type").is_dir() {
            true => copy_dir(&entry.path(), &target),
            false => {
                std::fs::copy(entry.path(), &target).expect("copied");
            }
        }
    }
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

const SHOUT: (&str, &str) = (
    "    todo!(\"Exercise 2.1: Shout. Stuck? cargo run -p exercises -- hint 2.1 Book: book/src/words.md#shout\")\n",
    "    format!(\"{}!\", text.to_uppercase())\n",
);
const WHISPER: (&str, &str) = (
    "    // Exercise 2.2: make it quiet.\n    let quiet = text.to_string();\n",
    "    let quiet = text.to_lowercase();\n",
);

#[test]
fn check_says_what_is_done_and_list_and_hint_answer_from_it_without_building() {
    let workbook = Workbook::new("check");
    let start = workbook.run(&["start", "words"]);
    assert!(start.status.success(), "{}", text(&start));
    let list = text(&workbook.run(&["list"]));
    assert!(
        list.contains("Words          started, not checked yet"),
        "{list}"
    );
    workbook.edit("stage-2/src/words.rs", SHOUT.0, SHOUT.1);
    let check = workbook.run(&["check"]);
    let said = text(&check);
    assert_eq!(check.status.code(), Some(1), "{said}");
    assert!(said.contains("  done     2.1  Shout"), "{said}");
    assert!(said.contains("  not yet  2.2  Whisper"), "{said}");
    assert!(said.contains("1/2 done."), "{said}");
    assert!(said.contains("Next: 2.2 Whisper"), "{said}");
    assert!(
        said.contains("Fails: words::a_whisper_is_in_small_letters"),
        "{said}"
    );
    // The hint only when asked: the report says how.
    assert!(!said.contains("Small letters."), "{said}");
    assert!(
        said.contains("Stuck? Its hint: cargo run -p exercises -- hint 2.2 --dir mine"),
        "{said}"
    );

    let list = text(&workbook.run(&["list"]));
    assert!(
        list.contains("Words          1 of 2 done (checked just now)"),
        "{list}"
    );
    assert!(list.contains("  done      2.1  Shout"), "{list}");
    assert!(
        list.contains(
            "Testing words  not started: cargo run -p exercises -- start testing --dir mine"
        ),
        "{list}"
    );
    assert!(list.contains("Next: 2.2 Whisper"), "{list}");
    std::fs::write(
        workbook.path("stage-2/src/lib.rs"),
        workbook.read("stage-2/src/lib.rs") + "\n",
    )
    .expect("a save");
    let list = text(&workbook.run(&["list"]));
    assert!(list.contains("(checked just now, changed since)"), "{list}");

    let hint = workbook.run(&["hint"]);
    let said = text(&hint);
    assert!(hint.status.success(), "{said}");
    assert!(said.starts_with("2.2 Whisper (\"Words\")"), "{said}");
    assert!(
        said.contains("Open: mine/stage-2/src/words.rs, where it says `Exercise 2.2`"),
        "{said}"
    );
    assert!(said.contains("Small letters."), "{said}");
    let unknown = workbook.run(&["hint", "9.9"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert_eq!(
        text(&unknown).trim(),
        "error: there is no exercise \"9.9\": `cargo run -p exercises -- list` shows them all"
    );
}

#[test]
fn reset_puts_back_one_exercise_and_leaves_the_others_as_they_were() {
    let workbook = Workbook::new("reset");
    assert!(workbook.run(&["start", "words"]).status.success());
    workbook.edit("stage-2/src/words.rs", SHOUT.0, SHOUT.1);
    workbook.edit("stage-2/src/words.rs", WHISPER.0, WHISPER.1);
    std::fs::write(workbook.path("stage-2/src/notes.rs"), "// mine\n").expect("a file of mine");
    let done = workbook.read("stage-2/src/words.rs");

    let reset = workbook.run(&["reset", "2.1"]);
    let said = text(&reset);
    assert!(reset.status.success(), "{said}");
    assert!(
        said.contains("Put back the starting point of 2.1 in mine/stage-2/src/words.rs (your version is kept in mine/.reset/2.1/src/words.rs)"),
        "{said}"
    );
    assert_eq!(
        workbook.read("stage-2/src/words.rs"),
        done.replace(SHOUT.1, SHOUT.0),
        "2.1 is back at its start, 2.2 is still done"
    );
    assert_eq!(workbook.read(".reset/2.1/src/words.rs"), done);
    assert_eq!(workbook.read("stage-2/src/notes.rs"), "// mine\n");

    let again = text(&workbook.run(&["reset", "2.1"]));
    assert!(
        again.contains("2.1 is at its starting point already"),
        "{again}"
    );

    // A place that is gone: one line, and nothing written.
    let without = workbook.read("stage-2/src/words.rs").replace(
        "pub fn whisper(text: &str) -> String {",
        "pub fn whisper(text: &str) -> String { // quiet",
    );
    std::fs::write(workbook.path("stage-2/src/words.rs"), &without).expect("written");
    let refused = workbook.run(&["reset", "2.2"]);
    let said = text(&refused);
    assert_eq!(refused.status.code(), Some(2), "{said}");
    assert_eq!(said.lines().count(), 1, "{said}");
    assert!(
        said.starts_with("error: cannot reset 2.2: ")
            && said.contains("mine/stage-2/src/words.rs no longer has the line before the exercise (`pub fn whisper(text: &str) -> String {`)")
            && said.contains("put it back as it was, then reset again"),
        "{said}"
    );
    assert_eq!(workbook.read("stage-2/src/words.rs"), without);

    let not_started = text(&workbook.run(&["reset", "t.1"]));
    assert!(
        not_started.contains("t.1 is in \"Testing words\", which is not started in mine: `cargo run -p exercises -- start testing --dir mine` starts it"),
        "{not_started}"
    );
}

#[test]
fn a_test_is_done_when_it_fails_against_the_broken_stage_and_passes_against_the_stage() {
    let workbook = Workbook::new("testing");
    assert!(workbook.run(&["start", "testing"]).status.success());
    let start = workbook.read("testing/words.rs");
    assert!(
        start.contains("todo!(\"Exercise t.1: Test the shout."),
        "{start}"
    );
    assert!(
        start.contains("fn a_whisper_is_in_small_letters"),
        "the rest is kept"
    );
    let check = text(&workbook.run(&["check"]));
    assert!(check.contains("  not yet  t.1  Test the shout"), "{check}");
    assert!(
        check.contains("your test panicked at words.rs:"),
        "the learner's todo! is named: {check}"
    );

    // A test that asserts nothing passes against the stage, and against
    // the broken one: not done.
    let todo = "    todo!(\"Exercise t.1: Test the shout. Stuck? cargo run -p exercises -- hint t.1 Book: book/src/testing.md#shout\")\n";
    workbook.edit("testing/words.rs", todo, "    let _ = shout(\"hi\");\n");
    let check = text(&workbook.run(&["check"]));
    assert!(check.contains("  not yet  t.1"), "{check}");
    let said = check.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        said.contains("your test passes against stage 2, and also against a copy of stage 2 that forgets the bang: it must fail there"),
        "{check}"
    );

    // A test of a promise the stage does not keep fails against the stage.
    workbook.edit(
        "testing/words.rs",
        "    let _ = shout(\"hi\");\n",
        "    assert_eq!(shout(\"hi\"), \"HI?\");\n",
    );
    let check = text(&workbook.run(&["check"]));
    assert!(check.contains("  not yet  t.1"), "{check}");
    assert!(check.contains("HI?"), "{check}");

    workbook.edit("testing/words.rs", "HI?", "HI!");
    let check = workbook.run(&["check"]);
    let said = text(&check);
    assert!(check.status.success(), "{said}");
    assert!(said.contains("  done  t.1  Test the shout"), "{said}");
}

#[test]
fn class_gives_a_row_per_learner_and_a_column_per_exercise() {
    let workbook = Workbook::new("class");
    assert!(workbook.run(&["start", "words"]).status.success());
    workbook.edit("stage-2/src/words.rs", SHOUT.0, SHOUT.1);
    let class = workbook.root.join("class");
    copy_dir(&workbook.root.join("mine"), &class.join("ada"));
    workbook.edit("stage-2/src/words.rs", SHOUT.1, "    shout(\n");
    copy_dir(&workbook.root.join("mine"), &class.join("brian"));
    std::fs::create_dir_all(class.join("notes")).expect("a folder that is no learner's");
    let out = workbook
        .command(&["class", "class"])
        .output()
        .expect("class runs");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "learner  2.1    2.2\nada      pass   fail\nbrian    fail   fail\n\nbrian: stage-2 does not compile\n"
    );
}

/// A running `watch`, its lines as they come.
struct Watching {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Watching {
    fn start(workbook: &Workbook) -> Watching {
        let mut child = workbook
            .command(&["watch", "--dir", "mine"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("watch runs");
        let stdout = child.stdout.take().expect("piped");
        let (send, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Watching {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// The lines up to the first that contains `wanted` (within 2 minutes).
    fn until(&mut self, wanted: &str) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut lines = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Ok(line) = self.lines.recv_timeout(left) else {
                panic!(
                    "watch never said {wanted:?}; it said:\n{}",
                    self.seen.join("\n")
                );
            };
            self.seen.push(line.clone());
            let found = line.contains(wanted);
            lines.push(line);
            if found {
                return lines;
            }
        }
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn watch_checks_again_on_a_save_and_saves_during_a_check_make_one_check_more() {
    let workbook = Workbook::new("watch");
    assert!(workbook.run(&["start", "words"]).status.success());
    let mut watch = Watching::start(&workbook);
    let first = watch.until("Watching mine for saves");
    assert!(
        first.iter().any(|l| l == "0/2 done."),
        "{}",
        first.join("\n")
    );

    workbook.edit("stage-2/src/words.rs", SHOUT.0, SHOUT.1);
    let saved = watch.until("Watching mine for saves");
    let saved = saved.join("\n");
    assert!(
        saved.contains("stage-2/src/words.rs saved: checking…"),
        "{saved}"
    );
    assert!(saved.contains("✓ 2.1 Shout: done!"), "{saved}");
    assert!(saved.contains("1/2 done."), "{saved}");

    // Two saves while a check runs (its test now takes 1.5 s): one check
    // more, of what is there after both, and one report.
    let marker = workbook.root.join("stages/tests/src/take-a-moment");
    std::fs::write(&marker, "").expect("a marker");
    workbook.edit("stage-2/src/words.rs", "to_string()", "to_lowercase()");
    watch.until("saved: checking…");
    std::thread::sleep(Duration::from_millis(300));
    workbook.edit("stage-2/src/lib.rs", "a few words.", "a few words!");
    std::thread::sleep(Duration::from_millis(300));
    workbook.edit("stage-2/src/lib.rs", "a few words!", "a few words!!");
    // The check once more needs no moment: it is only counted.
    let mut after = watch.until("checking again");
    std::fs::remove_file(&marker).expect("the marker goes");
    after.extend(watch.until("Watching mine for saves"));
    let after = after.join("\n");
    assert_eq!(
        after
            .matches("saved during the check: checking again…")
            .count(),
        1,
        "{after}"
    );
    assert_eq!(after.matches("/2 done.").count(), 1, "one report: {after}");
    assert!(after.contains("✓ 2.2 Whisper: done!"), "{after}");
    assert!(
        after.contains("✓ All of \"Words\" is done; next, \"Testing words\" (book/src/testing.md): cargo run -p exercises -- start testing --dir mine"),
        "{after}"
    );
    assert!(
        after.contains("The next chapter, \"Testing words\":"),
        "{after}"
    );
}

#[test]
fn ctrl_c_ends_watch() {
    if sigint_is_ignored() {
        // A shell's background job ignores Ctrl-C's signal, and what it
        // starts inherits that: no Ctrl-C can reach `watch` from here.
        assert!(
            std::env::var_os("WORKBOOK_REQUIRE_SERVICES").is_none(),
            "ctrl_c_ends_watch cannot send Ctrl-C: this test runs with SIGINT ignored (started in the background), and WORKBOOK_REQUIRE_SERVICES is set"
        );
        // Straight to the terminal: the harness captures `eprintln!` of a
        // test that passes, and this must be seen.
        let _ = writeln!(
            std::io::stderr(),
            "\nSKIPPED ctrl_c_ends_watch: this test runs with SIGINT ignored (a shell's background job), so Ctrl-C cannot reach `watch`. Run `cargo test -p exercises` in the foreground to run it.\n"
        );
        return;
    }
    let workbook = Workbook::new("ctrl-c");
    assert!(workbook.run(&["start", "words"]).status.success());
    let mut watch = Watching::start(&workbook);
    watch.until("Watching mine for saves");
    let interrupted = Command::new("kill")
        .args(["-INT", &watch.child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(interrupted.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    while watch.child.try_wait().expect("waits").is_none() {
        assert!(Instant::now() < deadline, "watch still runs after Ctrl-C");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Whether this process ignores SIGINT, as a shell's background job does
/// (Linux's `/proc/self/status`, `SigIgn`: a mask in hex, bit 1 for
/// SIGINT, signal 2). A child inherits an ignored signal.
fn sigint_is_ignored() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let mask = status.lines().find_map(|l| l.strip_prefix("SigIgn:"))?;
            u64::from_str_radix(mask.trim(), 16).ok()
        })
        .is_some_and(|mask| mask & (1 << 1) != 0)
}
