//! The `kindred` binary: `serve` (the default), `migrate`, and `admin create`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kindred::config::Settings;
use kindred::startup::{Application, open_database};

#[derive(Parser)]
#[command(name = "kindred", version, about = "Peer support backend")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Apply migrations and serve (what `cargo run` does with no subcommand).
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Generate a synthetic population, run the engine, write the instance and the matching
    /// as JSON; for N ≤ 1000 also print the exact optimum and the ratio.
    MatchEval {
        #[arg(long, default_value = "pair")]
        format: String,
        #[arg(long, default_value_t = 1000)]
        n: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Account administration.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a verified admin. The password comes from KINDRED_ADMIN_PASSWORD or a prompt.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long = "display-name")]
        display_name: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::MatchEval {
        format,
        n,
        seed,
        out,
    }) = &cli.command
    {
        return match_eval(format, *n, *seed, out);
    }
    kindred::telemetry::init();
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings),
        Command::Migrate => match open_database(&settings) {
            Ok((db, n)) => {
                println!("{n} migration(s) applied to the {} database", db.backend());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        },
        Command::Admin {
            command:
                AdminCommand::Create {
                    email,
                    display_name,
                },
        } => admin_create(&settings, &email, &display_name),
        // Handled before configuration is read: it needs none.
        Command::MatchEval { .. } => ExitCode::SUCCESS,
    }
}

fn serve(settings: Settings) -> ExitCode {
    // Blocking work (diesel, Argon2) is bounded by the pool and the hash semaphore anyway;
    // more threads than that only wait, each with its own stack and allocator arena.
    let blocking = kindred::startup::max_blocking_threads(&settings);
    let system = actix_web::rt::System::with_tokio_rt(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .max_blocking_threads(blocking)
            .build()
            .unwrap_or_else(|e| {
                eprintln!("kindred: could not start the runtime: {e}");
                std::process::exit(1)
            })
    });
    let result = system.block_on(async move {
        let app = Application::build(settings)
            .await
            .map_err(|e| e.to_string())?;
        app.run_until_stopped(true).await.map_err(|e| e.to_string())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kindred: {e}");
            ExitCode::FAILURE
        }
    }
}

fn admin_create(settings: &Settings, email: &str, display_name: &str) -> ExitCode {
    let password = match std::env::var("KINDRED_ADMIN_PASSWORD") {
        Ok(p) if !p.is_empty() => p,
        _ => match rpassword::prompt_password("Password for the new admin: ") {
            Ok(p) => p,
            Err(e) => {
                eprintln!("could not read a password (set KINDRED_ADMIN_PASSWORD): {e}");
                return ExitCode::FAILURE;
            }
        },
    };
    let (db, _) = match open_database(settings) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let mut conn = match db.get_blocking() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let now = chrono::Utc::now().naive_utc();
    match kindred::auth::service::create_admin(
        &mut conn,
        settings.password_params,
        email,
        display_name,
        &password,
        now,
    ) {
        Ok(id) => {
            println!("admin created: {id}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("kindred admin create: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `match-eval` needs no configuration or database: it is pure computation.
fn match_eval(format: &str, n: usize, seed: u64, out: &std::path::Path) -> ExitCode {
    let report = match kindred::matching::eval::run(format, n, seed) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kindred match-eval: {e}");
            return ExitCode::from(2);
        }
    };
    let written = serde_json::to_vec(&report)
        .map_err(|e| e.to_string())
        .and_then(|bytes| std::fs::write(out, bytes).map_err(|e| e.to_string()));
    if let Err(e) = written {
        eprintln!("kindred match-eval: could not write {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    let summary = serde_json::json!({
        "format": report.format, "n": report.n, "seed": report.seed, "volunteers": report.volunteers,
        "feasible_edges": report.edges.len(), "matched": report.chosen.len(),
        "chosen_weight": report.chosen_weight, "engine_millis": report.engine_millis,
        "exact_weight": report.exact_weight, "ratio": report.ratio, "out": out.display().to_string(),
    });
    println!("{summary}");
    ExitCode::SUCCESS
}
