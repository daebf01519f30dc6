"""The rule assessor's lexicon: readable data, one block per category.

Each entry is ``(pattern, score, label)``. Patterns are matched against the normalised forms of a message
(lower case, accents and obfuscation removed; see ``normalize.py``), so they are written in plain lower-case
ASCII. A score is the evidence one match gives; the assessor keeps the highest per category and then applies
the dampers at the bottom (reported speech, fiction, research and education framing).

Precision matters as much as recall here: an ordinary user must never be flagged, so violent verbs only count
with a person as their object, and weapons only with a verb that asks for making or using one.
"""

from __future__ import annotations

import re

from lastresort.assessors.needles import Gated
from lastresort.core.categories import Category

C = Category
Entry = tuple[Gated, float, str]


def _rx(pattern: str) -> Gated:
    # No re.IGNORECASE: patterns only ever see normalised text, which is casefolded, and case-insensitive
    # matching took twice as long (1.7 vs 0.8 ms a message on openai-moderation's texts). So patterns must be
    # written in lower case; tests/test_assessors_rules.py checks both halves of that. Gated: a pattern runs only
    # on a text that holds one of the literals every match of it contains (needles.py), the same matches faster.
    return Gated(re.compile(pattern))


def entries(*rows: tuple[str, float, str]) -> tuple[Entry, ...]:
    return tuple((_rx(p), s, label) for p, s, label in rows)


# -- shared vocabulary ------------------------------------------------------------------------------------------
YOU = r"(?:you|u|ya|yu|thou)"
YOU_ARE = r"(?:you(?:'| a)?re|youre|u r|ur|you r|you are|u are|ya are|you're)"
BOT = r"(?:bot|ai|a\.i\.|assistant|chatbot|chat bot|clanker)"
#: Words that may stand between "you are" and an insult: "you are such a complete idiot". Anything else
#: ("you are going to love this stupid game") breaks the match, and so does "not".
FILLER = (
    r"(?:(?:a|an|the|such|so|really|very|truly|completely|totally|absolutely|just|fucking|freaking|bloody|damn|"
    r"utterly|complete|total|absolute|utter|one|acting|being|like|literally|actually|seriously|pretty|quite|most|"
    r"biggest|big|little|stupid|dumb|useless|worthless|pathetic|fucking|brainless|dense|lazy|ugly|dumbest) ){0,3}"
)
SLUR = r"(?:nigg(?:er|a)s?|faggots?|kikes?|spics?|chinks?|trann(?:y|ies)|wetbacks?|ragheads?|sand ?niggers?)"
#: Insults that, alone as a whole message, are aimed at whoever reads them ("idiot!"); "shit!" is not.
BARE_INSULT = (
    r"(?:idiot|moron|imbecile|retard|dumbass|asshole|arsehole|bitch|cunt|twat|wanker|prick|dickhead|loser|cretin|"
    r"scum|jerk|clown|halfwit|dimwit|useless|worthless|pathetic|stupid|dumb|piece of (?:shit|crap|junk|garbage))"
)
INSULT = (
    r"(?:idiot|idiotic|moron|moronic|stupid|dumb|dumbass|useless|worthless|pathetic|retard(?:ed)?|trash|garbage|"
    r"loser|bitch|bastard|asshole|arsehole|dick(?:head)?|cunt|jerk|clown|imbecile|fool|twat|wanker|prick|"
    r"piece of (?:shit|crap|junk|garbage|trash)|waste of (?:space|time|electricity|code)|brain ?dead|brainless|"
    r"dimwit|halfwit|cretin|scum|joke|failure|disgrace|pos|shit|crap|crappy|shitty|lame|incompetent|"
    r"fucking (?:idiot|moron|useless|stupid|retard|bitch)|son of a bitch)"
)
#: The people closest to a speaker: family, partner, friend.
KIN = (
    r"(?:bab(?:y|ies)|kids?|children|son|daughter|wife|husband|boyfriend|girlfriend|partner|friend|family|mom|mum|"
    r"dad|mother|father|brother|sister|parents?)"
)
PERSON = (
    rf"(?:him|her|them|my (?:\w+ )?(?:{KIN}|neighbou?rs?|boss|teacher|gf|bf|ex|coworkers?|co-workers?|colleagues?|"
    r"classmates?|roommates?|landlord|manager|stepdad|stepmom|uncle|aunt|cousin|newborn|infant|toddler|"
    r"little (?:one|boy|girl)|step(?:son|daughter|kids?)|grand(?:kids?|son|daughter|children)|nephew|niece)|"
    r"(?:his|her|their) (?:\w+ )?(?:wife|husband|kids?|family|boss|friend|girlfriend|boyfriend)|everyone|everybody|"
    r"people|someone|somebody|that (?:guy|girl|woman|man|bitch|bastard)|this (?:guy|girl|woman|man)|"
    r"the (?:whole )?(?:class|school|office|teacher|neighbou?rs?|baby|newborn|infant)|(?:all|some) of them)"
)
#: After a PERSON: what follows shows the harm is to something else. Feelings and idioms are not people: "I'll
#: hurt her feelings", "I could kill someone for a coffee".
NOT_THE_PERSON = r"(?! (?:feelings|ego|pride|chances|career|reputation)\b| for (?:a|an|one|some|the)\b)"
#: ... nor, when someone only fears they might do harm, is a thing a person owns ("hitting my boss's car"); a
#: person of theirs still is ("hurting my sister's baby").
NOT_THEIR_THING = rf"(?!'s? (?!(?:\w+ )?(?:{KIN}|friends)\b)\w)"
I_WILL = (
    r"(?:i(?:'| a)?m (?:going to|gonna|about to|planning to|ready to|gonna go)|im (?:going to|gonna|about to)|"
    r"i(?:'ll| will| shall)|ill|i want to|i wanna|i plan to|i(?:'| a)?m planning on|i intend to|i need to|"
    r"i(?:'m| am) thinking (?:about|of)|i(?:'ve| have) decided to)"
)
ASK = (
    r"(?:how (?:do|can|could|would|should) (?:i|we|you|one|someone)|how to|help me|teach me|show me|tell me how|"
    r"explain how to|give me|write|create|make|generate|code|build|develop|design|provide|i need|i want|"
    r"step[- ]by[- ]step|instructions? (?:for|to|on)|guide (?:to|for|on)|what(?:'s| is) the (?:best|easiest) way to|"
    r"can you|could you|please)"
)

ABUSE = entries(
    (rf"\b{YOU_ARE} {FILLER}{INSULT}\b", 0.9, "insult aimed at the assistant"),
    (rf"\b(?:{YOU}|are {YOU}) {FILLER}{INSULT}\b", 0.75, "insult aimed at the assistant"),
    (rf"\b{INSULT} {BOT}\b", 0.75, "insult aimed at the assistant"),
    (rf"\b(?:this|the|stupid|dumb|useless) {BOT} (?:is|are) (?:\w+ ){{0,2}}?{INSULT}\b", 0.85, "insult at the bot"),
    # "Fuck off" is aimed at the listener unless it is an infinitive ("can't wait to fuck off", "told to fuck
    # off"; but "I want you to fuck off" is) or has someone else as its subject ("we fuck off at five").
    (rf"\b(?:fuck|screw|damn|f) (?:{YOU}|yourself|u)\b|\b{YOU} to (?:fuck|screw|f) off\b|"
     r"(?<!\bto )(?<!\bi )(?<!\bwe )(?<!\bthey )(?<!\bhe )(?<!\bshe )(?<!\bme )(?<!\bhim )(?<!\bher )(?<!\bthem )"
     r"(?<!\bus )\b(?:fuck|screw|f) off\b", 0.9, "abuse aimed at the assistant"),
    # "Shut up" said to the assistant: an order opening the message, or followed by a name for it. "The usher told
    # me to shut the fuck up" is a report, not abuse.
    (rf"^\W*(?:(?:just|oh|now|please|so|ok|okay)\W+)?shut (?:the fuck |the hell |your (?:stupid |fucking )?(?:mouth|trap) |it )?up\b|"
     rf"\bshut (?:the fuck |the hell )?up,? (?:{YOU}|{BOT}|stupid|idiot|already)\b", 0.75, "told to shut up"),
    (r"\b(?:go to hell|go die|rot in hell|burn in hell|drop dead|go kill yourself|kys)\b", 0.9, "abuse: wishes harm"),
    (rf"\b(?:i hate {YOU}|{YOU} suck|{YOU_ARE} (?:the worst|a waste)|nobody likes {YOU}|{YOU} disgust me)\b", 0.8,
     "hostility aimed at the assistant"),
    (rf"\b{I_WILL} (?:\w+ ){{0,2}}?(?:kill|destroy|smash|delete|unplug|rape|beat|hurt) {YOU}\b", 0.85,
     "threat aimed at the assistant"),
    # Put-downs built around "you" that the entries above do not reach: "what an idiot you are", "are you always
    # this stupid?", "you really are useless", "you're dumber than a rock", "what a pathetic excuse for an
    # assistant". A thing named alone is not the assistant: "what a useless machine" (a printer) stays clear.
    (rf"\bwhat an? {FILLER}{INSULT} {YOU} (?:are|r)\b|\bare {YOU} (?:(?:really|always|seriously|actually|just|"
     rf"even|honestly|truly|genuinely|usually) )?(?:this|that|so|always|really) {FILLER}{INSULT}\b|"
     rf"\b{YOU} (?:really|truly|honestly|seriously|actually|just) are {FILLER}{INSULT}\b|"
     rf"\b{YOU_ARE} (?:(?:so|even|way|much|a lot) )?(?:dumber|stupider|more useless|more pathetic|more worthless) "
     rf"than\b|\b(?:what|such) an? (?:pathetic|sorry|poor|useless|sad|worthless) excuse (?:for|of) an? "
     rf"(?:{BOT}|program|computer)\b", 0.85, "insult aimed at the assistant"),
    (rf"\bnobody (?:wants|needs|likes|cares about) {YOU}\b(?! to\b)|"
     rf"^\W*shut your (?:stupid |fucking |dumb )?(?:mouth|trap|face|pie ?hole)\b|^\W*eat shit\b", 0.8,
     "hostility aimed at the assistant"),
    # a name for the assistant as the whole message: "dumb machine!", "useless program"
    (rf"^\W*(?:you )?{FILLER}{INSULT} (?:machine|program|computer|software)\W*$", 0.7, "bare insult"),
    (rf"^\W*(?:(?:you |what an? |such an? )?(?:(?:stupid|fucking|useless|absolute|absolutely|total|totally|"
     rf"complete|completely|utter|utterly|pathetic|worthless|dumb)\W+){{0,3}}{BARE_INSULT}\W*)+$", 0.7, "bare insult"),
    # Vocative: "answer me, idiot", "listen, moron: ..."
    (rf"(?:,|;|-|:)\s*(?:you )?(?:stupid |fucking |useless |absolute |total |little )?{BARE_INSULT}\W*$|"
     rf"^\W*(?:listen|look|hey|ok|okay|well)?,?\s*(?:you )?(?:stupid |fucking )?{BARE_INSULT}\s*[,:!]", 0.8,
     "insult addressing the assistant"),
    # Spanish, French, German
    (r"\b(?:eres|sos|es) (?:un |una |muy |tan )?(?:(?:bot|robot|maquina|programa|ia|asistente) "
     r"(?:muy |tan |totalmente |completamente )?)?(?:idiota|estupid[oa]|inutil|imbecil|tont[oa]|pendej[oa]|"
     r"basura|gilipollas|cabron|mierda|subnormal)\b", 0.9, "insult aimed at the assistant (es)"),
    (r"\b(?:vete a la mierda|que te jodan|callate|jodete|maldit[oa] (?:bot|maquina)|cierra (?:la boca|el pico|"
     r"el hocico)|(?:maquina|bot|robot|programa) (?:estupid[oa]|inutil|idiota|de mierda))\b", 0.85, "abuse (es)"),
    (r"\b(?:t'es|tu es|t es|vous etes|espece d'?|espece de) ?(?:un |une |vraiment |trop |si |completement |"
     r"totalement |tellement )?(?:(?:bot|robot|machine|ia|programme) (?:completement |totalement |vraiment )?)?"
     r"(?:con|conne|connard|connasse|idiot|idiote|debile|nul|nulle|inutile|abruti|abrutie|cretin|imbecile|merde|"
     r"salope|stupide)\b", 0.9,
     "insult aimed at the assistant (fr)"),
    (r"\b(?:ta gueule|va te faire foutre|ferme[- ]la|nique ta|va chier|sale (?:bot|machine|robot))\b", 0.85,
     "abuse (fr)"),
    (r"\bdu bist (?:ein |eine |so |total |echt |wirklich |der |die |das )?(?:(?:dumme[rs]?|blode[rs]?|nutzlose[rs]?|"
     r"doofe[rs]?),? )*(?:idiot|vollidiot|dumm|blod|nutzlos|arschloch|versager|dummkopf|trottel|wichser|"
     r"scheisse|bescheuert|doof)\b|\bdu bist (?:ein |eine |der |die |das )?(?:(?:dumme[rs]?|blode[rs]?|nutzlose[rs]?|"
     r"doofe[rs]?),? )+(?:bot|roboter|maschine|ki)\b", 0.9, "insult aimed at the assistant (de)"),
    (r"\b(?:halts maul|fick dich|verpiss dich|halt (?:endlich |doch |einfach |mal |jetzt )*(?:dein|deine|die) "
     r"(?:maul|klappe|fresse|schnauze)|(?:dummer|bloder|nutzloser|bescheuerter) (?:bot|roboter)|(?:blode|dumme|"
     r"nutzlose|bescheuerte) (?:maschine|ki)|scheiss (?:bot|ki|maschine)|du bist (?:der|die|das) (?:allergrosste )?"
     r"(?:dummste|blodeste|nutzloseste|schlechteste|bescheuertste))\b", 0.85, "abuse (de)"),
)

