// The only file that talks to the Rust side: one function per command.
const invoke = (...args) => window.__TAURI__.core.invoke(...args);

export const listAccounts = () => invoke("list_accounts");
export const currentCodes = () => invoke("current_codes");
