//! Sesame's desktop window: a thin Tauri 2 shell over `sesame_core`. No OTP, keyring or
//! protocol logic lives here; each command is a few lines over a core call.

mod commands;
mod error;
mod state;

pub use state::AppState;

/// The app's builder, generic over the runtime so tests can drive it with Tauri's mock runtime.
pub fn builder<R: tauri::Runtime>(state: AppState) -> tauri::Builder<R> {
    tauri::Builder::<R>::new()
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            commands::accounts::list_accounts,
            commands::accounts::current_codes,
            commands::accounts::add_account_uri,
            commands::accounts::add_account_form,
            commands::accounts::rename_account,
            commands::accounts::move_account,
            commands::accounts::remove_account,
            commands::clipboard::copy_code,
            commands::clipboard::next_hotp,
        ])
}

/// Starts the window; returns when the app exits.
pub fn run() {
    let state = AppState::from_environment();
    if let Err(error) = builder::<tauri::Wry>(state).run(tauri::generate_context!()) {
        // Nothing is shown yet to put a message in: the terminal (or the journal) is all there is.
        eprintln!("error: Sesame's window could not start: {error}");
        std::process::exit(1);
    }
}
