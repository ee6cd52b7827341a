"""Stage 4 of a spoken turn: undo a recogniser's slips on the domain's words.

Whisper base and Vosk write what they hear with the characters they know
best: 感州 for 赣州, 施能 for 失能, 護力不貼 for 护理补贴, 店一份 for 订一份.
The NLU never learnt those spellings, so the turn fails on one character.
This stage reads `clean_transcript`'s output (simplified, no spaces between
Chinese words) and replaces a window of Chinese characters with a term of
the same length only when all of these hold:

1. it sounds alike: the same syllables up to tones or a sound that accents
   and recognisers confuse (z/zh, n/l, f/h, an/ang, in/ing, ian/ing …),
   within a budget that grows with the term's length, and at most half the
   characters change; a numeral heard never changes (三号, 幺三九 are data);
2. the window is not a word as heard (无息, 助残 stay), does not cut through
   a word or a term said right (两江备区 keeps 两江), and what would change
   is not already words as heard: 是能 are two everyday words (我是能自己
   吃饭的), 现 is part of 现在 (信丰现在), while 施 of 施能, 感 of 感州 and
   店 of 店一份 are none of these;
3. the text reads clearly better with the term: jieba's unigram model of the
   whole stretch, with the vocabulary added, gains more than a margin that
   is widest for two-character terms and grows with the sound difference.

The vocabulary is data: the region gazetteer, the service and benefit
catalogues and the policy terms of knowledge/, plus the booking phrases and
the right-as-heard words of voice/data/spoken_terms.yml; a term made of
everyday words (去吃) is kept where said but is never a fix. Text outside
runs of Chinese characters (digits, letters, references, dates) is never
touched.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jieba
import yaml
from pypinyin import Style, lazy_pinyin, pinyin

from knowledge.booking.catalogue import services
from knowledge.eligibility.catalogue import benefits
from knowledge.regions import gazetteer
from knowledge.search.text import tokenizer

ROOT = Path(__file__).resolve().parent.parent
POLICY_TERMS_FILE = ROOT / "knowledge" / "data" / "policy_terms.txt"
SPOKEN_TERMS_FILE = Path(__file__).resolve().parent / "data" / "spoken_terms.yml"

CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_AGE_PREFIX = re.compile(r"^\d+周?岁以上")  # 80周岁以上老年人尊老金 → 老年人尊老金
# A numeral heard is never rewritten: 三号, 幺三九 and amounts are the caller's
# data (even at the price of 十柱土家族自治县 staying as heard).
NUMERALS = frozenset("零〇一二两三四五六七八九十百千万亿幺")

TONE_COST = 0.5  # 感州 gan3 → 赣州 gan4: the commonest slip, and cheap
FUZZY_COST = 1.0  # 店 dian → 订 ding: a different sound, an accent's or the model's
# Sound budget by term length: half a tone per character beyond the first,
# so 2 characters allow one tone, 3 one fuzzy sound, 4 two tones …
BUDGET_PER_CHAR = 0.5
# Reading gain (natural log of the unigram probability ratio) a fix needs:
# a margin that is widest for short terms, whose sound matches by chance
# (我会唱 gains 5.2 as 我会昌, 施能 → 失能 6.5), plus more per unit of sound
# difference.
MIN_GAIN = {2: 5.5, 3: 4.5}
MIN_GAIN_LONG = 3.5
GAIN_PER_COST = 2.0
# A single character this frequent in jieba's dictionary is an everyday word
# (是, 能, 去, 县, 主 of 主餐, 重 of 重情重义): right as heard, unless a long
# term sounds alike. 感 (5722), 施 (2857) and 店 (3417) are not.
COMMON_FREQ = 10000
SHORT_TERM = 3  # up to this length, everyday characters hold a fix back
# Frequency the project's jieba dictionaries give domain terms
# (policy_terms.txt): a term is as common as an ordinary noun.
TERM_FREQ = 3000

_INITIALS = ("zh", "ch", "sh", *"bpmfdtnlgkhjqxrzcsyw")
_FUZZY_INITIALS = frozenset(
    frozenset(pair) for pair in (("z", "zh"), ("c", "ch"), ("s", "sh"), ("n", "l"), ("f", "h"))
)
_FUZZY_FINALS = frozenset(
    frozenset(pair)
    for pair in (
        ("an", "ang"),
        ("en", "eng"),
        ("in", "ing"),
        ("ian", "iang"),
        ("uan", "uang"),
        ("ian", "ing"),
    )
)
# Bucket keys: every fuzzy pair above maps to one key, so a window finds the
# terms it might match with one dictionary look-up per reading.
_KEY_INITIAL = {"zh": "z", "ch": "c", "sh": "s", "l": "n", "h": "f"}
_KEY_FINAL = {"ang": "an", "eng": "en", "ing": "in", "iang": "in", "ian": "in", "uang": "uan"}


@dataclass(frozen=True)
class Fix:
    """One replacement: where, what was heard, what was meant, and why."""

    start: int  # index into the text given to `corrections`
    end: int
    original: str
    replacement: str
    cost: float  # sound difference (tones and fuzzy sounds)
    gain: float  # how much more likely the text reads with the term (log)


@dataclass(frozen=True)
class _Term:
    text: str
    syllables: tuple[str, ...]  # TONE3, neutral tone 5, as the term is read


@dataclass(frozen=True)
class Vocabulary:
    terms: frozenset[str]  # every term: a word of the heard text where said
    target_lengths: tuple[int, ...]  # of terms a fix may produce, longest first
    by_key: dict[tuple[int, str], tuple[_Term, ...]]  # (length, first sound key)
    by_char: dict[tuple[int, str], tuple[_Term, ...]]  # (length, first character)
    prefixes: frozenset[str]  # of terms, for the unigram model's word lattice
    keep: frozenset[str] = frozenset()  # right as heard, though jieba lacks them


@lru_cache(maxsize=4096)
def _split(syllable: str) -> tuple[str, str, str]:
    tone = syllable[-1] if syllable[-1:].isdigit() else "5"
    base = syllable.rstrip("012345")
    initial = next((i for i in _INITIALS if base.startswith(i)), "")
    return initial, base[len(initial) :], tone


def _key(syllable: str) -> str:
    initial, final, _ = _split(syllable)
    return _KEY_INITIAL.get(initial, initial) + _KEY_FINAL.get(final, final)


@lru_cache(maxsize=65536)
def _syllable_cost(heard: str, meant: str) -> float:
    """How far two readings are apart; inf if not a plausible slip."""
    if heard == meant:
        return 0.0
    hi, hf, ht = _split(heard)
    mi, mf, mt = _split(meant)
    cost = 0.0
    if hi != mi:
        if frozenset((hi, mi)) not in _FUZZY_INITIALS:
            return math.inf
        cost += FUZZY_COST
    if hf != mf:
        if frozenset((hf, mf)) not in _FUZZY_FINALS or cost:
            return math.inf  # two different sounds in one syllable: another word
        cost += FUZZY_COST
    return cost + (TONE_COST if ht != mt else 0.0)


@lru_cache(maxsize=65536)
def _readings(char: str) -> tuple[str, ...]:
    """A character's two commonest readings: the recogniser chose it by sound,
    and either may be the sound it heard (重 zhong4/chong2, 长 zhang3/chang2);
    rarer ones (潭 xun2) would only make chance matches."""
    readings = pinyin(char, style=Style.TONE3, heteronym=True, neutral_tone_with_five=True)[0]
    return tuple(readings[:2])


@lru_cache(maxsize=65536)
def _keys(char: str) -> tuple[str, ...]:
    """The bucket keys of a heard character's readings."""
    return tuple(dict.fromkeys(_key(r) for r in _readings(char)))