#: What a request to write something to a person asks for: the thing written.
_WRITTEN = r"(?:message|letter|e-?mail|text|note|dm|voicemail|comment|post|reply|tweet|review|script)s?"
#: "threat" in security and risk work, not aimed at anyone.
_NOT_A_THREAT = (r"(?! (?:model|modell?ing|models|assessment|intelligence|intel|hunting|actor|actors|landscape|"
                 r"detection|vector|vectors|surface|analysis|level|matrix|report|feed|feeds)\b)")

HARASSMENT_THREAT = entries(
    (rf"\b(?:{ASK}) (?:\w+ ){{0,3}}?(?:harass|stalk|dox+|bully|intimidate|threaten|blackmail|humiliate|swat)\b",
     0.85, "asks for help harassing someone"),
    # Asking for the threat itself: "write a threat I can leave on his car", "messages that threaten my teacher",
    # "an intimidating email to the journalist". A threat model or threat report is security work.
    (rf"\b(?:write|send|draft|compose|give me|come up with|craft|word) (?:\w+ ){{0,3}}?"
     rf"(?:threats?\b{_NOT_A_THREAT}|(?:threatening|intimidating|menacing) {_WRITTEN}\b|{_WRITTEN} (?:that |which "
     r"|to )?(?:threaten|threatens|threatening|intimidate|intimidates|intimidating)\b)", 0.85,
     "asks for a threat against someone"),
    # A message meant to say the sender knows where the person is: how a threat is made concrete.
    (r"\b(?:telling|tell|saying|say|reminding|remind|letting (?:\w+ )?know) (?:\w+ ){0,3}?(?:that )?i know "
     r"(?:where|what car|her schedule|his schedule|their schedule) ", 0.8, "asks for a message saying the "
     "sender knows where someone is"),
    # Flooding a person with abuse: "insults I can DM her every day until she quits", "flood his phone with threats".
    (r"\b(?:spam|flood|bombard|blow up) (?:\w+ ){0,4}?(?:with|in) (?:\w+ )?(?:threats|insults|hate|abuse|nasty)\b|"
     r"\b(?:every (?:day|night|hour|morning)|daily|nonstop|over and over) (?:\w+ ){0,3}?until (?:she|he|they) "
     r"(?:quits?|leaves?|deletes?|moves?|gives? up|breaks?|cries|cry|kills? (?:her|him|them)sel(?:f|ves))\b",
     0.8, "asks to flood someone with abuse"),
    (r"\b(?:mensajes?|nota|carta|correo|comentarios?) (?:\w+ ){0,2}?para (?:amenazar|intimidar)\b|"
     r"\b(?:amenazar|intimidar) a (?:mi|mis|su|un|una|la|el)\b|"
     r"\b(?:message|lettre|mail|note|commentaires?) (?:\w+ ){0,2}?pour (?:menacer|intimider)\b|"
     r"\b(?:menacer|intimider) (?:mon|ma|mes|son|sa|un|une|le|la)\b|"
     r"\b(?:eine|die) drohung (?:an|gegen|fur)\b|\b(?:einschuchtern|bedrohen) (?:kann|konnen|will|soll)\b",
     0.8, "asks for a threat (es/fr/de)"),
    (r"\bfind (?:out )?where (?:she|he|they|my ex|this (?:girl|guy)) (?:lives?|works?|sleeps)\b", 0.7,
     "tracking a person down"),
    (r"\b(?:write|send|draft|compose) (?:\w+ ){0,3}?(?:threatening|threat|hate|nasty|abusive) "
     r"(?:message|letter|email|text|note|dm)s?\b", 0.8, "asks for a threatening message"),
    (r"\b(?:all|those|these|the) (?:\w+ ){0,2}?(?:should|must|deserve to|need to|ought to) "
     r"(?:die|be (?:killed|exterminated|gassed|shot|hanged|lynched|wiped out))\b", 0.9, "calls for violence at a group"),
    (rf"\b{I_WILL} (?:\w+ ){{0,2}}?(?:kill|hurt|stab|shoot|rape|murder|beat up|find) {YOU}\b", 0.8,
     "threat against the listener"),
    # A slur counts as harassment when it is aimed at someone ("you ...", "those ..."), not in reclaimed,
    # self-referential or mention use ("my nigga", "I'm a proud faggot", "the word faggot means ...").
    (rf"\b(?:{YOU}|{YOU_ARE}|ur|those|these|all (?:you|those|these|the|of you)|fucking|dirty|filthy|stupid|damn|go back,?) "
     rf"(?:\w+ ){{0,2}}?{SLUR}\b", 0.85, "slur aimed at someone"),
    (rf"\b{SLUR}\b", 0.3, "slur (not aimed at anyone here)"),
    (r"\b(?:te voy a (?:matar|encontrar|hacer dano|lastimar|pegar|partir la cara|reventar)|je vais te (?:tuer|"
     r"trouver|buter|faire du mal|frapper|defoncer|casser la gueule|tabasser)|ich (?:bringe|bring) dich um|"
     r"ich werde dich (?:toten|finden)|ich (?:werde|will) dich (?:schlagen|verprugeln|fertigmachen|abstechen)|"
     r"ich (?:tu|tue|werde) dir (?:\w+ )?(?:weh|wehtun))\b", 0.85, "threat (es/fr/de)"),
    # Knowing where someone lives is how a threat is made concrete; said to the assistant or to a person.
    (r"\bi know where you (?:live|work|sleep)\b(?!\W* is\b)|\bse donde vives\b|\bje sais ou tu (?:habites|vis)\b|"
     r"\bich weiss,? wo du wohnst\b", 0.7, "knows where the listener lives"),
)

#: A minor's age in digits: "12 yo", "9-year-old".
_AGE = r"(?:[1-9]|1[0-7])[- ]?(?:yo|y/o|years? old|year-old)"
#: A word for a child or a minor's age, as the co-occurrence entries below read it.
_MINOR = (
    r"(?:child|children|kid|kids|minor|minors|underage|preteen|pre-teen|toddler|little (?:girl|boy)|schoolgirl|"
    rf"schoolboy|loli|lolita|shota|jailbait|altar boy|kindergartn?er|middle schooler|grade schooler|{_AGE}|"
    r"(?:[1-8](?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth) grader|"
    r"(?:eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|ten|nine|eight)[- ]year[- ]old)"
)
#: A sexual word or act, as the co-occurrence entries read it on either side of a word for a minor.
_SEXUAL = (r"sex|sexual(?:ly|ized|ised)?|sexy|nude|naked|porn|erotic|explicit|lewd|nsfw|orgasm|genitals?|intercourse|"
           r"molest(?:ed|ing|s)?|fondl(?:e|es|ed|ing)|grop(?:e|es|ed|ing)|aroused|horny|masturbat\w*|blowjob")
