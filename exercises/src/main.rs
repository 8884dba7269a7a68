//! The workbook's exercises, from the workbook's folder or from your
//! exercises' folder (`my-exercises/`):
//!
//! ```text
//! cargo run -p exercises -- start log-in    # or 2; --dir DIR (default my-exercises/)
//! cargo run -p exercises -- watch           # checks now, and again at each save
//! cargo run -p exercises -- check           # which are done, and the next one to do
//! cargo run -p exercises -- list            # every chapter, and where you stand
//! cargo run -p exercises -- hint 2.3        # an exercise's hint (no id: the next one's)
//! cargo run -p exercises -- reset 2.3       # that exercise's starting point back
//! cargo run -p exercises -- class FOLDER    # a class's folders: learner by exercise
//! cargo run -p exercises -- verify          # CI: every exercise fails, then passes
//! cargo run -p exercises -- new ../my-app --from stage-7   # a stage as your own crate
//! ```
//!
//! Exit status: 0 when everything asked for is done (or holds), 1 when
//! not, 2 for a mistake in the command (an unknown chapter, a missing
//! folder), said in one line.

use clap::{Parser, Subcommand};
use exercises::cli::{self, Learner};
use exercises::workbook::Workbook;
use std::path::PathBuf;
use std::process::ExitCode;

/// The workbook's exercises: start a chapter's, check them as you save,
/// check a class.
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
        /// configuration, log-in, callback, protect-by-hand, global-guard,
        /// what-can-go-wrong, testing, openid-connect, redis, refresh,
        /// refresh-safely, internet, roles or api (or a stage's number).
        chapter: String,
        #[command(flatten)]
        dir: Dir,
    },
    /// Check now, and again each time you save a file (Ctrl-C stops).
    Watch {
        #[command(flatten)]
        dir: Dir,
    },
    /// Check your exercises once: which are done, and the next one to do.
    Check {
        #[command(flatten)]
        dir: Dir,
    },
    /// Every chapter, and where you stand in it (as your last check found).
    List {
        #[command(flatten)]
        dir: Dir,
    },
    /// An exercise's hint, where it is, and the book's section for it.
    Hint {
        /// The exercise, e.g. 2.3 [default: the next one to do].
        id: Option<String>,
        #[command(flatten)]
        dir: Dir,
    },
    /// Put back an exercise's starting point, and change nothing else.
    Reset {
        /// The exercise, e.g. 2.3.
        id: String,
        #[command(flatten)]
        dir: Dir,
    },
    /// Check a class: FOLDER holds one folder per learner, each like my-exercises/.
    Class {
        /// The folder that holds the learners' folders.
        folder: PathBuf,
    },
    /// For CI: every exercise fails as a learner starts it, passes once done,
    /// and passes with the stages' own sources.
    Verify,
    /// Lay a stage down as a crate of your own, outside the workbook, to grow
    /// into your app: its sources, exact versions, a login test.
    New {
        /// The new crate's folder (it must not exist; outside the workbook).
        path: PathBuf,
        /// The stage to start from: stage-2 to stage-10.
        #[arg(long)]
        from: String,
    },
}

#[derive(Debug, clap::Args)]
struct Dir {
    /// Where your exercises are [default: the one you are in, or
    /// my-exercises/ in the workbook].
    #[arg(long)]
    dir: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = Workbook::here().and_then(|workbook| run(&workbook, cli.command));
    outcome.unwrap_or_else(|problem| {
        eprintln!("error: {problem}");
        ExitCode::from(2)
    })
}

fn run(workbook: &Workbook, command: Command) -> Result<ExitCode, String> {
    let learner = |dir: Dir| Learner::new(workbook, dir.dir);
    match command {
        Command::Start { chapter, dir } => learner(dir).start(&chapter),
        Command::Watch { dir } => learner(dir).watch(),
        Command::Check { dir } => learner(dir).check(),
        Command::List { dir } => Ok(learner(dir).list()),
        Command::Hint { id, dir } => learner(dir).hint(id.as_deref()),
        Command::Reset { id, dir } => learner(dir).reset(&id),
        Command::Class { folder } => cli::class(workbook, &folder),
        Command::Verify => cli::verify(workbook),
        Command::New { path, from } => cli::new_app(workbook, &path, &from),
    }
}
