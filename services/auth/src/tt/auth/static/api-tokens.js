// The admin token page: create (the token is shown once) and revoke, through the
// page's own session endpoints with the session's CSRF token.
(function () {
  "use strict";
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const form = document.getElementById("create-token");
  const errorBox = document.getElementById("form-error");

  async function call(method, url, body) {
    const response = await fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, "Accept": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await response.json().catch(function () { return {}; });
    if (!response.ok) {
      const fields = data.errors ? " " + Object.entries(data.errors).map(function (e) { return e[0] + ": " + e[1].join(", "); }).join("; ") : "";
      throw new Error((data.message || data.error || "Request failed") + fields);
    }
    return data;
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    errorBox.hidden = true;
    const values = new FormData(form);
    const body = {
      name: values.get("name"),
      user_id: Number(values.get("user_id")),
      scopes: values.getAll("scopes"),
    };
    if (values.get("expires_in_days")) body.expires_in_days = Number(values.get("expires_in_days"));
    try {
      const created = await call("POST", "/admin/api-tokens", body);
      document.getElementById("new-token-text").textContent = created.token;
      document.getElementById("new-token").hidden = false;
      form.reset();
    } catch (err) {
      errorBox.textContent = err.message;
      errorBox.hidden = false;
    }
  });

  document.getElementById("tokens").addEventListener("click", async function (event) {
    const button = event.target.closest("button.revoke");
    if (!button || !window.confirm("Revoke this token? Clients using it stop working at once.")) return;
    try {
      await call("DELETE", "/admin/api-tokens/" + button.dataset.id);
      const row = button.closest("tr");
      row.querySelector(".status").textContent = "revoked";
      button.remove();
    } catch (err) {
      errorBox.textContent = err.message;
      errorBox.hidden = false;
    }
  });
})();
