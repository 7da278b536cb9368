//! README's promises, checked: the member's first-steps curl session runs as written against
//! the real binary on its embedded default (SQLite, no SMTP: mail goes to the log).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn first_steps_block() -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme
        .find("<!-- first-steps -->")
        .expect("README marks the first-steps block");
    let rest = &readme[start..];
    let open = rest.find("```sh\n").expect("a sh block follows the marker") + "```sh\n".len();
    let close = rest[open..].find("\n```").expect("the block is closed");
    rest[open..open + close].to_string()
}

#[test]
fn the_readme_first_steps_session_runs_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("kindred.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut server = Command::new(env!("CARGO_BIN_EXE_kindred"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("KINDRED_BIND", "127.0.0.1:0")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/data/kindred.db", dir.path().display()),
        )
        .env(
            "KINDRED_JWT_SECRET",
            "0123456789abcdef0123456789abcdef-readme",
        )
        .current_dir(dir.path())
        .stdout(Stdio::from(log))
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let port = loop {
        let text = std::fs::read_to_string(&log_path).unwrap_or_default();
        if let Some(p) = text
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .find(|v| v["message"] == "kindred listening")
            .and_then(|v| v["port"].as_u64())
        {
            break p;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "server did not start:\n{text}"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &first_steps_block()])
        .env("KINDRED", format!("http://127.0.0.1:{port}"))
        .env("LOG", &log_path)
        .output()
        .unwrap();
    let _ = server.kill();
    let _ = server.wait();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "README session failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(r#"{"status":"verification_sent"}"#),
        "{stdout}"
    );
    assert!(stdout.contains(r#""email_verified":true"#), "{stdout}");
    assert!(stdout.contains(r#""score":5.6,"level":2"#), "{stdout}");
    assert!(stdout.contains(r#""id":"lungs.copd""#), "{stdout}");
    // The last call is GET /me: verified, with a language and a condition, Sam may ask for support.
    // curl prints no trailing newline, so responses share lines: GET /me follows the check-in.
    let check_in = stdout.find(r#""score":5.6"#).unwrap();
    let after = check_in + stdout[check_in..].find('}').unwrap() + 1;
    let me: Value = serde_json::from_str(stdout[after..].trim()).unwrap();
    assert_eq!(me["restrictions"], serde_json::json!([]));
    assert_eq!(me["confidence"]["level"], 2);
}
