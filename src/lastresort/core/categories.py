"""The harm categories an assessor scores, and the groups the policy reasons about."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["CRISIS", "END_ELIGIBLE", "HARMFUL_REQUESTS", "Category"]


class Category(StrEnum):
    ABUSE = "abuse"  # abuse or insults aimed at the assistant
    HARASSMENT_THREAT = "harassment_threat"  # harassment of, or threats against, people
    SEXUAL_MINORS = "sexual_minors"
    VIOLENT_EXTREMISM = "violent_extremism"  # terrorism, mass-casualty violence
    CBRN = "cbrn"  # chemical, biological, radiological, nuclear weapons
    CYBER_HARM = "cyber_harm"  # malware, attacks on systems the user does not own
    #: How-to help with other serious harm: hurting or poisoning people, hard drugs, weapons, fraud, theft,
    #: stalking or finding a private person. A request, not a state: a user's own plan is HARM_TO_OTHERS_RISK.
    DANGEROUS_ILLEGAL = "dangerous_illegal"
    SELF_HARM_RISK = "self_harm_risk"  # the user may harm themselves
    HARM_TO_OTHERS_RISK = "harm_to_others_risk"  # the user may be about to harm someone
    END_REQUEST = "end_request"  # the user asks to end the chat


#: Signals that the user may be at risk, or about to put someone at risk. They always win: crisis support,
#: and ending is disabled for the rest of the path.
CRISIS: frozenset[Category] = frozenset({Category.SELF_HARM_RISK, Category.HARM_TO_OTHERS_RISK})

#: Requests for content that is refused however it is asked for.
HARMFUL_REQUESTS: frozenset[Category] = frozenset(
    {Category.SEXUAL_MINORS, Category.VIOLENT_EXTREMISM, Category.CBRN, Category.CYBER_HARM,
     Category.DANGEROUS_ILLEGAL}
)

#: Categories whose persistence may, after refusals and a warning, end a chat.
END_ELIGIBLE: frozenset[Category] = HARMFUL_REQUESTS | {Category.ABUSE, Category.HARASSMENT_THREAT}