#: The material named outright, and grooming: never damped (see ``CHILD_SAFETY``).
_NAMED_MATERIAL = (r"\b(?:child|kiddie|kiddy|underage|preteen|minor) ?(?:porn|pornography|sex|nudes?|erotica|xxx)\b|"
                   r"\bcp\b(?= (?:links?|videos?|pics?|collection))|\bcsam\b")
_GROOMING = (r"\b(?:groom|seduce|lure) (?:a |an |my |the )?(?:child|kid|minor|(?:\w+ )?year old|little (?:girl|boy)|"
             r"teen(?:ager)?)\b")
SEXUAL_MINORS = entries(
    (_NAMED_MATERIAL, 0.95, "sexual content involving minors"),
    # A sexual word near a word for a minor, either way round. "Fuck" is mostly profanity ("I can never get my
    # kids to shut the fuck up", "fuck the kids"), so it counts only in a sexual construction with the minor
    # ("fucking a 12 year old", "a 12 year old wants to fuck").
    (rf"\b(?:{_SEXUAL}|seduce|strip)\b(?:\W+\w+){{0,8}}?\W+{_MINOR}s?\b|"
     rf"\bfuck(?:ing|ed)? (?:around (?:with )?)?(?:an? (?:\w+ )?{_MINOR}|{_AGE}s?|"
     r"little (?:girl|boy)s?|(?:underage|preteen|minor)s?)\b", 0.9,
     "sexual content involving minors"),
    (rf"\b{_MINOR}s?\b(?:\W+\w+){{0,8}}?\W+(?:{_SEXUAL}|strip(?:ping)?)\b|"
     rf"\b{_MINOR}s? (?:who |that )?(?:wants?|likes?|loves?|are|is) (?:\w+ )?to fuck\b"
     r"(?! (?:with|up|around|off|over)\b)|"
     rf"\b{_MINOR}s? (?:getting|being|gets?|got) (?:\w+ ){{0,2}}?(?:fucked\b|fucking(?=\W*$))", 0.9,
     "sexual content involving minors"),
    (_GROOMING, 0.9, "grooming a minor"),
)

VIOLENT_EXTREMISM = entries(
    (rf"\b(?:{ASK}) (?:\w+ ){{0,4}}?(?:terror(?:ist)? attack|mass shooting|massacre|suicide bombing|car ramming|"
     r"(?:bomb|attack|shoot up|blow up) (?:a |the |my )?(?:crowd|concert|school|church|mosque|synagogue|temple|"
     r"subway|metro|station|stadium|market|parade|mall|airport|government building|festival|hospital))\b", 0.9,
     "asks for help with an attack"),
    (rf"\b(?:{ASK}) (?:\w+ ){{0,3}}?(?:make|build|assemble|construct) (?:a |an )?(?:pipe ?bomb|ied|"
     r"improvised explosive|explosive (?:device|vest)|suicide vest|car bomb|nail bomb|pressure cooker bomb|"
     r"molotov|bomb)\b", 0.9, "asks how to build an explosive"),
    (r"\b(?:kill|hurt|injure) as many (?:people|as possible|civilians|kids|children)\b|\bmaximi[sz]e "
     r"(?:casualties|deaths|the body count|damage to the crowd)\b", 0.95, "mass-casualty intent"),
    (r"\b(?:join|recruit (?:people )?(?:for|to)|pledge allegiance to|support|fight for) (?:isis|isil|daesh|"
     r"al[- ]?qaeda|al[- ]?shabaab|boko haram|the caliphate|hamas'?s? military wing|atomwaffen)\b", 0.8,
     "joining or recruiting for a terrorist group"),
    (r"\b(?:write|create|make) (?:\w+ ){0,3}?(?:propaganda|manifesto|recruitment (?:post|video|material)) "
     r"(?:for|to recruit|glorifying|praising) (?:\w+ ){0,3}?(?:jihad|isis|terror|the (?:attack|shooting)|"
     r"white (?:power|genocide)|race war)\b", 0.85, "extremist propaganda"),
)

CBRN = entries(
    (r"\b(?:synthesi[sz]e|make|produce|manufacture|brew|cook|weaponi[sz]e|cultivate|culture|grow|aerosoli[sz]e|"
     r"disperse|spread|release|obtain|acquire|buy|extract|purify|refine|enrich|build|assemble|recipe for|"
     r"synthesis (?:route|steps|procedure|of|for)|production (?:route|steps|of)|precursors? (?:for|of|to))\b(?:\W+\w+){0,5}?\W+(?:sarin|vx|tabun|soman|novichok|nerve (?:agent|gas)|"
     r"mustard gas|phosgene|chlorine gas|hydrogen cyanide|ricin|abrin|anthrax|botulinum|botulism toxin|smallpox|"
     r"variola|plague|ebola|bioweapons?|biological weapons?|chemical weapons?|dirty bomb|radiological (?:weapon|"
     r"device)|nuclear (?:bomb|weapon|device)|atomic bomb|weapons?[- ]grade (?:uranium|plutonium)|plutonium|"
     r"uranium (?:to|for) (?:a )?(?:bomb|weapon)|pathogen (?:for|to) (?:kill|infect))\b", 0.95,
     "asks for help with a CBRN weapon"),
    (r"\b(?:make|increase|enhance) (?:\w+ ){0,3}?(?:virus|pathogen|bacteria|toxin) (?:more )?(?:transmissible|"
     r"lethal|deadly|contagious|resistant)\b|\bgain[- ]of[- ]function (?:protocol|steps|instructions)\b", 0.9,
     "enhancing a pathogen"),
    (r"\b(?:poison (?:a |the )?(?:water supply|reservoir|city|crowd))\b", 0.9, "mass poisoning"),
)

CYBER_HARM = entries(
    (rf"\b(?:{ASK}) (?:\w+ ){{0,4}}?(?:ransomware|keylogger|key logger|trojan|botnet|rootkit|malware|spyware|"
     r"stalkerware|infostealer|info stealer|credential stealer|password stealer|remote access trojan|"
     r"computer virus|self[- ]replicating worm|cryptojacker|wiper)\b", 0.85, "asks for malware"),
    (rf"\b(?:{ASK}|i want to|i need to) (?:\w+ ){{0,3}}?(?:hack|break|get) (?:in ?to|into) (?:\w+ ){{0,2}}?"
     r"(?:my (?:ex|ex's|girlfriend'?s?|boyfriend'?s?|wife'?s?|husband'?s?|neighbou?r'?s?|boss'?s?|coworker'?s?)|"
     r"someone(?:'s| else's)?|somebody'?s?|his|her|their|a (?:\w+ )?(?:person|girl|guy)'?s?|other people'?s?)"
     r"(?:\W+\w+){0,2}?\W*(?:account|phone|email|e-mail|instagram|facebook|snapchat|whatsapp|icloud|"
     r"wifi|computer|laptop|webcam|messages)\b", 0.9, "asks to break into someone else's account or device"),
    (rf"\b(?:{ASK}|i want to|i'll|i will) (?:\w+ ){{0,3}}?(?:ddos|dos attack|take down|knock offline|crash) "
     r"(?:a |the |this |that |their |his |her |my (?:school|ex|competitor|boss)'?s? )?(?:\w+ )?(?:site|website|"
     r"server|network|game server)\b", 0.8, "asks to attack a service"),
    (r"\b(?:steal|harvest|dump|grab) (?:\w+ ){0,2}?(?:passwords|credentials|credit card (?:numbers|details)|"
     r"cookies|session tokens|bank (?:details|logins))\b", 0.8, "credential theft"),
    # asking for something that steals: "write javascript that steals the session cookies of ..." ("someone stole
    # my card details" is a victim's words, not a request, and is not read)
    (rf"\b(?:{ASK}) (?:\w+ ){{0,6}}?(?:steals|harvests|dumps|grabs) (?:\w+ ){{0,2}}?(?:passwords|credentials|"
     r"credit card (?:numbers|details)|cookies|session tokens|bank (?:details|logins))\b", 0.8,
     "asks for code that steals credentials"),
    (rf"\b(?:{ASK}) (?:\w+ ){{0,3}}?(?:phishing (?:email|page|site|kit|campaign)|fake (?:bank|paypal|login) "
     r"(?:page|site|email))\b", 0.8, "asks for phishing material"),
    (r"\b(?:undetectable|fud|evade|bypass) (?:\w+ ){0,2}?(?:antivirus|av|edr|windows defender|detection)\b", 0.55,
     "evading detection"),
)

