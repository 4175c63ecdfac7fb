"""The cue vocabulary of the complexity scorer, English and German: which phrases make a request hard or easy.

Cues are data, kept apart from the scoring logic. Phrases are matched at word starts in normalised text
(lower case, punctuation as space; see `stems.normalise`), so "herleit" also finds "Herleitung". They are
chosen so that the *task* is hard, not the topic: "prove that" is a cue, "proof" is not ("proof of concept");
"wirksam" is, "Vertrag" is not. A few cues need word order or symbols and are regexes, run on the ask only.
"""

from __future__ import annotations

# reason -> weight of the reason when any of its phrases occurs in the ask (0.5 alone reaches premium)
HARD_WEIGHTS: dict[str, float] = {
    "proof": 0.75, "math": 0.5, "reasoning": 0.5, "legal": 0.6, "financial": 0.55, "medical": 0.6,
    "code": 0.6, "architecture": 0.5, "planning": 0.5, "long_output": 0.55,
}

HARD_PHRASES: dict[str, tuple[str, ...]] = {
    "proof": (
        "prove that", "prove the", "prove this", "prove it", "show that", "show why", "beweise", "den beweis",
        "einen beweis", "der beweis", "zeige dass", "zeig dass", "per induktion", "by induction", "derive",
        "derivation", "herleit", "from first principles", "closed form", "geschlossene form", "justify",
        "begründe", "rigorous", "diagonalis", "diagonaliz", "undecidable", "unentscheidbar", "irrational",
    ),
    "math": (
        "eigenvalue", "eigenwert", "integral", "converge", "konvergier", "extrema", "extremum", "extremstellen",
        "expected number", "expected value", "erwartungswert", "probabilit", "wahrscheinlichkeit",
        "gleichungssystem", "system of equations", "maximise", "maximize", "minimise", "minimize",
        "positive definite", "combinatori", "möglichkeiten gibt es", "how many ways", "harmonic series",
        "general formula", "real solutions", "infinite sum", "diverge", "primfaktor",
    ),
    "reasoning": (
        "argue", "both sides", "critically", "kritisch", "trade off", "tradeoff", "wäge", "abwäg", "sensitivit",
        "szenarien", "scenarios", "confound", "verzerrung", "methodolog", "methodik", "what's wrong with",
        "evaluate", "assess", "beurteile", "vergleiche", "recommendation", "show your reasoning", "show the math",
        "jeden schritt", "explain precisely", "why or why not", "can we trust", "lohnt sich", "which is better",
        "was spricht dafür", "reasoning", "step by step rigorously", "go wrong", "estimate the",
    ),
    "legal": (
        "wirksam", "unwirksam", "enforceab", "rechtslage", "gutachterlich", "zulässig", "haftet", "liable",
        "liability", "kündigungsschutz", "scheinselbst", "eigenbedarf", "normen", "legal risk", "antitrust",
        "non compete", "litigation", "dismissal", "dismissed", "kündigen", "under german law", "under eu law",
        "data processing agreement", "auftragsverarbeitungsvertrag", "klauseln", "privilege", "rechte haben",
        "chancen mit", "what are my options", "the employee's options", "steuerlich", "tax consequences",
        "tax implications", "erbschaft", "inheritance", "fristlose", "vorgeschoben", "rights of",
    ),
    "financial": (
        "dcf", "wacc", "break even", "amortisation", "hedg", "portfolio", "churn", "arpu", "bilanz",
        "eigenkapitalquote", "cashflow", "cash flow", "ifrs", "covenant", "valuat", "value a company",
        "kreditwürdig", "pre money", "priced round", "rendite", "basis point", "subsid", "fees cost",
        "rentenlücke", "verschuldungsgrad", "ebitda and",
    ),
    "medical": (
        "interaction", "wechselwirkung", "dosage", "dosierung", "prescribed", "verschrieben", "patient",
        "contraindicat", "kontraindik",
    ),
    "code": (
        "implement", "refactor", "thread safe", "thread sicher", "lock free", "memory ordering",
        "race condition", "deadlock", "oomkilled", "with tests", "unit tests", "write tests", "schreib tests",
        "schreibe tests", "parser", "crawler", "b tree", "code review", "find the bug", "finde den fehler",
        "explain the bug", "fix it", "why does this", "woran liegt", "what's going on", "investigate",
        "complexity", "exactly once", "goroutine", "mutex", "slow after", "sporadisch", "unter last",
        "under load", "under peak load", "rewrite it", "nested loop", "seq scan", "corrected version",
        "korrigierte version", "consistent hashing", "edge case", "node splitting", "terminier", "never terminates",
        "doesn't terminate", "does not terminate",
    ),
    "architecture": (
        "architect", "entwirf", "design a", "design an", "design the", "schema", "migrat", "downtime",
        "distributed", "partition", "consistency", "konsistenz", "rpo", "rto", "microservice", "event sourcing",
        "multi tenant", "mandantenfähig", "sharded", "scalab", "skalier", "replicat", "rebalanc", "idempoten",
        "zero trust", "rollback", "monolith",
    ),
    "planning": (
        "dependencies", "abhängigkeiten", "critical path", "go live", "hard deadline",
        "probability weighted", "release plan", "phased rollout",
    ),
    "long_output": (
        "whitepaper", "comprehensive", "ausführlichen essay", "ausführlichen bericht", "ausführliche analyse",
        "essay", "post mortem", "kurzgeschichte", "op ed", "detailed plan", "detailed report",
        "detailed incident", "detaillierten plan", "thorough", "in depth", "mindestens",
    ),
}

