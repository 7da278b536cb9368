//! The test harness: each test starts the real application on port 0 with its own fresh
//! database (a new SQLite file, or a new PostgreSQL database created from `TEST_DATABASE_URL`
//! and dropped afterwards), a real SMTP server in-process, and a clock the test can move.
//! `both_backends!(name)` turns `async fn name(app: TestApp)` into `name::sqlite` and
//! `name::postgres` tests.

#![allow(dead_code)]

pub mod smtp;
pub mod webhook;
pub mod ws;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use diesel::Connection;
use diesel::connection::SimpleConnection;
use kindred::auth::password::PasswordParams;
use kindred::clock::ManualClock;
use kindred::config::Settings;
use kindred::startup::Application;
use kindred::state::AppState;
use serde_json::{Value, json};
use tokio::sync::watch;

pub use smtp::SmtpSink;

/// The base of links in emails during tests (deliberately not the server's address).
pub const PUBLIC_URL: &str = "https://kindred.test";
pub const MAIL_WAIT: Duration = Duration::from_secs(10);
/// Cheap Argon2id for tests (TESTPLAN: production parameters only where a test says so).
pub const TEST_PARAMS: PasswordParams = PasswordParams {
    m_cost_kib: 1024,
    t_cost: 1,
    p_cost: 1,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs `$name(app)` once per backend.
#[macro_export]
macro_rules! both_backends {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::support::TestApp::spawn($crate::support::Backend::Sqlite).await;
                super::$name(app).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::support::TestApp::spawn_postgres().await {
                    super::$name(app).await;
                }
            }
        }
    };
    ($name:ident, $tweak:expr) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app =
                    $crate::support::TestApp::spawn_with($crate::support::Backend::Sqlite, $tweak)
                        .await;
                super::$name(app).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::support::postgres_base_url().is_some() {
                    let app = $crate::support::TestApp::spawn_with(
                        $crate::support::Backend::Postgres,
                        $tweak,
                    )
                    .await;
                    super::$name(app).await;
                }
            }
        }
    };
}

/// `TEST_DATABASE_URL`, or None (outside CI) to skip the PostgreSQL half.
pub fn postgres_base_url() -> Option<String> {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI=true but TEST_DATABASE_URL is unset: the PostgreSQL half must run in CI")
        }
        _ => None,
    }
}

struct PgDatabase {
    base: String,
    name: String,
}

impl PgDatabase {
    fn create(base: &str) -> (PgDatabase, String) {
        let name = format!("kindred_test_{}", uuid::Uuid::now_v7().simple());
        let mut admin = diesel::PgConnection::establish(base)
            .unwrap_or_else(|e| panic!("PostgreSQL at TEST_DATABASE_URL is unreachable: {e}"));
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create test database");
        let mut url = url::Url::parse(base).expect("TEST_DATABASE_URL is a URL");
        url.set_path(&name);
        (
            PgDatabase {
                base: base.to_string(),
                name,
            },
            url.to_string(),
        )
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let (base, name) = (self.base.clone(), self.name.clone());
        // Drop runs on a runtime thread; do the blocking work on a plain thread.
        let _ = std::thread::spawn(move || {
            if let Ok(mut c) = diesel::PgConnection::establish(&base) {
                let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        })
        .join();
    }
}

/// Keeps a test database alive; dropping it removes the file or drops the database.
pub struct DbGuard(tempfile::TempDir, Option<PgDatabase>);

/// A URL to a brand-new, empty database of the given kind.
pub async fn fresh_database(backend: Backend) -> (String, DbGuard) {
    let dir = tempfile::tempdir().expect("tempdir");
    match backend {
        // A folder that does not exist yet: the app must create it.
        Backend::Sqlite => (
            format!("sqlite://{}/nested/data/kindred.db", dir.path().display()),
            DbGuard(dir, None),
        ),
        Backend::Postgres => {
            let base = postgres_base_url().expect("TEST_DATABASE_URL");
            let (db, url) = tokio::task::spawn_blocking(move || PgDatabase::create(&base))
                .await
                .expect("create database");
            (url, DbGuard(dir, Some(db)))
        }
    }
}

pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub client: reqwest::Client,
    pub smtp: SmtpSink,
    pub clock: Arc<ManualClock>,
    pub backend: Backend,
    pub state: AppState,
    pub database_url: String,
    handle: ServerHandle,
    workers: watch::Sender<bool>,
    _dir: tempfile::TempDir,
    _pg: Option<PgDatabase>,
}

