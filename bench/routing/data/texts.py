"""Long pasted material reused by several cases: the same text with a trivial task is cheap, with a hard task
premium. That pairing is the point: length alone must not decide the tier."""

from __future__ import annotations

EMAIL_EN = """Hi Sarah,

I hope you had a good weekend. I wanted to folow up on our meeting from last thursday about the new office
layout. As discused, the facilities team will move the printers to the corridor next to the kitchen, and the
quiet rooms on the third floor will be bookable through the calendar from the 1st of next month. Several people
asked wether the standing desks will stay; the answer is yes, all twelve of them stay where they are.

Regarding parking, the landlord confirmed that we keep our eight spaces, but the visitor spaces will be
reduced from four to two. Please let your team know that visitors should be registred at the front desk at
least one day in advance so security can print badges. We also agreed to revisit the cleaning schedule after
the first month, because the current contract only covers evenings and some teams start very early.

Finaly, the budget for plants and small furniture has been approved. If your team wants anything specific,
send me a list by Friday and I will put the order together. Let me know if I forgot anything.

Best regards,
Tom"""

EMAIL_DE = """Hallo zusammen,

wie in der letzten Teambesprechung angekündigt, ziehen wir am kommenden Wochenende in die neuen Räume im
zweiten Stock um. Bitte packt eure persönlichen Sachen bis Freitag um 14 Uhr in die bereitgestellten Kisten und
beschriftet sie mit eurem Namen und der neuen Raumnummer. Die Umzugsfirma kommt am Samstag um acht Uhr morgens,
die IT baut die Rechner am Sonntag wieder auf, sodass am Montag alles wieder funktionieren sollte.

Die Parkplätze bleiben gleich, allerdings ändert sich der Zugang: ab Montag kommt ihr nur noch mit dem neuen
Transponder in die Tiefgarage. Die Transponder liegen ab Mittwoch am Empfang bereit und müssen persönlich
abgeholt werden. Wer im Homeoffice ist, kann einen Kollegen mit einer kurzen Vollmacht schicken.

Für das Teamfrühstück am Montag bringt bitte jeder eine Kleinigkeit mit, eine Liste hängt in der Küche aus.
Bei Fragen meldet euch gerne bei mir oder bei Frau Schneider aus der Verwaltung.

Viele Grüße
Jonas"""

MEETING_NOTES = """Meeting notes, product sync, 14 May
Attendees: Lena (PM), Marco (backend), Priya (design), Jan (QA), Felix (support)
1. Release 3.2: feature freeze moved from 20 May to 24 May because the export redesign slipped. Marco says the
   CSV exporter is done, the PDF exporter needs two more days. Jan needs three full days for regression.
2. Support tickets: Felix reports 41 tickets about the login page last week, mostly password reset emails
   landing in spam. Marco will check SPF/DKIM with IT. Priya suggests a clearer 'check your spam' hint.
3. Design: Priya shows the new onboarding flow. Feedback: fewer steps, skip button on step 2, bigger font on
   mobile. Lena wants a decision by Friday.
4. Hiring: one backend opening, interviews next week, Marco and Lena on the panel.
5. Misc: team lunch on Thursday, Felix organises. Office closed on Monday (public holiday).
Action items: Marco SPF/DKIM check; Priya onboarding v2; Jan regression plan; Lena release note draft."""

CONTRACT_DE = """§ 1 Vertragsgegenstand
Der Auftragnehmer erbringt für den Auftraggeber Leistungen der Softwareentwicklung und -wartung gemäß
Anlage 1. Der Auftragnehmer ist in der Wahl von Ort und Zeit der Tätigkeit frei.
§ 2 Vergütung
Die Vergütung beträgt 95,00 Euro netto je Stunde. Reisezeiten werden zu 50 % vergütet. Rechnungen sind
innerhalb von 30 Tagen ohne Abzug zahlbar.
§ 3 Laufzeit und Kündigung
Der Vertrag beginnt am 1. Januar und läuft auf unbestimmte Zeit. Er kann von beiden Seiten mit einer Frist von
zwei Wochen zum Monatsende gekündigt werden. Das Recht zur außerordentlichen Kündigung bleibt unberührt.
§ 4 Haftung
Der Auftragnehmer haftet unbeschränkt für Vorsatz und grobe Fahrlässigkeit. Im Übrigen ist die Haftung auf
den vorhersehbaren, vertragstypischen Schaden, höchstens jedoch auf 10.000 Euro je Schadensfall begrenzt.
§ 5 Wettbewerbsverbot
Der Auftragnehmer verpflichtet sich, für die Dauer von 24 Monaten nach Vertragsende nicht für Wettbewerber des
Auftraggebers tätig zu werden. Eine Karenzentschädigung wird nicht gezahlt.
§ 6 Nutzungsrechte
Sämtliche Rechte an den Arbeitsergebnissen gehen mit ihrer Entstehung ausschließlich und unbeschränkt auf den
Auftraggeber über."""

CODE_PY = """```python
import json
import logging
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass
class Order:
    id: str
    items: list[dict]
    discount: float = 0.0


def load_orders(path):
    with open(path) as f:
        return [Order(**o) for o in json.load(f)]


def total(order):
    subtotal = sum(i["price"] * i["qty"] for i in order.items)
    return subtotal - subtotal * order.discount


def report(orders):
    seen = {}
    for o in orders:
        seen[o.id] = total(o)
    for oid, amount in seen.items():
        log.info("order %s: %.2f", oid, amount)
    return sum(seen.values())


if __name__ == "__main__":
    print(report(load_orders("orders.json")))
```"""

CODE_JS = """```javascript
async function fetchUsers(ids) {
  const results = [];
  ids.forEach(async (id) => {
    const res = await fetch(`/api/users/${id}`);
    const user = await res.json();
    results.push(user);
  });
  return results;
}

async function main() {
  const users = await fetchUsers([1, 2, 3]);
  console.log(users.length); // prints 0, why?
  render(users);
}
```"""

ARTICLE_EN = """The city council voted on Tuesday to extend the pilot programme for on-demand minibuses in the northern
districts for another two years. The service, which launched in 2022, lets residents book a ride through an app
or by phone, and a minibus picks them up within fifteen minutes at a virtual stop near their home. According to
the transport authority, ridership grew from about 900 trips per week in the first month to more than 6,000 last
autumn, with the strongest demand in the evenings and on weekends, when regular bus lines run less often.
Critics point out that the cost per passenger is still roughly three times that of a regular bus, and that the
service competes with taxis. Supporters argue that it has reduced car trips in areas that were poorly connected
before and that the cost will drop as the fleet grows. The extension includes twelve additional electric
vehicles and a plan to integrate the booking into the main public transport app by next spring."""
