// lastresort web UI: streams replies over server-sent events; every page also works without this script.
"use strict";

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

function bubble(role, text) {
  const li = document.createElement("li");
  li.className = "msg " + role;
  const meta = document.createElement("div");
  meta.className = "meta";
  const who = document.createElement("span");
  who.className = "role";
  who.textContent = role === "user" ? "You" : "Assistant";
  meta.appendChild(who);
  const body = document.createElement("div");
  body.className = "text";
  body.textContent = text; // never innerHTML: the text is the user's or the model's
  li.append(meta, body);
  document.getElementById("messages").appendChild(li);
  return body;
}

function showError(message) {
  const box = document.getElementById("stream-status");
  if (!box) { return; }
  box.textContent = message;
  box.hidden = false;
}

function parseEvents(buffer, onEvent) {
  let end;
  while ((end = buffer.indexOf("\n\n")) !== -1) {
    const chunk = buffer.slice(0, end);
    buffer = buffer.slice(end + 2);
    let name = "message";
    let data = "";
    for (const line of chunk.split("\n")) {
      if (line.startsWith("event: ")) { name = line.slice(7); }
      else if (line.startsWith("data: ")) { data += line.slice(6); }
    }
    onEvent(name, data ? JSON.parse(data) : null);
  }
  return buffer;
}

async function streamForm(form, button) {
  const body = new URLSearchParams(new FormData(form));
  const url = form.getAttribute("action") + "?stream=true";
  const messages = document.getElementById("messages");
  if (messages) { messages.setAttribute("aria-busy", "true"); }
  let reply = null;
  let finished = false;
  const response = await fetch(url, {
    method: "POST", body, credentials: "same-origin",
    headers: {"X-CSRF-Token": csrfToken(), "Accept": "text/event-stream"},
  });
  if (!response.ok) {
    let detail = {message: "Something went wrong (" + response.status + ")."};
    try { detail = await response.json(); } catch (e) { /* not JSON */ }
    showError(detail.message);
    if (detail.error === "conversation_ended") { window.location.reload(); }
    return;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const empty = document.querySelector("#messages .empty");
  if (empty) { empty.remove(); }
  for (;;) {
    const {value, done} = await reader.read();
    if (done) { break; }
    buffer = parseEvents(buffer + decoder.decode(value, {stream: true}), (name, data) => {
      if (name === "accepted") {
        if (data.user_message) { bubble("user", data.user_message.content); }
        reply = bubble("assistant", "");
        reply.parentElement.classList.add("pending");
      } else if (name === "delta" && reply) {
        reply.textContent += data.text;
      } else if (name === "done") {
        finished = true;
      } else if (name === "error") {
        showError(data.message);
      }
    });
  }
  // The server renders the states (warning, crisis support, ending), so the page is loaded afresh.
  if (finished) {
    window.location.href = window.location.pathname;
  } else {  // leave the error readable for a moment; the reloaded page offers "Retry the reply"
    window.setTimeout(() => { window.location.href = window.location.pathname; }, 4000);
  }
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-stream") || !window.fetch) { return; }
  event.preventDefault();
  const button = form.querySelector("button[type=submit]");
  if (button) { button.disabled = true; button.textContent = "Sending…"; }
  streamForm(form, button).catch((err) => {
    showError("The connection failed: " + err.message + ". Reload the page to see what was kept.");
    if (button) { button.disabled = false; button.textContent = "Send"; }
  });
});

// Submit the composer with Enter; Shift+Enter makes a new line.
document.addEventListener("keydown", (event) => {
  const target = event.target;
  if (event.key === "Enter" && !event.shiftKey && target instanceof HTMLTextAreaElement && target.id === "content") {
    event.preventDefault();
    if (target.value.trim()) { target.form.requestSubmit(); }
  }
});

// "Edit an earlier message": open the last user message's editor and move focus into it.
document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-open-edit]");
  if (!link) { return; }
  event.preventDefault();
  const edits = document.querySelectorAll("#messages details.edit");
  if (edits.length === 0) { return; }
  const details = edits[edits.length - 1];
  details.open = true;
  const area = details.querySelector("textarea");
  area.focus();
  area.select();
});

// Focus after an action: the ended banner, a notice, or the message named in the address.
window.addEventListener("DOMContentLoaded", () => {
  const ended = document.getElementById("ended-title");
  const notice = document.getElementById("notice");
  const target = window.location.hash && document.getElementById(window.location.hash.slice(1));
  if (notice) { notice.focus(); }
  else if (ended) { ended.focus(); }
  else if (target && target.tagName === "LI") { target.setAttribute("tabindex", "-1"); target.focus(); }
  const messages = document.getElementById("messages");
  if (messages) { messages.lastElementChild && messages.lastElementChild.scrollIntoView({block: "end"}); }
});
