// 政策检索: full-text search over the policy documents, optionally in one region.
import { api, query } from "./api.js";
import { citation, el, say, values } from "./ui.js";

export function setup(panel) {
  const form = panel.querySelector("form");
  const results = panel.querySelector("#search-results");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    results.replaceChildren();
    say(panel, "正在检索…");
    try {
      const { q, region } = values(form);
      const data = await api(`/api/knowledge/search${query({ q, region, k: 10 })}`);
      say(panel, data.results.length ? `找到${data.results.length}条原文。` : "文件里没有找到相关内容。");
      for (const hit of data.results) {
        const item = el("li", "result");
        item.append(el("p", "passage", hit.text), citation(hit));
        results.append(item);
      }
    } catch (error) {
      say(panel, error.message, true);
    }
  });
}
