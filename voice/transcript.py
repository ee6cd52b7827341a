"""Stage 2 of a spoken turn: a recogniser's raw text → what the dialogue reads.

Recognisers write Chinese their own way: Vosk puts spaces between words,
Whisper may answer in traditional characters, split a phone number into
groups, use full-width digits, or, on silence, "hear" a sentence it was
trained on (subtitle credits). The NLU was trained on simplified text
written as people type it, with numbers either as digits or in characters
(both are in its data), so numbers are left as they were said.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from opencc import OpenCC

CJK = r"\u3400-\u9fff"
# Spaces between Chinese characters, or between Chinese and a digit: word
# boundaries a recogniser added, not pauses a person typed.
_CJK_SPACE = re.compile(rf"(?<=[{CJK}])\s+(?=[{CJK}0-9])|(?<=[0-9])\s+(?=[{CJK}])")
# 139 1234 5678, 139-1234-5678: a mobile number said in groups (a date
# such as 2026-12-03 is left alone).
_MOBILE_GROUPS = re.compile(r"(?<!\d)(1\d{2})[\s\-–—]+(\d{4})[\s\-–—]+(\d{4})(?!\d)")
_SPACES = re.compile(r"\s+")
# Whisper's ASCII punctuation inside Chinese, written as people type it.
_FULL_WIDTH_PUNCTUATION = {",": "，", "?": "？", "!": "！", ";": "；", ":": "："}
_ASCII_PUNCTUATION = re.compile(rf"(?<=[{CJK}])\s*([,?!;:])\s*")
# What Whisper writes for silence or noise in Chinese: credits and sign-offs
# from the subtitles it was trained on. A transcript that is only this
# (and punctuation) was never said.
HALLUCINATIONS = (
    "字幕由Amara.org社区提供",
    "由Amara.org社区提供的字幕",
    "请不吝点赞 订阅 转发 打赏支持明镜与点点栏目",
    "谢谢观看",
    "感谢观看",
    "字幕志愿者",
    "中文字幕",
)
# A recogniser stuck in a loop (这位置，这位置，这位置 …, 重庆是………) said it
# once; a token cut inside a character leaves U+FFFD. Only Chinese phrases
# collapse: 13912121212 is a phone number, not a loop.
_LOOP = re.compile(rf"([{CJK}]{{2,8}}?)(?:[，,、\s]?\1){{2,}}")
_TRAILING_RUN = re.compile(r"[…．.。~～·]{3,}$")
_PUNCTUATION = re.compile(r"[\s，。！？、,.!?…~～\-—]+")
_HALLUCINATED = frozenset(_PUNCTUATION.sub("", h) for h in HALLUCINATIONS)


@lru_cache(maxsize=1)
def _to_simplified() -> OpenCC:
    return OpenCC("t2s")


def _half_width(text: str) -> str:
    """Full-width digits, letters and spaces → ASCII; Chinese punctuation stays."""
    return "".join(
        unicodedata.normalize("NFKC", ch) if "\uff10" <= ch <= "\uff5a" or ch == "\u3000" else ch
        for ch in text
    )


def bare(text: str) -> str:
    """The text without punctuation or spaces: the words as they are said."""
    return _PUNCTUATION.sub("", text)


def is_hallucination(text: str) -> bool:
    return bare(text) in _HALLUCINATED


def clean_transcript(text: str) -> str:
    """The text the dialogue layer should read; "" when nothing was said."""
    text = _to_simplified().convert(_half_width(text)).replace("\ufffd", "")
    text = _TRAILING_RUN.sub("", _LOOP.sub(r"\1", text))
    text = _MOBILE_GROUPS.sub(r"\1\2\3", text)
    text = _CJK_SPACE.sub("", text)
    text = _ASCII_PUNCTUATION.sub(lambda m: _FULL_WIDTH_PUNCTUATION[m.group(1)], text)
    text = _SPACES.sub(" ", text).strip()
    return "" if is_hallucination(text) else text
