"""Answer a policy question from the documents, with its source.

Handles the turns around a question, too: it asks once for the region when
neither the question nor the conversation names one (and answers for every
region if the caller does not know), re-asks the last question for another
region ("那赣州呢"), and reads "这个怎么申请" as a follow-up to the last
question.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.support import in_transaction, latest_intent
from knowledge.regions import gazetteer
from knowledge.search.answer import REFERRAL, Answer
from knowledge.services import policy

FOLLOW_UP = re.compile("^(那|这|它|那个|这个|这项|这些|那些|具体|然后)|怎么申请|去哪|咋办|找谁")
ASK_REGION = "您问的是哪里的政策？无锡、赣州、重庆、淄博，还是江苏省？不清楚的话，说“都行”就行。"
MAX_REGIONS_IN_ONE_ANSWER = 3


def is_follow_up(text: str) -> bool:
    """Short questions that lean on the previous one ("这个怎么申请")."""
    return len(text) <= 12 and bool(FOLLOW_UP.search(text))


def citation_line(answer: Answer) -> str | None:
    if not answer.citations:
        return None
    return "出处：" + "；".join(c.spoken() for c in answer.citations)


def say(dispatcher: CollectingDispatcher, answer: Answer, prefix: str = "") -> None:
    """The answer, then its sources as a line to be heard. Screens show the
    sources under the answer instead, so the payload names that line
    (`spoken_source`) for them to leave out."""
    line = citation_line(answer)
    dispatcher.utter_message(
        text=prefix + answer.answer,
        json_message={
            "kind": "policy_answer",
            "found": answer.found,
            "citations": [c.as_dict() for c in answer.citations],
            "spoken_source": line,
        },
    )
    if line:
        dispatcher.utter_message(text=line)


class ActionAnswerPolicy(Action):
    def name(self) -> str:
        return "action_answer_policy"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        intent = latest_intent(tracker)
        text = (tracker.latest_message.get("text") or "").strip()
        last_question = tracker.get_slot("policy_question")
        region = tracker.get_slot("region")
        awaiting = bool(tracker.get_slot("awaiting_region"))

        if intent == "deny":
            if awaiting and last_question:
                await self.answer_everywhere(dispatcher, last_question)
                return [SlotSet("awaiting_region", False)]
            dispatcher.utter_message(response="utter_ok_what_else")
            return [SlotSet("awaiting_region", False)]

        if intent == "ask_policy":
            question = text
            if last_question and is_follow_up(text):
                question = f"{last_question}，{text}"
        else:  # inform: a region for the question asked before ("那赣州呢")
            if not last_question:
                dispatcher.utter_message(text="好的。您想问哪方面的政策？")
                return []
            # The newly named region replaces any place in the earlier question.
            question = policy.without_places(last_question).strip(" ，")
            if tracker.get_slot("unsupported_region"):
                dispatcher.utter_message(text=f"我这里只有{gazetteer().listing}的养老政策文件。")
                return [SlotSet("awaiting_region", False)]

        if (
            not region
            and not gazetteer().normalise(question)
            and not policy.foreign_place(question)
        ):
            dispatcher.utter_message(
                text=ASK_REGION,
                buttons=[
                    {"title": name, "payload": f'/inform{{"region":"{name}"}}'}
                    for name in gazetteer().names
                ]
                + [{"title": "都行", "payload": "/deny"}],
            )
            return [SlotSet("policy_question", question), SlotSet("awaiting_region", True)]

        # A place named in the question itself wins over the remembered one.
        named = gazetteer().normalise(question)
        try:
            answer = await in_transaction(policy.ask, question, None if named else region)
        except Exception:
            dispatcher.utter_message(
                text="抱歉，政策资料一时查不到。您可以说“转人工”，请养老顾问帮您查。"
            )
            return []
        say(dispatcher, answer)
        return [SlotSet("policy_question", question), SlotSet("awaiting_region", False)]

    async def answer_everywhere(self, dispatcher: CollectingDispatcher, question: str) -> None:
        """The caller does not know or mind the region: each region's answer."""
        said = 0
        for name in gazetteer().names:
            answer = await in_transaction(policy.ask, question, name)
            if answer.found and said < MAX_REGIONS_IN_ONE_ANSWER:
                say(dispatcher, answer, prefix=f"{name}：")
                said += 1
        if not said:
            dispatcher.utter_message(text="这几个地方的文件里都没有找到这方面的规定。" + REFERRAL)
