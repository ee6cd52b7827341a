// Draws the conversation. Every piece of text goes in through textContent
// (el() from dom.js), never innerHTML: nothing a person types or the bot
// says can ever become markup.
import { button, el } from "./dom.js";

const messages = document.getElementById("messages");

const STATUS_TITLES = { confirmed: "预约成功", cancelled: "预约已取消" };
const PHONE = /^[0-9+\-\s()]{3,20}$/;


function reveal(node) {
  node.scrollIntoView({ block: "end" });
}

function show(node) {
  messages.append(node);
  reveal(node);
}

function avatar(letter = "银") {
  const node = el("div", "avatar", letter);
  node.setAttribute("aria-hidden", "true");
  return node;
}

export function userBubble(text) {
  const row = el("div", "row user");
  row.append(el("div", "bubble", text));
  show(row);
}

// A bot row with the avatar; returns the column that holds the bubble and
// anything shown under it (sources, a booking card).
export function botRow(text, speak) {
  const row = el("div", "row bot");
  const stack = el("div", "stack");
  if (text) {
    const line = el("div", "line");
    line.append(el("div", "bubble", text));
    if (speak) {
      line.append(button("speak", "朗读", () => speak(text)));
    }
    stack.append(line);
  }
  row.append(avatar(), stack);
  show(row);
  return stack;
}

// A message from the 养老顾问 who took over: their own avatar and name,
// so nobody mistakes a person for the bot or the bot for a person.
export function advisorRow(text, advisor, speak) {
  const stack = botRow(null, null);
  const row = stack.parentElement;
  row.classList.add("advisor");
  row.firstElementChild.replaceWith(avatar("顾"));
  stack.append(el("p", "who", `养老顾问 ${advisor}`));
  const line = el("div", "line");
  line.append(el("div", "bubble", text));
  if (speak) line.append(button("speak", "朗读", () => speak(text)));
  stack.append(line);
  reveal(line);
  return stack;
}

// One expandable source per citation: "来源：《文件》章节", opening to the
// quoted text and where it stands in the file.
export function sources(stack, citations) {
  for (const citation of citations) {
    const details = el("details", "source");
    const section = (citation.section || "").split(" > ").pop();
    details.append(el("summary", null, `来源：《${citation.document}》${section}`));
    details.append(el("blockquote", null, citation.quote));
    const [first, last] = citation.lines;
    const lines = first === last ? `原文第${first}行` : `原文第${first}到${last}行`;
    const where = [citation.section, `${lines}（文件 ${citation.source}）`];
    details.append(el("p", "where", where.filter(Boolean).join("，")));
    stack.append(details);
    reveal(details);
  }
}

// 重听: the spoken answer again, under the bot's last message.
export function replay(stack, play) {
  if (!stack) return;
  stack.querySelector(".replay")?.remove();
  stack.append(button("speak replay", "重听", play));
}

export function bookingCard(stack, booking) {
  const card = el("section", "card");
  card.setAttribute("aria-label", "预约单");
  card.append(
    el("h2", null, STATUS_TITLES[booking.status] || "预约单"),
    el("p", null, "预约号"),
    el("p", "reference", booking.reference),
    el("p", null, booking.summary),
  );
  // The summary names the provider; its phone becomes a big call button.
  const phone = booking.provider?.phone;
  if (phone && PHONE.test(phone)) {
    const call = el("a", "call", "打电话");
    call.append(el("span", "number", phone)); // wraps before the number, never inside it
    call.href = `tel:${phone.replace(/[^0-9+]/g, "")}`;
    card.append(call);
  }
  stack.append(card);
  reveal(card);
}

// Rasa's buttons as big quick replies under the last bot message.
export function quickReplies(choices, choose) {
  const group = el("div", "quick-replies");
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", "可以直接点");
  for (const choice of choices) {
    group.append(button(null, choice.title, () => choose(choice)));
  }
  show(group);
}

// Buttons already answered go away, so an old choice is not tapped by mistake.
export function clearQuickReplies() {
  for (const group of messages.querySelectorAll(".quick-replies")) group.remove();
}

export function notice(text) {
  const row = el("div", "row system");
  row.append(el("p", "notice", text));
  show(row);
}

// "正在输入…" while the bot thinks; returns the function that removes it.
export function typing() {
  const row = el("div", "row bot typing");
  const bubble = el("div", "bubble", "正在输入");
  for (let i = 0; i < 3; i += 1) bubble.append(el("span", "dot", "."));
  row.append(avatar(), bubble);
  show(row);
  return () => row.remove();
}
