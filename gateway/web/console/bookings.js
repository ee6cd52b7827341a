// 预约管理: the bookings, filtered; close a live one (served, not there,
// cancelled); export what the filters show as CSV.
import { api, query } from "./api.js";
import { button, el, localTime, row, say, values } from "./ui.js";

const PAGE = 50;
const STATUS_NAMES = { confirmed: "已预约", completed: "已完成", no_show: "未到", cancelled: "已取消" };
const MEALS = { breakfast: "早餐", lunch: "午餐", dinner: "晚餐" };
const CHANGES = [
  ["completed", "已完成"],
  ["no_show", "未到"],
  ["cancelled", "取消"],
];

let panel, form, body, more, exportLink;
let shown = 0;
let loadedProviders = false;

function what(booking) {
  if (booking.kind === "meal") {
    return `${MEALS[booking.period] || ""}${booking.delivery ? "·送餐上门" : "·堂食"}`;
  }
  return `${booking.service} ${booking.time || ""}`;
}

function actions(booking) {
  const box = el("div", "row-actions");
  if (booking.status !== "confirmed") {
    const by = booking.status_changed_by;
    if (by) box.append(el("span", "changed", `${by} ${localTime(booking.status_changed_at)}`));
    return box;
  }
  for (const [status, title] of CHANGES) {
    const change = button(null, title, async () => {
      if (status === "cancelled" && !confirm(`确定取消预约 ${booking.reference}？名额会退回。`)) return;
      try {
        await api(`/api/staff/bookings/${booking.reference}/status`, {
          method: "POST",
          json: { status },
        });
        load(false, `预约 ${booking.reference} 已改为“${STATUS_NAMES[status]}”。`);
      } catch (error) {
        say(panel, error.message, true);
      }
    });
    change.setAttribute("aria-label", `${booking.reference} ${title}`);
    box.append(change);
  }
  return box;
}

function draw(booking) {
  const tr = row([
    booking.reference,
    booking.date,
    what(booking),
    booking.provider.name,
    booking.booked_by
      ? `${booking.beneficiary.name}（${booking.booked_by.relation || "家属"}${booking.booked_by.name}代订）`
      : booking.beneficiary.name,
    booking.beneficiary.phone,
    booking.beneficiary.address,
    booking.notes,
    STATUS_NAMES[booking.status] || booking.status,
    actions(booking),
  ]);
  tr.dataset.reference = booking.reference;
  tr.classList.add(booking.status);
  return tr;
}

// Reload the list; `done` (what was just changed) leads the status line.
async function load(append, done = "") {
  const filters = values(form);
  const params = query(filters);
  exportLink.href = `/api/staff/bookings/export.csv${params}`;
  const offset = append ? shown : 0;
  say(panel, "正在查询…");
  try {
    const data = await api(`/api/staff/bookings${query({ ...filters, limit: PAGE, offset })}`);
    if (!append) body.replaceChildren();
    for (const booking of data.items) body.append(draw(booking));
    shown = offset + data.items.length;
    more.hidden = shown >= data.total;
    say(panel, done + (data.total ? `共${data.total}条，显示${shown}条。` : "没有符合条件的预约。"));
  } catch (error) {
    say(panel, error.message, true);
  }
}

async function loadProviders() {
  if (loadedProviders) return;
  loadedProviders = true;
  const select = form.provider_id;
  try {
    for (const provider of await api("/api/staff/providers?days=1")) {
      select.append(new Option(`${provider.name}（${provider.region}）`, String(provider.id)));
    }
  } catch (error) {
    loadedProviders = false;
    say(panel, error.message, true);
  }
}

export function setup(section) {
  panel = section;
  form = panel.querySelector("form");
  body = panel.querySelector("tbody");
  more = panel.querySelector("#bookings-more");
  exportLink = panel.querySelector("#bookings-export");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    load(false);
  });
  more.addEventListener("click", () => load(true));
}

export function open() {
  loadProviders();
  load(false);
}
