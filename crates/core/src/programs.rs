//! Sesame's programs start one another: the window starts the tray, the tray opens the window.
//! They are installed side by side, so each finds the other next to its own executable.

use std::io;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The window program.
pub const WINDOW_PROGRAM: &str = "sesame-app";
/// The tray program.
pub const TRAY_PROGRAM: &str = "sesame-tray";

/// The path of `program` beside the running executable, if it is there.
pub fn sibling(program: &str) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let path = exe
        .parent()?
        .join(format!("{program}{}", std::env::consts::EXE_SUFFIX));
    path.is_file().then_some(path)
}

/// Starts `program` (found with [`sibling`]) with `args`, detached from this process: it keeps
/// running when this one exits, and a Ctrl+C in the terminal that started this one does not
/// reach it. The child is reaped on a thread so it never lingers as a zombie.
pub fn spawn_detached(program: &str, args: &[&str]) -> io::Result<()> {
    let path = sibling(program).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            format!("{program} is not installed next to this program"),
        )
    })?;
    let mut command = Command::new(path);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command.spawn()?;
    std::thread::spawn(move || {
        let _ = child.wait();
    });
    Ok(())
}
