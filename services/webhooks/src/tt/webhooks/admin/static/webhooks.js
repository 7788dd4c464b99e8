// The /admin/webhooks page: every unsafe call carries the session's CSRF token.
"use strict";

const csrf = document.querySelector('meta[name="csrf-token"]').content;

async function call(method, path, body) {
  const headers = { "Accept": "application/json" };
  if (method !== "GET") headers["X-CSRF-Token"] = csrf;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch("/admin/webhooks" + path, {
    method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.message || ("HTTP " + response.status));
  return data;
}

function say(text) {
  const box = document.getElementById("message");
  box.textContent = text;
  box.hidden = false;
}

function showSecret(id, secret) {
  document.getElementById("secret-webhook").textContent = String(id);
  document.getElementById("secret-value").textContent = secret;
  document.getElementById("secret-panel").hidden = false;
}

function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text == null ? "" : String(text);
  row.appendChild(td);
  return td;
}

async function showDeliveries(id) {
  const data = await call("GET", "/" + id + "/deliveries?per_page=50");
  document.getElementById("deliveries-webhook").textContent = String(id);
  const body = document.querySelector("#deliveries tbody");
  body.replaceChildren();
  for (const d of data.deliveries) {
    const row = document.createElement("tr");
    cell(row, d.id);
    cell(row, d.event_type);
    cell(row, d.subject);
    cell(row, d.status);
    cell(row, d.attempt_count);
    cell(row, d.last_status_code != null ? "HTTP " + d.last_status_code : (d.last_error || ""));
    cell(row, d.created_at);
    const actions = cell(row, "");
    if (d.status !== "pending") {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = "Redeliver";
      button.addEventListener("click", async () => {
        try {
          await call("POST", "/" + id + "/deliveries/" + d.id + "/redeliver");
          say("Redelivery of " + d.id + " queued");
          await showDeliveries(id);
        } catch (error) { say(error.message); }
      });
      actions.appendChild(button);
    }
    body.appendChild(row);
  }
  document.getElementById("deliveries-panel").hidden = false;
}

async function act(action, button) {
  const id = button.closest("tr").dataset.id;
  if (action === "deliveries") return showDeliveries(id);
  if (action === "test") {
    await call("POST", "/" + id + "/test");
    say("Test event queued for webhook " + id);
    return showDeliveries(id);
  }
  if (action === "rotate") {
    if (!confirm("Rotate the secret? The old one keeps signing during the grace period.")) return;
    const data = await call("POST", "/" + id + "/rotate-secret");
    return showSecret(id, data.secret);
  }
  if (action === "toggle") {
    await call("PUT", "/" + id, { active: button.dataset.active !== "true" });
    return location.reload();
  }
  if (action === "delete") {
    if (!confirm("Delete webhook " + id + " and its delivery log?")) return;
    await call("DELETE", "/" + id);
    return location.reload();
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("create-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const events = String(form.get("events")).split(",").map((e) => e.trim()).filter(Boolean);
    try {
      const data = await call("POST", "", {
        url: form.get("url"), events, name: form.get("name") || null,
      });
      showSecret(data.webhook.id, data.secret);
      say("Webhook " + data.webhook.id + " created; reload the page to see it in the list.");
      event.target.reset();
    } catch (error) { say(error.message); }
  });
  document.getElementById("webhooks").addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    try { await act(button.dataset.action, button); } catch (error) { say(error.message); }
  });
});
