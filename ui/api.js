// The only file that talks to the Rust side: one function per command.
const invoke = (...args) => window.__TAURI__.core.invoke(...args);

export const listAccounts = () => invoke("list_accounts");
export const currentCodes = (only = null) => invoke("current_codes", { only });
export const addAccountUri = (uri) => invoke("add_account_uri", { uri });
export const addAccountForm = (form) => invoke("add_account_form", { form });
export const renameAccount = (id, issuer, name) => invoke("rename_account", { id, issuer, name });
export const moveAccount = (id, position) => invoke("move_account", { id, position });
export const removeAccount = (id) => invoke("remove_account", { id });
export const undoRemove = (id) => invoke("undo_remove", { id });
export const finishRemovals = () => invoke("finish_removals");
export const copyCode = (id) => invoke("copy_code", { id });
export const nextHotp = (id) => invoke("next_hotp", { id });
export const scanScreen = () => invoke("scan_screen");
export const scanImage = (bytes, name) =>
  invoke("scan_image", bytes, { headers: { "x-file-name": name.replace(/[^\x20-\x7e]/g, "_") } });
export const addScanned = (indices) => invoke("add_scanned", { indices });
export const reviewLogin = (index) => invoke("review_login", { index });
export const decideLogin = (approve, number) => invoke("decide_login", { approve, number });
export const previewBinding = (index) => invoke("preview_binding", { index });
export const bindScanned = (index) => invoke("bind_scanned", { index });
export const copyPairingCode = () => invoke("copy_pairing_code");
export const takeDeepLink = () => invoke("take_deep_link");
export const listServers = () => invoke("list_servers");
export const unbindServer = (origin) => invoke("unbind_server", { origin });
export const getSettings = () => invoke("get_settings");
export const getPolicy = () => invoke("get_policy");
export const saveSettings = (settings) => invoke("save_settings", { settings });
export const setTextSize = (percent) => invoke("set_text_size", { percent });
export const closeWindow = () => invoke("close_window");
export const readImportFile = (bytes) => invoke("read_import_file", bytes);
export const unlockImport = (password) => invoke("unlock_import", { password });
export const readImportText = (text) => invoke("read_import_text", { text });
export const importPreviewed = () => invoke("import_previewed");
export const cancelImport = () => invoke("cancel_import");
export const suggestBackup = (today) => invoke("suggest_backup", { today });
export const writeBackup = (path, password, repeated) => invoke("write_backup", { path, password, repeated });
export const phoneCodes = (ids) => invoke("phone_codes", { ids });
