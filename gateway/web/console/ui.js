// Small pieces the console's panels share: status lines, citations,
// region pickers, table cells, form values.
import { el } from "../dom.js";

export { button, el } from "../dom.js";

// The panel's status line (role=status): what is happening or went wrong.
export function say(panel, text, isError = false) {
  const line = panel.querySelector(".status");
  line.textContent = text;
  line.classList.toggle("error", isError);
}

// A citation: document, section, and where the lines are, with the quote.
export function citation(cite) {
  const node = el("details", "citation");
  const [first, last] = cite.lines;
  const lines = first === last ? `第${first}行` : `第${first}–${last}行`;
  node.append(el("summary", null, `《${cite.document}》${cite.section || ""}（${lines}）`));
  if (cite.quote || cite.text) node.append(el("blockquote", null, cite.quote || cite.text));
  node.append(el("p", "where", `文件 ${cite.source}`));
  return node;
}

// Every <select data-regions> gets the regions; a non-empty attribute value
// is the label of an extra first "any region" option.
export function fillRegions(root, regions) {
  for (const select of root.querySelectorAll("select[data-regions]")) {
    const any = select.dataset.regions;
    if (any) select.append(new Option(any, ""));
    for (const region of regions) select.append(new Option(region.name, region.name));
  }
}

export function row(cells) {
  const tr = el("tr");
  for (const cell of cells) {
    const td = el("td");
    if (cell instanceof Node) td.append(cell);
    else td.textContent = cell == null ? "" : String(cell);
    tr.append(td);
  }
  return tr;
}

// The form's filled-in fields as {name: value}.
export function values(form) {
  const result = {};
  for (const [name, value] of new FormData(form)) {
    if (typeof value === "string" && value.trim() !== "") result[name] = value.trim();
  }
  return result;
}

export function localTime(iso) {
  return iso ? new Date(iso).toLocaleString("zh-CN", { hour12: false }) : "";
}
