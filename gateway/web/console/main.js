// The 养老顾问 console: who is logged in, the tabs, and logging out. Each
// tab is one module with setup() once and open() whenever it is shown.
import { api, useCsrfToken } from "./api.js";
import { fillRegions } from "./ui.js";
import * as bookings from "./bookings.js";
import * as compare from "./compare.js";
import * as eligibility from "./eligibility.js";
import * as handoffs from "./handoffs.js";
import * as providers from "./providers.js";
import * as search from "./search.js";

const PANELS = { search, compare, eligibility, bookings, providers, handoffs };
const ROLE_NAMES = { admin: "管理员", advisor: "养老顾问" };

const me = await api("/api/staff/me");
useCsrfToken(me.csrf_token);
document.getElementById("who").textContent = `${me.display_name}（${ROLE_NAMES[me.role] || me.role}）`;
for (const node of document.querySelectorAll(".admin-only")) node.hidden = me.role !== "admin";

const { regions } = await api("/api/knowledge/regions");
fillRegions(document, regions);
for (const [name, panel] of Object.entries(PANELS)) {
  panel.setup(document.getElementById(name), { me, regions });
}

function showPanel() {
  const name = location.hash.slice(1) in PANELS ? location.hash.slice(1) : "search";
  for (const [other, panel] of Object.entries(PANELS)) {
    const section = document.getElementById(other);
    const shown = other === name;
    section.hidden = !shown;
    document.querySelector(`.tabs a[href="#${other}"]`).toggleAttribute("aria-current", shown);
    if (shown) panel.open?.();
    else panel.close?.();
  }
}

window.addEventListener("hashchange", showPanel);
showPanel();
handoffs.watchQueue(document.getElementById("handoff-count"));

document.getElementById("logout").addEventListener("click", async () => {
  try {
    await api("/api/staff/logout", { method: "POST" });
  } finally {
    location.assign("/staff/login");
  }
});
