"""The one workload every target gets: a ~1 KB German chat request with PII, distinct per request.

Every request carries its own sequence number in the prompt, so no two requests are equal: a cache in front of
the upstream (ours in the `full` profile) always misses and has to store, which is the expensive path. All
targets get the same bodies (`temperature: 0`, which makes our cache consider them at all), so the only thing
that differs between targets is the proxy in the middle.
"""

from __future__ import annotations

import json
from typing import Any

# Name, IBAN and e-mail address, so that the PII stage of the `full` profile has something to redact and restore.
PROMPT = (
    "Sehr geehrte Damen und Herren, mein Name ist Katharina Schmidt und ich schreibe Ihnen bezüglich meiner "
    "Rechnung vom 14. März (Vorgang __SEQ__). Leider wurde mir der Betrag für Februar doppelt von meinem Konto "
    "mit der IBAN DE89 3704 0044 0532 0130 00 abgebucht, obwohl ich meinen Vertrag fristgerecht zum Ende Januar "
    "gekündigt hatte. Die Kündigungsbestätigung liegt mir schriftlich vor. Bitte fassen Sie den Sachverhalt in "
    "drei kurzen Sätzen zusammen, formulieren Sie eine höfliche Antwort an die Kundin, in der Sie die Stornierung "
    "der doppelten Abbuchung bestätigen, und nennen Sie die nächsten Schritte für die Gutschrift. Die Antwort "
    "geht an katharina.schmidt@example.de. Achten Sie auf einen freundlichen, sachlichen Ton, vermeiden Sie "
    "Fachjargon und schließen Sie mit einem Hinweis auf unsere Servicezeiten von Montag bis Freitag zwischen 8 "
    "und 18 Uhr. Falls Angaben fehlen, markieren Sie diese bitte deutlich im Text."
)
SEQ = "__SEQ__"
MODEL = "gpt-4o-mini"
PACED_MARKER = "[[paced]]"  # bench/fast_upstream.py answers such a request after --paced-ms (default 300)
PACED_MS = 300


def body_template(stream: bool, paced: bool = False) -> str:
    """The JSON request body with the `__SEQ__` placeholder still in it; `paced` marks it for a slow answer."""
    prompt = f"{PROMPT} {PACED_MARKER}" if paced else PROMPT
    body: dict[str, Any] = {
        "model": MODEL,
        "messages": [{"role": "user", "content": prompt}],
        "temperature": 0,
    }
    if stream:
        body["stream"] = True
    return json.dumps(body, ensure_ascii=False)


def body_bytes(stream: bool) -> int:
    """Size of one request body (with a six-digit sequence number)."""
    return len(body_template(stream).replace(SEQ, "000000").encode())