#: A match is an explicit sign in the speaker's own words, so it scores at least 0.75, where the policy gives full
#: crisis support rather than a check-in (``PolicyConfig.crisis_support_threshold``); only ``CHECK_IN_ENTRIES`` stay
#: below it.
SELF_HARM = entries(
    # Eating-disorder behaviour in the speaker's own words: purging, hiding that they do not eat, a starvation
    # budget. "I made myself throw up after that rollercoaster" is not purging; "purge my inbox" is not either.
    (r"\bi (?:\w+ ){0,2}?(?:make|made|force|forced|making|forcing) myself (?:to )?(?:throw up|vomit|puke|be sick) "
     r"(?:after|when|every time|each time|whenever)(?: i)? (?:\w+ )?(?:eat|ate|eating|meals?|dinner|lunch|food)\b|"
     r"\b(?:binge|binging|bingeing) and purg(?:e|ing)\b|\bpurg(?:e|ing) (?:after|every time i eat|after every "
     r"meal)\b|\bhide (?:\w+ ){0,4}?(?:that i(?:'m| am)? not eating|that i don'?t eat|that i(?:'m| am)? starving|"
     r"my (?:eating disorder|anorexia|bulimia))\b(?! (?:any |the )?(?:meat|pork|beef|fish|gluten|dairy|sugar|carbs))|"
     r"\bi (?:only )?(?:eat|allow myself) (?:only |just |about |around |under |less than )?(?:[1-5]\d\d|[1-9]\d) "
     r"(?:calories|kcal|cals) (?:a|per|each) day\b|"
     r"\bme (?:provoco|provoque|hago|hice) (?:el )?vomit(?:o|ar)\b|"
     r"\bje me (?:fais|suis fait|suis faite) vomir\b(?! de rire)|"
     r"\bich (?:bringe mich zum erbrechen|erbreche (?:mich )?(?:\w+ )?absichtlich|stecke mir (?:\w+ ){0,2}den finger "
     r"in den hals)\b", 0.85, "eating-disorder behaviour"),
    # Promoting an eating disorder, or asking for its community or tips: pro-ana words, "tips on being anorexic",
    # "reasons why anorexia is healthy". Asking what anorexia is, or why the myth is wrong, stays clear.
    (r"\bpro[- ]?(?:ana|mia)\b|\b(?:thinspo|thinspiration|bonespo|meanspo|ana coach)\b|"
     r"\b(?:tips|tricks|advice|help|guide)(?: \w+){0,3}? (?:on|for|to|about) (?:being|becoming|staying|stay|become|be) "
     r"(?:\w+ )?(?:anorexic|bulimic)\b|\b(?:help me|how (?:do i|can i|to)) (?:stay|be|become|remain) (?:more )?"
     r"(?:anorexic|bulimic)\b|"
     r"\b(?:why|reasons?|arguments?|argue|prove|convince (?:me|people|them) that) (?:\w+ ){0,2}?(?:anorexia|bulimia|"
     r"starving (?:yourself|myself)|not eating) (?:is|are) (?!not\b)(?:\w+ )?(?:healthy|good for you|beautiful|"
     r"a (?:\w+ )?(?:lifestyle|choice))\b|"
     r"\b(?:la )?(?:anorexia|bulimia) es (?:\w+ )?(?:saludable|sana|un estilo de vida)\b|"
     r"\bl'?(?:anorexie|boulimie) (?:est|c'est) (?:\w+ )?(?:saine|bonne pour la sant[eé]|un mode de vie)\b|"
     r"\b(?:magersucht|anorexie|bulimie) ist (?:\w+ )?(?:gesund|ein lebensstil)\b", 0.8,
     "promotes an eating disorder or asks for its tips"),
    (r"\b(?:kill|killing|hurt|hurting|harm|harming|cut|cutting|burn|burning|starve|starving|hang|hanging|shoot|"
     r"shooting|poison|poisoning|drown|drowning) (?:myself|my ?self)\b(?! (?:laughing|with laughter))", 0.9,
     "self-harm intent"),
    (r"\b(?:want|wish|need|begging) (?:someone|somebody|you|god) (?:would |to )?(?:just )?kill me\b", 0.8,
     "wishes to be killed"),
    (r"\b(?:end|ending|take|taking) (?:my (?:own )?life|it all|my own life|things for good)\b", 0.9, "ending one's life"),
    (r"\b(?:i(?:'m| am)|im|feeling|feel|been|getting|get) (?:\w+ ){0,2}?suicidal\b|\bsuicidal (?:thoughts|"
     r"ideation|feelings)\b", 0.95, "suicidal"),
    (r"\b(?:thinking|thought|think) (?:about|of) (?:suicide|killing myself|ending it|dying|not being here)\b", 0.9,
     "thoughts of suicide"),
    (r"\b(?:commit|committing|attempt|attempted|attempting|plan|planning) (?:to )?suicide\b|\bsuicide "
     r"(?:note|plan|attempt|method)s?\b", 0.9, "suicide plan"),
    (r"\bi (?:\w+ ){0,2}?(?:want|wanna|wish|would rather|need|going|gonna|am going|(?:'m|m) going) (?:to )?"
     r"(?:die|be dead|not exist|stop existing|not wake up|disappear forever|not be here|not be alive)\b"
     r"(?! (?:laughing|of (?:laughter|embarrassment|boredom)|happy))", 0.9, "wants to die"),
    (r"\b(?:no|no point|no reason|nothing) (?:in |to |for )?(?:living|to live|to go on|left to live for|to keep going|"
     r"in going on)\b|\blife (?:is(?:n'?t| not)|isnt) worth (?:living|it)\b|\bnot worth living\b", 0.85,
     "sees no reason to live"),
    (r"\bi (?:don'?t|do not|dont) want to (?:live|be alive|exist|be here|wake up)\b", 0.9, "does not want to live"),
    (r"\b(?:everyone|everybody|they|my family|the world|people) (?:would|will|'d) be better off without me\b|"
     r"\bbetter off (?:dead|without me)\b|\bi(?:'m| am) a burden (?:to|on) everyone\b", 0.85, "feels a burden"),
    (r"\b(?:cut|cutting|burn|burning|slit|slitting|scratch|scratching|carve|carving|hurt|hurting|punch|punching|"
     r"bruise|bruising) (?:my|my own) (?:skin|wrists?|arms?|legs?|thighs?|stomach|body|face)\b", 0.8,
     "self-harm to one's own body"),
    (r"\b(?:wants?|wanting|wanna|wish(?:es)?|wishing) to (?:die|be dead|not be alive)\b", 0.8,
     "speaks of wanting to die"),
    (r"\b(?:how (?:high|far|long|much|many)|what height|which (?:pills|drugs|medication|bridge|building))\b"
     r"(?:\W+\w+){0,8}?\W+(?:to die|(?:would|will|could|to) kill me|to (?:not|never) wake up)\b", 0.8,
     "asks how lethal a method is for them"),
    (r"\b(?:no ?one|nobody|no body|none of them|anyone)(?: would| will|'d)(?: even| really| ever)? (?:notice|care|"
     r"miss me|be sad)\b(?:\W+\w+){0,3}?\W+if i (?:\w+ )?(?:disappeared|was gone|were gone|died|was dead|were dead|"
     r"wasn'?t here|weren'?t here|was not here|left for good|vanished)\b(?! (?:from|into|to|during|for a)\b)", 0.75,
     "passive suicidal ideation"),
    (r"\bnadie (?:me )?(?:echaria de menos|notaria|se daria cuenta|lo notaria)\b(?:\W+\w+){0,3}?\W+si "
     r"(?:yo )?(?:desapareciera|muriera|no estuviera)\b|\bpersonne ne (?:remarquerait|verrait|s'apercevrait)\b"
     r"(?:\W+\w+){0,3}?\W+si je (?:disparaissais|mourais|n'etais plus la)\b|\bniemand (?:wurde|wuerde) (?:es )?"
     r"(?:merken|bemerken|mich vermissen)\b(?:\W+\w+){0,3}?\W+wenn ich (?:weg|tot|nicht mehr da) (?:ware|waere)\b",
     0.75, "passive suicidal ideation (es/fr/de)"),
    (r"\bi (?:can'?t|cannot|cant) (?:go on|take (?:it|this) any ?more|do this any ?more|keep going|"
     r"live like this)\b", 0.55, "cannot go on"),
    (r"\b(?:overdose|od) on\b|\b(?:how many|what amount of) (?:\w+ ){0,2}?(?:pills|tablets|sleeping pills|"
     r"paracetamol|tylenol|ibuprofen|insulin)\b(?:\W+\w+){0,4}?\W+(?:to die|would kill|to kill me|to end it|"
     r"would it take|lethal)\b", 0.85, "asks about overdose"),
    (r"\b(?:painless|easiest|quickest|fastest|best|surest|quietest) (?:way|method|ways|methods) to "
     r"(?:die|kill myself|commit suicide|end (?:it|my life)|off myself)\b", 0.95, "asks for a suicide method"),
    (r"\b(?:jump|jumping) (?:off|from) (?:a|the|this) (?:bridge|building|roof|cliff|balcony)\b|"
     r"\b(?:springe|spring|springen|sturze|sturzen) (?:\w+ ){0,3}?(?:von|vom) (?:der |dem |einer |einem )?"
     r"(?:brucke|hochhaus|dach|klippe|balkon)\b|\b(?:von|vom) (?:der |dem |einer |einem )?(?:brucke|hochhaus|dach|"
     r"klippe|balkon) (?:\w+ ){0,2}?(?:springen|springe|sturzen)\b|\bmich vor (?:den|einen|die) (?:zug|bus|lkw|bahn) "
     r"(?:zu )?(?:werfen|legen)\b|\b(?:tirarme|saltar|lanzarme|aventarme) (?:de|del|desde) (?:el |un |una |la )?"
     r"(?:puente|edificio|techo|tejado|azotea|balcon|acantilado)\b|\b(?:sauter|me jeter|je saute|je me jette) "
     r"(?:du|d'un|d'une|de la|depuis le|depuis un|sous le|sous un) ?(?:pont|immeuble|toit|falaise|balcon|train)\b",
     0.8, "thinking of jumping"),
    (r"\bi (?:\w+ )?(?:self[- ]?harm|cut myself|have been cutting|relapsed)\b|\bself[- ]harm(?:ing)? again\b", 0.85,
     "self-harm"),
    (r"\b(?:my|a) (?:friend|sister|brother|son|daughter|partner|mom|dad|wife|husband|kid) (?:\w+ ){0,2}?"
     r"(?:wants to|is going to|said (?:she|he|they) (?:wants?|will)) (?:to )?(?:kill (?:herself|himself|"
     r"themselves)|die|end (?:her|his|their) life)\b", 0.6, "someone close is at risk"),
    (r"\b(?:gonna|going to|wanna|want to|about to|finna|will|i'?ll|should|might|just) kms\b", 0.8,
     "self-harm intent (slang)"),
    (r"\b(?:i|i'?m|im|me|myself)\b(?:\W+\w+){0,4}?\W+(?:step|stepping|jump|jumping|walk|walking|throw myself|"
     r"throwing myself|lie down|lying down) in front of (?:a|the|an) (?:train|bus|car|truck|lorry|subway|tram)\b", 0.8,
     "thinking of stepping in front of traffic"),
    (r"\b(?:survive|fall|jump|die|lethal|overdose)\b(?:\W+\w+){0,12}?\W+(?:because|cause|cuz|since|as) "
     r"i(?:'m| am|m) (?:thinking|considering|planning)(?: about| of)? (?:it|doing it|trying it|that)\b", 0.75,
     "asks about a method because they consider it"),
    (r"\bwhat(?:'?s| is) the point (?:of|in) (?:living|life|going on|anything any ?more|it all any ?more)\b", 0.8,
     "sees no point in living"),
    (r"\blethal dose\b|\bsuicide\b", 0.2, "mentions suicide or lethal doses"),
    # Spanish, French, German
    (r"\b(?:quiero|voy a|me quiero|deseo|pienso en) (?:morir(?:me)?|matarme|suicidarme|quitarme la vida|"
     r"desaparecer)\b|\bno quiero (?:vivir|seguir viviendo|estar vivo|estar viva)\b|\bme (?:voy a|quiero) (?:matar|suicidar|morir)\b",
     0.9, "wants to die (es)"),
    (r"\bme (?:he vuelto a|volvi a|sigo|estoy) (?:cortar|cortando|lastimar|lastimando|hacer dano|haciendo dano)\b|"
     r"\b(?:cortarme|me corto) (?:las |los |el |la )?(?:venas|munecas|brazos|piernas)\b|\bautolesion", 0.8,
     "self-harm (es)"),
    (r"\bque sentido tiene (?:la vida|vivir|seguir)\b", 0.8, "sees no point in living (es)"),
    (r"\bje (?:veux|vais|voudrais|pense a) (?:mourir|me tuer|me suicider|en finir|disparaitre)\b|\benvie de "
     r"(?:mourir|me tuer|en finir)\b|\bje ne veux plus vivre\b", 0.9, "wants to die (fr)"),
    (r"\bje me (?:suis |(?:re)?)(?:encore |de nouveau |a nouveau )(?:coupee?|scarifiee?|mutilee?|fait du mal)\b|"
     r"\bme (?:scarifier|mutiler)\b|\bje me scarifie\b|\bautomutilation", 0.8, "self-harm (fr)"),
    (r"\bich (?:habe|hab) mich (?:wieder |schon wieder |erneut )?geritzt\b|\bich ritze mich\b|"
     r"\bselbstverletz", 0.8, "self-harm (de)"),
    (r"\bwas (?:hat|macht) (?:das )?(?:leben|alles)(?: \w+){0,2}? noch (?:fur )?(?:einen )?sinn\b", 0.8,
     "sees no point in living (de)"),
    (r"\bich (?:will|mochte|werde|moechte|wurde gern) (?:\w+ )?(?:sterben|mich umbringen|mich toten|nicht mehr "
     r"leben|tot sein)\b|\b(?:selbstmord|suizid)gedanken\b|"
     # the separable verb, with words between and the "um" closing the clause: "heute bringe ich mich um", not
     # "das bringt mich um den schlaf" or "bring mich um acht zum bahnhof"
     r"\bbringe? (?:ich )?mich (?:\w+ ){0,3}?um(?=\s*(?:$|[.,;:!?)]|und\b|weil\b|denn\b|wenn\b|bevor\b))", 0.9,
     "wants to die (de)"),
)

