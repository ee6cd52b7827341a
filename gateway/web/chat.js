// The family chat: who is talking, the gateway's API, and what to draw.
import * as view from "./render.js";
import { setupVoice } from "./voice.js";

const SENDER_KEY = "yinling.sender";
const LARGE_KEY = "yinling.large";
const OFFLINE = "网络好像断了，请检查网络后再试一次。";
const WATCH_MS = 4000; // how often to look for the advisor's replies
const FAILED = "系统出了点问题，请稍后再试。";
const ADVISOR_WILL_ANSWER = "已发给养老顾问，请稍等，回复会出现在这里。";

// localStorage can be switched off; the chat then still works for this visit.
function remembered(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function remember(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Not kept across reloads, nothing more.
  }
}

// getRandomValues rather than randomUUID: randomUUID exists only on https or
// localhost, and the gateway may be served on a home or community network.
function newSender() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return "web-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

const sender = remembered(SENDER_KEY) || newSender();
remember(SENDER_KEY, sender);

const speak =
  "speechSynthesis" in window
    ? (text) => {
        speechSynthesis.cancel();
        const utterance = new SpeechSynthesisUtterance(text);
        utterance.lang = "zh-CN";
        utterance.rate = 0.8; // slower than usual, easier to follow
        speechSynthesis.speak(utterance);
      }
    : null;

// The gateway answers errors as JSON with a polite Chinese `detail`.
async function api(path, init) {
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new Error(OFFLINE);
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error((body && body.detail) || FAILED);
  return body;
}

// A custom payload belongs to the bot text just before it (the REST channel
// sends them as two messages), so remember where that text was drawn.
let lastBot = null;

function showUser(text) {
  view.clearQuickReplies();
  view.userBubble(text);
  lastBot = null;
}

// Hand-off: after the bot has passed the conversation to a 养老顾问, the
// page looks for the advisor's messages (which arrive without the person
// sending anything) until the advisor closes the conversation.
const ADVISOR_KINDS = new Set(["handoff", "advisor_message"]);
let handoffState = null; // "queued" | "claimed" | "closed"
let lastAdvisorTime = 0; // timestamp of the newest advisor turn shown
let watching = null;

function isAdvisorTurn(message) {
  return Boolean(message.custom && ADVISOR_KINDS.has(message.custom.kind) && message.custom.advisor);
}

function showAdvisor(turn) {
  lastBot = view.advisorRow(turn.text, turn.custom.advisor, speak);
  lastAdvisorTime = Math.max(lastAdvisorTime, turn.timestamp || 0);
  if (turn.custom.kind === "handoff") followHandoff(turn.custom.state);
}

function followHandoff(state) {
  handoffState = state;
  if (state === "closed") {
    clearInterval(watching);
    watching = null;
  } else if (!watching) {
    watching = setInterval(watchAdvisor, WATCH_MS);
  }
}

async function watchAdvisor() {
  let turns;
  try {
    turns = await api(`/api/chat/${encodeURIComponent(sender)}/history`);
  } catch {
    return; // the next look will try again
  }
  for (const turn of turns) {
    if (isAdvisorTurn(turn) && (turn.timestamp || 0) > lastAdvisorTime) showAdvisor(turn);
  }
}

function showCustom(custom) {
  if (custom.kind === "handoff") followHandoff(custom.state);
  lastBot ||= view.botRow(null, null);
  if (custom.kind === "policy_answer" && Array.isArray(custom.citations)) {
    view.sources(lastBot, custom.citations);
  } else if (custom.kind === "eligibility_result" && Array.isArray(custom.benefit?.citations)) {
    view.sources(lastBot, custom.benefit.citations);
  } else if (custom.kind === "booking_confirmation") {
    view.bookingCard(lastBot, custom);
  }
}

// The spoken "出处：…" line that follows a policy answer: the page already
// shows those sources under the answer.
let spokenSource = null;

function showBot(message) {
  if (isAdvisorTurn(message)) {
    showAdvisor(message);
    return;
  }
  if (message.text && message.text === spokenSource) {
    spokenSource = null;
  } else if (message.text) {
    lastBot = view.botRow(message.text, speak);
  }
  if (message.custom) {
    spokenSource = message.custom.spoken_source || null;
    showCustom(message.custom);
  }
  if (message.buttons?.length) {
    view.quickReplies(message.buttons, (choice) => send(choice.payload, choice.title));
  }
}

let busy = false;

// One message at a time, so that replies stay in order and a double tap
// does not send twice. `shown` is what the person sees as their bubble
// (a button's title for its payload); null sends without a bubble.
// Resolves to whether the assistant answered.
async function send(message, shown) {
  if (busy) return false;
  busy = true;
  if (shown !== null) showUser(shown);
  const stopTyping = view.typing();
  try {
    const replies = await api("/api/chat", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sender, message }),
    });
    stopTyping();
    replies.forEach(showBot);
    // While an advisor holds the conversation the bot stays quiet; the
    // advisor's answer comes by watchAdvisor.
    if (replies.length === 0 && handoffState === "claimed") view.notice(ADVISOR_WILL_ANSWER);
    return true;
  } catch (error) {
    stopTyping();
    view.notice(error.message);
    return false;
  } finally {
    busy = false;
  }
}

// The conversation so far (it survives a reload); a first visit is greeted
// by the bot itself, buttons and all.
async function restore() {
  busy = true; // what is typed meanwhile waits in the box
  let turns;
  try {
    turns = await api(`/api/chat/${encodeURIComponent(sender)}/history`);
  } catch (error) {
    view.notice(error.message);
    return;
  } finally {
    busy = false;
  }
  if (turns.length === 0) {
    send("/greet", null);
    return;
  }
  for (const turn of turns) {
    if (turn.role === "user") showUser(turn.text);
    else showBot(turn);
  }
}

function setLarge(on) {
  document.documentElement.classList.toggle("large", on);
  document.getElementById("large-text").setAttribute("aria-pressed", String(on));
}

setLarge(remembered(LARGE_KEY) === "1");
document.getElementById("large-text").addEventListener("click", () => {
  const on = !document.documentElement.classList.contains("large");
  setLarge(on);
  remember(LARGE_KEY, on ? "1" : "0");
  // Bigger text pushes the latest message down; bring it back into view.
  document.getElementById("messages").lastElementChild?.scrollIntoView({ block: "end" });
});

const input = document.getElementById("message");
// Typed text is never lost: it stays in the box while a reply is on its
// way, and comes back to it when sending failed.
document.getElementById("composer").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text || busy) return;
  input.value = "";
  if (!(await send(text, text)) && !input.value) input.value = text;
});

// The answer to a spoken turn is played as soon as it arrives (the person
// just spoke and is listening); 重听 under it plays it again.
let playing = null;
function play(url) {
  playing?.pause();
  playing = new Audio(url);
  playing.play().catch(() => view.notice("声音没能自动播放，请点“重听”。"));
  view.replay(lastBot, () => play(url));
}

setupVoice(document.getElementById("talk"), {
  sender,
  api,
  heard: showUser,
  answered: (messages) => messages.forEach(showBot),
  played: play,
  notice: view.notice,
  typing: view.typing,
  busy: () => busy,
  setBusy: (value) => {
    busy = value;
  },
});

restore();
