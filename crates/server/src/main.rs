//! `sesame-server`: parses its settings, opens the database and key, and serves until Ctrl+C or
//! SIGTERM. Everything else is in the library.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Parser;
use sesame_protocol::origin::Origin;
use sesame_server::client_address::TrustedProxies;
use sesame_server::clock::SystemClock;
use sesame_server::database::Database;
use sesame_server::routes::accounts::{create_user, otpauth_uri, set_totp_secret};
use sesame_server::tokens::random_token;
use sesame_server::{AddressPolicy, AppState, app, keys};

/// Sesame's reference QR-login server.
#[derive(Debug, Parser)]
#[command(name = "sesame-server", version, about)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "SESAME_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The database: an SQLite file (`PATH` or `sqlite:PATH`, created if missing) for one
    /// instance, or `postgres://user:password@host/database` shared by several.
    #[arg(
        long,
        env = "SESAME_DB",
        default_value = "sesame-server.db",
        global = true
    )]
    db: String,
    /// The server's signing key (created if missing, mode 0600); by default beside an SQLite
    /// database. With PostgreSQL, give it: every instance must sign with the same key.
    #[arg(long, env = "SESAME_KEY")]
    key: Option<PathBuf>,
    /// The origin browsers use to reach this server; by default http://<listen>.
    #[arg(long, env = "SESAME_ORIGIN")]
    origin: Option<String>,
    /// A reverse proxy (an address or a network, e.g. 127.0.0.1 or 10.0.0.0/8) whose
    /// `Forwarded` / `X-Forwarded-For` client address is believed; repeat for several. From any
    /// other peer those headers are ignored.
    #[arg(
        long = "trusted-proxy",
        value_name = "CIDR",
        env = "SESAME_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<String>,
    /// Accept scans from another address than the browser's, with a warning (for VPN users).
    #[arg(long, env = "SESAME_ADDRESS_WARN_ONLY")]
    address_warn_only: bool,
    /// Create (or reset) the account "demo" with a new password and TOTP secret, and print them.
    #[arg(long)]
    demo: bool,
    /// Print the public signing key (creating the key if missing) and exit: the value a Sesame
    /// policy pins for this server (`[[servers.pinned]] key = …`).
    #[arg(long)]
    print_public_key: bool,
    /// How the log is written to standard error: `text` for people, `json` (one object a line)
    /// for a log collector.
    #[arg(long, env = "SESAME_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Bring the database's schema up to date, then exit (run once before starting several
    /// instances of a new version; each instance also does it at start, which is harmless).
    Migrate,
}

async fn connect(database: &Database) -> sqlx::AnyPool {
    database
        .connect()
        .await
        .unwrap_or_else(|e| fail(format!("could not open the database {database}: {e}")))
}

fn fail(message: impl std::fmt::Display) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1);
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    // The log goes to standard error: standard output is for what the operator asked for (the
    // demo account, the public key).
    let log = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "sesame_server=info".into()),
        );
    match args.log_format {
        LogFormat::Text => log.init(),
        LogFormat::Json => log.json().init(),
    }
    let origin_text = args
        .origin
        .clone()
        .unwrap_or_else(|| format!("http://{}", args.listen));
    let origin = Origin::parse(&origin_text).unwrap_or_else(|e| fail(format!("--origin: {e}")));
    let database = Database::parse(&args.db).unwrap_or_else(|e| fail(format!("--db: {e}")));
    if let Some(Command::Migrate) = args.command {
        let db = connect(&database).await;
        if let Err(error) = sesame_server::state::migrate(&db).await {
            fail(format!(
                "could not migrate the database {database}: {error}"
            ));
        }
        println!("The database {database} is up to date.");
        return;
    }
    let key_path = match (&args.key, database.file()) {
        (Some(key), _) => key.clone(),
        (None, Some(file)) => file.with_extension("key"),
        (None, None) => fail(
            "--key is needed with a PostgreSQL database: every instance must sign with the same key",
        ),
    };
    let key = keys::load_or_create(&key_path).unwrap_or_else(|e| fail(e));
    if args.print_public_key {
        println!(
            "{}",
            sesame_protocol::message::b64(key.verifying_key().as_bytes())
        );
        return;
    }
    let db = connect(&database).await;
    let policy = if args.address_warn_only {
        AddressPolicy::Warn
    } else {
        AddressPolicy::Require
    };
    let proxies = TrustedProxies::parse(&args.trusted_proxies)
        .unwrap_or_else(|e| fail(format!("--trusted-proxy: {e}")));
    let state = AppState::new(db, key, origin.clone(), Arc::new(SystemClock), policy)
        .with_trusted_proxies(proxies);
    if let Err(error) = state.migrate().await {
        fail(format!(
            "could not prepare the database {database}: {error}"
        ));
    }
    if args.demo {
        demo(&state, &origin).await;
    }
    if let Err(error) = state.follow_other_instances().await {
        fail(format!(
            "could not listen for other instances' changes on {database}: {error}"
        ));
    }
    // What no request will read again is deleted every minute (ended and expired sessions,
    // stale offers, browser sessions past their lifetime), so the database does not grow forever.
    let housekeeping = state.clone();
    tokio::spawn(async move {
        let mut every_minute = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every_minute.tick().await;
            if let Err(error) = housekeeping.purge().await {
                tracing::warn!(%error, "purging ended sessions failed; trying again in a minute");
            }
        }
    });
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .unwrap_or_else(|e| fail(format!("could not listen on {}: {e}", args.listen)));
    tracing::info!(%origin, listen = %args.listen, "serving");
    let server = axum::serve(
        listener,
        app(state.clone()).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown({
        let state = state.clone();
        async move {
            shutdown().await;
            state.begin_shutdown();
        }
    });
    if let Err(error) = server.await {
        fail(format!("the server stopped: {error}"));
    }
}

/// Sets up the demo account and prints how to use it: the one place a password and a TOTP
/// secret are printed, on purpose, to the terminal (never to the log).
async fn demo(state: &AppState, origin: &Origin) {
    let password = random_token(12);
    let mut secret = [0u8; 20];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut secret);
    let id = create_user(state, "demo", &password)
        .await
        .unwrap_or_else(|e| fail(format!("could not create the demo account: {e:?}")));
    set_totp_secret(state, id, &secret)
        .await
        .unwrap_or_else(|e| fail(format!("could not create the demo account: {e:?}")));
    let issuer = format!("Sesame demo ({origin})");
    let uri = otpauth_uri(&issuer, "demo", &secret);
    println!("Demo account ready at {origin}");
    println!("  user:      demo");
    println!("  password:  {password}");
    println!("  TOTP:      {uri}");
    println!("Add the TOTP to Sesame:  sesame add '{uri}'");
    println!(
        "then sign in at {origin}/ with the password and Sesame's code, and bind Sesame from the account page."
    );
}

async fn shutdown() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
    tracing::info!("shutting down");
}
