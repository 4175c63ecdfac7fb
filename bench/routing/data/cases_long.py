"""Cases built on long pasted material and on system prompts: length and topic must not decide the tier alone."""

from __future__ import annotations

from typing import Any

from bench.routing.data.texts import (
    ARTICLE_EN,
    CODE_JS,
    CODE_PY,
    CONTRACT_DE,
    EMAIL_DE,
    EMAIL_EN,
    MEETING_NOTES,
)

Case = dict[str, Any]


def _c(label: str, note: str, messages: list[dict[str, str]], **extra: Any) -> Case:
    return {"label": label, "note": note, "messages": messages, **extra}


def u(text: str) -> dict[str, str]:
    return {"role": "user", "content": text}


def s(text: str) -> dict[str, str]:
    return {"role": "system", "content": text}


CASES: list[Case] = [
    # --- long but simple ------------------------------------------------------------------------------------
    _c("cheap", "long-but-simple: typo fix", [u(f"Please fix the typos in this email:\n\n{EMAIL_EN}")]),
    _c("cheap", "long-but-simple: tldr", [u(f"{EMAIL_EN}\n\nCan you give me a one-line TL;DR?")]),
    _c("cheap", "long-but-simple: extract date", [u(f"{EMAIL_EN}\n\nBy when do I need to send the list?")]),
    _c("cheap", "long-but-simple: translate email", [u(f"Translate this email into German:\n\n{EMAIL_EN}")]),
    _c("cheap", "long-but-simple: Tippfehler", [u(f"Bitte korrigiere die Tippfehler in dieser Mail:\n\n{EMAIL_DE}")]),
    _c("cheap", "long-but-simple: Zusammenfassung ein Satz", [u(f"{EMAIL_DE}\n\nFass das in einem Satz zusammen.")]),
    _c("cheap", "long-but-simple: Frage zum Text", [u(f"{EMAIL_DE}\n\nWann kommt die Umzugsfirma?")]),
    _c("cheap", "long-but-simple: übersetzen", [u(f"Übersetze diese E-Mail ins Englische:\n\n{EMAIL_DE}")]),
    _c("cheap", "long-but-simple: action items", [u(f"{MEETING_NOTES}\n\nList only the action items, nothing else.")]),
    _c("cheap", "long-but-simple: who attended", [u(f"{MEETING_NOTES}\n\nWho attended this meeting?")]),
    _c("cheap", "long-but-simple: Stichpunkte", [u(f"Mach aus diesen Notizen eine kurze Stichpunktliste auf Deutsch:\n\n{MEETING_NOTES}")]),
    _c("cheap", "long-but-simple: headline", [u(f"Suggest a headline for this article:\n\n{ARTICLE_EN}")]),
    _c("cheap", "long-but-simple: how many vehicles", [u(f"{ARTICLE_EN}\n\nHow many new vehicles are included?")]),
    _c("cheap", "long-but-simple: contract formatting", [u(f"Formatiere diesen Vertragstext als Markdown mit Überschriften für jeden Paragraphen, ändere nichts am Inhalt:\n\n{CONTRACT_DE}")]),
    _c("cheap", "long-but-simple: Stundensatz nachschlagen", [u(f"{CONTRACT_DE}\n\nWie hoch ist der Stundensatz?")]),
    _c("cheap", "long-but-simple: code fence, trivial question", [u(f"{CODE_PY}\n\nWhat is the default value of discount?")]),
    _c("cheap", "long-but-simple: code fence, Logging-Frage", [u(f"{CODE_PY}\n\nWelches Modul wird hier fürs Logging importiert?")]),
    _c("cheap", "long-but-simple: code, add comment header", [u(f"Add a one-line comment at the top saying 'Order report tool':\n\n{CODE_PY}")]),
    _c("cheap", "long-but-simple: code, rename", [u(f"{CODE_JS}\n\nRename fetchUsers to loadUsers everywhere, nothing else.")]),
    _c("standard", "long: summary paragraph", [u(f"Summarise this article in a short paragraph for our newsletter:\n\n{ARTICLE_EN}")]),
    _c("standard", "long: reply to email", [u(f"{EMAIL_EN}\n\nWrite a short reply thanking Tom and asking for two extra monitors.")]),
    _c("standard", "long: Antwortmail", [u(f"{EMAIL_DE}\n\nSchreib eine kurze Antwort, dass ich am Mittwoch im Homeoffice bin und meinen Transponder per Vollmacht abholen lasse.")]),
    _c("standard", "long: code docstrings", [u(f"Add Google-style docstrings and type hints to this code:\n\n{CODE_PY}")]),
    # --- same material, hard task ------------------------------------------------------------------------------
    _c("premium", "long + hard: contract legal review", [u(f"{CONTRACT_DE}\n\nPrüfe diesen Vertrag auf Scheinselbständigkeit und auf unwirksame Klauseln (insbesondere Wettbewerbsverbot und Haftung) und begründe mit den einschlägigen Normen.")]),
    _c("premium", "long + hard: contract risk analysis EN", [u(f"{CONTRACT_DE}\n\nAs the contractor, what are my legal risks under German law with this contract? Analyse each clause.")]),
    _c("premium", "long + hard: async bug", [u(f"{CODE_JS}\n\nWhy does this print 0? Explain the bug precisely and give a corrected version that fetches in parallel with proper error handling.")]),
    _c("premium", "long + hard: code review", [u(f"Do a thorough code review of this module: correctness, edge cases (duplicate ids, float money), error handling, testability. Then rewrite it.\n\n{CODE_PY}")]),
    _c("premium", "long + hard: Code-Review deutsch", [u(f"{CODE_PY}\n\nWarum geht bei doppelten Order-IDs Umsatz verloren? Erkläre den Fehler, schreib Tests, die ihn zeigen, und eine korrigierte Version mit Decimal statt float.")]),
    _c("premium", "long + hard: policy analysis", [u(f"{ARTICLE_EN}\n\nCritically evaluate whether the extension is economically justified. Estimate the subsidy per trip under stated assumptions, compare with alternatives and give a recommendation.")]),
    _c("premium", "long + hard: meeting risk", [u(f"{MEETING_NOTES}\n\nBuild a realistic release plan for 3.2 from these notes: critical path, risks, what to cut if the PDF exporter slips again, and a probability-weighted estimate of the release date.")]),
    # --- system prompts -------------------------------------------------------------------------------------
    _c("cheap", "system prompt long, user trivial", [s("You are a senior legal counsel for a multinational company. You provide careful, well-reasoned analysis of contracts, compliance and litigation risk, citing statutes and case law where relevant. Always consider jurisdictional differences."), u("Hi! Are you there?")]),
    _c("cheap", "system prompt expert, trivial question", [s("Du bist ein erfahrener Steuerberater und Wirtschaftsprüfer."), u("Wie heißt das Finanzamt auf Englisch?")]),
    _c("cheap", "system: support bot, greeting", [s("You are the customer support assistant for ACME Cloud. Be friendly and concise."), u("hello")]),
    _c("cheap", "system: support bot, opening hours", [s("Du bist der Kundenservice-Assistent der Stadtwerke Musterstadt. Antworte freundlich und knapp."), u("Wann hat euer Kundencenter samstags geöffnet?")]),
    _c("cheap", "system: translator, sentence", [s("You are a translation engine. Translate the user's text from English to German. Output only the translation."), u("Your order has been shipped and will arrive on Thursday.")]),
    _c("cheap", "system: Übersetzer, Satz", [s("Übersetze den Text des Nutzers ins Französische. Gib nur die Übersetzung aus."), u("Die Sitzung beginnt um zehn Uhr.")]),
    _c("cheap", "system: classifier one word", [s("Classify the sentiment of the user message as positive, negative or neutral. Answer with one word."), u("The delivery was late again and nobody answered my emails.")]),
    _c("cheap", "system: extract JSON", [s("Extract the city and date from the user message and answer as JSON {\"city\":..., \"date\":...}."), u("I'll be in Leipzig on 12 March for the trade fair.")]),
    _c("cheap", "system: Kategorisierung", [s("Ordne die Kundenanfrage einer Kategorie zu: Rechnung, Technik, Vertrag, Sonstiges. Antworte nur mit der Kategorie."), u("Meine letzte Rechnung ist doppelt abgebucht worden.")]),
    _c("cheap", "system: mathematician, trivial", [s("You are a world-class mathematician who writes rigorous proofs."), u("What is 7 times 8?")]),
    _c("premium", "system: legal expert + hard", [s("You are a senior legal counsel specialised in German employment law."), u("An employee was dismissed during parental leave after the company restructured. Assess whether the dismissal is valid, which authority must approve it, and what the employee's options are.")]),
    _c("premium", "system demands rigor + short question", [s("Always reason step by step, rigorously, and justify every claim. Answer like a thorough academic reviewer."), u("Does the central limit theorem apply to Cauchy-distributed samples? Explain why or why not.")]),
    _c("premium", "system: Code-Reviewer + Architekturfrage", [s("Du bist Principal Engineer und bewertest Architekturentscheidungen kritisch."), u("Sollen wir für 40 Entwickler und 3 Produkte auf Microservices umstellen oder beim modularen Monolithen bleiben? Wäge das für unseren Fall ab: ein Team pro Produkt, gemeinsame Datenbank, Releases alle zwei Wochen, Lastspitzen zu Monatsende.")]),
    _c("premium", "system: financial analyst + DCF", [s("You are a CFA charterholder. Be precise and show calculations."), u("Value a company with free cash flow of 10M growing 8% for 5 years then 2% forever, WACC 9%. Show the DCF and a sensitivity table for WACC 8-10%.")]),
    _c("standard", "system: marketing + medium text", [s("You are a marketing copywriter for a German bakery chain."), u("Write three Instagram captions for our new spelt bread, each with hashtags.")]),
    _c("standard", "system: Lehrer + Erklärung", [s("Du bist ein geduldiger Nachhilfelehrer für die 8. Klasse."), u("Erklär mir, wie man lineare Gleichungen löst, mit zwei Beispielen.")]),
    # --- requested output length ---------------------------------------------------------------------------
    _c("cheap", "max_tokens tiny", [u("Say yes or no: is Paris in France?")], max_tokens=5),
    _c("cheap", "max_tokens small, rewrite", [u("Rephrase: 'We are closed tomorrow.'")], max_tokens=40),
    _c("premium", "large max_tokens, long report", [u("Write a comprehensive technical whitepaper on zero-trust network architecture for a mid-sized bank, covering identity, segmentation, monitoring and a phased rollout.")], max_tokens=8000),
    _c("premium", "ausführlicher Bericht", [u("Schreib einen ausführlichen Bericht (mindestens 3000 Wörter) über die Risiken von KI im Personalwesen, mit rechtlicher Einordnung nach EU AI Act und AGG.")], max_tokens=6000),
    _c("cheap", "large max_tokens but trivial", [u("What's 2+2?")], max_tokens=4000),
    _c("cheap", "großes max_tokens, Begrüßung", [u("Hallo, bist du da?")], max_tokens=4096),
    _c("standard", "word count 300 simple topic", [u("Write a 300-word blog post about the benefits of morning walks.")]),
    _c("standard", "300 Wörter einfaches Thema", [u("Schreib einen Blogartikel mit 300 Wörtern über Tipps fürs Energiesparen im Haushalt.")]),
]