/// A signed-up, verified, signed-in account.
#[derive(Clone, Debug)]
pub struct Account {
    pub id: String,
    pub email: String,
    pub password: String,
    pub display_name: String,
    pub access: String,
    pub refresh: String,
    /// The TOTP secret, once this account has enrolled a second factor.
    pub totp_secret: Option<String>,
}

pub fn settings_for(database_url: &str, smtp_url: &str) -> Settings {
    let secret = hex_secret();
    let vars: HashMap<&str, String> = HashMap::from([
        ("KINDRED_BIND", "127.0.0.1:0".to_string()),
        ("DATABASE_URL", database_url.to_string()),
        ("SMTP_URL", smtp_url.to_string()),
        ("MAIL_FROM", "Kindred <no-reply@kindred.test>".to_string()),
        ("KINDRED_PUBLIC_URL", PUBLIC_URL.to_string()),
        ("KINDRED_JWT_SECRET", secret),
    ]);
    let mut s = Settings::from_lookup(|k| vars.get(k).cloned()).expect("test settings are valid");
    s.password_params = TEST_PARAMS;
    s.db_pool_size = 4;
    s.http_workers = Some(1);
    s.shutdown_timeout = Duration::from_secs(1);
    s.outbox_poll_interval = Duration::from_millis(100);
    s
}

