// The reference server's pages: sign-in, "Sign in with Sesame" (QR, number, renewal), and
// binding Sesame from the account page. No framework; the API is the protocol's.
"use strict";

const $ = (id) => document.getElementById(id);

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body ? { "content-type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
    credentials: "same-origin",
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(data.message || `HTTP ${response.status}`);
    error.code = data.error;
    throw error;
  }
  return data;
}

// --- sign-in with password and code ---------------------------------------------------------
const signIn = $("sign-in");
if (signIn) {
  signIn.addEventListener("submit", async (event) => {
    event.preventDefault();
    $("error").textContent = "";
    try {
      await api("POST", "/api/login", {
        username: $("username").value, password: $("password").value, code: $("code").value,
      });
      location.href = "/";
    } catch (error) {
      $("error").textContent = error.code === "invalid_credentials"
        ? "The user name, password or code is wrong." : error.message;
    }
  });
}

// --- sign in with Sesame ----------------------------------------------------------------------
const MAX_RENEWALS = 10;
// One status poll, asked again when the answer is not about the session: an instance that went
// away (the proxy's 502 or 503, a dropped connection), one without its database (`unavailable`),
// or `slow_down`. Behind a proxy the next try lands on an instance that is up.
async function poll(sid, version) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await api("GET", `/api/qr/sessions/${sid}/status?v=${version}`);
    } catch (error) {
      const passing = !error.code || error.code === "unavailable" || error.code === "slow_down";
      if (!passing || attempt >= 30) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

async function sesameLogin() {
  let renewals = 0;
  for (;;) {
    const session = await api("POST", "/api/qr/sessions");
    $("qr").innerHTML = session.qr_svg;
    $("open-in-sesame").href = session.qr_uri;
    $("number-box").hidden = true;
    $("status").textContent = "Scan this code with Sesame on this computer: press \u201cApprove sign-in\u201d in its window (Ctrl+L).";
    let version = 0;
    for (;;) {
      const status = await poll(session.sid, version);
      version = status.version;
      if (status.state === "scanned") {
        // The code has done its job; the number is what matters now.
        $("qr").innerHTML = "";
        $("number").textContent = status.number;
        $("number-box").hidden = false;
        $("status").textContent = "Type this number into Sesame to approve.";
      } else if (status.state === "confirmed" && status.ticket) {
        await api("POST", `/api/qr/sessions/${session.sid}/redeem`, { ticket: status.ticket });
        location.href = "/";
        return;
      } else if (status.state === "rejected") {
        $("qr").innerHTML = "";
        $("number-box").hidden = true;
        $("status").textContent = "This sign-in was denied. Reload the page to try again.";
        return;
      } else if (status.state === "expired" || status.state === "consumed") {
        break;
      }
    }
    renewals += 1;
    if (renewals > MAX_RENEWALS) {
      $("qr").innerHTML = "";
      $("status").textContent = "The code expired. Reload the page for a new one.";
      return;
    }
  }
}
if ($("sesame-login")) {
  sesameLogin().catch((error) => { $("status").textContent = error.message; });
}

// --- enrol a second factor -------------------------------------------------------------------
const totpBegin = $("totp-begin");
if (totpBegin) {
  totpBegin.addEventListener("click", async () => {
    try {
      const enrolment = await api("POST", "/api/totp/begin");
      $("totp-qr").innerHTML = enrolment.qr_svg;
      $("totp-confirm").hidden = false;
      $("totp-code").focus();
    } catch (error) {
      $("error").textContent = error.message;
    }
  });
  $("totp-confirm").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("POST", "/api/totp/confirm", { code: $("totp-code").value });
      location.href = "/";
    } catch (error) {
      $("error").textContent = "That code does not match; check the authenticator's clock and try the next code.";
    }
  });
}

// --- bind Sesame from the account page --------------------------------------------------------
const bindButton = $("bind");
if (bindButton) {
  bindButton.addEventListener("click", async () => {
    $("error").textContent = "";
    let offer;
    try {
      offer = await api("POST", "/api/bindings");
    } catch (error) {
      $("error").textContent = error.code === "reauth_required"
        ? "For your safety, sign in again with your password and code before adding a device."
        : error.message;
      return;
    }
    $("bind-qr").innerHTML = offer.qr_svg;
    $("bind-status").textContent = "Scan this code with Sesame on this computer: press \u201cApprove sign-in\u201d in its window (Ctrl+L).";
    for (;;) {
      await new Promise((done) => setTimeout(done, 1000));
      const binding = await api("GET", `/api/bindings/${offer.binding_id}`);
      if (binding.state === "claimed") {
        $("bind-qr").innerHTML = "";
        $("bind-status").textContent =
          `“${binding.device_name}” from ${binding.claim_address} wants to sign you in. Type the pairing code Sesame shows:`;
        $("pairing").hidden = false;
        $("pairing-code").focus();
        $("pairing").onsubmit = async (event) => {
          event.preventDefault();
          try {
            await api("POST", `/api/bindings/${offer.binding_id}/approve`, { pairing_code: $("pairing-code").value });
            $("pairing").hidden = true;
            $("bind-status").textContent = "Sesame is bound to your account.";
          } catch (error) {
            $("error").textContent = error.message;
          }
        };
        return;
      }
      if (binding.state !== "pending" || Date.now() / 1000 > binding.expires_at) {
        $("bind-qr").innerHTML = "";
        $("bind-status").textContent = "The binding code expired. Press “Add Sesame” again.";
        return;
      }
    }
  });
}

// --- sign out ----------------------------------------------------------------------------------
const signOut = $("sign-out");
if (signOut) {
  signOut.addEventListener("click", async () => {
    await api("POST", "/api/logout").catch(() => {});
    location.href = "/login";
  });
}

// --- devices: Revoke asks first, then reloads the page's lists ---------------------------------
for (const button of document.querySelectorAll("button.revoke")) {
  button.addEventListener("click", async () => {
    const name = button.closest("tr").querySelector("th").textContent;
    if (!confirm(`Revoke ${name}? It will no longer approve sign-ins to this account.`)) return;
    try {
      await api("POST", `/api/devices/${encodeURIComponent(button.dataset.device)}/revoke`);
      location.reload();
    } catch (error) {
      $("error").textContent = error.message;
    }
  });
}
