//! The main window: built at launch (and again if a second launch finds it gone), destroyed
//! rather than hidden when closed, which ends the process (see lib.rs).

use tauri::{AppHandle, Emitter as _, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

use crate::state::AppState;

/// The main window's label.
pub const MAIN: &str = "main";

/// Shows the window, building it again if it was closed.
pub fn show<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    show_for(app, Purpose::Look)
}

/// Why the window is brought up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// To look at it, as it was.
    Look,
    /// To search (the global shortcut): the focus goes to the search field.
    Search,
}

/// Shows the window for `purpose`: a page already loaded is told by the `focus-search` event; a
/// page built now learns it before its first script runs (it would miss an event sent now).
pub fn show_for<R: Runtime>(app: &AppHandle<R>, purpose: Purpose) -> tauri::Result<()> {
    if let Some(window) = app.get_webview_window(MAIN) {
        window.show()?;
        window.unminimize()?;
        window.set_focus()?;
        if purpose == Purpose::Search {
            window.emit("focus-search", ())?;
        }
        return Ok(());
    }
    let settings = app.state::<AppState>().settings();
    WebviewWindowBuilder::new(app, MAIN, WebviewUrl::App("index.html".into()))
        .title("Sesame")
        // The saved text size, for the page to apply before it is first drawn; and whether to
        // start in the search field.
        .initialization_script(format!(
            "window.__sesameTextSize = {}; window.__sesameOpenedToSearch = {};",
            settings.text_size_percent,
            purpose == Purpose::Search
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
