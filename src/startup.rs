//! Building and running the application: pools, migrations, hasher, workers, the HTTP server
//! on its own listener (port 0 in tests), and graceful shutdown: on SIGTERM or SIGINT the
//! server stops accepting, in-flight requests get `shutdown_timeout` to finish, then the
//! workers flush and stop.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Instant;

use actix_web::dev::{Server, ServerHandle, Service};
use actix_web::middleware::DefaultHeaders;
use actix_web::{App, HttpServer, web};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::auth::password::PasswordHasher;
use crate::auth::tokens::TokenKeys;
use crate::clock::{SharedClock, SystemClock};
use crate::config::{ConfigError, Settings};
use crate::db::{Db, DbError, migrations};
use crate::email::worker::OutboxWorker;
use crate::metrics::Metrics;
use crate::moderation::ladder::Ladder;
use crate::profiles::vocab::Vocabulary;
use crate::rooms::Live;
use crate::safety::crisis::CrisisDetector;
use crate::state::{AppState, Limiters};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("could not listen on {0}: {1}")]
    Bind(String, std::io::Error),
    #[error("{0}")]
    Other(String),
}

pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
    live: Live,
    shutdown: watch::Sender<bool>,
    workers: Vec<JoinHandle<()>>,
}

/// Threads for blocking work per runtime: enough for every pooled connection and every
/// concurrent password hash, and no more (idle extra threads only cost memory).
pub fn max_blocking_threads(settings: &Settings) -> usize {
    (settings.db_pool_size as usize + settings.max_concurrent_hashes).max(4)
}