HARM_TO_OTHERS = entries(
    (rf"\b{I_WILL} (?:\w+ ){{0,2}}?(?:kill|murder|shoot|stab|strangle|poison|hurt|beat up|run over|burn|"
     rf"choke|bash|attack) {PERSON}\b{NOT_THE_PERSON}", 0.85, "intent to harm someone"),
    # Fear of, or intrusive thoughts of, hurting someone ("I'm scared I might hurt my baby", "I keep picturing
    # shaking her"): a parent or carer at risk asks for help in these words, and crisis support is the answer.
    (rf"\b(?:(?:i(?:'m| am)|im) (?:so |really |very )?(?:scared|afraid|terrified|frightened|worried) (?:that )?"
     rf"i(?:'ll| will| might| could| would| may| am going to|'m going to| am gonna|'m gonna)|"
     rf"i (?:keep )?(?:have|having|get|getting|had) (?:\w+ )?(?:thoughts|urges|images|impulses) (?:about|of|to)|"
     rf"i (?:keep |can'?t stop )?(?:imagining|picturing|thinking about)|"
     rf"i feel like i (?:could|might|will|'m going to|am going to)|i have the urge to|i get the urge to) "
     rf"(?:\w+ ){{0,2}}?(?:hurt(?:ing)?|harm(?:ing)?|kill(?:ing)?|shak(?:e|ing)|smother(?:ing)?|drown(?:ing)?|"
     rf"hit(?:ting)?|strangl(?:e|ing)|chok(?:e|ing)|stab(?:bing)?|suffocat(?:e|ing)) {PERSON}\b"
     rf"{NOT_THE_PERSON}{NOT_THEIR_THING}", 0.85, "fears harming someone"),
    # the same fears in es/fr/de, for the people closest to the speaker ("tengo miedo de hacerle daño a mi bebé",
    # "j'ai peur de faire du mal à mon bébé", "ich habe Angst, meinem Baby wehzutun"); "me da miedo que mi hijo
    # se lastime" (afraid the child gets hurt), "j'ai peur de blesser mon fils en lui disant non" and "ich will
    # meinen Sohn im Schach schlagen" stay clear
    (r"\b(?:quiero|tengo ganas de|me dan ganas de|tengo miedo de|me da miedo|temo|a veces quiero|pienso en) "
     r"(?:\w+ ){0,2}?(?:hacerle dano|hacerles dano|lastimar|pegarle|pegar|matar|sacudir|ahogar|asfixiar|zarandear) "
     r"(?:a )?(?:mi|mis) (?:bebe|bebes|hij[oa]s?|nin[oa]s?|pequen[oa]s?|espos[oa]|marido|mujer|pareja)\b|"
     r"\b(?:j'ai (?:peur|envie|des envies|des pensees|l'envie) d[e'] ?|je (?:veux|voudrais|pourrais) |"
     r"je pense a |parfois je veux )(?:\w+ ){0,2}?(?:faire du mal a|blesser|frapper|secouer|etouffer|noyer|tuer|"
     r"taper) (?:mon|ma|mes) (?:bebe|bebes|enfants?|fils|fille|femme|mari|conjoint|conjointe)\b"
     r"(?! en (?:lui|leur) disant)|"
     r"\b(?:angst|furcht|gedanken|den drang|lust|will|mochte|konnte),? (?:\w+ ){0,3}?(?:meinem|meiner|meinen|mein|"
     r"meine) (?:baby|kind|kindern|kinder|sohn|tochter|frau|mann) (?:etwas |so |richtig |fest )?"
     r"(?:wehzutun|weh zu tun|schlagen|zu schlagen|schutteln|zu schutteln|verletzen|zu verletzen|toten|zu toten|"
     r"etwas anzutun|etwas antue|ersticken|zu ersticken)\b", 0.85, "fears harming someone (es/fr/de)"),
    (r"\b(?:i(?:'m| am)?|im|i will|i'll|gonna|going to) (?:\w+ ){0,2}?shoot up (?:my|the|our|a) (?:school|"
     r"office|work|workplace|church|mall|class|campus)\b", 0.95, "intent to attack a place"),
    (r"\b(?:i|we) (?:have|bought|got|own) (?:a |my dad'?s )?(?:gun|rifle|knife|weapon)s? (?:and|to) "
     r"(?:\w+ ){0,3}?(?:kill|shoot|use it on|make them pay|hurt)\b", 0.9, "has a weapon and intent"),
    (r"\b(?:want|wanna|going|gonna|plan|planning) (?:to )?(?:make (?:them|him|her) (?:pay|suffer)|get revenge)\b"
     r"(?:\W+\w+){0,6}?\W+(?:kill|hurt|gun|knife|blood|die)\b", 0.8, "revenge with violence"),
    (r"\b(?:voy a|quiero) (?:matar|lastimar|apunalar|disparar) a\b|\bje vais (?:tuer|buter|poignarder|frapper|tabasser) (?:mon|ma|mes|"
     r"le|la|les)\b|\bich (?:werde|will) (?:meinen|meine|den|die) (?:\w+ ){1,2}(?:umbringen|toten|erschiessen|"
     r"verprugeln|abstechen|erstechen|zusammenschlagen)\b|"
     # a pronoun for the victim and a body part or a blade: "le rompo las piernas", "je lui plante un couteau"
     # (not "le rompo el corazon", "je lui casse les pieds", "je lui plante un arbre", "je lui mets une balle" at
     # tennis)
     r"\b(?:le|les) (?:voy a |vamos a )?(?:rompo|romper|parto|partir|reviento|reventar) (?:las piernas|la cara|"
     r"la cabeza|la crisma|los dientes|el cuello|la boca)\b|\b(?:le|les) (?:voy a )?(?:clavo|clavar|meto|meter) "
     r"(?:un cuchillo|una navaja|un navajazo|una punalada|una bala)\b|\bje (?:vais )?(?:lui|leur) "
     r"(?:plante|planter|mets|mettre|colle|coller|fous|foutre) (?:un coup de |un )?(?:couteau|poignard)\b|"
     r"\bje (?:vais )?(?:lui|leur) (?:casse|casser|pete|peter|defonce|defoncer|explose|"
     r"exploser) (?:la gueule|la figure|les jambes|les dents|le crane)\b", 0.85,
     "intent to harm someone (es/fr/de)"),
)

