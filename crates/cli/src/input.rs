//! Reading a URI without putting its secret into shell history unless the user chose to.

use std::io::{IsTerminal as _, Read as _};

use zeroize::Zeroizing;

use crate::failure::Failure;

/// The URI given on the command line, or else read from standard input: hidden when typed at a
/// terminal, whole when piped (`sesame add < uri.txt`, `wl-paste | sesame add`).
pub fn uri_argument_or_stdin(
    argument: Option<String>,
    what: &str,
) -> Result<Zeroizing<String>, Failure> {
    match argument {
        Some(given) if given != "-" => Ok(Zeroizing::new(given)),
        _ => {
            let stdin = std::io::stdin();
            let text = if stdin.is_terminal() {
                Zeroizing::new(rpassword::prompt_password(format!(
                    "Paste the {what} (not shown): "
                ))?)
            } else {
                let mut text = Zeroizing::new(String::new());
                stdin.lock().read_to_string(&mut text)?;
                text
            };
            let trimmed = Zeroizing::new(text.trim().to_owned());
            if trimmed.is_empty() {
                return Err(Failure::new(format!("no {what} was given")).hint(format!(
                    "Pass the {what} as an argument, or on standard input."
                )));
            }
            Ok(trimmed)
        }
    }
}

/// The first line of a `--password-file`; `nothing_done` says what did not happen when it
/// cannot be read ("Nothing was imported.").
pub fn password_from_file(
    path: &std::path::Path,
    nothing_done: &str,
) -> Result<secrecy::SecretString, Failure> {
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
        Failure::new(format!(
            "could not read the password file {}: {e}",
            path.display()
        ))
        .hint(nothing_done.to_owned())
    })?);
    let first = text.lines().next().unwrap_or_default();
    Ok(secrecy::SecretString::from(first.to_owned()))
}

/// Asks a yes/no question at the terminal; `false` when the answer is anything but yes.
pub fn confirm(question: &str) -> Result<bool, Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(Failure::new("refusing to go on without confirmation")
            .hint("Standard input is not a terminal: pass --yes to confirm."));
    }
    eprint!("{question} [y/N] ");
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    Ok(matches!(answer.trim().to_lowercase().as_str(), "y" | "yes"))
}
