// 转人工: emergencies first, then the conversations the bot passed on. An
// advisor opens one, reads the whole conversation, takes it over (the bot
// goes quiet), replies into the family's chat and closes it (the bot
// answers again). The queue and the open conversation refresh themselves.
import { api } from "./api.js";
import { button, el, localTime, say } from "./ui.js";

const QUEUE_MS = 10_000;
const TRANSCRIPT_MS = 4_000;
const STATES = { open: "等待接手", claimed: "处理中", closed: "已结束" };

let panel, me, queueList, detail, transcript, errorLine, replyForm;
let current = null; // the hand-off record shown
let refreshing = null;

function fail(error) {
  errorLine.textContent = error.message;
  errorLine.hidden = false;
}

function turnText(turn) {
  if (turn.custom?.advisor) return turn.text;
  if (turn.text) return turn.text;
  return turn.custom?.summary || "";
}

function speaker(turn) {
  if (turn.role === "user") return "来访者";
  return turn.custom?.advisor ? `顾问 ${turn.custom.advisor}` : "银龄通";
}

function drawTranscript(turns) {
  transcript.replaceChildren();
  for (const turn of turns) {
    const text = turnText(turn);
    if (!text) continue;
    const who = turn.role === "user" ? "user" : turn.custom?.advisor ? "advisor" : "bot";
    const item = el("li", who);
    item.append(el("span", "speaker", speaker(turn)), el("p", null, text));
    transcript.append(item);
  }
  transcript.lastElementChild?.scrollIntoView({ block: "nearest" });
}

function drawDetail(record) {
  current = record;
  detail.hidden = false;
  detail.querySelector("#handoff-title").textContent = `对话 ${record.id}：${record.reason}`;
  const holder = record.claimed_by ? `，${record.claimed_by}处理` : "";
  detail.querySelector("#handoff-meta").textContent =
    `${STATES[record.status] || record.status}${holder} · 转来于 ${localTime(record.created_at)}`;
  const mine = record.status === "claimed" && (record.claimed_by === me.username || me.role === "admin");
  detail.querySelector("#handoff-claim").hidden = record.status !== "open";
  detail.querySelector("#handoff-close").hidden = !mine;
  replyForm.hidden = !mine;
}

async function show(id) {
  errorLine.hidden = true;
  try {
    const record = await api(`/api/staff/handoffs/${id}`);
    drawDetail(record);
    drawTranscript(record.turns);
  } catch (error) {
    fail(error);
  }
}

async function act(path, json) {
  errorLine.hidden = true;
  try {
    await api(`/api/staff/handoffs/${current.id}/${path}`, { method: "POST", json });
    await Promise.all([show(current.id), loadQueue()]);
    return true;
  } catch (error) {
    fail(error);
    return false;
  }
}

function drawEmergencies(alerts) {
  const box = panel.querySelector("#emergencies");
  box.replaceChildren();
  for (const alert of alerts) {
    const card = el("article", "emergency");
    card.setAttribute("role", "alert");
    card.append(
      el("h3", null, `紧急求助 · ${localTime(alert.created_at)}`),
      el("p", null, alert.message),
      el("p", "meta", `会话 ${alert.sender_id}${alert.notify_contact ? " · 要求通知紧急联系人" : ""}`),
      button("primary", "已处理", async () => {
        try {
          await api(`/api/staff/emergencies/${alert.id}/ack`, { method: "POST" });
          loadQueue();
        } catch (error) {
          say(panel, error.message, true);
        }
      }),
    );
    box.append(card);
  }
}

async function loadQueue() {
  try {
    const data = await api("/api/staff/handoffs");
    drawEmergencies(data.emergencies);
    queueList.replaceChildren();
    for (const record of data.handoffs) {
      const item = el("li");
      const open = button(
        record.id === current?.id ? "current" : null,
        `${STATES[record.status]}：${record.reason}`,
        () => show(record.id),
      );
      item.append(open, el("p", "meta", localTime(record.created_at)));
      queueList.append(item);
    }
    say(panel, data.handoffs.length ? "" : "现在没有转人工的对话。");
    return data;
  } catch (error) {
    say(panel, error.message, true);
    return null;
  }
}

// The tab's badge: how many are waiting, refreshed whichever tab is shown.
export function watchQueue(badge) {
  const count = async () => {
    try {
      const data = await api("/api/staff/handoffs");
      const waiting = data.emergencies.length + data.handoffs.filter((h) => h.status === "open").length;
      badge.textContent = String(waiting);
      badge.hidden = waiting === 0;
    } catch {
      // The panel itself reports problems.
    }
  };
  count();
  setInterval(count, QUEUE_MS);
}

export function setup(section, context) {
  panel = section;
  me = context.me;
  queueList = panel.querySelector("#handoff-queue");
  detail = panel.querySelector("#handoff-detail");
  transcript = panel.querySelector("#transcript");
  errorLine = panel.querySelector("#handoff-error");
  replyForm = panel.querySelector("#reply-form");
  panel.querySelector("#handoff-claim").addEventListener("click", () => act("claim"));
  panel.querySelector("#handoff-close").addEventListener("click", () => act("close"));
  replyForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = replyForm.text.value.trim();
    if (text && (await act("reply", { text }))) replyForm.text.value = "";
  });
}

export function open() {
  loadQueue();
  clearInterval(refreshing);
  refreshing = setInterval(() => {
    loadQueue();
    if (current && current.status !== "closed") show(current.id);
  }, TRANSCRIPT_MS);
}

export function close() {
  clearInterval(refreshing);
  refreshing = null;
}