def _char_cost(heard: str, meant: str, meant_syllable: str) -> float:
    if heard == meant:
        return 0.0
    return min(_syllable_cost(r, meant_syllable) for r in _readings(heard))


def _region_terms() -> Iterator[str]:
    for region in gazetteer().regions:
        yield from region.surface_forms()


def _service_terms() -> Iterator[str]:
    for service in services():
        yield from (service.name, *service.aliases)


def _benefit_terms() -> Iterator[str]:
    """Benefit names have no aliases: their Chinese stretches are the terms
    (老年助餐（配餐、就餐、送餐） → 老年助餐, 配餐 …), and so are the values of
    their conditions (特困, 低保, 失能) and their assessments (能力评估)."""
    for benefit in benefits():
        yield from CJK_RUN.findall(_AGE_PREFIX.sub("", benefit.name))
        if benefit.assessment:
            yield benefit.assessment
        for condition in benefit.conditions:
            yield from (v for v in condition.allowed or () if isinstance(v, str))


def _policy_terms() -> Iterator[str]:
    for line in POLICY_TERMS_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip():
            yield line.split()[0]


@lru_cache(maxsize=1)
def _spoken() -> dict[str, list[str]]:
    return yaml.safe_load(SPOKEN_TERMS_FILE.read_text(encoding="utf-8"))


