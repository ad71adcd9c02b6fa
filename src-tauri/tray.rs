//! The tray icon: show or hide the window, copy a code without opening it, quit.

use tauri::menu::{Menu, MenuBuilder, SubmenuBuilder};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager, Runtime};

use crate::commands::clipboard::copy_account_code;
use crate::state::AppState;
use crate::window;

const TRAY: &str = "main";
const COPY_PREFIX: &str = "copy:";

fn menu<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<Menu<R>> {
    let state = app.state::<AppState>();
    let accounts = state
        .vault
        .as_ref()
        .ok()
        .and_then(|vault| vault.accounts().ok())
        .unwrap_or_default();
    let mut copy = SubmenuBuilder::new(app, "Copy code");
    let mut any = false;
    for account in accounts.iter().filter(|a| a.params.is_time_based()) {
        copy = copy.text(format!("{COPY_PREFIX}{}", account.id), account.label());
        any = true;
    }
    let copy = copy.enabled(any).build()?;
    MenuBuilder::new(app)
        .text("show", "Show Sesame")
        .text("hide", "Hide to tray")
        .separator()
        .item(&copy)
        .separator()
        .text("quit", "Quit Sesame")
        .build()
}

/// Puts the icon in the tray; `Err` where the desktop has no tray, in which case closing the
/// window quits (otherwise Sesame would be left running with no way back to it).
pub fn install<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let mut builder = TrayIconBuilder::with_id(TRAY)
        .tooltip("Sesame")
        .menu(&menu(app)?)
        .show_menu_on_left_click(false)
        .on_menu_event(|app, event| {
            let id = event.id().as_ref();
            let outcome = match id {
                "show" => window::show(app),
                "hide" => window::close(app),
                "quit" => {
                    app.exit(0);
                    Ok(())
                }
                _ => {
                    if let Some(account) = id.strip_prefix(COPY_PREFIX) {
                        // Nothing to show a failure in but the log: the window may be closed.
                        if let Err(error) = copy_account_code(&app.state::<AppState>(), account) {
                            eprintln!("sesame: copy from the tray failed: {error:?}");
                        }
                    }
                    Ok(())
                }
            };
            if let Err(error) = outcome {
                eprintln!("sesame: tray action {id} failed: {error}");
            }
        })
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                let _ = window::toggle(tray.app_handle());
            }
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)?;
    Ok(())
}

/// Rebuilds the menu's account list (after accounts changed).
pub fn refresh<R: Runtime>(app: &AppHandle<R>) {
    if let Some(tray) = app.tray_by_id(TRAY)
        && let Ok(menu) = menu(app)
    {
        let _ = tray.set_menu(Some(menu));
    }
}
