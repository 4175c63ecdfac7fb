"""Text templates per kind. `{p1.full}`-style slots are filled by `Context.slot`.

Slots: `p1.*`/`p2.*` people (full, first, last, inv, hname, hfull, tfull, dear, hallo,
anrede, email, tel, phone, street, city, addr, addrblock, dob, iban, steuer, kfz, card),
`org.*` the organisation (name, email, phone, addr, vat, bic), `n.*` hard negatives
(see negatives.py). PII templates go in `PII`, texts without any PII in `CLEAN`.
"""

from __future__ import annotations

PII: dict[str, tuple[str, ...]] = {
    "ticket": (
        (
            "{n.ref}\nKunde: {p1.inv}\nRückruf unter {p1.phone}\n\nDer Kunde meldet, dass die Lieferung {n.date} "
            "nicht angekommen ist. Bitte an {p1.addr} nachsenden. Betrag: {n.price}."
        ),
        (
            "Hallo Support,\nich komme seit gestern nicht mehr in mein Konto. Mein Login ist {p1.email}. "
            "Bitte ruft mich zurück: {p1.phone}\nDanke, {p1.first}"
        ),
        (
            "Anfrage von {p1.hfull} ({org.name}): Das Gerät {n.code} zeigt seit dem Update Fehler E-17. "
            "Erreichbar {n.date} ab {n.time} unter {p1.phone}. {n.noun}"
        ),
        (
            "Priorität hoch. {p1.hname} beschwert sich über die doppelte Abbuchung zu {n.ref}. "
            "Erstattung bitte auf {p1.iban}. Kontakt: {p1.email}"
        ),
        (
            "Störungsmeldung\nStandort: {p1.addr}\nAnsprechpartner vor Ort: {p1.full}, {p1.tel}\n"
            "Fehlerbild: Heizung fällt nachts aus. Techniker {n.date} eingeplant."
        ),
        (
            "Ticket aus dem Webformular: Name={p1.full}; Mail={p1.email}; Telefon={p1.phone}; "
            "Nachricht=Die Rechnung zu {n.ref} ist zu hoch ({n.price})."
        ),
    ),
    "email": (
        (
            "Von: {p1.full} <{p1.email}>\nAn: {org.email}\nBetreff: Rückfrage zu {n.ref}\n\n{org.greet}\n\n"
            "ich habe {n.date} {n.qty} bestellt, aber nur die Hälfte erhalten. Können Sie das prüfen?\n\n"
            "Mit freundlichen Grüßen\n{p1.full}\n{p1.addrblock}\n{p1.tel}"
        ),
        (
            "{p2.dear},\n\nanbei die Unterlagen für das Gespräch {n.date}. {n.noun} Bei Fragen erreichen Sie mich "
            "unter {org.phone} oder per Mail an {p1.email}.\n\nBeste Grüße\n{p1.tfull}\n{org.name}\n{org.addr}"
        ),
        (
            "Hallo zusammen,\n\nkurze Info: {p2.full} übernimmt ab {n.rawdate} die Betreuung von {org.name}. "
            "Erreichbar ist sie/er unter {p2.email} bzw. {p2.phone}.\n\nVG {p1.first}"
        ),
        (
            "An: {p2.email}\nCc: {org.email}\nBetreff: Termin\n\n{p2.hallo},\n\npasst dir {n.date} um {n.time}? "
            "Ich wäre sonst mobil unter {p1.phone} erreichbar.\n\nLG\n{p1.first}"
        ),
        (
            "Sehr geehrte Damen und Herren,\n\nbitte ändern Sie meine Anschrift in {p1.addr}. Meine neue "
            "Telefonnummer lautet {p1.phone}.\n\nFreundliche Grüße\n{p1.inv}\nBezug: {n.ref}"
        ),
        (
            "-----Ursprüngliche Nachricht-----\nVon: {p2.email}\nGesendet: {n.rawdate}\nAn: {p1.email}\n"
            "Betreff: AW: Angebot\n\n{p1.hallo}, das Angebot über {n.price} passt so. {n.noun}\n\nGruß {p2.full}"
        ),
    ),
    "hr_note": (
        (
            "Personalnotiz: {p1.hfull}, geb. {p1.dob}, wohnhaft {p1.addr}. Steuer-ID {p1.steuer}. "
            "Eintritt {n.date}, Probezeit 6 Monate. Gehalt auf {p1.iban}."
        ),
        (
            "Gesprächsnotiz {n.rawdate}\nTeilnehmer: {p1.full} (Mitarbeiter), {p2.hfull} (Teamleitung)\n"
            "{p1.last} bittet um Reduzierung auf 30 Stunden. {p2.last} stimmt zu, Start {n.date}."
        ),
        (
            "Krankmeldung von {p1.inv} ist eingegangen. Vertretung übernimmt {p2.first} {p2.last}. "
            "Rückfragen an {org.email} oder {org.phone}. {n.noun}"
        ),
        (
            "Neue Bankverbindung für {p1.full}: {p1.iban}. Bitte ab der Abrechnung {n.date} berücksichtigen. "
            "Die alte Angabe ({n.numlike}) war fehlerhaft."
        ),
        (
            "Bewerbung eingegangen: {p1.tfull}, {p1.email}, {p1.tel}. Geburtsdatum {p1.dob}. "
            "Vorstellungsgespräch am {n.rawdate} um {n.time} mit {p2.hname}."
        ),
        (
            "Dienstwagen: {p1.full} erhält das Fahrzeug mit dem Kennzeichen {p1.kfz}. Übergabe {n.date}, "
            "Kilometerstand 12.450. Tankkarte folgt."
        ),
    ),
    "bank_transfer": (
        (
            "Bitte überweisen Sie {n.price} an {p1.full}, IBAN {p1.iban}, BIC {org.bic}. "
            "Verwendungszweck: {n.ref}."
        ),
        "Überweisungsauftrag\nEmpfänger: {p1.inv}\nIBAN: {p1.iban}\nBetrag: {n.price}\nZweck: Kaution {n.ref}",
        (
            "Hallo {p2.first}, kannst du mir die {n.price} für das Konzert zurücküberweisen? {p1.iban} "
            "lautet auf {p1.full}. Danke!"
        ),
        (
            "Sehr geehrte Damen und Herren, ich bitte um Rückerstattung auf mein Konto {p1.iban} "
            "(Kontoinhaber {p1.hfull}). Die Lastschrift zu {n.ref} war unberechtigt. Hinweis: {n.numlike}."
        ),
        "Lieferantenstammdaten {org.name}: IBAN {p1.iban}, USt-IdNr. {org.vat}, Ansprechpartner {p1.full}.",
        (
            "Zahlung per Kreditkarte: Karteninhaber {p1.full}, Karte {p1.card}, Betrag {n.price}. "
            "Beleg zu {n.ref}."
        ),
    ),
    "insurance_claim": (
        (
            "Schadenmeldung\nVersicherungsnehmer: {p1.hfull}\nAnschrift: {p1.addr}\nKennzeichen: {p1.kfz}\n"
            "Schadentag: {n.rawdate}\nUnfallgegner: {p2.full}, Kennzeichen {p2.kfz}\n{n.ref}"
        ),
        (
            "Sehr geehrte Damen und Herren,\nam {n.rawdate} wurde mein Fahrzeug ({p1.kfz}) auf dem Parkplatz "
            "von {n.orgp} beschädigt. Zeuge ist {p2.hfull}, Tel. {p2.phone}. Bitte Regulierung auf {p1.iban}.\n"
            "{p1.full}"
        ),
        (
            "Wasserschaden in der Wohnung {p1.addr}. Mieter {p1.full} meldet Feuchtigkeit seit {n.rawdate}. "
            "Hausverwaltung {org.name}, {org.phone}. Gutachter {p2.hname} kommt {n.date}."
        ),
        (
            "Leistungsantrag: {p1.inv}, geb. {p1.dob}, Bezug: {n.ref}. Rechnungsbetrag {n.price}. "
            "Erstattung an {p1.iban}."
        ),
        "Glasbruch am Fahrzeug {p1.kfz}. Halter: {p1.full}. Werkstatt: {n.orgp}. Kosten laut Kostenvoranschlag {n.price}.",
    ),
    "chat": (
        "[{n.time}] {p1.first}: hast du die nummer von {p2.first}?\n[{n.time}] {p2.first}: klar, {p2.phone}",
        "{p1.first}: Schick mir bitte deine Adresse für die Einladung\n{p2.first}: {p2.addr} 😊",
        "hey {p2.first}, mein neues kennzeichen ist {p1.kfz} falls du mich auf dem parkplatz suchst",
        (
            "{p1.first}: wer war nochmal der Ansprechpartner bei {org.name}?\n{p2.first}: {p1.hname}, "
            "mail {p1.email}"
        ),
        "{p1.first}: brauch noch deine iban für die Bahntickets\n{p2.first}: {p2.iban}\n{p1.first}: danke!",
        "{p1.first}: kannst du mich unter {p1.phone} zurückrufen? {n.noun}",
    ),
    "form": (
        (
            "Name: {p1.last}\nVorname: {p1.first}\nGeburtsdatum: {p1.dob}\nStraße: {p1.street}\nPLZ/Ort: {p1.city}\n"
            "Telefon: {p1.phone}\nE-Mail: {p1.email}\nSteuer-ID: {p1.steuer}"
        ),
        (
            "Antragsteller*in: {p1.full}\nAnschrift: {p1.addr}\nIBAN: {p1.iban}\nKfz-Kennzeichen: {p1.kfz}\n"
            "Datum: {n.rawdate}"
        ),
        (
            "Mitgliedsantrag\nNachname, Vorname: {p1.inv}\nE-Mail: {p1.email}\nMobil: {p1.phone}\n"
            "Beitrag: {n.price} monatlich, Lastschrift von {p1.iban}"
        ),
        (
            "Kontaktformular\nFirma: {org.name}\nAnsprechpartner: {p1.hfull}\nTelefon: {org.phone}\n"
            "USt-IdNr.: {org.vat}\nNachricht: Bitte Angebot für {n.qty}."
        ),
        "Meldebogen | Name {p1.full} | geboren {p1.dob} | Adresse {p1.addr} | Tel {p1.phone}",
    ),
    "letter": (
        (
            "{p1.tfull}\n{p1.addrblock}\n\n{org.name}\n{org.addr}\n\n{n.rawdate}\n\nKündigung {n.ref}\n\n"
            "Sehr geehrte Damen und Herren,\nhiermit kündige ich fristgerecht. Bitte bestätigen Sie mir die "
            "Kündigung schriftlich.\n\nMit freundlichen Grüßen\n{p1.full}"
        ),
        (
            "{org.name} · {org.addr}\n\n{p1.hfull}\n{p1.addrblock}\n\n{p1.dear},\n\nwir bestätigen den Eingang "
            "Ihrer Zahlung über {n.price}. {n.noun}\n\nMit freundlichen Grüßen\n{p2.full}\nTel. {org.phone}\n{org.email}"
        ),
        (
            "{p1.dear},\n\nIhre Steuer-Identifikationsnummer lautet {p1.steuer}. Bitte geben Sie diese bei allen "
            "Rückfragen an. Die Angabe {n.numlike} konnten wir nicht zuordnen.\n\nIhr Finanzamt {n.city}"
        ),
        (
            "Vollmacht\n\nHiermit bevollmächtige ich, {p1.full}, geb. {p1.dob}, wohnhaft {p1.addr}, "
            "{p2.hfull}, mich bei {org.name} zu vertreten.\n\n{n.city}, {n.rawdate}"
        ),
    ),
}

