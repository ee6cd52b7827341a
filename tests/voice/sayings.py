"""What callers answer to a yes/no question, for the voice tests and the
voice benchmark: a booking read back, lone answers to it, and things said
after it that are not a yes or a no."""

from __future__ import annotations

from voice.answers import expected_answers

READ_BACK = expected_answers(
    [
        {"text": "明天中午送到家里，一份，对吗？"},
        {
            "text": "",
            "buttons": [
                {"title": "对，就这样订", "payload": "/affirm"},
                {"title": "不对", "payload": "/deny"},
            ],
        },
    ]
)
# Lone answers, by what they mean.
SAID = {
    "affirm": [
        "是的。",
        "对。",
        "对的。",
        "嗯。",
        "好。",
        "好的。",
        "中。",
        "行。",
        "要。",
        "可以。",
    ],
    "deny": ["不是。", "不对。", "不要。", "不用了。", "不中。", "没有。"],
}

# Not a yes or a no, though some start like one: the caller's words must
# reach the bot as said (a correction, a question).
NOT_ANSWERS = [
    "明天中午。",
    "我不知道。",
    "换个时间吧。",
    "不对，改成后天。",
    "对面那家。",
    "对，不过要少放盐。",
]