fn hex_secret() -> String {
    format!(
        "{}{}",
        uuid::Uuid::now_v7().simple(),
        uuid::Uuid::now_v7().simple()
    )
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, |_| {}).await
    }

    /// PostgreSQL, or None when the PostgreSQL half is skipped (never under CI).
    pub async fn spawn_postgres() -> Option<TestApp> {
        postgres_base_url()?;
        Some(Self::spawn(Backend::Postgres).await)
    }

    pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut Settings)) -> TestApp {
        if std::env::var_os(LOG_DIR_VAR).is_some() {
            capture_logs();
        }
        let (database_url, DbGuard(dir, pg)) = fresh_database(backend).await;
        let smtp = SmtpSink::start().await;
        let mut settings = settings_for(&database_url, &smtp.url());
        tweak(&mut settings);
        let clock = ManualClock::new();
        let app = Application::build_with_clock(settings, clock.clone())
            .await
            .expect("application builds");
        let port = app.port();
        let handle = app.handle();
        let workers = app.worker_shutdown();
        let state = app.state().clone();
        tokio::spawn(app.run_until_stopped(false));
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");
        TestApp {
            address: format!("http://127.0.0.1:{port}"),
            port,
            client,
            smtp,
            clock,
            backend,
            state,
            database_url,
            handle,
            workers,
            _dir: dir,
            _pg: pg,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn post(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn post_auth(&self, path: &str, token: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn put_auth(&self, path: &str, token: &str, body: &Value) -> reqwest::Response {
        self.client
            .put(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn patch_auth(&self, path: &str, token: &str, body: &Value) -> reqwest::Response {
        self.client
            .patch(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request sent")
    }

    /// Any method with an owned JSON body (handy in closures).
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Value,
    ) -> reqwest::Response {
        self.client
            .request(method, self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn get_auth(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request sent")
    }

    /// Registers and returns the verification token from the email that arrives.
    pub async fn register(&self, email: &str, password: &str, display_name: &str) -> String {
        let resp = self
            .post(
                "/api/v1/auth/register",
                &json!({"email": email, "password": password, "display_name": display_name}),
            )
            .await;
        assert_eq!(
            resp.status(),
            202,
            "register: {}",
            resp.text().await.unwrap_or_default()
        );
        let mail = self
            .smtp
            .wait_for(email, MAIL_WAIT)
            .await
            .expect("verification email arrives");
        mail.token_from_link(&format!("{PUBLIC_URL}/verify-email"))
            .expect("verification link in the email")
    }

    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        self.post(
            "/api/v1/auth/login",
            &json!({"email": email, "password": password}),
        )
        .await
    }

    /// Register, verify and sign in someone called `name`.
    pub async fn signup(&self, name: &str) -> Account {
        let email = format!("{}@example.org", name.to_lowercase());
        let password = format!("{name} walks by the quiet river");
        let token = self.register(&email, &password, name).await;
        let resp = self
            .post("/api/v1/auth/verify-email", &json!({"token": token}))
            .await;
        assert_eq!(resp.status(), 200);
        self.signin(&email, &password, name).await
    }

    pub async fn signin(&self, email: &str, password: &str, name: &str) -> Account {
        let resp = self.login(email, password).await;
        assert_eq!(resp.status(), 200);
        let body: Value = resp.json().await.expect("json");
        Account {
            id: body["user"]["id"].as_str().expect("id").to_string(),
            email: email.to_string(),
            password: password.to_string(),
            display_name: name.to_string(),
            access: body["access_token"].as_str().expect("access").to_string(),
            refresh: body["refresh_token"].as_str().expect("refresh").to_string(),
            totp_secret: None,
        }
    }

    /// Runs blocking diesel work against the app's own database.
    pub async fn db<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut kindred::db::DbConn) -> T + Send + 'static,
    ) -> T {
        self.state
            .db
            .run(move |c| Ok(f(c)))
            .await
            .unwrap_or_else(|e| panic!("db: {e}"))
    }

    /// Makes `account` an admin directly in the database (as `kindred admin create` would).
    pub async fn make_role(&self, account_id: &str, role: &str) {
        let (id, role) = (account_id.to_string(), role.to_string());
        let now = self.state.clock.now_naive();
        self.db(move |c| kindred::db::users::set_role(c, &id, &role, now).expect("set role"))
            .await;
    }

    /// A new moderator or admin (`role`), signed in the way that role must sign in: enrolled
    /// with a TOTP factor and signed in through the second step, so its access token is a
    /// second-factor session. Every test that needs a privileged session gets it here.
    pub async fn staff(&self, name: &str, role: &str) -> Account {
        let a = self.signup(name).await;
        self.make_role(&a.id, role).await;
        let (secret, _) = self.enrol_totp(&a).await;
        self.signin_mfa(&a, &secret).await
    }

    /// A new session for `a` the way `a` must sign in: with the second step if `a` has a
    /// factor (a code one step ahead: sign in the same account twice within one 30-second
    /// step only after moving the clock on).
    pub async fn signin_again(&self, a: &Account) -> Account {
        match &a.totp_secret {
            Some(secret) => self.signin_mfa(a, secret).await,
            None => self.signin(&a.email, &a.password, &a.display_name).await,
        }
    }

    /// The code an authenticator app shows `steps` 30-second steps from the app's clock now.
    pub fn totp_code(&self, secret: &str, steps: i64) -> String {
        let t = kindred::clock::Clock::now(self.clock.as_ref()).timestamp() + 30 * steps;
        kindred::auth::totp::code_at(secret, t).expect("valid secret")
    }

    /// Enrols and confirms a TOTP factor for `a` (with the current step's code); returns the
    /// secret and the ten recovery codes.
    pub async fn enrol_totp(&self, a: &Account) -> (String, Vec<String>) {
        let resp = self
            .post_auth("/api/v1/me/mfa/totp", &a.access, &json!({}))
            .await;
        assert_eq!(resp.status(), 200, "start enrolment");
        let body: Value = resp.json().await.expect("json");
        let secret = body["secret"].as_str().expect("secret").to_string();
        let code = self.totp_code(&secret, 0);
        let resp = self
            .post_auth(
                "/api/v1/me/mfa/totp/confirm",
                &a.access,
                &json!({"code": code}),
            )
            .await;
        assert_eq!(resp.status(), 200, "confirm enrolment");
        let body: Value = resp.json().await.expect("json");
        let codes = body["recovery_codes"]
            .as_array()
            .expect("recovery codes")
            .iter()
            .map(|c| c.as_str().expect("code").to_string())
            .collect();
        (secret, codes)
    }

    /// Password, then the second step with a code one step ahead (inside the window, and
    /// newer than the step that confirmed the factor). Returns the second-factor session.
    pub async fn signin_mfa(&self, a: &Account, secret: &str) -> Account {
        let resp = self.login(&a.email, &a.password).await;
        assert_eq!(resp.status(), 200);
        let body: Value = resp.json().await.expect("json");
        assert_eq!(body["mfa_required"], true, "{body}");
        let ticket = body["mfa_ticket"].as_str().expect("ticket");
        let resp = self
            .post(
                "/api/v1/auth/login/mfa",
                &json!({"mfa_ticket": ticket, "code": self.totp_code(secret, 1)}),
            )
            .await;
        assert_eq!(resp.status(), 200, "second step");
        let body: Value = resp.json().await.expect("json");
        Account {
            id: body["user"]["id"].as_str().expect("id").to_string(),
            email: a.email.clone(),
            password: a.password.clone(),
            display_name: a.display_name.clone(),
            access: body["access_token"].as_str().expect("access").to_string(),
            refresh: body["refresh_token"].as_str().expect("refresh").to_string(),
            totp_secret: Some(secret.to_string()),
        }
    }
}

impl TestApp {
    /// Another instance of the application on this test's database, with the same SMTP sink
    /// and the same movable clock: a restart (after [`TestApp::stop`]) or a second instance
    /// side by side. `tweak` as for `spawn_with`. The database stays this app's: dropping the
    /// second instance stops it and leaves the database alone.
    pub async fn spawn_beside(&self, tweak: impl FnOnce(&mut Settings)) -> TestApp {
        let mut settings = settings_for(&self.database_url, &self.smtp.url());
        // One deployment: tokens signed by one instance are good on the other.
        settings.jwt_secret = self.state.settings.jwt_secret.clone();
        tweak(&mut settings);
        let app = Application::build_with_clock(settings, self.clock.clone())
            .await
            .expect("second instance builds");
        let port = app.port();
        let handle = app.handle();
        let workers = app.worker_shutdown();
        let state = app.state().clone();
        tokio::spawn(app.run_until_stopped(false));
        TestApp {
            address: format!("http://127.0.0.1:{port}"),
            port,
            client: self.client.clone(),
            smtp: self.smtp.clone(),
            clock: self.clock.clone(),
            backend: self.backend,
            state,
            database_url: self.database_url.clone(),
            handle,
            workers,
            _dir: tempfile::tempdir().expect("tempdir"),
            _pg: None,
        }
    }

    /// Stops this instance's server and workers, as a process exit would; the database and
    /// the SMTP sink stay for an instance started with [`TestApp::spawn_beside`].
    pub async fn stop(&self) {
        let _ = self.workers.send(true);
        self.handle.stop(true).await;
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Both calls send at once; the returned future need not be polled.
        drop(self.handle.stop(false));
        let _ = self.workers.send(true);
    }
}

/// Asserts a problem+json response: status, content type and `code`; returns the body.
pub async fn assert_problem(resp: reqwest::Response, status: u16, code: &str) -> Value {
    let got = resp.status().as_u16();
    let ctype = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let text = resp.text().await.unwrap_or_default();
    assert_eq!(got, status, "status for {code}: {text}");
    assert_eq!(ctype, "application/problem+json", "content type: {text}");
    let body: Value = serde_json::from_str(&text).expect("problem body is JSON");
    assert_eq!(body["code"], code, "{text}");
    assert_eq!(body["status"], status);
    for k in ["type", "title", "detail"] {
        assert!(body[k].is_string(), "problem lacks {k}: {text}");
    }
    body
}

#[derive(diesel::QueryableByName)]
struct CatalogRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    column_name: String,
}

#[derive(diesel::QueryableByName)]
struct CountRow {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

impl TestApp {
    /// Every application table and its columns, read from the live schema.
    pub async fn catalog(&self) -> Vec<(String, Vec<String>)> {
        self.db(|c| {
            use diesel::RunQueryDsl;
            let sql = match c {
                kindred::db::DbConn::Sqlite(_) => {
                    "SELECT m.name AS table_name, p.name AS column_name FROM sqlite_master m \
                     JOIN pragma_table_info(m.name) p WHERE m.type = 'table' \
                     AND m.name NOT LIKE 'sqlite_%' AND m.name != '__diesel_schema_migrations' \
                     ORDER BY m.name, p.cid"
                }
                kindred::db::DbConn::Pg(_) => {
                    "SELECT table_name::text AS table_name, column_name::text AS column_name \
                     FROM information_schema.columns WHERE table_schema = 'public' \
                     AND table_name != '__diesel_schema_migrations' \
                     ORDER BY table_name, ordinal_position"
                }
            };
            let rows: Vec<CatalogRow> = diesel::sql_query(sql).load(c).unwrap();
            let mut out: Vec<(String, Vec<String>)> = Vec::new();
            for r in rows {
                match out.last_mut() {
                    Some((t, cols)) if *t == r.table_name => cols.push(r.column_name),
                    _ => out.push((r.table_name, vec![r.column_name])),
                }
            }
            out
        })
        .await
    }

    /// `table.column` of every cell, in every table, whose text contains `needle`
    /// (case-insensitively). Identifiers come from the catalog; the needle is bound.
    pub async fn find_anywhere(&self, needle: &str) -> Vec<String> {
        let catalog = self.catalog().await;
        let needle = format!("%{}%", needle.to_lowercase());
        self.db(move |c| {
            use diesel::RunQueryDsl;
            let mut hits = Vec::new();
            for (table, cols) in &catalog {
                for col in cols {
                    let query_text = format!(
                        "SELECT COUNT(*) AS n FROM \"{table}\" WHERE LOWER(CAST(\"{col}\" AS TEXT)) LIKE $1"
                    );
                    let row: CountRow = diesel::sql_query(query_text)
                        .bind::<diesel::sql_types::Text, _>(&needle)
                        .get_result(c)
                        .unwrap();
                    if row.n > 0 {
                        hits.push(format!("{table}.{col}"));
                    }
                }
            }
            hits
        })
        .await
    }
}

/// With this set (as `.ci/run` does), every test process writes the service's log there.
pub const LOG_DIR_VAR: &str = "KINDRED_TEST_LOG_DIR";

/// TESTPLAN T39: captures the service's log. Installs, once per test process, the subscriber
/// `kindred::telemetry::init` installs (JSON lines, `RUST_LOG` or `info`), writing to
/// `$KINDRED_TEST_LOG_DIR/kindred-api-<pid>.log`, or to a file in the temporary directory when
/// the variable is unset; returns the file. Events before the first call are not captured.
pub fn capture_logs() -> &'static std::path::Path {
    static PATH: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    PATH.get_or_init(|| {
        let dir = std::env::var_os(LOG_DIR_VAR)
            .map(std::path::PathBuf::from)
            .unwrap_or_else(std::env::temp_dir);
        std::fs::create_dir_all(&dir).expect("log directory");
        let path = dir.join(format!("kindred-api-{}.log", std::process::id()));
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .expect("log file");
        let filter = tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
        tracing_subscriber::fmt()
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .with_env_filter(filter)
            .with_writer(std::sync::Mutex::new(file))
            .try_init()
            .expect("no other global subscriber in the test process");
        path
    })
}
