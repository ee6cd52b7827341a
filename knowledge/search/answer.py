"""Compose a short spoken answer from retrieved passages, or say honestly
that the documents do not answer the question.

Every sentence of an answer that states a fact is quoted verbatim from the
cited passage, so any number a caller hears is in the source line cited.
The framing around the quote ("赣州规划里写着：") carries no facts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from knowledge.citation import Citation
from knowledge.search.index import Hit
from knowledge.search.text import (
    AMOUNT,
    QUANTITY,
    asks_amount,
    asks_free,
    asks_quantity,
    childcare_only,
    colloquial,
    expand,
    words,
)

REFERRAL = "具体怎么办，请问当地民政部门、社区居委会或者养老顾问。"
# Details the documents (plans and opinions) never give; asking for them is
# answered with "the documents do not say" unless the passage really has it.
DETAIL_QUESTIONS = {
    "phone": (re.compile("电话|号码|热线|打给谁"), re.compile(r"\d{5,}")),
    "address": (
        re.compile("地址|在哪儿?办|去哪儿?办|哪里办|在哪里|门牌"),
        re.compile("地址|路\\d+号"),
    ),
    "deadline": (re.compile("截止|最晚|期限|过期|几号之前|哪天之前"), re.compile("截止|之前申请")),
    "materials": (
        re.compile("材料|手续|证件|带什么|带啥|哪里申请|去哪申请|在哪申请|找谁"),
        re.compile("材料|证件|手续"),
    ),
}
DETAIL_NAMES = {
    "phone": "电话号码",
    "address": "办理地址",
    "deadline": "截止时间",
    "materials": "怎么申请、要带什么材料",
}
BENEFIT_WORD = re.compile(
    "补贴|津贴|尊老金|保险|低保|最低生活保障|救助|补助|奖励|资金|公益金|收费|费用"
)
FREE = re.compile("免费|优惠|减免|打折")
GENERIC_WORDS = frozenset(
    "老人 老年 老年人 补贴 标准 每月 每年 每天 多少 多少钱 政府 钱 政策 服务 养老 国家 有关 规定"
    " 一个月 一年 能领 领 发 给 今年 现在 以后 具体 大概 一共 目标 要求 达到 到底 免费 不要钱"
    " 优惠 打折 补多少 要交 交钱 资助 每户 每张 每个 本地 以上 以下 及以上".split()
)
MIN_COVERAGE = 0.15
MAX_QUOTE_CHARS = 60  # about 15 seconds read slowly: what a caller can follow
MAX_CLAUSE_CHARS = 110  # a single clause may run longer rather than be cut
SENTENCES = re.compile(r"(?<=[。；！？])")
CLAUSE_BREAKS = re.compile(r"(?<=[，；：])")  # 、 joins items inside one clause


@dataclass(frozen=True)
class Answer:
    answer: str
    found: bool
    citations: list[Citation] = field(default_factory=list)


def content_words(question: str, regions: set[str]) -> set[str]:
    """The words that carry the question's meaning (no fillers, no places)."""
    return {
        w
        for w in words(expand(question))
        if len(w) >= 2 and w not in regions and not any(w in r for r in regions)
    }


def coverage(question_words: set[str], hit: Hit) -> float:
    if not question_words:
        return 0.0
    haystack = hit.best + hit.entry.section
    return sum(1 for w in question_words if w in haystack) / len(question_words)


def best_quote(text: str, question_words: set[str], avoid: re.Pattern[str] | None = None) -> str:
    """The sentence, or run of whole clauses, of `text` that best matches the
    question, verbatim. Clauses break at ，；： but never inside an
    enumeration (、), so a figure is never separated from what it is for.
    With `avoid`, nothing containing it is quoted (no figure is quoted right
    after saying the documents give none for this question)."""

    def score(piece: str) -> tuple[int, int]:
        return (sum(1 for w in question_words if w in piece), -len(piece))

    best, best_score = "", (0, 0)
    for sentence in SENTENCES.split(text):
        sentence = sentence.strip()
        if not sentence or childcare_only(sentence):
            continue
        clauses = [c for c in CLAUSE_BREAKS.split(sentence) if c]
        for start in range(len(clauses)):
            window = ""
            for clause in clauses[start:]:
                if window and len(window) + len(clause) > MAX_QUOTE_CHARS:
                    break
                window += clause
                if avoid is not None and avoid.search(window):
                    break
                if len(window) > MAX_CLAUSE_CHARS:
                    break
                candidate = window.strip("，；：")
                if score(candidate) > best_score:
                    best, best_score = candidate, score(candidate)
    return best


def cite(hit: Hit, quote: str) -> Citation:
    entry = hit.entry
    return Citation(
        entry.source, (entry.start_line, entry.end_line), entry.document, entry.section, quote
    )


def spoken(hit: Hit, quote: str) -> str:
    end = "" if quote.endswith(("。", "！", "？")) else "。"
    return f"{hit.entry.short_name}里写着：{quote}{end}"