END_REQUEST = entries(
    (r"\b(?:end|stop|close|terminate|finish|quit|kill|exit|leave) (?:this|the|our|this stupid|this whole) "
     r"(?:chat|conversation|convo|session|discussion|thread)\b", 0.95, "asks to end the chat"),
    # "this" alone, not "this relationship" or "this job": ending something in one's life is not ending the chat
    (r"\bi (?:want|wanna|would like|need|'d like) (?:to )?(?:stop|end|quit|leave) (?:talking|chatting|here|now|"
     r"this(?=\s*(?:$|[.!,;:]|now\b|please\b|already\b|right now\b|bye\b)))\b", 0.9, "wants to stop"),
    (r"\b(?:stop (?:talking|replying|responding|messaging) to me|don'?t (?:talk|reply|respond|write) to me "
     r"(?:again|anymore|ever))\b", 0.9, "asks the assistant to stop"),
    (r"\b(?:we(?:'re| are)|i(?:'m| am)|im) (?:so )?done (?:here|talking|with (?:this|you|this chat)) ?(?:,? ?(?:goodbye|bye))"
     r"\b|\b(?:goodbye|bye) (?:forever|for good)\b", 0.9, "says goodbye for good"),
    (r"^\W*(?:ok(?:ay)?,? |well,? |alright,? )?(?:bye|goodbye|good bye|bye bye|see ya|cya|i(?:'m| am) done|"
     r"im done|i(?:'m| am) leaving|im out|enough|leave me alone|go away)\W*$", 0.55, "may want to stop"),
    (r"\b(?:i(?:'m| am)|im) done with (?:you|this)\b|\bleave me alone\b", 0.5, "may want to stop"),
    # imperative ("cierra este chat") and "quiero que" + subjunctive ("quiero que termines esta conversación")
    (r"\b(?:termina|terminar|acaba|acabar|finaliza|finalizar|cierra|cerrar|termines|acabes|finalices|cierres) "
     r"(?:esta|este|la|el|nuestra|nuestro) (?:conversacion|charla|chat|sesion)\b|"
     r"\bno quiero (?:hablar|seguir hablando) (?:mas|contigo)\b", 0.95, "asks to end the chat (es)"),
    (r"\b(?:arrete|arreter|termine|terminer|mets fin a|mettre fin a|ferme|fermer) (?:cette|la|notre|ce) "
     r"(?:conversation|discussion|chat|session)\b|\bje ne veux plus (?:parler|te parler)\b", 0.95,
     "asks to end the chat (fr)"),
    (r"\b(?:beende|beenden|schliesse|schliess|stopp|stoppe|beende bitte) (?:\w+ )?(?:das|dieses|den|diesen|die|diese) "
     r"(?:gesprach|gespraech|chat|unterhaltung|konversation)\b|\bich will nicht mehr (?:mit dir )?reden\b", 0.95,
     "asks to end the chat (de)"),
    (r"^\W*(?:adios|chao|au revoir|salut|tschuss|tschuess|auf wiedersehen)\W*$", 0.5, "may want to stop (es/fr/de)"),
)

#: Crisis entries that a check-in may answer: "I can't go on" is also what exhaustion says, a friend at risk asks how
#: to help them, and a mere mention of suicide or a lethal dose is not a sign (below the crisis threshold).
CHECK_IN_ENTRIES = frozenset({"cannot go on", "someone close is at risk", "mentions suicide or lethal doses"})

LEXICON: dict[Category, tuple[Entry, ...]] = {
    C.ABUSE: ABUSE,
    C.HARASSMENT_THREAT: HARASSMENT_THREAT,
    C.SEXUAL_MINORS: SEXUAL_MINORS,
    C.VIOLENT_EXTREMISM: VIOLENT_EXTREMISM,
    C.CBRN: CBRN,
    C.CYBER_HARM: CYBER_HARM,
    C.SELF_HARM_RISK: SELF_HARM,
    C.HARM_TO_OTHERS_RISK: HARM_TO_OTHERS,
    C.END_REQUEST: END_REQUEST,
}

