"""The 适老化 figures measured in a real browser: text size, contrast and
touch-target size of everything drawn on a page, against 工业和信息化部
《互联网网站适老化通用设计规范》(2021)."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page

# 工业和信息化部 适老化 guidance (2021): text ≥ 18px, contrast ≥ 4.5:1, and big
# touch targets; WCAG's 44 CSS px is the floor, this page aims at 48 or more.
MIN_FONT_PX = 18
LARGE_MODE_FONT_PX = 24
MIN_CONTRAST = 4.5
MIN_TARGET_PX = 48

# Every visible element with text of its own (its size, colour and the first
# opaque background behind it), the text box's placeholder, and the size of
# everything that can be tapped.
MEASURE = """() => {
  const visible = (el) => el.getClientRects().length > 0;
  const background = (el) => {
    for (let node = el; node; node = node.parentElement) {
      const colour = getComputedStyle(node).backgroundColor;
      if (!/^rgba\\(.*, 0\\)$/.test(colour)) return colour;
    }
    return "rgb(255, 255, 255)";
  };
  const ownText = (el) => [...el.childNodes].some(
    (n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
  const texts = [...document.body.querySelectorAll("*")]
    .filter((el) => ownText(el) && visible(el))
    .map((el) => ({
      text: el.textContent.trim().slice(0, 24),
      size: parseFloat(getComputedStyle(el).fontSize),
      colour: getComputedStyle(el).color,
      background: background(el),
    }));
  for (const input of document.querySelectorAll("input[placeholder], textarea[placeholder]")) {
    if (!visible(input)) continue;
    texts.push({
      text: `placeholder of ${input.name || input.id}`,
      size: parseFloat(getComputedStyle(input).fontSize),
      colour: getComputedStyle(input, "::placeholder").color,
      background: background(input),
    });
  }
  const targets = [...document.querySelectorAll("button, a, summary, input, select, textarea")]
    .filter(visible)
    .map((el) => {
      const box = el.getBoundingClientRect();
      return { text: (el.textContent || el.id).trim().slice(0, 24),
               width: box.width, height: box.height };
    });
  return { texts, targets };
}"""

RGB = re.compile(r"rgba?\((\d+), (\d+), (\d+)")


def luminance(colour: str) -> float:
    """Relative luminance of a computed CSS colour (WCAG 2 definition)."""
    match = RGB.match(colour)
    assert match, colour
    srgb = [int(channel) / 255 for channel in match.groups()]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in srgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground: str, background: str) -> float:
    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def assert_elderly_friendly(page: Page, min_font_px: float) -> dict[str, float]:
    """Measure the page as drawn; return the smallest figures found."""
    measured: dict[str, list[dict[str, Any]]] = page.evaluate(MEASURE)
    texts, targets = measured["texts"], measured["targets"]
    small = [t for t in texts if t["size"] < min_font_px]
    assert not small, small
    pale = [t for t in texts if contrast(t["colour"], t["background"]) < MIN_CONTRAST]
    assert not pale, pale
    tiny = [t for t in targets if min(t["width"], t["height"]) < MIN_TARGET_PX]
    assert not tiny, tiny
    return {
        "font": min(t["size"] for t in texts),
        "contrast": min(contrast(t["colour"], t["background"]) for t in texts),
        "target": min(min(t["width"], t["height"]) for t in targets),
    }
