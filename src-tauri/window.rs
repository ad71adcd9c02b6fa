//! The main window: built at launch (and again if a second launch finds it gone), destroyed
//! rather than hidden when closed, which ends the process (see lib.rs).

use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

use crate::state::AppState;

/// The main window's label.
pub const MAIN: &str = "main";

/// Shows the window, building it again if it was closed.
pub fn show<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    if let Some(window) = app.get_webview_window(MAIN) {
        window.show()?;
        window.unminimize()?;
        return window.set_focus();
    }
    let settings = app.state::<AppState>().settings();
    WebviewWindowBuilder::new(app, MAIN, WebviewUrl::App("index.html".into()))
        .title("Sesame")
        // The saved text size, for the page to apply before it is first drawn.
        .initialization_script(format!(
            "window.__sesameTextSize = {};",
            settings.text_size_percent
        ))
        .inner_size(420.0, 640.0)
        .min_inner_size(340.0, 420.0)
        // Keeps codes out of screenshots and screen sharing where the OS allows it (Windows,
        // macOS); WebKitGTK has no such flag.
        .content_protected(settings.content_protection)
        .build()?;
    Ok(())
}

/// Closes the window, freeing its WebView; with no window left the process exits.
pub fn close<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    match app.get_webview_window(MAIN) {
        Some(window) => window.destroy(),
        None => Ok(()),
    }
}
