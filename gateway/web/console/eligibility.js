// 资格测算: a client's profile in, every benefit the documents describe out,
// each with its verdict, reasons and source. "不清楚" is sent as nothing:
// unknown is not "no", and the facts that would settle a 可能 are listed.
import { api } from "./api.js";
import { citation, el, say, values } from "./ui.js";

const VERDICTS = { eligible: "符合", maybe: "可能符合，还缺信息", not_eligible: "不符合" };

function profile(form) {
  const filled = values(form);
  for (const select of form.querySelectorAll("select[data-yes-no]")) {
    if (select.name in filled) filled[select.name] = filled[select.name] === "true";
  }
  if ("age" in filled) filled.age = Number(filled.age);
  return filled;
}

function benefit(result) {
  const card = el("article", `benefit ${result.status}`);
  card.append(el("h3", null, `${result.name}（${result.region}）`));
  card.append(el("p", "verdict", VERDICTS[result.status] || result.status));
  if (result.amount) card.append(el("p", "amount", `文件写明的标准：${result.amount}`));
  const reasons = el("ul", "reasons");
  for (const reason of result.reasons) reasons.append(el("li", null, reason));
  card.append(reasons);
  if (result.next_step) card.append(el("p", "next", `怎么办：${result.next_step}`));
  for (const cite of result.citations) card.append(citation(cite));
  return card;
}

export function setup(panel) {
  const form = panel.querySelector("form");
  const out = panel.querySelector("#eligibility-results");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    out.replaceChildren();
    say(panel, "正在测算…");
    try {
      const data = await api("/api/eligibility", { method: "POST", json: profile(form) });
      const yes = data.benefits.filter((b) => b.status === "eligible").length;
      say(panel, `${data.region}：符合${yes}项，共看了${data.benefits.length}项。`);
      if (data.missing.length) {
        const ask = el("section", "missing");
        ask.append(el("h3", null, "再问清这些，结果会更确定："));
        const list = el("ul");
        for (const item of data.missing) list.append(el("li", null, item.question));
        ask.append(list);
        out.append(ask);
      }
      // 符合 and 可能 first; the 不符合 ones (often most of them) fold away.
      const no = data.benefits.filter((b) => b.status === "not_eligible");
      for (const result of data.benefits) if (result.status !== "not_eligible") out.append(benefit(result));
      if (no.length) {
        const folded = el("details", "not-eligible");
        folded.append(el("summary", null, `不符合的${no.length}项（点开看原因）`));
        for (const result of no) folded.append(benefit(result));
        out.append(folded);
      }
    } catch (error) {
      say(panel, error.message, true);
    }
  });
}