def _everyday_phrase(term: str) -> bool:
    """A phrase of everyday words (去吃 = 去 + 吃, 送到家 = 送到 + 家) is written
    right by any recogniser, and a window that sounds like it is more likely
    other everyday words (我去迟了) than a slip: no fix targets it. Place
    names are exempt: 万州 = 万 + 州 is still a name a recogniser misspells."""
    table = _jieba().FREQ
    n = len(term)
    # split[j]: term[:j] is a sequence of everyday words (two or more in all)
    split = [True] + [False] * n
    for j in range(1, n + 1):
        split[j] = any(
            split[i] and j - i < n and table.get(term[i:j], 0) >= COMMON_FREQ for i in range(j)
        )
    return split[n]


def build_vocabulary(
    words: Iterable[str], names: Iterable[str] = (), keep: Iterable[str] = ()
) -> Vocabulary:
    """Index the terms (`names`: place names) by length and first sound, with
    their pinyin precomputed."""
    places = {w for w in names if len(w) >= 2 and CJK_RUN.fullmatch(w)}
    terms = places | {w for w in words if len(w) >= 2 and CJK_RUN.fullmatch(w)}
    by_key: dict[tuple[int, str], list[_Term]] = {}
    by_char: dict[tuple[int, str], list[_Term]] = {}
    targets = sorted(t for t in terms if t in places or not _everyday_phrase(t))
    for text in targets:
        syllables = tuple(lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True))
        term = _Term(text, syllables)
        by_key.setdefault((len(text), _key(syllables[0])), []).append(term)
        by_char.setdefault((len(text), text[0]), []).append(term)
    return Vocabulary(
        terms=frozenset(terms),
        target_lengths=tuple(sorted({len(t) for t in targets}, reverse=True)),
        by_key={k: tuple(v) for k, v in by_key.items()},
        by_char={k: tuple(v) for k, v in by_char.items()},
        prefixes=frozenset(t[:i] for t in terms for i in range(1, len(t) + 1)),
        keep=frozenset(keep),
    )


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The domain vocabulary, read once from the project's data files."""
    return build_vocabulary(
        [*_service_terms(), *_benefit_terms(), *_policy_terms(), *_spoken()["terms"]],
        names=_region_terms(),
        keep=_spoken()["keep"],
    )


def _jieba() -> jieba.Tokenizer:
    """What counts as a word: jieba's main dictionary with the project's own
    (nlu_data/jieba, policy terms), the instance retrieval already holds, so
    the answer does not depend on what else loaded words into jieba."""
    return tokenizer()


def _freq(word: str, vocab: Vocabulary) -> int:
    freq = _jieba().FREQ.get(word) or 0
    return max(freq, TERM_FREQ) if word in vocab.terms else freq


def _segment(run: str, vocab: Vocabulary) -> tuple[float, list[str]]:
    """Best segmentation and its log probability under jieba's unigram model
    with the vocabulary added (jieba's own DAG and `calc`, in one pass)."""
    freq_table = _jieba().FREQ
    log_total = math.log(_jieba().total)
    best: list[tuple[float, int]] = [(0.0, 0)] * (len(run) + 1)
    for i in range(len(run) - 1, -1, -1):
        score, end = -math.inf, i + 1
        for j in range(i + 1, len(run) + 1):
            word = run[i:j]
            if j > i + 1 and word not in freq_table and word not in vocab.prefixes:
                break
            freq = _freq(word, vocab)
            if (freq or j == i + 1) and math.log(freq or 1) - log_total + best[j][0] > score:
                score, end = math.log(freq or 1) - log_total + best[j][0], j
        best[i] = (score, end)
    words, i = [], 0
    while i < len(run):
        words.append(run[i : best[i][1]])
        i = best[i][1]
    return best[0][0], words


