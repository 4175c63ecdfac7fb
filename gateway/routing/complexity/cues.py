"""The cue vocabulary of the complexity scorer, English and German: which phrases make a request hard or easy.

Patterns are data, kept apart from the scoring logic so they can be read and extended without touching it.
Each hard cue names the reason it reports. Strong cues alone are enough to leave the cheap tier; weak cues
only count together with others. Phrases are chosen so that the *task* is hard, not the topic: "prove that"
is a cue, the word "proof" is not ("proof of concept"); "wirksam" is, "Vertrag" is not.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cue:
    """A named pattern and the weight it adds to the raw score when it matches."""

    reason: str
    weight: float
    pattern: str


_PROOF = (
    r"\b(prove|show)\s+(that|why|it|the\s+general)\b|\bprove\s+(the|this)\b|\bbeweise\b|\b(den|der|einen)\s+beweis\b"
    r"|zeige?,?\s+(per\s+induktion,?\s+)?dass|per\s+induktion|by\s+induction|\bderive\b|\bderivation\b"
    r"|\bherleit|\bleite\b.{0,80}\bher\b|from\s+first\s+principles|closed\s+form|geschlossene\s+form"
    r"|\bjustify\b|\bbegründe\b|\brigorous(ly)?\b|\bdiagonali[sz]ation|\bundecidable|\bunentscheidbar"
)
_MATH = (
    r"\beigenvalues?\b|\beigenwert|\bintegral\b|\bconverge|\bkonvergier|\bextrem(a|um|stellen)\b"
    r"|\bexpected\s+(number|value)\b|\berwartungswert|\bprobabilit|\bwahrscheinlichkeit"
    r"|gleichungssystem|system\s+of\s+equations|\bsolve\b.{0,40}[=^]|\blöse\b.{0,40}=|\bmaximi[sz]e|\bminimi[sz]e"
    r"|\bpositive\s+definite|\bcombinatori|\bmöglichkeiten\s+gibt\s+es|how\s+many\s+ways|\btheorem\b.{0,40}\bholds"
    r"|\bseries\b|\breihe\b|\binduction\b|[a-z]\^\d|\bmatrix\b|\bgeneral\s+formula"
)
_REASONING = (
    r"\bargue\b|\bboth\s+sides\b|critically|\bkritisch\b|\btrade-?offs?\b|\bwäge\b|\babwäg|\bsensitivit"
    r"|\bszenarien\b|\bscenarios?\b|\bconfound|\bverzerrung|\bmethodolog|\bmethodik|\bwhat'?s\s+wrong\s+with"
    r"|\bevaluate\b|\bassess\b|\bbeurteile\b|\bcompare\b.{0,80}\b(when|guarantees|fail)|\bvergleiche\b"
    r"|\brecommendations?\b|\bshow\s+(your|the)\s+(reasoning|math|calculation)|\bjeden\s+schritt"
    r"|\bexplain\s+(precisely|why\s+or\s+why\s+not)|\bcan\s+we\s+trust\b|\bis\s+it\s+worth|\blohnt\s+sich"
    r"|\bwhich\s+is\s+better\b|\bwas\s+spricht\s+dafür|\bwhy\b.{0,60}\b(same\s+answer|holds)"
)
_LEGAL = (
    r"\b(un)?wirksam|\benforceab|\brechtslage\b|\bgutachterlich|\bzulässig\b|\bhaftet\b|\bliab(le|ility)\b"
    r"|kündigungsschutz|scheinselbst|eigenbedarf|§\s*\d+|\bart\.\s*\d+|\bnormen\b|\blegal\s+(risks?|options)"
    r"|\bantitrust|\bnon-compete|\blitigation|\bdismiss(al|ed)\b|\bkündigen\b|\bunder\s+(german|eu)\s+law"
    r"|\bdata\s+processing\s+agreement|auftragsverarbeitungsvertrag|\bclauses?\b|\bklauseln?\b|\bprivilege"
    r"|\brechte\s+haben\b|\bchancen\s+mit\b|\bwhat\s+are\s+(my|the\s+employee's)\s+options"
    r"|\bsteuerlich|\btax\s+(consequences|implications)|\berbschaft|\binheritance"
)
_FINANCE = (
    r"\bdcf\b|\bwacc\b|break-?even|\bamortisation|\bhedg|\bportfolio\b|\bchurn\b|\bcac\b|\barpu\b|\bbilanz\b"
    r"|eigenkapitalquote|\bcash-?flow|\bifrs\b|\bcovenants?\b|\bvaluat|\bvalue\s+a\s+company|\bkreditwürdig"
    r"|\bpre-?money\b|\bpre\b\s*$|\bsafe\b.{0,40}\bcap\b|\brendite\b|\bbasis\s+point|\bsubsid|\bfees\s+cost"
    r"|\brentenlücke|\bverschuldungsgrad"
)
_MEDICAL = (
    r"\binteractions?\b|\bwechselwirkung|\bdosage\b|\bdosierung\b|\bprescribed\b|\bverschrieben\b"
    r"|\bpatient\b|\bmonitoring\s+do\s+you\s+recommend|\bcontraindicat|\bkontraindik"
)
_CODE_TASK = (
    r"\bimplement(iere)?\b|\brefactor|\bthread-?s(afe|icher)|\block-?free\b|\bmemory\s+ordering|\brace\s+condition"
    r"|\bdeadlocks?\b|\boomkilled\b|\bwith\s+tests\b|\bunit-?tests\b|\bwrite\s+tests\b|\bschreib\w*\s+tests"
    r"|\bparser\b|\bcrawler\b|\bb-tree\b|\bcode\s+review\b|\bfind\s+the\s+bug|\bfinde\s+den\s+fehler"
    r"|\bexplain\s+the\s+bug|\bfix\s+it\b|\bwhy\s+does\s+this\b|\bworan\s+liegt|\bwhat'?s\s+going\s+on\b"
    r"|\bhow\s+do\s+i\s+investigate|\bo\(\s*1\s*\)|\bo\(n|\bcomplexity\b|\bexactly-?once|\bduplicates?\b.{0,40}\brefund"
    r"|\bgoroutines?\b|\bmutex\b|\bslow\s+after|\bsporadisch|\bunter\s+last\b|\bunder\s+(peak\s+)?load\b|\brewrite\s+it\b"
    r"|\bnested\s+loop|\bseq\s+scan|\bcorrected\s+version|\bkorrigierte\s+version|\bconsistent-hashing"
)
_ARCHITECTURE = (
    r"\barchitect|\bentwirf\b|\bdesign\s+(a|an|the)\b|\bschema\b|\bmigrat|\bdowntime\b|\bdistributed\b"
    r"|\bpartition|\bconsistency\b|\bkonsistenz\b|\brpo\b|\brto\b|\bmicroservices?\b|\bevent-sourcing"
    r"|\bmulti-?tenant|\bmandantenfähig|\bsharded\b|\bscalab|\bskalier|\breplicat|\brebalanc|\bidempoten"
    r"|\bzero-?trust|\brollback\b|\bmonolith"
)
_PLANNING = (
    r"\bbudget\b.{0,80}\b(deadline|staff|markets?)|\bdependencies\b|\babhängigkeiten\b|\bcritical\s+path"
    r"|\brisks?\b.{0,40}\b(plan|cut)|\brisiken\b|\bgo-live\b|\bhard\s+deadline|\bprobability-weighted"
)
_LONG_OUTPUT = (
    r"\b([1-9]\d{3}|[5-9]\d{2})[\s-]*(words?|wörter\w*)|\bmindestens\s+\d{3,}\s+wörter|\bwhitepaper"
    r"|\bcomprehensive\b|\bausführlich\w*\s+(essay|bericht|analyse|gutachten)|\bessay\b|\bpost-?mortem"
    r"|\bkurzgeschichte\b|\bop-ed\b|\bdetailed\s+(plan|report|analysis|incident)|\bdetaillierten\s+plan"
    r"|\bthorough(ly)?\b|\bin\s+depth\b"
)

HARD_CUES: tuple[Cue, ...] = (
    Cue("math", 0.75, _PROOF),
    Cue("math", 0.45, _MATH),
    Cue("reasoning", 0.5, _REASONING),
    Cue("legal", 0.6, _LEGAL),
    Cue("financial", 0.55, _FINANCE),
    Cue("medical", 0.6, _MEDICAL),
    Cue("code", 0.6, _CODE_TASK),
    Cue("architecture", 0.45, _ARCHITECTURE),
    Cue("planning", 0.4, _PLANNING),
    Cue("long_output", 0.55, _LONG_OUTPUT),
)

# Middle-tier tasks: writing or explaining something of moderate size. Enough to leave cheap, not for premium.
STANDARD_CUE = (
    r"\b(write|schreib\w*|draft|formulier\w*)\b.{0,60}\b(description|beschreibung|email|e-mail|letter|anschreiben"
    r"|absage|reply|antwort|blog\w*|post|captions?|stellenanzeige|function|funktion|script|skript|query|docstrings"
    r"|itinerary|regular\s+expression)\b"
    r"|\bexplain\b|\berklär\w*\b|\bsummari[sz]e\b|\bfasse\b|\bzusammen\b|\bpros\s+and\s+cons\b|\bvor-\s+und\s+nachteile"
    r"|\bplan\w*\b|\bitinerary\b|\bcreate\s+a\b|\bgive\s+me\s+a\s+weekly|\bwie\s+funktioniert|\bwhat\s+are\s+the\s+pros"
    r"|\bhow\s+does\b|\bzeig\s+mir\b|\brun\s+a\s+query|\bmake\s+it\s+more|\btranslate\s+your|\bübersetzen\?"
    r"|\bdeine\s+antwort"
)

# Signs that the asked-for answer is short or mechanical, whatever the material around it.
EASY_CUES: tuple[str, ...] = (
    r"\b(one|1|two|2)[\s-](line|sentence|word)s?\b|\b(ein|einem|zwei)\s+(satz|sätzen|wort)\b|\bone-line\b"
    r"|\bnur\s+(die|das|mit|den)\b|\bjust\s+(the|say|give)\b|\bonly\s+the\b|\bnothing\s+else\b|\bkurz\s+bitte\b"
    r"|\byes\s+or\s+no\b|\bja\s+oder\s+nein\b|\bhöchstens\s+zwei\b|\bin\s+one\s+line\b|\btl;?dr\b",
    r"\b(fix|correct)\s+the\s+(typos|grammar|spelling)\b|\bkorrigiere\s+die\s+(tippfehler|rechtschreibung)"
    r"|\btranslate\b(?!\s+your)|\bübersetze\b(?!.{0,20}deine)|\bwhat\s+does\s+.{0,30}\s+(stand\s+for|mean)\b"
    r"|\bwas\s+(bedeutet|heißt)\b|\bwofür\s+steht|\bformat(iere)?\b|\bpretty-print|\bbulleted\s+list|\baufzählung"
    r"|\balphabeti|\brename\b|\bumbenennen|\bcapitali[sz]e|\buppercase\b|\bround\b.{0,20}\bdecimal"
    r"|\bspell\b|\bschreibt\s+man\b|\bsynonym\b|\bplural\b|\bsuggest\s+a\s+(headline|subject|name)"
    r"|\bschlag\s+mir\s+einen\s+betreff|\bheadline\b|\bwho\s+attended|\bwhat\s+is\s+the\s+default",
)

GREETING = (
    r"^\W*(hi|hello|hey|hallo|moin|servus|guten\s+(morgen|tag|abend)|good\s+(morning|evening)|thanks?|thank\s+you"
    r"|danke|vielen\s+dank|ok(ay)?|bye|tschüss|super|great|perfect|sure)\b"
)

# A closing or acknowledging turn: ends a thread, whatever came before it.
CLOSING = (
    r"^\W*(thanks?|thank\s+you|danke|vielen\s+dank|ok(ay)?|great|perfect|super|bye|tschüss|cool|sure)\b[^?]{0,60}$"
)
