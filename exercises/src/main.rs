//! The workbook's exercises, from the workbook's folder:
//!
//! ```text
//! cargo run -p exercises -- start log-in    # or 2; --dir DIR (default my-exercises/)
//! cargo run -p exercises -- check           # which are done, and the next one to do
//! cargo run -p exercises -- class FOLDER    # a class's folders: learner by exercise
//! cargo run -p exercises -- verify          # CI: every exercise fails, then passes
//! ```
//!
//! Exit status: 0 when everything asked for is done (or holds), 1 when
//! not, 2 for a mistake in the command (an unknown chapter, a missing
//! folder), said in one line.

use clap::{Parser, Subcommand};
use exercises::check::{self, Status};
use exercises::learner;
use exercises::manifest::Chapter;
use exercises::report::{self, ChapterCheck, Row};
use exercises::workbook::Workbook;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The workbook's exercises: start a chapter's, check them, check a class.
#[derive(Debug, Parser)]
#[command(name = "exercises", bin_name = "cargo run -p exercises --", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start a chapter's exercises: your copy of its stage, with pieces taken out.
    Start {
        /// log-in, protect-by-hand, global-guard, openid-connect, redis, refresh
        /// or internet (or 2 to 8).
        chapter: String,
        /// Where your exercises live [default: my-exercises/ in the workbook].
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Check your exercises: which are done, and the next one to do.
    Check {
        /// Where your exercises live [default: my-exercises/ in the workbook].
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Check a class: FOLDER holds one folder per learner, each like my-exercises/.
    Class {
        /// The folder that holds the learners' folders.
        folder: PathBuf,
    },
    /// For CI: every exercise fails as a learner starts it, passes once done,
    /// and passes with the stages' own sources.
    Verify,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let workbook = Workbook::here();
    let outcome = match cli.command {
        Command::Start { chapter, dir } => start(&workbook, &chapter, &folder(&workbook, dir)),
        Command::Check { dir } => check_folder(&workbook, &folder(&workbook, dir)),
        Command::Class { folder } => class(&workbook, &folder),
        Command::Verify => {
            exercises::verify::verify(&workbook, &mut std::io::stdout()).map(|holds| {
                if holds {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::FAILURE
                }
            })
        }
    };
    outcome.unwrap_or_else(|problem| {
        eprintln!("error: {problem}");
        ExitCode::from(2)
    })
}

/// The learner's folder: `--dir`, or `my-exercises/` in the workbook.
fn folder(workbook: &Workbook, dir: Option<PathBuf>) -> PathBuf {
    dir.unwrap_or_else(|| workbook.root.join("my-exercises"))
}

/// `path` as a learner would type it from where they are.
fn shown(path: &Path) -> String {
    let here = std::env::current_dir().ok();
    let relative = here
        .as_deref()
        .and_then(|here| path.strip_prefix(here).ok());
    relative.unwrap_or(path).display().to_string()
}

fn start(workbook: &Workbook, wanted: &str, dir: &Path) -> Result<ExitCode, String> {
    let chapter = workbook.manifest.find_chapter(wanted)?;
    if dir.exists() && !dir.is_dir() {
        return Err(format!(
            "{} is a file, not a folder: give --dir a folder",
            shown(dir)
        ));
    }
    learner::start(workbook, chapter, dir)?;
    let copy = Workbook::copy_dir(dir, chapter);
    let exercises = workbook.manifest.exercises_of(chapter);
    println!(
        "Started \"{}\": your copy of stage {} is in {}, with {} exercises taken out:",
        chapter.title,
        chapter.stage,
        shown(&copy),
        exercises.len()
    );
    for exercise in &exercises {
        let file = exercise.edit.first().map_or("", |e| e.file.as_str());
        println!("  {}  {}  ({file})", exercise.id, exercise.title);
    }
    let first = exercises
        .first()
        .map(|e| (e.id.as_str(), e.edit[0].file.as_str()));
    let (id, file) = first.unwrap_or(("", "src/lib.rs"));
    let check = check_command(workbook, dir);
    println!(
        "\nRead the chapter first (book/src/{}.md), then:\n  1. See them fail:   {check}\n  2. Open {}, where it says `Exercise {id}`, and write it.\n  3. Check it:        {check}\nTo run your stage (with `cargo run -p mock-okta` in another terminal):\n  cd {} && cargo run -p stage-{}",
        chapter.name,
        shown(&copy.join(file)),
        shown(dir),
        chapter.stage
    );
    Ok(ExitCode::SUCCESS)
}

/// The command that checks `dir`.
fn check_command(workbook: &Workbook, dir: &Path) -> String {
    match dir == workbook.root.join("my-exercises") {
        true => "cargo run -p exercises -- check".to_string(),
        false => format!("cargo run -p exercises -- check --dir {}", shown(dir)),
    }
}

/// Checks every chapter started in `dir`.
fn checks<'a>(
    workbook: &'a Workbook,
    dir: &Path,
    started: &[&'a Chapter],
) -> Result<Vec<ChapterCheck<'a>>, String> {
    learner::scaffold(workbook, dir)?;
    let mut checks = Vec::new();
    for chapter in started {
        let exercises = workbook.manifest.exercises_of(chapter);
        let check_dir = learner::check_dir(dir, chapter);
        let result = match check::run(workbook, &check_dir, &[chapter.stage], &exercises) {
            Ok(outcomes) => Ok(exercises
                .iter()
                .map(|e| (*e, check::status(e, &outcomes)))
                .collect()),
            Err(check::Problem::Build(errors)) => Err(errors),
            Err(check::Problem::Workbook(problem)) => return Err(problem),
        };
        checks.push(ChapterCheck { chapter, result });
    }
    Ok(checks)
}