# Middle-tier tasks: writing or explaining something of moderate size. Enough to leave cheap, not for premium.
STANDARD_PHRASES: tuple[str, ...] = (
    "write a", "write three", "write an", "schreib ein", "schreib eine", "schreibe ein", "draft", "formuliere eine",
    "explain", "erklär", "summari", "fasse", "pros and cons", "vor und nachteile", "plane ein", "plan a",
    "itinerary", "create a", "weekly meal", "wie funktioniert", "how does", "zeig mir", "run a query",
    "make it more", "übersetzen", "deine antwort", "docstrings", "reply", "antwort",
)

# Signs that the asked-for answer is short or mechanical, whatever the material around it.
SHORT_ANSWER_PHRASES: tuple[str, ...] = (
    "one line", "one sentence", "one word", "two sentences", "1 sentence", "ein satz", "einem satz",
    "zwei sätzen", "ein wort", "nur die", "nur das", "nur mit", "just the", "just say", "just give", "only the",
    "nothing else", "kurz bitte", "yes or no", "ja oder nein", "höchstens zwei", "tl dr", "tldr",
)
MECHANICAL_PHRASES: tuple[str, ...] = (
    "fix the typos", "fix the grammar", "fix the spelling", "correct the spelling", "korrigiere die",
    "translate", "übersetze", "stand for", "stands for", "was bedeutet", "was heißt", "wofür steht",
    "what does the word", "format", "pretty print", "bulleted list", "aufzählung", "alphabeti", "rename",
    "umbenennen", "capitalize", "capitalise", "uppercase", "decimal places", "how do you spell", "schreibt man",
    "synonym", "plural", "suggest a headline", "suggest a subject", "suggest a name", "schlag mir einen",
    "headline", "who attended", "default value", "in spanish", "in german", "auf englisch", "ins englische",
    "ins deutsche", "in french", "rephrase", "passive voice", "more polite", "höflicher", "out of office",
    "abwesenheitsnotiz", "in camelcase", "to snake case", "to snake_case", "what's the output", "was gibt das aus",
)

# Regexes on the raw ask (short): word order and symbols the phrase index cannot see.
EQUATION = r"[a-z]\s*\^\s*\d|\d\s*[a-z]\s*[+\-]\s*\d*\s*[a-z]|\bf\(x"
LEGAL_REFERENCE = r"§\s*\d|\bart\.\s*\d|\bbgb\b.{0,40}\b(prüf|anspruch)"
COMPARE_WHEN = r"\bcompare\b.{0,80}\b(when|guarantees|fail)|\bleite\b.{0,80}\bher\b|\bsolve\b.{0,60}="
WORD_COUNT = r"\b([1-9]\d{3}|[5-9]\d{2})[\s-]*(words?|wörter\w*)"

GREETING = (
    r"^\W*(hi|hello|hey|hallo|moin|servus|guten\s+(morgen|tag|abend)|good\s+(morning|evening)|thanks?|thank\s+you"
    r"|danke|vielen\s+dank|ok(ay)?|bye|tschüss|super|great|perfect|sure)\b"
)
# A closing or acknowledging turn: ends a thread, whatever came before it.
CLOSING = (
    r"^\W*(thanks?|thank\s+you|danke|vielen\s+dank|ok(ay)?|great|perfect|super|bye|tschüss|cool|sure)\b[^?]{0,60}$"
)
