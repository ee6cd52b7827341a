// 地区对比: the same topic in two regions' own documents, side by side.
import { api, query } from "./api.js";
import { citation, el, say, values } from "./ui.js";

export function setup(panel, { regions }) {
  const form = panel.querySelector("form");
  const columns = panel.querySelector("#compare-columns");
  if (regions.length > 1) form.second.value = regions[1].name;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    columns.replaceChildren();
    const { topic, first, second } = values(form);
    if (first === second) {
      say(panel, "请选两个不同的地区。", true);
      return;
    }
    say(panel, "正在对比…");
    try {
      const data = await api(
        `/api/knowledge/compare${query({ topic, regions: `${first},${second}`, k: 3 })}`,
      );
      say(panel, `“${data.topic}”在两地文件里的原文：`);
      for (const column of data.regions) {
        const box = el("section", "column");
        box.setAttribute("aria-label", column.region);
        box.append(el("h3", null, column.region));
        if (!column.results.length) box.append(el("p", "empty", "这个地区的文件里没有找到相关内容。"));
        for (const hit of column.results) box.append(el("p", "passage", hit.text), citation(hit));
        columns.append(box);
      }
    } catch (error) {
      say(panel, error.message, true);
    }
  });
}
