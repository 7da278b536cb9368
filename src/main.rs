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
    }
}

fn serve(settings: Settings) -> ExitCode {
    let result = actix_web::rt::System::new().block_on(async move {
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