CLEAN: dict[str, tuple[str, ...]] = {
    "ticket": (
        (
            "{n.ref}: Der Export nach {n.code} bricht bei {n.qty} ab. Betroffen seit {n.rawdate}, "
            "Workaround: Export in zwei Teilen. {n.noun}"
        ),
        (
            "Kunde meldet: {n.ref} wurde doppelt berechnet ({n.price}). Bitte Gutschrift veranlassen. "
            "Rückmeldung bis {n.rawdate}."
        ),
        (
            "Fehler im Kassensystem der Filiale {n.city}: Rabatt von {n.percent} wird nicht abgezogen. "
            "Betrifft {n.ref}. {n.noun}"
        ),
        "Das Formular lehnt {n.numlike} ab. Ist die Prüfung korrekt? {n.ref}",
    ),
    "email": (
        (
            "Betreff: Lieferung {n.ref}\n\nSehr geehrte Damen und Herren,\n\ndie Lieferung von {n.orgp} ist "
            "{n.date} eingetroffen, allerdings fehlen {n.qty}. Bitte um Nachlieferung.\n\nMit freundlichen Grüßen\n"
            "Ihr Einkaufsteam"
        ),
        (
            "Hallo zusammen,\n\ndas Sommerfest findet {n.date} um {n.time} in {n.city} statt. {n.noun} Für Getränke "
            "ist gesorgt, Unkostenbeitrag {n.price}.\n\nViele Grüße\nEuer Orga-Team"
        ),
        (
            "Guten Tag,\n\nwir haben Ihre Anfrage zu {n.ref} erhalten und melden uns {n.date}. {n.noun}\n\n"
            "Freundliche Grüße\nKundenservice"
        ),
    ),
    "hr_note": (
        (
            "Teammeeting {n.rawdate}: Urlaubsplanung für den Sommer, Schichtplan ab {n.rawdate}. {n.noun} "
            "Budget Weiterbildung: {n.price}."
        ),
        "Hinweis an alle: Die Zeiterfassung wird {n.date} auf {n.code} umgestellt. Schulung {n.time}.",
        "Stellenausschreibung: Wir suchen Verstärkung für die Filiale {n.city}. {n.noun} Bewerbungen bis {n.rawdate}.",
    ),
    "bank_transfer": (
        "Die Zahlung zu {n.ref} über {n.price} wurde abgelehnt, {n.numlike}. Bitte Stammdaten prüfen.",
        (
            "Sammelüberweisung {n.rawdate}: {n.qty}, Gesamtbetrag {n.price}, Skonto {n.percent}. Freigabe durch die "
            "Buchhaltung."
        ),
        "Zahlungserinnerung: {n.ref} vom {n.rawdate} ist noch offen ({n.price}). {n.orgp} bittet um Ausgleich.",
    ),
    "insurance_claim": (
        "Sturmschaden an der Halle in {n.city}: Dachziegel gelöst, Schätzung {n.price}. {n.ref}. {n.noun}",
        "Der Gutachter bestätigt den Schaden aus {n.ref}. Regulierung {n.date}, Selbstbeteiligung {n.price}.",
        "Schadenmeldung für das Lager von {n.orgp}: Wasserrohrbruch {n.date}, {n.qty} beschädigt.",
    ),
    "chat": (
        "treffen wir uns {n.date} um {n.time} vorm bahnhof in {n.city}?",
        "hab {n.ref} gerade nochmal geprüft, passt alles. {n.noun}",
        "kostet {n.price}, lohnt sich glaub ich nicht 🙈",
        "die neue kaffeemaschine von {n.orgp} ist da!! {n.noun}",
    ),
    "form": (
        "Bestellformular\nArtikel: {n.code}\nMenge: {n.qty}\nPreis: {n.price}\nLiefertermin: {n.rawdate}\n{n.ref}",
        "Reklamation\nVorgang: {n.ref}\nGrund: Ware beschädigt\nWert: {n.price}\nFiliale: {n.city}",
        "Raumbuchung\nRaum: {n.code}\nDatum: {n.rawdate}\nUhrzeit: {n.time}\nTeilnehmer: {n.qty}",
    ),
    "letter": (
        (
            "{n.orgp}\n\n{n.rawdate}\n\nSehr geehrte Kundin, sehr geehrter Kunde,\n\nab {n.rawdate} ändern sich unsere "
            "Öffnungszeiten. {n.noun}\n\nIhr Team der Filiale {n.city}"
        ),
        (
            "Mahnung\n\n{n.ref}\n\nTrotz Erinnerung ist der Betrag von {n.price} offen. Bitte zahlen Sie bis "
            "{n.rawdate}. {n.numlike} konnte keiner Zahlung zugeordnet werden."
        ),
        (
            "Sehr geehrte Damen und Herren,\n\nanbei erhalten Sie das Zertifikat nach {n.code}. Gültig bis "
            "{n.rawdate}.\n\nMit freundlichen Grüßen\nQualitätsmanagement"
        ),
    ),
}
