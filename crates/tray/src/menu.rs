//! The tray's menu: open the window, copy a code, quit.

use sesame_core::{Account, AccountId};
use tray_icon::menu::{Menu, MenuId, MenuItem, PredefinedMenuItem, Submenu};

const OPEN: &str = "open";
const QUIT: &str = "quit";
const COPY_PREFIX: &str = "copy:";

/// What a menu entry asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Action {
    Open,
    Copy(AccountId),
    Quit,
}

/// The menu, whose account list is refreshed in place (on Linux a tray's menu cannot be
/// replaced once set, only changed).
pub struct TrayMenu {
    root: Menu,
    copy: Submenu,
}

impl TrayMenu {
    pub fn new() -> tray_icon::menu::Result<Self> {
        let copy = Submenu::new("Copy code", false);
        let root = Menu::with_items(&[
            &MenuItem::with_id(OPEN, "Open Sesame", true, None),
            &PredefinedMenuItem::separator(),
            &copy,
            &PredefinedMenuItem::separator(),
            &MenuItem::with_id(QUIT, "Quit Sesame", true, None),
        ])?;
        Ok(Self { root, copy })
    }

    /// The menu to attach to the icon.
    pub fn root(&self) -> Menu {
        self.root.clone()
    }

    /// Lists the time-based accounts under "Copy code" (HOTP codes advance a counter and are
    /// generated in the window, where the user sees it happen).
    pub fn show_accounts(&self, accounts: &[Account]) {
        while self.copy.remove_at(0).is_some() {}
        let mut any = false;
        for account in accounts.iter().filter(|a| a.params.is_time_based()) {
            let id = format!("{COPY_PREFIX}{}", account.id);
            let _ = self
                .copy
                .append(&MenuItem::with_id(id, account.label(), true, None));
            any = true;
        }
        self.copy.set_enabled(any);
    }
}

/// The action of the menu entry with this id.
pub fn action(id: &MenuId) -> Option<Action> {
    match id.as_ref() {
        OPEN => Some(Action::Open),
        QUIT => Some(Action::Quit),
        other => other
            .strip_prefix(COPY_PREFIX)
            .and_then(AccountId::parse)
            .map(Action::Copy),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_ids_map_to_actions() {
        let id = AccountId::random();
        assert_eq!(action(&MenuId::new(OPEN)), Some(Action::Open));
        assert_eq!(action(&MenuId::new(QUIT)), Some(Action::Quit));
        assert_eq!(
            action(&MenuId::new(format!("{COPY_PREFIX}{id}"))),
            Some(Action::Copy(id))
        );
        // An id that is not an account id (a stale or forged entry) does nothing.
        assert_eq!(action(&MenuId::new("copy:../../etc")), None);
        assert_eq!(action(&MenuId::new("other")), None);
    }
}
