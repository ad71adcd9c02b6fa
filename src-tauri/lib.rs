//! Sesame's desktop window: a thin Tauri 2 shell over `sesame_core`. No OTP, keyring or
//! protocol logic lives here; each command is a few lines over a core call.

mod commands;
mod error;
mod state;
mod tray;
mod window;

use std::sync::atomic::Ordering;

use tauri::{Manager, RunEvent, Runtime, WindowEvent};

pub use state::AppState;

/// The app's builder, generic over the runtime so tests can drive it with Tauri's mock runtime.
pub fn builder<R: Runtime>(state: AppState) -> tauri::Builder<R> {
    let instance = state.instance_id();
    tauri::Builder::<R>::new()
        // One window per vault: a second launch shows the running one.
        .plugin(
            tauri_plugin_single_instance::Builder::new()
                .dbus_id(instance)
                .callback(|app, _args, _cwd| {
                    let _ = window::show(app);
                })
                .build(),
        )
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
            commands::window::hide_window,
        ])
        .setup(|app| {
            let handle = app.handle();
            match tray::install(handle) {
                Ok(()) => handle
                    .state::<AppState>()
                    .tray
                    .store(true, Ordering::SeqCst),
                Err(error) => eprintln!("sesame: no tray icon ({error}); closing the window quits"),
            }
            window::show(handle)?;
            Ok(())
        })
        .on_window_event(|window, event| {
            if let WindowEvent::Destroyed = event {
                let app = window.app_handle();
                // The secrets were read for display; with no window there is nothing to show.
                app.state::<AppState>().forget_secrets();
                tray::refresh(app);
            }
        })
}

/// Starts the app; returns when it exits.
pub fn run() {
    let state = AppState::from_environment();
    let app = match builder::<tauri::Wry>(state).build(tauri::generate_context!()) {
        Ok(app) => app,
        Err(error) => {
            // Nothing is shown yet to put a message in: the terminal (or the journal) is all.
            eprintln!("error: Sesame's window could not start: {error}");
            std::process::exit(1);
        }
    };
    app.run(|app, event| {
        // Closing the window leaves Sesame in the tray, when there is one.
        if let RunEvent::ExitRequested {
            code: None, api, ..
        } = event
            && app.state::<AppState>().tray.load(Ordering::SeqCst)
        {
            api.prevent_exit();
        }
    });
}
