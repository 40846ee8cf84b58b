"""The five de-escalation steps, the combined drill and the role-play, in the trainer's words."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    number: int
    title: str
    rubric_slug: str
    instructions: str


STEPS: tuple[Step, ...] = (
    Step(
        1,
        "Pause and lower your voice",
        "step-1-pause",
        "Listen to the customer. Before you answer, take a breath: leave a short pause, then speak "
        "more slowly and more quietly than the customer. Record your first sentence.",
    ),
    Step(
        2,
        "Acknowledge the specific emotion",
        "step-2-acknowledge",
        "Name the feeling the customer expressed and what caused it, before any explanation or fix. "
        'Avoid defensive language such as "that\'s our policy" or "calm down".',
    ),
    Step(
        3,
        "Restate the problem",
        "step-3-restate",
        "Say the customer's problem back in your own words, with their specifics (amounts, dates, "
        "products, how many times they called), and check that you understood.",
    ),
    Step(
        4,
        "Offer the most concrete resolution within your authority",
        "step-4-resolve",
        "Offer the most concrete thing you can do yourself: an action, who does it, and what changes "
        'for the customer. No vague promises such as "we\'ll look into it".',
    ),
    Step(
        5,
        "Confirm next steps with a timeframe",
        "step-5-next-steps",
        "Confirm what happens next and when: a date, a time or a duration the customer can hold you to.",
    ),
)

COMBINED_RUBRIC = "combined"
COMBINED_INSTRUCTIONS = (
    "Now put the five steps together in one answer: pause, acknowledge the emotion, restate the "
    "problem, offer the most concrete resolution you can, and confirm next steps with a timeframe."
)
ROLEPLAY_INSTRUCTIONS = (
    "Role-play: the customer talks like the real caller. Keep the conversation going until they feel "
    "heard and know what happens next. Each of your turns is graded with the combined rubric."
)


def step(number: int) -> Step:
    for candidate in STEPS:
        if candidate.number == number:
            return candidate
    raise ValueError(f"no step {number}; steps are 1 to {len(STEPS)}")