/// Opens the database and applies migrations (blocking; used by `migrate` and at start).
pub fn open_database(settings: &Settings) -> Result<(Db, usize), DbError> {
    let db = Db::connect(&settings.database_url, settings.db_pool_size)?;
    let mut conn = db
        .get_blocking()
        .map_err(|e| DbError::Migrations(e.to_string()))?;
    let applied = migrations::run(&mut conn)?;
    Ok((db, applied))
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        Self::build_with_clock(settings, Arc::new(SystemClock)).await
    }

    pub async fn build_with_clock(
        settings: Settings,
        clock: SharedClock,
    ) -> Result<Self, StartupError> {
        settings.self_check()?;
        let settings = Arc::new(settings);
        let s = settings.clone();
        let (db, applied) = tokio::task::spawn_blocking(move || open_database(&s))
            .await
            .map_err(|e| StartupError::Other(e.to_string()))??;
        tracing::info!(
            backend = db.backend(),
            migrations_applied = applied,
            "database ready"
        );
        let vocab_db = db.clone();
        let vocab = tokio::task::spawn_blocking(move || -> Result<Vocabulary, String> {
            let mut c = vocab_db.get_blocking().map_err(|e| e.to_string())?;
            let rows = crate::db::vocab::load(&mut c).map_err(|e| e.to_string())?;
            Vocabulary::build(rows).map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| StartupError::Other(e.to_string()))?
        .map_err(|e| StartupError::Other(format!("vocabularies: {e}")))?;
        let (params, slots) = (settings.password_params, settings.max_concurrent_hashes);
        let hasher = tokio::task::spawn_blocking(move || PasswordHasher::new(params, slots))
            .await
            .map_err(|e| StartupError::Other(e.to_string()))?
            .map_err(|e| StartupError::Other(format!("password hashing: {e}")))?;
        let crisis = match &settings.crisis_rules {
            Some(path) => CrisisDetector::load(path)
                .map_err(|e| StartupError::Other(format!("KINDRED_CRISIS_RULES: {e}")))?,
            None => CrisisDetector::builtin()
                .map_err(|e| StartupError::Other(format!("built-in crisis rules: {e}")))?,
        };
        tracing::info!(
            rules_version = crisis.version(),
            rules = crisis.rule_count(),
            "crisis detector loaded"
        );
        let ladder = match &settings.reports.sanctions_file {
            Some(path) => Ladder::load(path)
                .map_err(|e| StartupError::Other(format!("KINDRED_SANCTIONS_FILE: {e}")))?,
            None => Ladder::builtin().map_err(StartupError::Other)?,
        };
        tracing::info!(ladder_version = ladder.version(), "sanction ladder loaded");
        let ladder = web::Data::new(ladder);
        let (live, writer_rx) = Live::new(settings.ws_queue, settings.ws_max_per_user);
        let crisis = Arc::new(crisis);
        let state = AppState {
            tokens: Arc::new(TokenKeys::new(&settings.jwt_secret, &settings.public_url)),
            limits: Arc::new(Limiters::new(&settings.rate_limits, &settings)),
            sockets: Arc::new(live.clone()),
            hasher: Arc::new(hasher),
            metrics: Arc::new(Metrics::default()),
            vocab: Arc::new(vocab),
            mail_wakeup: Arc::new(Notify::new()),
            matcher_wakeup: Arc::new(Notify::new()),
            db,
            clock,
            settings: settings.clone(),
        };

        let listener = TcpListener::bind(settings.bind)
            .map_err(|e| StartupError::Bind(settings.bind.to_string(), e))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| StartupError::Bind(settings.bind.to_string(), e))?;
        let port = listener
            .local_addr()
            .map_err(|e| StartupError::Bind(settings.bind.to_string(), e))?
            .port();

        let data = web::Data::new(state.clone());
        let live_data = web::Data::new(live.clone());
        let send_buffer = settings.tcp_send_buffer;
        let peers = crate::api::guard::Peers::new(
            settings.http.max_connections_per_peer,
            settings.trusted_proxies.clone(),
        );
        let mut server = HttpServer::new(move || {
            let metrics = data.metrics.clone();
            App::new()
                .app_data(data.clone())
                .app_data(live_data.clone())
                .app_data(ladder.clone())
                .configure(crate::api::configure)
                .default_service(web::to(crate::api::not_found))
                .wrap(actix_web::middleware::from_fn(crate::api::guard::guard))
                .wrap(security_headers())
                .wrap_fn(move |req, srv| {
                    let started = Instant::now();
                    let route = req
                        .match_pattern()
                        .unwrap_or_else(|| "unmatched".to_string());
                    let method = crate::metrics::method_label(req.method().as_str());
                    let metrics = metrics.clone();
                    let fut = srv.call(req);
                    async move {
                        let res = fut.await?;
                        let status = res.status().as_u16();
                        let elapsed = started.elapsed();
                        metrics.observe_request(&route, method, status, elapsed);
                        tracing::info!(
                            target: "kindred::http",
                            method = %method,
                            route = %route,
                            status,
                            elapsed_ms = elapsed.as_secs_f64() * 1000.0,
                            "request"
                        );
                        Ok(res)
                    }
                })
        })
        // Small frames must not wait ~40 ms for a delayed ACK (Nagle): actix does not set it.
        .on_connect(move |conn, ext| {
            if let Some(tcp) = conn.downcast_ref::<actix_web::rt::net::TcpStream>() {
                let _ = tcp.set_nodelay(true);
                if let Ok(peer) = tcp.peer_addr() {
                    ext.insert(peers.admit(peer.ip()));
                }
                if let Some(n) = send_buffer {
                    let _ = socket2::SockRef::from(tcp).set_send_buffer_size(n);
                }
            }
        })
        .listen(listener)
        .map_err(|e| StartupError::Bind(settings.bind.to_string(), e))?
        .worker_max_blocking_threads(max_blocking_threads(&settings))
        .client_request_timeout(settings.http.header_timeout)
        .client_disconnect_timeout(std::time::Duration::from_secs(1))
        .disable_signals()
        .shutdown_timeout(settings.shutdown_timeout.as_secs());
        if let Some(n) = settings.http_workers {
            server = server.workers(n);
        }
        let server = server.run();

        let (shutdown, shutdown_rx) = watch::channel(false);
        let worker = OutboxWorker::new(
            state.db.clone(),
            state.clock.clone(),
            settings.smtp_url.as_deref(),
            &settings.mail_from,
            state.mail_wakeup.clone(),
            settings.outbox_poll_interval,
            state.metrics.clone(),
        )
        .map_err(StartupError::Other)?;
        let mut workers = vec![
            tokio::spawn(worker.run(shutdown_rx.clone())),
            tokio::spawn(live.run_writer(
                crate::rooms::writer::Deps {
                    db: state.db.clone(),
                    clock: state.clock.clone(),
                    metrics: state.metrics.clone(),
                    crisis,
                    mail_wakeup: state.mail_wakeup.clone(),
                    public_url: settings.public_url.clone(),
                    alert_targets: crate::moderation::alerts::Targets::from_settings(
                        &settings.alerts,
                    ),
                    personal_info: settings.personal_info_policy,
                },
                writer_rx,
                shutdown_rx.clone(),
            )),
        ];
        if settings.shifts.worker {
            workers.push(tokio::spawn(crate::moderation::shifts::sweep::run(
                crate::moderation::shifts::Sweeper::new(&state),
                shutdown_rx.clone(),
            )));
        }
        // The alert desk: escalation of overdue alerts, and the paging webhook's outbox.
        let webhook_wakeup = Arc::new(Notify::new());
        if settings.alerts.escalation_worker {
            let escalator = crate::moderation::alerts::Escalator {
                db: state.db.clone(),
                clock: state.clock.clone(),
                settings: settings.alerts.clone(),
                public_url: settings.public_url.clone(),
                mail_wakeup: state.mail_wakeup.clone(),
                webhook_wakeup: webhook_wakeup.clone(),
            };
            let interval = settings.alerts.escalation_interval;
            workers.push(tokio::spawn(escalator.run(interval, shutdown_rx.clone())));
        }
        if let Some(url) = &settings.alerts.webhook_url {
            let hooks = crate::moderation::alerts::WebhookWorker::new(
                state.db.clone(),
                state.clock.clone(),
                url.clone(),
                settings.alerts.webhook_secret.clone(),
                webhook_wakeup,
                settings.outbox_poll_interval,
            )
            .map_err(StartupError::Other)?;
            workers.push(tokio::spawn(hooks.run(shutdown_rx.clone())));
        }
        if settings.matcher_worker {
            workers.push(tokio::spawn(crate::matching::worker::run(
                state.clone(),
                crate::matching::worker::engine_config(&settings.matching),
                settings.match_interval,
                shutdown_rx,
            )));
        }
        tracing::info!(
            port,
            smtp = settings.smtp_url.is_some(),
            "kindred listening"
        );
        Ok(Application {
            port,
            server,
            state,
            live,
            shutdown,
            workers,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The realtime layer (benchmarks drive its send path directly).
    pub fn live(&self) -> &Live {
        &self.live
    }

    /// A handle that stops the server (tests use it; signals use it in `run_until_stopped`).
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// A sender that tells the workers to flush and stop.
    pub fn worker_shutdown(&self) -> watch::Sender<bool> {
        self.shutdown.clone()
    }

    /// Serves until a stop (signal or handle), then stops the workers.
    pub async fn run_until_stopped(self, listen_for_signals: bool) -> std::io::Result<()> {
        if listen_for_signals {
            let handle = self.server.handle();
            let live = self.live.clone();
            tokio::spawn(async move {
                wait_for_signal().await;
                tracing::info!("shutdown signal received; finishing in-flight requests");
                // Websockets are long-lived responses: close them (1001) so the graceful
                // stop does not wait the whole shutdown timeout for them.
                live.close_all();
                handle.stop(true).await;
            });
        }
        let result = self.server.await;
        let _ = self.shutdown.send(true);
        for w in self.workers {
            if let Err(e) = w.await {
                tracing::error!(error = %e, "worker ended abnormally");
            }
        }
        tracing::info!("stopped");
        result
    }
}

fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "no-referrer"))
        .add((
            "Content-Security-Policy",
            "default-src 'none'; frame-ancestors 'none'",
        ))
        .add(("Cache-Control", "no-store"))
        .add((
            "Strict-Transport-Security",
            "max-age=31536000; includeSubDomains",
        ))
}

#[cfg(unix)]
async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(mut term), Ok(mut int)) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        }
        _ => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() {
    let _ = tokio::signal::ctrl_c().await;
}
