"""Text analysis for retrieval: how questions and passages become terms.

Spoken Chinese questions rarely use the documents' words, so a question is
expanded with policy terms for colloquial phrases (瘫在床上 → 失能), Chinese
numerals are written as digits (八十岁 → 80岁), and terms are jieba words
(with the domain dictionary, search mode) plus character bigrams, which
match even where word segmentation differs.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import jieba
import yaml

from knowledge.zh.age import parse_age
from knowledge.zh.numerals import parse_int

KNOWLEDGE = Path(__file__).resolve().parent.parent
ROOT = KNOWLEDGE.parent
DICTIONARIES = [
    *sorted((ROOT / "nlu_data" / "jieba").glob("*.txt")),
    KNOWLEDGE / "data" / "policy_terms.txt",
]
COLLOQUIAL_FILE = KNOWLEDGE / "data" / "colloquial.yml"

AGE_BANDS = (60, 65, 70, 80, 90, 100)
AGE_HINT = re.compile("岁|了|今年|年纪|出生|生的|多大")
CHILDCARE = re.compile("托育|婴幼儿|育儿|幼儿|儿童|托幼|早教")
ELDERLY = re.compile("老|养老|失能|失智|护理|适老|助餐|特困")
CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
# Numerals before a unit become digits; 一个月/一年 stay words (they mean "per").
CHINESE_NUMBER = re.compile(
    "(?<![一])[零一二两三四五六七八九十百千万]{2,}(?=[岁周年%元户张人家所])|[二两三四五六七八九十](?=[岁周年%元户张人家所])"
)
STOPWORDS = frozenset(
    """的 了 是 在 有 和 与 及 等 或 我 俺 咱 咱们 我们 你 你们 您 他
    她 它 他们 啥 什么 怎么 咋 咋样 怎么样 吗 呢 吧 啊 呀 嘛 哩 哇
    那个 就是 这个 那 这 一下 能 能不能 可以 可不可以 有没有 没有 没
    多少 哪些 哪个 如何 给 对 都 也 还 要 想 问 问问 请问 一个 个 又
    就 让 被 把 说 讲 里 上 下 中 那边 这边 现在 知道 是不是 不 会
    得 地 着 过 么 嗯 哦 喂 好 行 那里 这里 多 少 一些 些""".split()
)


@lru_cache(maxsize=1)
def tokenizer() -> jieba.Tokenizer:
    jieba.setLogLevel(60)
    tok = jieba.Tokenizer()
    for path in DICTIONARIES:
        tok.load_userdict(str(path))
    return tok


@lru_cache(maxsize=1)
def colloquial() -> dict[str, tuple[str, ...]]:
    raw = yaml.safe_load(COLLOQUIAL_FILE.read_text(encoding="utf-8"))
    return {phrase: tuple(terms) for phrase, terms in raw.items()}


def normalise_numbers(text: str) -> str:
    """八十岁 → 80岁, 一千二百元 → 1200元 (only numerals followed by a unit)."""

    def repl(match: re.Match[str]) -> str:
        value = parse_int(match.group(0))
        return str(value) if value is not None else match.group(0)

    return CHINESE_NUMBER.sub(repl, text)


SPOKEN_PERIODS = (("一个月", "每月"), ("一年", "每年"), ("一天", "每天"))


def expand(question: str, current_year: int = 2026) -> str:
    """The question plus the policy terms its colloquial phrases stand for,
    and the age bands a stated age falls in (俺娘八十一了 → 80岁以上)."""
    extra = [term for phrase, terms in colloquial().items() if phrase in question for term in terms]
    extra += [policy for spoken, policy in SPOKEN_PERIODS if spoken in question]
    age = parse_age(question, current_year) if AGE_HINT.search(question) else None
    if age is not None and age.minimum >= 50:
        extra += [f"{band}岁以上" for band in AGE_BANDS if age.minimum >= band]
        extra += ["高龄"] if age.minimum >= 80 else []
    return " ".join([question, *extra])


COUNTERS = "户张个人名所家处天次年"
AMOUNT_QUESTION = re.compile(
    "多少钱|多少元|几块|几百块|几千块|标准是多少|涨了?多少|"
    f"(给|发|补|领|交|拿|报)(了)?多少(?![{COUNTERS}])|"
    f"(一个月|每个月|每月|一年|每年)(能|有|给|发|补|领|交)?多少(?![{COUNTERS}])"
)
QUANTITY_QUESTION = re.compile(f"多少[{COUNTERS}万]|(?<!好)几[{COUNTERS}]|比例|占比|百分之")
FREE_QUESTION = re.compile("免费|不要钱|打折|优惠|减免")
DEFINITION_QUESTION = re.compile("是什么意思|啥意思|是什么|是啥|指什么|指的是|什么叫|啥叫")
AMOUNT = re.compile(r"\d+(?:\.\d+)?\s*(?:元|万元)")
DIGIT = re.compile(r"\d")
QUANTITY = re.compile(
    r"\d+(?:\.\d+)?\s*(?:%|‰|人次|[个户张人名所家处天次万亿倍项元])|(?:目标|现状值)\s*[≥≤＞<>]?\s*\d"
)
# Glossary entries read "X：指…" or "8.四助五有：助餐、…".
DEFINITION = re.compile(r"：指|是指|^\d{1,2}[.．][^：。]{1,20}：")


def asks_amount(question: str) -> bool:
    return bool(AMOUNT_QUESTION.search(normalise_numbers(question)))


def asks_definition(question: str) -> bool:
    return bool(DEFINITION_QUESTION.search(question))


def asks_free(question: str) -> bool:
    return bool(FREE_QUESTION.search(question))


def asks_quantity(question: str) -> bool:
    return bool(QUANTITY_QUESTION.search(question))


def bigrams(text: str) -> list[str]:
    grams: list[str] = []
    for run in CJK_RUN.findall(text):
        grams.extend(run[i : i + 2] for i in range(len(run) - 1))
    return grams


def words(text: str) -> list[str]:
    return [
        w
        for w in tokenizer().cut_for_search(text)
        if w.strip() and w not in STOPWORDS and not re.fullmatch(r"\W+", w)
    ]


def terms(text: str) -> list[str]:
    """Index terms of a passage or an (already expanded) question."""
    text = normalise_numbers(text)
    return words(text) + ["§" + g for g in bigrams(text) if not _stop_bigram(g)]


def _stop_bigram(gram: str) -> bool:
    return gram[0] in STOPWORDS and gram[1] in STOPWORDS


def plain_terms(text: str) -> list[str]:
    """The baseline's analysis: jieba's default dictionary, words only."""
    return [w for w in jieba.lcut(text) if w.strip() and not re.fullmatch(r"\W+", w)]


def childcare_only(text: str) -> bool:
    """Text about 托育 alone (Jiangsu's 一老一小 document): not elderly care."""
    return bool(CHILDCARE.search(text)) and not ELDERLY.search(text)
