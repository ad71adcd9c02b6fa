//! The main window's life: built on demand, destroyed (not hidden) when closed, so a Sesame
//! waiting in the tray does not keep a WebView and its processes alive (~400 MB with WebKitGTK).

use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

/// The main window's label.
pub const MAIN: &str = "main";

/// Shows the window, building it again if it was closed.
pub fn show<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    if let Some(window) = app.get_webview_window(MAIN) {
        window.show()?;
        window.unminimize()?;
        return window.set_focus();
    }
    WebviewWindowBuilder::new(app, MAIN, WebviewUrl::App("index.html".into()))
        .title("Sesame")
        .inner_size(420.0, 640.0)
        .min_inner_size(340.0, 420.0)
        // Keeps codes out of screenshots and screen sharing where the OS allows it (Windows,
        // macOS); WebKitGTK has no such flag.
        .content_protected(true)
        .build()?;
    Ok(())
}

/// Closes the window, freeing its WebView; the app lives on in the tray.
pub fn close<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    match app.get_webview_window(MAIN) {
        Some(window) => window.destroy(),
        None => Ok(()),
    }
}

/// Shows the window if closed, closes it if shown.
pub fn toggle<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let visible = app
        .get_webview_window(MAIN)
        .map(|w| w.is_visible().unwrap_or(false))
        .unwrap_or(false);
    if visible { close(app) } else { show(app) }
}
