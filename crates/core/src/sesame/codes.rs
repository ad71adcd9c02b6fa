//! Codes: the rolling codes on screen, what a copy puts on the clipboard, the next HOTP code,
//! and codes looked up by a term for scripts.

use std::time::Duration;

use super::{Error, Sesame};
use crate::account::{Account, AccountId};
use crate::otp::{self, TimedCode};
use crate::unlocked::choose_code_to_copy;
use crate::vault::HotpCode;

/// The current and next code of a time-based account on screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollingCode {
    pub id: AccountId,
    pub current: TimedCode,
    pub next: TimedCode,
}

/// What a copy put on the clipboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    /// True when the current code was about to expire and the next one was copied.
    pub is_next: bool,
    /// For HOTP, the code made (its counter has advanced): the window shows it.
    pub hotp: Option<HotpCode>,
    /// Seconds until the clipboard is cleared, if it still holds the code.
    pub clear_after: u64,
}

/// A code looked up by a term (`sesame code`).
#[derive(Debug, Clone)]
pub struct LookedUpCode {
    pub account: Account,
    /// The current code of a time-based account.
    pub timed: Option<TimedCode>,
    /// The code after it, when asked for.
    pub next: Option<TimedCode>,
    /// The HOTP code made, when the term named that one account alone.
    pub hotp: Option<HotpCode>,
}

impl Sesame {
    /// Current and next codes of the time-based accounts, from secrets held in memory (a
    /// keyring read only for accounts not seen before). With `only`, just those accounts, and
    /// nothing held is forgotten: the window asks for the rows in view first, so they show
    /// codes before the secrets of a long list have all been read.
    pub fn rolling_codes(&self, only: Option<&[String]>) -> Result<Vec<RollingCode>, Error> {
        let mut accounts = self.vault.accounts()?;
        let mut unlocked = self.unlocked();
        match only {
            Some(ids) => {
                accounts.retain(|a| ids.iter().any(|id| id == a.id.as_str()));
                unlocked.read_missing(&self.vault, &accounts)?;
            }
            None => unlocked.sync(&self.vault, &accounts)?,
        }
        let now = self.now();
        Ok(accounts
            .iter()
            .filter_map(|account| {
                Some(RollingCode {
                    id: account.id.clone(),
                    current: unlocked.timed_code(account, now)?,
                    next: unlocked.next_code(account, now)?,
                })
            })
            .collect())
    }

    /// Copies the code of a time-based account (the next one when the current has under
    /// [`crate::unlocked::COPY_NEXT_BELOW_SECONDS`] left), marked secret, and clears it after
    /// the delay in force. A secret held for display is used; otherwise it is read for this copy
    /// alone and dropped (the tray holds no secrets).
    pub fn copy_code(&self, id: &AccountId) -> Result<Copied, Error> {
        let accounts = self.vault.accounts()?;
        let account = accounts
            .iter()
            .find(|a| &a.id == id)
            .ok_or(Error::AccountGone)?;
        if !account.params.is_time_based() {
            return Err(Error::NotTimeBased);
        }
        let now = self.now();
        let held = self.unlocked().code_to_copy(account, now);
        let choice = match held {
            Some(choice) => Some(choice),
            None => choose_code_to_copy(&self.vault.secret(account)?, account, now),
        }
        .ok_or(Error::NotTimeBased)?;
        let clear_after = self.put_on_clipboard(&choice.code.code)?;
        Ok(Copied {
            is_next: choice.is_next,
            hotp: None,
            clear_after,
        })
    }

    /// Makes the next HOTP code (the counter is saved first, so no code is shown twice) and
    /// copies it.
    pub fn copy_next_hotp(&self, id: &AccountId) -> Result<Copied, Error> {
        let hotp = self.vault.next_hotp(id)?;
        let clear_after = self.put_on_clipboard(&hotp.code)?;
        Ok(Copied {
            is_next: false,
            hotp: Some(hotp),
            clear_after,
        })
    }

    /// Codes of the accounts `term` finds, for scripts (`sesame code`), if the policy allows
    /// codes outside the window. HOTP codes are made only when the term finds that one account,
    /// because making one advances its counter.
    pub fn look_up_codes(&self, term: &str, with_next: bool) -> Result<Vec<LookedUpCode>, Error> {
        self.policy().check_cli_code()?;
        let found = self.find(term)?;
        let alone = found.len() == 1;
        let now = self.now();
        let mut codes = Vec::with_capacity(found.len());
        for account in found {
            let mut code = LookedUpCode {
                timed: None,
                next: None,
                hotp: None,
                account,
            };
            if code.account.params.is_time_based() {
                // One keyring read per account, then every code of it from memory.
                let secret = self.vault.secret(&code.account)?;
                code.timed = Some(otp::timed_code(&secret, &code.account.params, now));
                if with_next {
                    code.next = Some(otp::next_timed_code(&secret, &code.account.params, now));
                }
            } else if alone {
                code.hotp = Some(self.vault.next_hotp(&code.account.id)?);
            }
            codes.push(code);
        }
        Ok(codes)
    }

    /// Puts a binding's pairing code (as [`Sesame::bind`] gave it) on the clipboard, for the
    /// site's page: marked secret and cleared like a code. The seconds until it is cleared.
    pub fn copy_pairing_code(&self, code: &str) -> Result<u64, Error> {
        self.put_on_clipboard(code)
    }

    fn put_on_clipboard(&self, code: &str) -> Result<u64, Error> {
        let seconds = self.settings().clipboard_clear_seconds;
        self.clipboard
            .copy_then_clear(code, Duration::from_secs(seconds))?;
        Ok(seconds)
    }
}