fn check_folder(workbook: &Workbook, dir: &Path) -> Result<ExitCode, String> {
    let started = learner::started(workbook, dir);
    if started.is_empty() {
        let first = workbook
            .manifest
            .chapter
            .first()
            .map_or("log-in", |c| c.name.as_str());
        println!(
            "Nothing is started in {}: start with `cargo run -p exercises -- start {first}{}`.",
            shown(dir),
            if dir == workbook.root.join("my-exercises") {
                String::new()
            } else {
                format!(" --dir {}", shown(dir))
            }
        );
        return Ok(ExitCode::FAILURE);
    }
    eprintln!(
        "Building your work against the workbook's tests, and running them (a first check builds for a few minutes, later ones take seconds)…"
    );
    let checks = checks(workbook, dir, &started)?;
    let last = started.last().map(|c| c.stage);
    let next_chapter = workbook
        .manifest
        .chapter
        .iter()
        .find(|c| Some(c.stage) > last);
    print!(
        "{}",
        report::check_text(
            Path::new(&shown(dir)),
            &checks,
            next_chapter,
            &check_command(workbook, dir)
        )
    );
    match checks.iter().all(ChapterCheck::all_done) {
        true => Ok(ExitCode::SUCCESS),
        false => Ok(ExitCode::FAILURE),
    }
}

fn class(workbook: &Workbook, folder: &Path) -> Result<ExitCode, String> {
    if !folder.is_dir() {
        return Err(format!(
            "{} is not a folder: give the folder that holds the learners' folders",
            shown(folder)
        ));
    }
    let mut learners: Vec<PathBuf> = std::fs::read_dir(folder)
        .map_err(|e| format!("{}: {e}", shown(folder)))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir() && !learner::started(workbook, p).is_empty())
        .collect();
    learners.sort();
    if learners.is_empty() {
        return Err(format!(
            "{} holds no learner's folder (one with a stage-N folder in it, as `start` makes)",
            shown(folder)
        ));
    }
    let mut rows = Vec::new();
    let mut chapters: Vec<&Chapter> = Vec::new();
    for dir in &learners {
        let name = dir
            .file_name()
            .map_or(String::new(), |n| n.to_string_lossy().into_owned());
        eprintln!("checking {name}…");
        let started = learner::started(workbook, dir);
        let mut row = Row {
            learner: name,
            cells: Vec::new(),
            notes: Vec::new(),
        };
        for check in checks(workbook, dir, &started)? {
            if !chapters.iter().any(|c| c.name == check.chapter.name) {
                chapters.push(check.chapter);
            }
            match &check.result {
                Ok(statuses) => {
                    for (exercise, status) in statuses {
                        row.cells.push((exercise.id.clone(), report::cell(status)));
                        if let Status::Needs { program, .. } = status {
                            row.notes.push(format!(
                                "{} needs {program}, which is not installed here",
                                exercise.id
                            ));
                        }
                    }
                }
                Err(_) => {
                    for exercise in workbook.manifest.exercises_of(check.chapter) {
                        row.cells.push((exercise.id.clone(), "fail"));
                    }
                    row.notes
                        .push(format!("stage {} does not compile", check.chapter.stage));
                }
            }
        }
        rows.push(row);
    }
    chapters.sort_by_key(|c| c.stage);
    let ids: Vec<String> = chapters
        .iter()
        .flat_map(|c| workbook.manifest.exercises_of(c))
        .map(|e| e.id.clone())
        .collect();
    print!("{}", report::class_table(&ids, &rows));
    let all_pass = rows.iter().all(|r| {
        ids.iter()
            .all(|id| r.cells.iter().any(|(i, c)| i == id && *c == "pass"))
    });
    Ok(if all_pass {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
