// Keeps the page's uncaught errors and console errors where the end-to-end tests can read them
// (WebKitWebDriver offers no console log); costs nothing until something goes wrong.
window.__sesameErrors = [];
const record = (text) => window.__sesameErrors.push(String(text));
window.addEventListener("error", (event) => record(event.message));
window.addEventListener("unhandledrejection", (event) => record(event.reason && event.reason.message || event.reason));
const consoleError = console.error.bind(console);
console.error = (...args) => {
  record(args.join(" "));
  consoleError(...args);
};