@dataclass(frozen=True)
class _Reading:
    """How the heard text segments, and how well each character reads as it is:
    2 inside a word (福利 of 福利补贴, 现在 of 信丰现在, 无锡 of 无锡是), 1 an
    everyday word on its own (是 of 是能), 0 neither (施 of 施能, 感 of 感州)."""

    fine: list[int]
    word_start: list[int]  # of the word each character belongs to
    word_end: list[int]
    log_prob: float

    def cuts(self, start: int, end: int) -> bool:
        """A window [start, end) splits a heard word or term (江北区 would split
        两江 of 两江备区, 彭水 would split 水中 of 鹏水中)."""
        return self.word_start[start] < start or self.word_end[end - 1] > end

    def as_heard(self, positions: Iterable[int], short: bool) -> bool:
        """The characters read fine as heard: each in a word, or, for a short
        term, an everyday word. A four-character sound match outweighs
        everyday words (护力不贴: 力 and 不 are words, 护理补贴 was said)."""
        return all(self.fine[k] >= (1 if short else 2) for k in positions)


def _read(run: str, vocab: Vocabulary) -> _Reading:
    table = _jieba().FREQ
    log_prob, words = _segment(run, vocab)
    fine: list[int] = []
    word_start: list[int] = []
    word_end: list[int] = []
    for word in words:
        if len(word) > 1:
            level = 2 if table.get(word) or word in vocab.terms or word in vocab.keep else 0
        else:
            level = 1 if table.get(word, 0) >= COMMON_FREQ else 0
        start = len(fine)
        fine += [level] * len(word)
        word_start += [start] * len(word)
        word_end += [start + len(word)] * len(word)
    return _Reading(fine, word_start, word_end, log_prob)


def _sound_cost(window: str, term: _Term, budget: float) -> tuple[float, list[int]]:
    """Sound difference and the changed characters' offsets; inf if over budget."""
    cost, changed = 0.0, []
    for k, (heard, meant, syllable) in enumerate(
        zip(window, term.text, term.syllables, strict=True)
    ):
        if heard != meant:
            if heard in NUMERALS:
                return math.inf, []
            changed.append(k)
        cost += _char_cost(heard, meant, syllable)
        if cost > budget:
            return math.inf, []
    return cost, changed


def _candidates(window: str, vocab: Vocabulary) -> Iterator[_Term]:
    """Terms of the window's length that may sound like it, each once."""
    n = len(window)
    seen: set[str] = set()
    buckets = [vocab.by_char.get((n, window[0]), ())]
    buckets += [vocab.by_key.get((n, key), ()) for key in _keys(window[0])]
    for bucket in buckets:
        for term in bucket:
            if term.text not in seen:
                seen.add(term.text)
                yield term


def _run_fixes(run: str, offset: int, vocab: Vocabulary) -> list[Fix]:
    """Every acceptable fix in one stretch of Chinese characters."""
    words = _jieba().FREQ
    reading: _Reading | None = None
    found: list[Fix] = []
    for n in vocab.target_lengths:
        budget = BUDGET_PER_CHAR * (n - 1)
        for i in range(len(run) - n + 1):
            window = run[i : i + n]
            if window in vocab.terms or window in vocab.keep or words.get(window):
                continue  # a term or a word as heard
            for term in _candidates(window, vocab):
                cost, changed = _sound_cost(window, term, budget)
                if cost > budget or len(changed) > n // 2:
                    continue
                if reading is None:
                    reading = _read(run, vocab)
                if reading.cuts(i, i + n):
                    break  # the window splits a word or term the caller said
                if reading.as_heard((i + k for k in changed), short=n <= SHORT_TERM):
                    continue  # what this term would change reads fine as heard
                gain = _segment(run[:i] + term.text + run[i + n :], vocab)[0] - reading.log_prob
                if gain >= MIN_GAIN.get(n, MIN_GAIN_LONG) + GAIN_PER_COST * cost:
                    found.append(Fix(offset + i, offset + i + n, window, term.text, cost, gain))
    return found


def corrections(text: str) -> list[Fix]:
    """The fixes `correct` makes, in text order: longest terms first, then
    the closest sound, then the biggest gain; fixes never overlap."""
    vocab = vocabulary()
    found: list[Fix] = []
    for match in CJK_RUN.finditer(text):
        found += _run_fixes(match.group(), match.start(), vocab)
    found.sort(key=lambda f: (-(f.end - f.start), f.cost, -f.gain, f.start))
    chosen: list[Fix] = []
    for fix in found:
        if all(fix.end <= c.start or c.end <= fix.start for c in chosen):
            chosen.append(fix)
    return sorted(chosen, key=lambda f: f.start)


def correct(text: str) -> str:
    """`text` with the recogniser's slips on domain words repaired."""
    parts: list[str] = []
    last = 0
    for fix in corrections(text):
        parts += [text[last : fix.start], fix.replacement]
        last = fix.end
    return "".join([*parts, text[last:]])
