// The console's login form: JSON to /api/staff/login, then back to the
// console page that sent the person here (only ever a /staff address).
import { api } from "./api.js";

const form = document.getElementById("login");
const error = document.getElementById("login-error");

// Never an open redirect: only the console's own pages. The tab asked for
// (#bookings) survives the detour, since a redirect keeps the fragment.
function destination() {
  const next = (new URLSearchParams(location.search).get("next") || "") + location.hash;
  return /^\/staff(#[a-z]*)?$/.test(next) ? next : "/staff";
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  error.hidden = true;
  const submit = form.querySelector("button");
  submit.disabled = true;
  try {
    await api("/api/staff/login", {
      method: "POST",
      json: { username: form.username.value.trim(), password: form.password.value },
    });
    location.assign(destination());
  } catch (problem) {
    error.textContent = problem.message;
    error.hidden = false;
    form.password.value = "";
    form.password.focus();
  } finally {
    submit.disabled = false;
  }
});
