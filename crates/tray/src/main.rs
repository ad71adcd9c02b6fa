//! `sesame-tray`: Sesame's icon in the tray. It opens the window (a separate process that exits
//! when closed) and copies codes without it. One runs per vault; a second exits at once.

mod icon;
mod instance;
mod menu;
mod shortcut;

use std::time::{Duration, Instant, SystemTime};

use sesame_core::Sesame;
use sesame_core::programs::{self, WINDOW_PROGRAM};
use tao::event::{Event, StartCause};
use tao::event_loop::{ControlFlow, EventLoopBuilder};
use tray_icon::menu::MenuEvent;
use tray_icon::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};

use global_hotkey::GlobalHotKeyEvent;
use sesame_core::shortcut::SEARCH_ARG;

use crate::shortcut::GlobalShortcut;

use crate::menu::{Action, TrayMenu};

/// How often the account list, the settings and the policy are checked for changes made by the
/// window, the CLI or an administrator (a few `stat`s; a file is read only once it changed).
const REFRESH_EVERY: Duration = Duration::from_secs(2);

enum UserEvent {
    Menu(MenuEvent),
    Tray(TrayIconEvent),
    Shortcut(GlobalHotKeyEvent),
}

fn main() {
    let at_login = match std::env::args().nth(1).as_deref() {
        None => false,
        Some("--at-login") => true,
        Some(arg) => {
            let code = if arg == "--help" || arg == "-h" { 0 } else { 2 };
            eprintln!(
                "usage: sesame-tray [--at-login]\n\nShows Sesame's icon in the tray. \
                 SESAME_DATA_DIR chooses the vault, as for `sesame` and `sesame-app`.\n\
                 --at-login  start only if \"Start at login\" is on (the user's setting, or \
                 the organization's policy); the autostart entry uses it."
            );
            std::process::exit(code);
        }
    };
    let sesame = match Sesame::from_environment(None) {
        Ok(sesame) => sesame,
        Err(error) => {
            eprintln!("error: {error}");
            std::process::exit(1);
        }
    };
    // The package's autostart entry starts every user's tray at login; most exit here.
    if at_login && !sesame.settings().start_at_login {
        return;
    }
    #[cfg(target_os = "linux")]
    restart_without_gl();
    let _instance = match instance::TrayInstance::acquire(sesame.data_dir()) {
        Ok(Some(instance)) => instance,
        // Another tray serves this vault: nothing to do.
        Ok(None) => return,
        Err(error) => {
            eprintln!("error: Sesame's tray could not start: {error}");
            std::process::exit(1);
        }
    };
    run(sesame);
}

/// GTK opens OpenGL at start-up to choose visuals, which maps the Mesa driver and LLVM (~45 MB
/// of a ~85 MB tray). A tray draws no GL, and GTK reads `GDK_GL` only from the environment it
/// starts with, so the tray starts itself again once with GL disabled.
#[cfg(target_os = "linux")]
fn restart_without_gl() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os("GDK_GL").is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let error = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env("GDK_GL", "disable")
        .exec();
    // Still this process: carry on with GL, which costs memory but works.
    eprintln!("sesame-tray: could not restart without OpenGL: {error}");
}

fn run(sesame: Sesame) -> ! {
    let event_loop = EventLoopBuilder::<UserEvent>::with_user_event().build();
    let proxy = event_loop.create_proxy();
    MenuEvent::set_event_handler(Some(move |event| {
        let _ = proxy.send_event(UserEvent::Menu(event));
    }));
    let proxy = event_loop.create_proxy();
    TrayIconEvent::set_event_handler(Some(move |event| {
        let _ = proxy.send_event(UserEvent::Tray(event));
    }));
    let proxy = event_loop.create_proxy();
    GlobalHotKeyEvent::set_event_handler(Some(move |event| {
        let _ = proxy.send_event(UserEvent::Shortcut(event));
    }));
    // Made on the event loop's thread, as Windows and macOS want.
    let mut shortcut = GlobalShortcut::new();

    let mut tray: Option<(TrayIcon, TrayMenu)> = None;
    let mut index_seen: Option<SystemTime> = None;
    let mut settings_seen = sesame.settings_stamp();

    event_loop.run(move |event, _, control_flow| {
        *control_flow = ControlFlow::WaitUntil(Instant::now() + REFRESH_EVERY);
        match event {
            // macOS wants the icon made once the loop runs; the other systems accept it then too.
            Event::NewEvents(StartCause::Init) => match build_tray(&sesame) {
                Ok(built) => {
                    shortcut.apply(&sesame.settings().global_shortcut);
                    index_seen = index_modified(&sesame);
                    tray = Some(built);
                }
                Err(error) => {
                    eprintln!("error: no tray icon could be shown: {error}");
                    *control_flow = ControlFlow::ExitWithCode(1);
                }
            },
            Event::NewEvents(StartCause::ResumeTimeReached { .. }) => {
                // Settings saved in the window, or a policy changed, apply within a tick.
                let settings_now = sesame.settings_stamp();
                if settings_now != settings_seen {
                    settings_seen = settings_now;
                    shortcut.apply(&sesame.settings().global_shortcut);
                }
                let modified = index_modified(&sesame);
                if modified != index_seen {
                    index_seen = modified;
                    if let Some((_, menu)) = &tray {
                        menu.show_accounts(&accounts(&sesame));
                    }
                }
            }
            Event::UserEvent(UserEvent::Tray(TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            })) => open_window(&[]),
            Event::UserEvent(UserEvent::Shortcut(event)) if shortcut.pressed(&event) => {
                open_window(&[SEARCH_ARG]);
            }
            Event::UserEvent(UserEvent::Menu(event)) => {
                match menu::action(event.id()) {
                    Some(Action::Open) => open_window(&[]),
                    Some(Action::Copy(id)) => {
                        // The secret is read for this copy alone: the tray holds none.
                        if let Err(error) = sesame.copy_code(&id) {
                            eprintln!("sesame-tray: {error}");
                        }
                    }
                    Some(Action::Quit) => {
                        open_window(&["--quit"]);
                        // The icon goes at once; a code just copied stays on the clipboard
                        // (served by this process) until its clear has run.
                        tray = None;
                        sesame.clipboard().wait_for_pending_clears();
                        *control_flow = ControlFlow::Exit;
                    }
                    None => {}
                }
            }
            _ => {}
        }
    })
}

fn build_tray(sesame: &Sesame) -> Result<(TrayIcon, TrayMenu), String> {
    let menu = TrayMenu::new().map_err(|e| e.to_string())?;
    menu.show_accounts(&accounts(sesame));
    let icon = icon::load().map_err(|e| format!("the icon is unreadable: {e}"))?;
    let tray = TrayIconBuilder::new()
        .with_tooltip("Sesame")
        .with_icon(icon)
        .with_menu(Box::new(menu.root()))
        .with_menu_on_left_click(false)
        .build()
        .map_err(|e| e.to_string())?;
    Ok((tray, menu))
}

fn accounts(sesame: &Sesame) -> Vec<sesame_core::Account> {
    // An unreadable index shows an empty menu; the window explains what is wrong when opened.
    sesame.accounts().unwrap_or_default()
}

fn index_modified(sesame: &Sesame) -> Option<SystemTime> {
    std::fs::metadata(sesame.index_location())
        .and_then(|m| m.modified())
        .ok()
}

fn open_window(args: &[&str]) {
    if let Err(error) = programs::spawn_detached(WINDOW_PROGRAM, args) {
        eprintln!("sesame-tray: the window could not be opened: {error}");
    }
}
