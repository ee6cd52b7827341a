// 服务机构: the directory (inactive ones too) with today's places left, and
// for admins the CSV import, checked first with 只检查 and then written.
import { api, query } from "./api.js";
import { el, row, say, values } from "./ui.js";

const KINDS = { meal: "助餐点", visit: "上门服务" };

let panel, form, body;

function placesToday(provider) {
  const today = provider.remaining[0];
  if (!today) return "";
  const left = Object.values(today.slots);
  return left.length ? left.join(" / ") : "今天不营业";
}

async function load() {
  say(panel, "正在查询…");
  try {
    const providers = await api(`/api/staff/providers${query({ ...values(form), days: 1 })}`);
    body.replaceChildren();
    for (const p of providers) {
      const tr = row([
        p.code,
        p.name,
        KINDS[p.kind] || p.kind,
        [p.region, p.district].filter(Boolean).join(" "),
        p.address,
        p.phone,
        p.kind === "meal"
          ? [p.dine_in && "堂食", p.delivery && "送餐上门"].filter(Boolean).join("、")
          : p.services.join("、"),
        p.capacity,
        placesToday(p),
        p.active ? "在用" : "停用",
      ]);
      if (!p.active) tr.classList.add("inactive");
      body.append(tr);
    }
    say(panel, `共${providers.length}家。`);
  } catch (error) {
    say(panel, error.message, true);
  }
}

function showReport(box, report) {
  box.replaceChildren();
  const done = report.dry_run ? "检查完毕（没有写入）" : "导入完毕";
  box.append(
    el(
      "p",
      null,
      `${done}：新增${report.added.length}，更新${report.updated.length}，` +
        `未变${report.unchanged.length}，有问题的行${report.bad_rows}。`,
    ),
  );
  if (report.errors.length) {
    const list = el("ul", "errors");
    for (const problem of report.errors) list.append(el("li", null, problem.text));
    box.append(list);
  }
  box.hidden = false;
}

function setupImport(importForm) {
  const box = panel.querySelector("#import-report");
  importForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = importForm.file.files[0];
    if (!file) return;
    const dryRun = importForm.dry_run.checked;
    try {
      const report = await api(`/api/staff/providers/import${query({ dry_run: dryRun })}`, {
        method: "POST",
        body: file,
        type: "text/csv",
      });
      showReport(box, report);
      if (!dryRun) load();
    } catch (error) {
      box.hidden = true;
      say(panel, error.message, true);
    }
  });
}

export function setup(section) {
  panel = section;
  form = panel.querySelector("#providers-form");
  body = panel.querySelector("tbody");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  setupImport(panel.querySelector("#import-form"));
}

export function open() {
  load();
}
