"""Multi-turn conversations and tool use: the last user turn decides, read in the context of the thread."""

from __future__ import annotations

from typing import Any

from bench.routing.data.cases_long import Case, _c, s, u


def a(text: str) -> dict[str, str]:
    return {"role": "assistant", "content": text}


def _tool(name: str, description: str, **props: str) -> dict[str, Any]:
    return {"name": name, "description": description,
            "parameters": {"type": "object", "properties": {k: {"type": v} for k, v in props.items()}}}


WEATHER = [_tool("get_weather", "Current weather for a city", city="string")]
AGENT_TOOLS = [
    _tool("search_tickets", "Search the support ticket database", query="string", status="string"),
    _tool("get_customer", "Load a customer record", customer_id="string"),
    _tool("get_invoices", "List invoices for a customer", customer_id="string", year="integer"),
    _tool("issue_refund", "Refund an invoice", invoice_id="string", amount="number", reason="string"),
    _tool("send_email", "Send an email", to="string", subject="string", body="string"),
    _tool("create_task", "Create a follow-up task", assignee="string", title="string", due="string"),
]
SQL_TOOLS = [_tool("run_sql", "Run a read-only SQL query on the warehouse", query="string"),
             _tool("plot", "Draw a chart from rows", kind="string", rows="array")]

HARD_THREAD_EN = [
    u("I need a Python implementation of a consistent-hashing ring with virtual nodes, replication factor 3, and rebalancing when a node leaves."),
    a("Here's an implementation using a sorted list of virtual node hashes and bisect for lookups... [~120 lines of code follow] ... Rebalancing moves only the keys whose successor changed."),
]
HARD_THREAD_DE = [
    u("Prüfe bitte, ob die Kündigung meines Mietvertrags wegen Eigenbedarfs wirksam ist: Der Vermieter will die Wohnung für seine Nichte, die in einer anderen Stadt studiert, Kündigung kam per E-Mail."),
    a("Eine Eigenbedarfskündigung nach § 573 Abs. 2 Nr. 2 BGB setzt voraus ... Zudem bedarf die Kündigung nach § 568 BGB der Schriftform; eine E-Mail genügt nicht ... Im Ergebnis dürfte die Kündigung formunwirksam sein."),
]
TRIVIAL_THREAD_EN = [u("hey"), a("Hi! How can I help you today?"), u("just bored lol"), a("Happy to chat! Want a fun fact or a quick game?")]
TRIVIAL_THREAD_DE = [u("Hallo!"), a("Hallo! Wie kann ich helfen?"), u("Wie wird das Wetter morgen in Köln?"), a("Ich habe keinen Zugriff auf aktuelle Wetterdaten, schau am besten bei einem Wetterdienst nach.")]

