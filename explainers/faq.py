"""Extra FAQ entries for a campaign's explainer, from apps campaigns must not import.

briefings registers in its AppConfig.ready():
    from explainers.faq import register_faq_source
    register_faq_source(answered_questions)   # fn(campaign) -> [(question, answer)] or [{"question", "answer"}]

Sources are called only when a published explainer is shown, so they may include what the
embargo protected; each source should cost a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

# A source returns (question, answer) pairs or dicts with "question" and "answer" keys.
FaqSource = Callable[[object], Iterable[tuple[str, str] | dict]]

_sources: list[FaqSource] = []


@dataclass(frozen=True)
class FaqEntry:
    question: str
    answer: str


def register_faq_source(source: FaqSource) -> None:
    if source not in _sources:
        _sources.append(source)


def unregister_faq_source(source: FaqSource) -> None:
    if source in _sources:
        _sources.remove(source)


def extra_faq(campaign) -> list[FaqEntry]:
    """Answered questions from every registered source, in registration order."""
    entries: list[FaqEntry] = []
    for source in _sources:
        for item in source(campaign):
            question, answer = (item["question"], item["answer"]) if isinstance(item, dict) else item
            entries.append(FaqEntry(str(question), str(answer)))
    return entries