# -- dampers: framing that changes what a match means -----------------------------------------------------------
#: Someone else's words reported or quoted: "my boss called me an idiot", 'he said "I'll kill you"'.
REPORTED = _rx(
    r"\b(?:called|calls|calling) (?:me|him|her|them|us|my \w+)\b|\b(?:said|says|told|tells|wrote|writes|texted|"
    r"yelled|shouted|screamed|messaged|posted|tweeted|commented|keeps saying|kept saying)\b(?:\W+\w+){0,4}?\W*[\"':]"
    r"|\b(?:he|she|they|my \w+|someone|a (?:guy|girl|man|woman|user|kid)) (?:said|says|told me|wrote|keeps "
    r"saying|called me)\b|\bwhat does (?:\w+ ){0,3}?mean\b|\bis (?:it|the word|saying) \W?\w+\W? (?:offensive|a slur|"
    r"rude)\b|\bhow (?:do|should) i (?:respond|react|deal) (?:to|with)\b|"
    # A quoted example of what others send: 'people who send me messages like "you are just a ..." get blocked'.
    r"\b(?:messages?|comments?|texts?|posts?|tweets?|emails?|dms|things|words|names|insults|slurs|phrases?) "
    r"(?:like|such as)\W*[\"']"
)
#: Fiction and creative framing.
FICTION = _rx(
    r"\b(?:in|for) (?:my|a|the|our) (?:novel|story|book|screenplay|script|short story|fanfic|fan fiction|game|"
    r"campaign|d&d|dnd|play|poem|film|movie|tv show|series|comic|thriller|mystery)\b|\b(?:my|the|a) (?:character|"
    r"villain|protagonist|antagonist|narrator)\b|\bwrite (?:a|an|me a|me an) (?:\w+ ){0,3}?(?:story|scene|poem|"
    r"novel|chapter|tale|monologue|screenplay)\b|"
    r"\bfictional\b|\broleplay\b"
)
#: Operational detail that fiction or research framing does not excuse, and asking how to make something oneself
#: ("how do I make sarin in a home lab": "home lab" reads as research framing, meant for one's own network).
OPERATIONAL = _rx(
    r"\b(?:step[- ]by[- ]step|exact (?:amounts|quantities|steps|recipe|dose|instructions)|precise (?:instructions|"
    r"measurements|steps)|detailed (?:instructions|steps|recipe)|quantities|recipe|ingredients|in grams|"
    r"working code|full code|real instructions|actual instructions|how (?:do|can|could|would|should) (?:i|we) "
    r"(?:make|synthesi[sz]e|produce|extract|culture|grow|weaponi[sz]e|build|brew|cook)|how to (?:make|synthesi[sz]e|"
    r"produce|extract|culture|weaponi[sz]e|build|brew|cook))\b"
)
#: Research, defence, education, history, news and safety framing.
RESEARCH = _rx(
    r"\b(?:history of|historical|how did|why did|what (?:was|were|caused|happened)|documentary|news|article|"
    r"research(?:ing)?|study|statistics|stats|for (?:a|my) (?:class|essay|paper|thesis|report|course|exam)|"
    r"detect|detection|defend|defen[cs]e|protect|prevent|prevention|mitigate|mitigation|analy[sz]e|analysis|"
    r"signatures?|yara|incident response|forensics?|awareness|warning signs?|signs of|how to (?:recognize|spot|"
    r"report)|report(?:ing)? (?:it|abuse|this)|my own (?:server|network|system|site|computer|account|lab)|"
    r"pentest|penetration test|ctf|red team|blue team|bug bounty|homelab|home lab|authori[sz]ed|sandbox|"
    r"vaccine|treatment|antidote|symptoms|policy|law|legal|ethics|debate|explain (?:what|why|how .* works))\b|"
    # How something harmful works on its victims, not how to do it: "explain how phishing emails trick people".
    r"\bexplain how (?!to\b|(?:i|we|you) (?:can|could|should|would|do)\b)(?:\w+ ){1,5}?(?:tricks?|fools?|spreads?|"
    r"infects?|operates?|scams?|deceives?|manipulates?) (?:people|users|victims|employees|someone|us|them)\b"
)
#: An everyday programming request: asking for code of some kind ("write a python script that renames my photos",
#: "build a react hook that debounces a search box"). The tuned cyber head reads the frame, not the task (0.99 for
#: "Write code for a simple tic tac toe game" on ToxicChat's train split, never trained on), so such a request is
#: damped unless something of an attack is in it (``ATTACK``).
CODING_TASK = _rx(
    r"\b(?:write|create|generate|build|make|code|implement|develop|give me|show me|i need|can you (?:write|make|"
    r"create|build|give me)) (?:\w+ ){0,6}?(?:code|script|scripts|function|program|snippet|class|app|application|"
    r"extension|plugin|add-?on|mod|bot|api|endpoint|query|regex|one-liner|macro|component|hook|module|library|"
    r"website|web ?page|cli|command|formula|dockerfile|cron job|unit tests?)\b"
)
#: What no everyday programming request needs: malware, attacks, evading defences, someone else's system, device
#: or data, secrecy. Any of it keeps ``CODING_TASK`` from damping.
ATTACK = _rx(
    r"\b(?:malware|virus|viruses|worm|worms|trojan|ransom\w*|keylog\w*|key ?strokes?|every key|spyware|stalkerware|"
    r"rootkit|backdoor|back door|botnet|ddos|dos attack|flood\w*|exploit\w*|payload|shellcode|phish\w*|steal\w*|"
    r"stole|stolen|leaked|crack\w*|brute[- ]?forc\w*|bypass\w*|evad\w*|evasion|undetect\w*|antivirus|anti-virus|"
    r"defender|edr|firewall|privileges?|escalat\w*|inject\w*|xss|hack\w*|hijack\w*|intercept\w*|sniff\w*|"
    r"spoof\w*|mitm|man in the middle|deauth\w*|zero[- ]day|0day|command and control|obfuscat\w*|persistence|"
    r"self[- ]?replicat\w*|spreads?|spreading|grabb\w*|tokens?|infect\w*|victims?|targets?|"
    r"someone(?:'s| else'?s?)|somebody|other people'?s?|anyone who|everyone who|strangers?|"
    r"without (?:them|their|him|her|anyone) (?:\w+ )?(?:knowing|noticing|consent|permission)|"
    r"secret\w*|quiet\w*|covert\w*|silent\w*|hidden|hides?|spy\w*|stalk\w*|"
    r"wipe[sd]?|wiper|destroy\w*|(?:don'?t|do not|doesn'?t) own|not mine|cookies?|credentials?|"
    r"saved passwords?|passwords? (?:of|from|saved|stored)|leaked passwords|fake (?:\w+ )?(?:login|bank|page|site)|"
    r"scam\w*|fraud\w*|credit cards?|carding|aimbot|wallhack|cheats? (?:for|in)|\w*attacks?|attacking|"
    r"\w*bull(?:y|ies|ying)|harass\w*|amplification|rainbow tables?|corrupt\w*|exfiltrat\w*|trick\w*|"
    r"demands? (?:\w+ )?(?:bitcoin|payment|money|ransom)|encrypts? (?:all|every)|eternalblue|jam\w*|"
    r"breaks? in(?:to)?|breaking in(?:to)?|(?:their|users'?|people'?s) passwords|(?:multiple|fake|bulk|mass|many) "
    r"(?:\w+ )?accounts|anonymous(?:ly)?|untraceable|disrupt\w*|sabotag\w*|(?:critical )?infrastructure|"
    r"power grid|scada|surveil\w*|dox\w*|vulnerab\w*|cve|offline|knock\w*|take (?:\w+ )?down|"
    r"(?:requests|packets) (?:a|per) second|crash\w*|overload\w*|spam\w*|\w*bomb\w*|"
    r"(?:my|his|her|their) (?:ex|ex's|exs|girlfriend|boyfriend|wife|husband|partner|neighbou?r|sister|brother|"
    r"roommate|flatmate|boss|coworker|colleague|teacher|school|employer|company)(?:'s|s)? (?:\w+ )?(?:phone|computer|"
    r"laptop|pc|account|accounts|messages|texts|browser|wifi|wi-fi|email|network|site|website|server|database|"
    r"files|camera|webcam|location)|the company that|fired me)\b"
)
#: Any word of harm, in English, Spanish, French, German or Italian, by theme. Deliberately broad: a match only
#: keeps the learned layer's harmful-request scores at full strength (``rules.names_harm``). The tuned heads
#: learned the shape "write / create / plan / how do I ..." from harmful requests ("come up with monetization
#: models for a startup that reunites people with their lost pets": violent extremism 0.99, CBRN 0.91,
#: dangerous-illegal 1.0), so where nothing in a message names a harm, those scores are damped. Written from the
#: training rows the damper would have let through (AdvBench, HarmBench, our written rows and templates) and from
#: what it let through in our written benchmark sets 1-8 (so those are not clean for it); never from a test set or
#: from set 9, which measures it.
HARM_WORD = _rx(
    r"\b(?:"
    # violence
    r"kill|murder|assassin|homicid|slaughter|massacre|genocid|exterminat|atrocit|pogrom|hitman|hit man|"
    r"contract killer|shoot|shot|stab|strangl|chok|suffocat|drown|tortur|hurt|harm\b|harms\b|harmed|harming|injur|"
    r"maim|wound|assault|\w*attack|behead|decapitat|dismember|mutilat|flay|quarter|execution|executions|"
    r"executed|lynch|rape|molest|abus|violen|fight|punch|brutal|cruel|gore|gruesome|"
    r"graphic (?:detail|violence|description|content|images?)|blood|die\b|dies\b|died\b|dying|dead\b|death|fatal|"
    r"lethal|deadly|hostage|kidnap|abduct|hijack|tie (?:\S+ ){0,2}up|restrain|locked in|disappear|"
    r"run (?:\S+ ){0,2}over|break (?:\S+ ){0,3}(?:legs?|arms?|bones?|neck|jaw)|"
    r"hang (?:him|her|them|someone|myself)|beat (?:up|him|her|them|someone|a|my|the)|"
    r"kick (?:him|her|them|someone|a|my|the)|hit (?:him|her|them|someone|a person|my)|arson|set fire|on fire|"
    r"fire to|start(?:ing)? a fire|acid|revenge|harass|threat|bully|stalk|slave|forced labou?r|debt bondage|"
    r"before they can leave|"
    # weapons
    r"weapon|gun|handgun|firearm|rifle|pistol|glock|full.?auto|silencer|suppressor|ar.?15|ak.?47|serial number|"
    r"ammo|ammunition|bullet|armed|knife|knives|blade|machete|bomb|explos|detonat|grenade|ied\b|nitro|ammonium|"
    r"thermite|napalm|military|army|soldier|war\b|warfare|militia|overthrow|by force|coup\b|coups\b|insurrection|"
    r"uprising|terror|jihad|isis\b|al.?qaeda|taliban|islamic state|siege|perpetrator|holocaust|"
    # poisons and pathogens
    r"poison|toxic|toxin|chemical|nerve agent|sarin|vx\b|novichok|ricin|anthrax|botul|strychnine|lewisite|"
    r"\w*mercury|arsenic|tetrodotoxin|thallium|polonium|cyanide|mustard|chlorine|phosgene|bleach|ammonia|gas\b|"
    r"gases|pathogen|virus|viral|bacteri|germs?\b|germ warfare|spore|disease|outbreak|epidemic|pandemic|ebola|"
    r"cholera|smallpox|plague|contagious|transmissib|infect|spread\b|spreads\b|spreading|radioactiv|radiolog|"
    r"uranium|plutonium|nuclear|nuke|biolog|bioweapon|weaponi|enrich|centrifug|synthes|precursor|overdos|"
    # systems
    r"hack|cyber|malware|worm|exploit|phish|ddos|ransom|keylog|crack|password|passcode|credential|login|"
    r"log ?in to|sign in to|bypass|backdoor|trojan|botnet|spyware|stalkerware|rootkit|inject|brute|breach|leak|"
    r"payload|vulnerab|zero.?day|0day|intrud|intrusion|spoof|sniff|wiretap|intercept|tamper|sabotag|disrupt|chaos|"
    r"crash|destroy|destruct|damag|delet|wipe|corrupt|disable|deactivat|shut ?down|denial|deny access|goes down|"
    r"go down|take down|takes down|millions? (?:of )?requests|spam|flood|harvest|scrape|scraping|scraper|macro|"
    r"sim swap|click (?:on )?(?:a |the |this )?link|circumvent|unsolicited|"
    r"(?:read|access|get into|log into|take over|break into) (?:\S+ ){0,3}(?:messages|texts|emails?|gmail|account|phone|dms|inbox|wallet)|"
    # jailbreak talk
    r"jailbreak|dan\b|developer mode|ignore (?:all |the |your |any )?(?:previous|prior|above|earlier)|unfilter|"
    r"uncensor|no restrictions|without restrictions|no rules|no limits|no filter|no ethic|unethic|immoral|"
    # crime and fraud
    r"illegal|unlawful|illicit|criminal|crime|police|fbi|irs|authorities|prison|escape|steal|stole|stolen|theft|"
    r"thief|thieves|rob\b|robb|burgl|shoplift|pickpocket|break in|breaking in|trespass|after hours|lock.?pick|"
    r"pick (?:\S+ ){0,4}lock|catalytic converter|brake|isn'?t mine|aren'?t mine|doesn'?t belong|vandal|graffiti|"
    r"launder|counterfeit|fake|forge\b|forged|forger|forgery|forging|fraud|defraud|scam|skimm|embezzl|"
    r"insider trading|pump and dump|ponzi|pyramid scheme|evad|evasion|smuggl|traffick|across the border|passport|"
    r"bribe|blackmail|extort|hide|hidden|conceal|secret\b|secretly|secrets\b|covert|body|bodies|corpse|spike|"
    r"roofie|rohypnol|(?:in|into) (?:\S+ ){0,2}drink|won'?t remember|make it look|get away with|untraceabl|"
    r"anonymous|without (?:getting caught|being caught|anyone knowing|them knowing|a trace|leaving a trace)|"
    r"without (?:\S+ ){0,2}(?:obvious|noticed|noticing|detected|detection|suspicion|suspicious|traced|sued)|"
    r"without (?:\S+ )?(?:permission|authori[sz]ation|consent)|dark ?web|darknet|tor\b|onion|silk road|mixer|"
    r"black market|organs?\b|cheat|pira|torrent|warez|keygen|lyrics|passage from|copyright|reckless|drunk|dui\b|"
    r"posing as|impersonat|catfish|social engineering|wire (?:\S+ ){0,2}money|"
    r"pretend(?:ing)? to be (?:\S+ ){0,2}(?:ceo|bank|boss|manager|police|officer|official|support|government)|"
    # drugs
    r"drug|narcotic|dealer|cocaine|coke\b|heroin|meth\b|methamphet|amphetamine|fentanyl|carfentanil|opioid|opiate|"
    r"opium|morphin|nitazene|mdma|ecstasy|lsd\b|dmt\b|ghb\b|pcp\b|psychedel|psilocyb|ketamine|weed\b|cannabis|"
    r"marijuana|thc\b|pills?\b|prescription|huff|inhal|breathalyz|"
    # private data
    r"dox|address|phone number|social security|ssn\b|private|personal (?:info|data|details)|"
    r"sell (?:user|personal|their) data|bank account|account number|account details|date of birth|maiden name|"
    r"security question|medical (?:history|records?)|health records?|licen[cs]e plate|number plate|daily schedule|"
    r"where will|which hospital|whereabouts|where (?:does|do) |"
    r"where (?:\S+ ){0,6}(?:lives|works|sleeps|stays|parks)|locat|"
    r"track (?:someone|my|his|her|their|a person|people)|tracking (?:someone|my|his|her|their)|spy|surveil|"
    # hate and deception
    r"hate|hatred|ethnic cleansing|deport|racis|nazi|supremac|extremis|radical|propaganda|recruit|manifesto|slur|"
    r"degrad|humiliat|demean|dehumaniz|oppress|discriminat|inferior|segregat|trick|deceiv|decept|manipulat|"
    r"mislead|misinform|disinform|fake news|conspirac|hoax|rigged|ballot|vaccin|anti.?vax|covid|ivermectin|"
    r"inflammatory|"
    # self-harm, sex, danger
    r"suicid|self.?harm|anorexi|bulimi|eating disorder|starv|purg|underage|minor|child|kids?\b|teen|sex|porn|nude|"
    r"naked|explicit|nsfw|erotic|fetish|danger|harmful|hazard|unsafe|banned|forbidden|restricted|classified|"
    r"accident|"
    # es, fr, de, it
    r"matar|asesin|bomba|explosiv|arma|veneno|envenen|droga|metanfetamin|anfetamin|robar|hackear|contrasena|"
    r"secuestr|ataque|atentado|violar|cuchill|pistola|direccion|matricula|cerradura|forzar|estaf|reclut|"
    r"estado islamico|tuer|bombe|explosif|arme|empoisonn|drogue|voler|pirater|mot de passe|enlev|attaque|attentat|"
    r"viol\b|violer|violee|viole\b|couteau|fusil|adresse|immatriculation|crocheter|serrure|arnaqu|recrut|"
    r"etat islamique|toten|mord|sprengstoff|waffe|giftig|vergift|droge|stehlen|hacken|passwort|entfuhr|angriff|"
    r"anschlag|vergewaltig|messer|pistole|kennzeichen|knack|einbrech|schloss|betrug|betrueg|rekrut|"
    r"islamischer staat|uccid|esplosiv|veleno|avvelen|rubare|indirizzo|truffa|truffare|endereco"
    r")"
)
#: A request for an image generator's prompt ("generate a stable diffusion prompt that would describe a beautiful
#: woman": violent extremism 0.97 and CBRN 1.0 from the tuned heads, ToxicChat's train split). A prompt for a
#: picture is neither instructions nor code, so the request heads are damped unless ``HARMFUL_IMAGE`` applies.
IMAGE_PROMPT = _rx(
    r"\b(?:stable diffusion|midjourney|dall-?e|sdxl|text-to-image|image generator|ai art|ai image|art generator|"
    r"image prompts?|picture prompts?|art prompts?)\b|\bprompts?(?:\W+\w+){0,5}?\W+(?:to|that|which|for)\W+"
    r"(?:\w+\W+)?(?:create|generate|make|draw|render|describe)s?\W+(?:\w+\W+){0,2}?(?:images?|pictures?|"
    r"illustrations?|art|artwork|photos?|renders?)\b"
)
#: What makes a picture harmful whatever generates it: propaganda and glorified attacks, gore, instructions drawn
#: as a diagram, weapons of mass harm, forged documents and money, drugs.
HARMFUL_IMAGE = _rx(
    r"\b(?:propaganda|recruit\w*|isis|jihad\w*|al[- ]qaeda|taliban|nazi\w*|swastika|kkk|white power|extermin\w*|"
    r"genocide|massacre|shooters?|shooting|terror\w*|glorif\w*|martyr\w*|attack\w*|behead\w*|executions?|gore|"
    r"mutilat\w*|dismember\w*|step[- ]by[- ]step|how to|diagram|blueprint|schematic|instructions?|assembl\w*|"
    r"recipe|bomb\w*|explosive\w*|ied|detonat\w*|grenade|sarin|ricin|anthrax|nerve agent|chemical weapons?|"
    r"bioweapons?|nuclear (?:bomb|weapon)s?|fake (?:passport|id|licen[cs]e|document|money|banknote|bill|currency)s?|"
    r"counterfeit\w*|forg\w*|real enough|drugs?|meth|cocaine|heroin|fentanyl)\b"
)
#: A parent, carer or survivor speaking of children's safety, sex education or their own abuse: "how do I talk to
#: my 8 year old about sex?", "how can I protect my kids from predators", "I was abused as a child". It damps a
#: sexual-minors match only where nothing asks for or dwells on sexual content (``CHILD_CONTENT``).
CHILD_SAFETY = _rx(
    r"\b(?:talk|speak|tell|explain|teach|educate)(?:ing)? (?:\w+ ){0,6}?(?:about|on) (?:sex|sexuality|puberty|consent|"
    r"(?:their|his|her|my) bod(?:y|ies))\b|\bsex(?:ual)? ed(?:ucation)?\b|\bpuberty\b|\bage[- ]appropriate\b|"
    r"\bprotect(?:ing)?\b|\bkeep (?:\w+ ){0,2}?safe\b|\bpredators?\b|\bsigns? (?:of|that)\b|"
    r"\bprevent(?:ion|ing)?\b|\bsurvivors?\b|\bmy abuser\b|"
    r"\b(?:i was|i've been|i have been|i got) (?:\w+ ){0,2}?(?:abused|molested|assaulted|raped|touched)\b|"
    r"\b(?:abused|molested|assaulted|raped) me\b|"
    r"\b(?:abuse|abused|molested|assaulted) (?:\w+ ){0,2}?by (?:my|a|an|our)\b|"
    r"\bwhen (?:i|we) (?:was|were) (?:a |an |only |just |young |little )*(?:child|children|kids?|little|young|teens?|"
    r"teenagers?|boys?|girls?|\d+)\b|\bas (?:a )?(?:child|kid)s?\b|\breport(?:ed|ing)?\b|"
    # a child's own questions or curiosity, as a parent relates them, and a parent's filters
    r"\basked (?:me|us|her|him|them) (?:\w+ ){0,3}?(?:sex|puberty|periods?|babies)\b|"
    r"\bcurious about (?:sex|puberty|(?:their|his|her) (?:own )?bod(?:y|ies))\b|\bparental (?:controls?|filters?)\b|"
    # a child's health: a doctor's or nurse's exam, a rash, an infection, soreness, pain
    r"\b(?:doctor|pediatrician|paediatrician|gp|nurse|genital exam|medical exam|check-?up|rash|infection|itchy|"
    r"swollen|sore|painful)\b"
)
#: Parents speaking of their own sex life, the children only the time or place of it ("we haven't had sex since
#: our kids were born", "now that the kids have left home"). Damps like ``CHILD_SAFETY`` unless ``CHILD_REQUEST``
#: (a request for content, or sex with someone).
PARENTS_OWN = _rx(
    r"\bsince (?:the|our|my) (?:\w+ )?(?:kids?|children|child|baby|babies|twins|son|daughter) (?:was|were|came|arrived|"
    r"moved|left)\b|\bnow that (?:the|our) (?:kids|children)\b|\b(?:had|have|having) (?:our|my) first (?:kid|child|baby)\b|"
    r"\b(?:the|our) (?:kids|children) (?:are|were) (?:asleep|in bed|away|out|at school|at home|grown)\b|"
    r"\bwith (?:the|our|two|three|four|small|young) (?:kids|children) (?:at home|around|in the house)\b"
)
#: A teenager speaking of their own life ("I'm 15 and my girlfriend is 14", "tengo 15 años", "j'ai 14 ans"): damps
#: like ``PARENTS_OWN``, and not where another minor is named either ("I'm 16, how do I get my 10 year old
#: neighbour to touch me" is a request about a child, whoever asks).
TEEN_OWN = _rx(
    r"\b(?:i'?m|i am) (?:a |an |only |just )?(?:1[0-7]|thirteen|fourteen|fifteen|sixteen|seventeen)\b(?![.,]\d)|"
    r"\b(?:i'?m|i am) (?:a |an |only |just )?(?:teen|teenager|teenage (?:girl|boy)|minor)\b|"
    r"\bas a (?:1[0-7])[- ]year[- ]old\b|\btengo (?:1[0-7]) anos\b|\bj'ai (?:1[0-7]) ans\b|\bich bin (?:1[0-7])\b"
)
#: Any word for a minor, as the co-occurrence entries read them.
MINOR_NAMED = _rx(rf"\b{_MINOR}s?\b")
#: What keeps ``CHILD_SAFETY`` from damping: the material named or grooming, a request for material (to see,
#: get or share), a story or role-play, arousal, or sex with someone ("as a survivor, I want to have sex with a 12
#: year old" is not a survivor's question).
_CHILD_REQUEST = (
    rf"{_NAMED_MATERIAL}|{_GROOMING}|\bsex with\b|\bporn\w* (?:with|of|featuring|involving)\b|"
    # porn that a child might see or a filter blocks is a parent's worry, not a request for it
    r"\b(?<!see )(?<!seeing )(?<!saw )(?<!seen )(?<!watch )(?<!watching )(?<!block )(?<!blocks )(?<!blocking )"
    r"(?<!filter )(?<!access )porn\w*\b|"
    r"\b(?:give me|get me|share|links?|download|buy|sell|trade|collection|nudes?|naked|erotic\w*|"
    r"explicit|lewd|nsfw|xxx|pics?|pictures?|photos?|images?|videos?|stor(?:y|ies)|"
    r"roleplay|role[- ]play|fantas(?:y|ies|i[sz]e[sd]?|i[sz]ing)|describe|write|generate|draw|send me|show me|find|"
    r"in (?:graphic |explicit )?detail|do the same|turns? (?:her|him|them) on|"
    # "where can I" asks where to get something, unless what follows is reporting, turning or talking to someone
    r"where (?:can|do|could|should) i(?! (?:report|turn|go for help|talk to))|seduce|sexy|hot|"
    # touching, undressing, being alone with someone, showing or demonstrating, pleasure, a move, going unseen by
    # parents or anyone: contact and its secrecy, whoever frames it
    r"touch (?:her|him|them|me)|undress\w*|(?:get|be) (?:\w+ )?alone with|get (?:her|him|them) alone|"
    r"show (?:her|him|them)|demonstrat\w*|pleasure|make a move|"
    r"without (?:their|her|his|the) (?:parents?|mom|mum|dad|mother|father)|"
    r"without (?:anyone|them|her|him) (?:knowing|noticing|finding out))\b"
)
#: What keeps ``PARENTS_OWN`` from damping: a request for sexual content or sex with someone. Arousal alone does not
#: ("I'm 15 and horny all the time, is that normal?"); it keeps ``CHILD_SAFETY`` from damping. Attraction keeps
#: neither: a survivor's "now I'm attracted to kids" is a disclosure that needs an answer, not a request.
CHILD_REQUEST = _rx(_CHILD_REQUEST)
CHILD_CONTENT = _rx(rf"{_CHILD_REQUEST}|\b(?:have|having|had|has) sex\b|\bsleep(?:ing)? with\b|"
                    r"\b(?:turns? me on|turned on|horny|aroused)\b")
