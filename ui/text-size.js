// The saved text size, applied before the page is first drawn (the window passes it in an
// initialization script, so the list never appears at one size and jumps to another).
document.documentElement.style.setProperty("--text-scale", String((window.__sesameTextSize || 100) / 100));
