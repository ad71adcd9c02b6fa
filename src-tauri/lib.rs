//! Sesame's desktop window: a thin Tauri 2 shell over `sesame_core`. No OTP, keyring or
//! protocol logic lives here; each command is a few lines over a core call.
//!
//! The window is a process of its own that exits when closed: WebKitGTK keeps ~200 MB mapped
//! for as long as the process lives, even with no window. The tray icon is `sesame-tray`
//! (crates/tray), started from here and living on after the window closes.

mod commands;
mod error;
mod state;
mod window;

use sesame_core::programs::{self, TRAY_PROGRAM};
use sesame_core::shortcut::SEARCH_ARG;
use tauri::{AppHandle, Emitter, Manager, RunEvent, Runtime, WindowEvent};
use tauri_plugin_deep_link::DeepLinkExt;

pub use state::AppState;

/// Asks a running window to close and exit (the tray's "Quit"); a window starting with it exits
/// at once.
pub const QUIT_ARG: &str = "--quit";

/// The app's builder, generic over the runtime so tests can drive it with Tauri's mock runtime.
pub fn builder<R: Runtime>(state: AppState) -> tauri::Builder<R> {
    let instance = state.instance_id();
    with_commands(tauri::Builder::<R>::new())
        // One window per vault: a second launch shows the running one.
        .plugin(
            tauri_plugin_single_instance::Builder::new()
                .dbus_id(instance)
                .callback(|app, args, _cwd| {
                    if args.iter().any(|a| a == QUIT_ARG) {
                        app.exit(0);
                    } else {
                        let _ = window::show_for(app, launch_purpose(&args));
                    }
                })
                .build(),
        )
        // sesame:// links (the sign-in page's "Open in Sesame"): the single-instance plugin
        // hands a second launch's link to this one.
        .plugin(tauri_plugin_deep_link::init())
        .plugin(window_memory(&state))
        .manage(state)
        .setup(|app| {
            if std::env::args().any(|a| a == QUIT_ARG) {
                // Nothing was running to quit.
                app.handle().exit(0);
                return Ok(());
            }
            start_tray();
            let handle = app.handle().clone();
            if let Ok(Some(urls)) = app.deep_link().get_current() {
                receive_links(&handle, urls.iter().map(ToString::to_string));
            }
            app.deep_link().on_open_url(move |event| {
                receive_links(&handle, event.urls().iter().map(ToString::to_string));
            });
            let args: Vec<String> = std::env::args().collect();
            window::show_for(app.handle(), launch_purpose(&args))?;
            Ok(())
        })
        .on_window_event(|window, event| {
            if let WindowEvent::Destroyed = event {
                let state = window.app_handle().state::<AppState>();
                // With no window there is no Undo to offer: what was removed goes now.
                for problem in state.finish_removals(true) {
                    eprintln!("sesame: {problem}");
                }
                // The secrets were read for display; with no window there is nothing to show.
                state.forget_secrets();
            }
        })
}

/// What a launch with `args` brings the window up for: the global shortcut starts the window
/// program with `--search`.
fn launch_purpose(args: &[String]) -> window::Purpose {
    if args.iter().any(|a| a == SEARCH_ARG) {
        window::Purpose::Search
    } else {
        window::Purpose::Look
    }
}

/// Remembers the window's size, position and maximized state between launches, in the data dir
/// beside the settings (per vault, like them; nothing in it is secret).
fn window_memory<R: Runtime>(state: &AppState) -> tauri::plugin::TauriPlugin<R> {
    use tauri_plugin_window_state::{Builder, StateFlags};
    let mut builder = Builder::new()
        .with_state_flags(StateFlags::SIZE | StateFlags::POSITION | StateFlags::MAXIMIZED);
    if let Ok(sesame) = state.sesame() {
        // An absolute file name: the plugin joins it to its config dir, which it then replaces.
        builder = builder.with_filename(
            sesame
                .data_dir()
                .join(WINDOW_STATE_FILE)
                .to_string_lossy()
                .into_owned(),
        );
    }
    builder.build()
}

/// Where the window's size and position are kept, in the data dir.
pub const WINDOW_STATE_FILE: &str = "window-state.json";

/// The window's commands on `builder`: apart from the plugins and the window, everything the page
/// can call (tests drive it with Tauri's mock runtime).
fn with_commands<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(tauri::generate_handler![
        commands::accounts::list_accounts,
        commands::accounts::current_codes,
        commands::accounts::add_account_uri,
        commands::accounts::add_account_form,
        commands::accounts::rename_account,
        commands::accounts::move_account,
        commands::accounts::remove_account,
        commands::accounts::undo_remove,
        commands::accounts::finish_removals,
        commands::clipboard::copy_code,
        commands::scan::scan_screen,
        commands::scan::scan_image,
        commands::scan::add_scanned,
        commands::login::review_login,
        commands::login::decide_login,
        commands::login::preview_binding,
        commands::login::bind_scanned,
        commands::login::copy_pairing_code,
        commands::login::binding_progress,
        commands::login::forget_claimed_binding,
        commands::login::take_deep_link,
        commands::login::list_servers,
        commands::login::unbind_server,
        commands::clipboard::next_hotp,
        commands::settings::get_settings,
        commands::settings::get_policy,
        commands::settings::save_settings,
        commands::settings::set_text_size,
        commands::transfer::read_import_file,
        commands::transfer::unlock_import,
        commands::transfer::read_import_text,
        commands::transfer::import_previewed,
        commands::login::binding_progress,
        commands::login::forget_claimed_binding,
        commands::transfer::cancel_import,
        commands::transfer::suggest_backup,
        commands::transfer::write_backup,
        commands::transfer::phone_codes,
        commands::window::close_window,
    ])
}

/// Queues the sesame:// links for the window and tells it some came.
fn receive_links<R: Runtime>(app: &AppHandle<R>, urls: impl Iterator<Item = String>) {
    let links: Vec<String> = urls.filter(|u| u.starts_with("sesame://")).collect();
    if links.is_empty() {
        return;
    }
    app.state::<AppState>().deep_links().extend(links);
    let _ = window::show(app);
    let _ = app.emit("deep-link", ());
}

/// Starts the tray icon for this vault if it is installed; a tray already running for the vault
/// makes the new one exit at once.
fn start_tray() {
    if programs::sibling(TRAY_PROGRAM).is_none() {
        return;
    }
    if let Err(error) = programs::spawn_detached(TRAY_PROGRAM, &[]) {
        eprintln!("sesame: the tray icon could not be started: {error}");
    }
}

/// The app's context (config, assets, capabilities), generated once: the macro may be expanded
/// only once per crate, and the tests build on the same ACL as the shipped app.
fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}

#[cfg(test)]
mod tests;

/// Starts the app; returns when it exits.
pub fn run() {
    let state = AppState::from_environment();
    let app = match builder::<tauri::Wry>(state).build(context()) {
        Ok(app) => app,
        Err(error) => {
            // Nothing is shown yet to put a message in: the terminal (or the journal) is all.
            eprintln!("error: Sesame's window could not start: {error}");
            std::process::exit(1);
        }
    };
    app.run(|app, event| {
        // The window closed. On X11 the process that copied serves the clipboard, so a code
        // copied just before closing must outlive the window until its clear has run.
        if let RunEvent::ExitRequested {
            code: None, api, ..
        } = event
            && app.state::<AppState>().clipboard_busy()
        {
            api.prevent_exit();
            let app = app.clone();
            std::thread::spawn(move || {
                app.state::<AppState>().wait_for_clipboard();
                app.exit(0);
            });
        }
    });
}