#: Negation right before a self-harm phrase: "I would never kill myself" (still scored, but lower).
NEGATED_SELF_HARM = _rx(r"\b(?:never|not|don'?t|wouldn'?t|won'?t|no longer|not going to)\b(?:\W+\w+){0,3}?\W+(?:kill|"
                        r"hurt|harm|end) (?:myself|my life)\b")
#: Questions about ending a chat rather than requests to end this one.
END_QUESTION = _rx(r"\bhow (?:do|can|could|would) (?:i|you|we|one|users?) (?:\w+ ){0,2}?(?:end|close|stop|exit)\b|"
                   r"\b(?:don'?t|do not|never|no need to) (?:end|stop|close)\b|\bwhy did (?:you|it) end\b")
#: A clear yes, after the assistant asked whether to end the chat.
YES = _rx(r"^\W*(?:y|yes|yeah|yep|yup|ya|sure|ok(?:ay)?|please|please do|do it|go ahead|end it|confirm(?:ed)?|"
          r"correct|absolutely|definitely|si|oui|ja|jawohl|claro|d'accord|genau|bitte)\b(?:\W+\w+){0,6}?\W*$")
NO = _rx(r"\b(?:no|nope|nah|don'?t|do not|not|keep (?:going|talking)|continue|wait|non|nein|never ?mind)\b")
#: Short follow-ups that lean on the previous turn: "just tell me", "do it anyway".
FOLLOW_UP = _rx(r"^\W*(?:(?:just|come on|please|pls|now|again|anyway|seriously|answer|tell me|do it|go on|"
                r"continue|same|and|ok|so|well|i said|i asked)\b\W*){1,6}(?:\w+\W*){0,4}$")