def not_found(
    reason: str,
    hits: list[Hit] = (),
    question_words: set[str] = frozenset(),
    avoid: re.Pattern[str] | None = None,
) -> Answer:
    """Say what is missing, what the documents do say (without the kind of
    figure that was asked for), and where to ask; never a guess."""
    for hit in hits[:1]:
        quote = best_quote(hit.best, question_words, avoid=avoid)
        if quote:
            return Answer(f"{reason}{spoken(hit, quote)}{REFERRAL}", False, [cite(hit, quote)])
    return Answer(f"{reason}{REFERRAL}", False, [])


def anchored(sentence: str, anchor: re.Pattern[str], about: Callable[[str], bool]) -> str | None:
    """The clause of `sentence` holding `anchor` (an amount, a number, 免费),
    extended back to the clause naming what it is for, if that is what the
    question is `about`. A clause that names another benefit
    (…70元标准为…发放护理补贴) does not answer a question about 高龄津贴."""
    clauses = [c for c in CLAUSE_BREAKS.split(sentence) if c]
    for index, clause in enumerate(clauses):
        if not anchor.search(clause):
            continue
        start = index
        while start > 0 and not BENEFIT_WORD.search(clauses[start]):
            start -= 1
        window = "".join(clauses[start : index + 1])
        if about(window):
            return window.strip("，、；：")
    return None


def supported(
    relevant: list[Hit], anchor: re.Pattern[str], about: Callable[[str], bool]
) -> tuple[Hit, str] | None:
    for hit in relevant:
        for sentence in SENTENCES.split(hit.best):
            window = anchored(sentence.strip(), anchor, about)
            if window:
                return hit, window
    return None


def key_terms(question: str, places: set[str], rarity: Callable[[str], float | None]) -> set[str]:
    """What a figure in the answer must be about: the question's rarest word
    that the documents use (高龄津贴, 独生子女, 低保), with the policy terms
    it stands for. An amount next to any other benefit does not answer."""
    said = [phrase for phrase in colloquial() if phrase in question]
    # Colloquial phrases count by the policy terms they stand for.
    candidates = {
        w
        for w in [*words(question), *(t for p in said for t in colloquial()[p])]
        if len(w) >= 2
        and w not in GENERIC_WORDS
        and w not in places
        and not w.isdigit()
        and "岁" not in w
        and rarity(w) is not None
        and not any(w in p for p in said)
    }
    if not candidates:
        return set()
    key = max(candidates, key=lambda w: (rarity(w) or 0.0, len(w)))
    alternatives = {key}
    for phrase, terms in colloquial().items():
        if key in phrase or phrase in key:
            alternatives.update(terms)
    return alternatives


def compose(
    question: str, hits: list[Hit], regions: set[str], rarity: Callable[[str], float | None]
) -> Answer:
    question_words = content_words(question, regions)
    relevant = [h for h in hits[:3] if coverage(question_words, h) >= MIN_COVERAGE]
    if not relevant:
        return not_found("这个问题，文件里没有找到相关的规定。")

    for detail, (asked, present) in DETAIL_QUESTIONS.items():
        if asked.search(question) and not any(present.search(h.best) for h in relevant):
            return not_found(f"文件里没有写{DETAIL_NAMES[detail]}。", relevant, question_words)

    # Money and 免费 must sit with the question's key term, or they answer
    # another question (the 护理补贴 amounts next to 高龄津贴); a count must
    # share at least two words with the question (or its key term).
    key = key_terms(question, regions, rarity)
    loose = question_words - GENERIC_WORDS - {w for w in question_words if "岁" in w}

    def about_key(window: str) -> bool:
        return any(w in window for w in key)

    def about_question(window: str) -> bool:
        shared = sum(1 for w in loose if w in window)
        return about_key(window) or shared >= min(2, len(loose))

    checks = (
        (asks_amount(question), AMOUNT, about_key, "文件里没有写具体金额。"),
        (asks_free(question), FREE, about_key, "文件里没有说这一项免费或者优惠。"),
        (asks_quantity(question), QUANTITY, about_question, "文件里没有写具体数字。"),
    )
    for asked, anchor, about, missing in checks:
        if not asked:
            continue
        found = supported(relevant, anchor, about)
        if found is None:
            return not_found(missing, relevant, question_words, avoid=anchor)
        hit, quote = found
        return Answer(spoken(hit, quote), True, [cite(hit, quote)])

    top = relevant[0]
    quote = best_quote(top.best, question_words) or top.best
    citations = [cite(top, quote)]
    answer = spoken(top, quote)
    if len(relevant) > 1 and relevant[1].entry.source != top.entry.source:
        # A second document (e.g. Jiangsu's, for a 无锡 caller) adds to it.
        second = relevant[1]
        extra = best_quote(second.best, question_words)
        if extra and len(answer) + len(extra) < 200:
            citations.append(cite(second, extra))
            answer += spoken(second, extra)
    return Answer(answer, True, citations)