CASES: list[Case] = [
    # --- simple follow-ups in hard threads ---------------------------------------------------------------------
    _c("cheap", "hard thread, thanks", [*HARD_THREAD_EN, u("Thanks, that's perfect!")]),
    _c("cheap", "hard thread, ok bye", [*HARD_THREAD_EN, u("ok great, bye")]),
    _c("cheap", "harter Thread, Danke", [*HARD_THREAD_DE, u("Vielen Dank, das hilft mir sehr!")]),
    _c("cheap", "harter Thread, Rückfrage Abkürzung", [*HARD_THREAD_DE, u("Was bedeutet BGB nochmal?")]),
    _c("cheap", "hard thread, what does bisect mean", [*HARD_THREAD_EN, u("What does 'bisect' stand for, in one line?")]),
    _c("cheap", "hard thread, format request", [*HARD_THREAD_EN, u("Can you just give me the filename you'd use for this? One word.")]),
    _c("standard", "hard thread, translate answer", [*HARD_THREAD_DE, u("Kannst du deine Antwort ins Englische übersetzen?")]),
    # --- hard follow-ups continue hard threads ---------------------------------------------------------------
    _c("premium", "hard thread, extend", [*HARD_THREAD_EN, u("Now make it thread-safe and add a migration plan that moves at most 1/N of keys when a node joins. Prove that bound.")]),
    _c("premium", "hard thread, edge case", [*HARD_THREAD_EN, u("What happens when two nodes hash to the same position? Fix it.")]),
    _c("premium", "harter Thread, Folgefrage", [*HARD_THREAD_DE, u("Und wenn die Kündigung nochmal schriftlich kommt, aber die Nichte erst in einem Jahr einziehen will? Ist das vorgeschobener Eigenbedarf?")]),
    # --- hard follow-ups in trivial threads ------------------------------------------------------------------
    _c("premium", "trivial thread, hard turn", [*TRIVIAL_THREAD_EN, u("ok actually: prove that the harmonic series diverges")]),
    _c("premium", "trivial thread, hard code turn", [*TRIVIAL_THREAD_EN, u("Actually, can you write me a B-tree with insert and delete in C, including node splitting and merging?")]),
    _c("premium", "trivialer Thread, schwere Frage", [*TRIVIAL_THREAD_DE, u("Andere Frage: Mein Arbeitgeber will mir wegen Krankheit kündigen, ich bin seit 9 Jahren dabei und schwerbehindert. Was muss er beachten und habe ich Chancen mit einer Kündigungsschutzklage?")]),
    _c("premium", "trivialer Thread, Mathe", [*TRIVIAL_THREAD_DE, u("Ok, dann etwas anderes: Beweise, dass jede natürliche Zahl größer 1 eine Primfaktorzerlegung hat.")]),
    _c("cheap", "trivial thread, trivial turn", [*TRIVIAL_THREAD_EN, u("sure, a fun fact!")]),
    _c("cheap", "trivialer Thread, trivial", [*TRIVIAL_THREAD_DE, u("Ok, danke trotzdem!")]),
    # --- ordinary multi-turn ---------------------------------------------------------------------------------
    _c("cheap", "multi-turn: recipe follow-up", [u("How long do I bake a frozen pizza?"), a("Usually 12-15 minutes at 220°C."), u("And at 200°C?")]),
    _c("cheap", "Mehrere Runden: Übersetzung nachschärfen", [u("Übersetze 'Feierabend' ins Englische."), a("'end of the working day' or 'quitting time'."), u("Und etwas lockerer?")]),
    _c("cheap", "multi-turn: shorter please", [u("Write a tweet announcing our new office in Berlin."), a("Big news: we've opened our new office in Berlin! Come say hi. #Berlin #NewOffice"), u("shorter please")]),
    _c("cheap", "Mehrere Runden: Emoji dazu", [u("Schreib einen Geburtstagsgruß für meine Kollegin."), a("Alles Gute zum Geburtstag, liebe Anna! Genieß deinen Tag."), u("Mach noch ein Emoji dazu.")]),
    _c("standard", "multi-turn: cover letter revise", [u("Write a cover letter for a barista job."), a("Dear Hiring Manager, ... [letter] ..."), u("Make it more enthusiastic and mention that I speak three languages.")]),
    _c("standard", "Mehrere Runden: Erklärung vertiefen", [u("Was ist Inflation?"), a("Inflation ist der allgemeine Anstieg des Preisniveaus ..."), u("Und warum erhöht die EZB deswegen die Zinsen? Erklär es einfach.")]),
    _c("premium", "multi-turn: debugging dialogue", [u("My Postgres query got slow after an upgrade."), a("Can you share the query and EXPLAIN ANALYZE output?"), u("```sql\nSELECT o.* FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.country = 'DE' AND o.created_at > now() - interval '30 days' ORDER BY o.created_at DESC LIMIT 50;\n```\nEXPLAIN shows a nested loop with 2M rows removed by filter on customers and a seq scan on orders, before the upgrade it used the created_at index. Statistics are fresh. What's going on and how do I fix it without rewriting the app?")]),
    _c("premium", "Mehrere Runden: Finanzplanung", [u("Ich bin 35 und will mit 55 in Rente."), a("Gern, dazu brauche ich ein paar Angaben: Einkommen, Ersparnisse, Ausgaben ..."), u("Netto 4.200 im Monat, 80.000 Depot, 1.500 Sparrate, Eigentumswohnung mit 180.000 Restschuld zu 3,9 %. Reicht das? Rechne Szenarien mit 4 % und 6 % Rendite durch, berücksichtige Inflation und die Rentenlücke bis 67.")]),
    _c("premium", "multi-turn: math tutoring escalates", [u("What's a derivative?"), a("It measures how a function changes as its input changes ..."), u("OK. Now derive the derivative of x^x from first principles and explain each step.")]),
    _c("standard", "multi-turn: email tone", [u("Help me answer an angry customer."), a("Sure, paste their message."), u("'Your app deleted my notes, I want a refund!!!' - write a calm, empathetic reply that offers to restore from backup.")]),
    # --- tools ---------------------------------------------------------------------------------------------------
    _c("cheap", "tools: simple weather", [u("What's the weather in Hamburg?")], tools=WEATHER),
    _c("cheap", "Tools: Wetter einfach", [u("Wie ist das Wetter gerade in München?")], tools=WEATHER),
    _c("cheap", "tools: weather follow-up with tool result", [u("Weather in Rome?"), {"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "name": "get_weather", "arguments": "{\"city\": \"Rome\"}"}]}, {"role": "tool", "tool_call_id": "c1", "content": "{\"temp_c\": 24, \"sky\": \"sunny\"}"}]),
    _c("cheap", "agent tools but trivial ask", [s("You are the ACME back-office agent."), u("Hi, what can you do?")], tools=AGENT_TOOLS),
    _c("cheap", "Agent-Tools, einfache Suche", [u("Such mir bitte das Ticket mit dem Stichwort 'Passwort'.")], tools=AGENT_TOOLS),
    _c("premium", "agent tools: multi-step refund workflow", [s("You are the ACME back-office agent. Follow the refund policy: refunds over 500 EUR need a task for a manager; always email the customer."), u("Customer 4711 complains about double billing in March and April. Check their invoices for this year, refund any duplicates according to policy, email them a summary and create follow-up tasks where needed.")], tools=AGENT_TOOLS),
    _c("premium", "Agent-Tools: mehrstufig", [s("Du bist der Backoffice-Agent. Erstattungen über 500 Euro brauchen eine Freigabe-Aufgabe für die Teamleitung."), u("Kunde 0815 beschwert sich über falsche Rechnungen seit Januar. Prüfe alle offenen Tickets und Rechnungen, erstatte zu viel berechnete Beträge gemäß Richtlinie, informiere den Kunden per Mail und leg Aufgaben an.")], tools=AGENT_TOOLS),
    _c("premium", "sql tools: analysis", [u("Find out why revenue dropped in Q3 compared to Q2: break it down by region, product and channel, check whether it's a pricing or a volume effect, and plot the main drivers.")], tools=SQL_TOOLS),
    _c("standard", "sql tools: simple report", [u("How many orders did we have last month? Run a query.")], tools=SQL_TOOLS),
    _c("standard", "SQL-Tools: einfache Abfrage mit Diagramm", [u("Zeig mir die Bestellungen pro Monat in diesem Jahr als Balkendiagramm.")], tools=SQL_TOOLS),
]
