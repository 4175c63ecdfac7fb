"""Word lists and patterns the PERSON recognizer reads its evidence from.

German capitalises every noun, so a capitalised word proves nothing: a name needs a trigger (salutation,
title, greeting, sign-off, form label, mail header) or a known first name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from gateway.privacy.recognizers.casing import any_case
from gateway.privacy.recognizers.scanning import Endings, NotAfter, Window, Windowed, skip, words_back

# Latin letters of the names people in Germany, Austria and Switzerland carry: German, Turkish
# (ı ş ğ), Polish (ł ń ś ź ż ą ę), Czech/Slovak, the Balkans (ć č đ š ž), Hungarian (ő ű), Romance,
# Scandinavian, Vietnamese without tone marks.
_LOWER = r"a-zäöüßéèêëáàâãíìîïóòôõúùûñçšžćčđøåæłńśźżąęőűşğıřťďňľĺŕýÿœ'"
_UPPER = r"A-ZÄÖÜÉÈÁÀÍÓÚÑÇŠŽĆČĐØÅÆŁŃŚŹŻŐŰŞĞİŘŤĎŇĽÝ"
NAME_TOKEN = rf"[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)*"
# An abbreviated first name before a surname ("J. Kaiser", "H.-P. Meyer").
INITIAL = re.compile(rf"[{_UPPER}]\.(?:-[{_UPPER}]\.)?[ \t]?(?=[{_UPPER}][{_LOWER}])")
_PARTICLE = (
    r"(?:von und zu|von der|von den|van der|van den|von|van|zu|vom|de la|de|di|da|del|ten|ter|le|la|el|al)"
)
# One name token, optionally with a nobiliary particle ("von Weizsäcker"), at a given position.
TOKEN = re.compile(rf"(?:(?P<particle>{_PARTICLE}) )?(?P<name>{NAME_TOKEN})(?![\w-])")
# Any name-shaped word. The start-of-word lookbehind stands after the first letter: a pattern that begins
# with a character class lets re skip straight to capital letters instead of trying every position.
ANY_TOKEN = re.compile(rf"[{_UPPER}](?<![\w-].)[{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)*(?![\w-])")
TITLE = re.compile(
    r"(?:Dr\.-Ing\.|Dr\.|Prof\.|Professor(?:in)?|Doktor|Dipl\.-[\wä]+\.?|Mag\.(?:a)?|Ing\.|med\.|dent\.|vet\."
    r"|rer\. ?nat\.|rer\. ?pol\.|phil\.|jur\.|h\. ?c\.|habil\.|PD|MBA|M\. ?Sc\.|B\. ?Sc\.|M\. ?A\.|B\. ?A\."
    r"|LL\. ?M\.|RA|RAin|Rechtsanwalt|Rechtsanwältin|Notar(?:in)?|Pfarrer(?:in)?|Pastor(?:in)?|"
    r"Bürgermeister(?:in)?|Kommissar(?:in)?|Hauptkommissar(?:in)?|Schwester|Pater|Dekan(?:in)?)[ \t]+"
)
SEPARATOR = re.compile(r"[ \t]+")
INVERTED = re.compile(r",[ \t]*")

# Triggers that start a word are NotAfter patterns: the same matches as a leading lookbehind, found faster.
# Some are tried only where one of the strings that their matches start with occurs (NotAfter's starts):
# where re's own search would stop at many places (at "h", "n") or a few rare strings are quicker to find.
SALUTATION = NotAfter(
    r"(?:Herrn?|Frau|Fräulein|Hr\.|Fr\.|Mr\.?|Mrs\.?|Ms\.?|Familie|Fam\.)[ \t]+",
    r"[\w-]",
    starts=("Herr", "Frau", "Fräulein", "Hr.", "Fr.", "Mr", "Ms", "Fam"),
)
TITLE_TRIGGER = NotAfter(
    r"(?:Dr\.|Prof\.|Professor(?:in)?|Dipl\.-Ing\.|Mag\.)[ \t]+",
    r"[\w.-]",
    starts=("Dr.", "Prof", "Dipl.-Ing.", "Mag."),
)
GREETING = NotAfter(
    r"(?:Hallo|Hi|Hey|Liebe|Lieber|Liebes|Sehr geehrte|Sehr geehrter|Guten Morgen|Guten Tag|"
    r"Guten Abend|Moin|Moin moin|Servus|Grüezi|Grüß Gott|Grüß dich|Grüss dich|Salü|Hallöchen|Dear|Ciao|"
    r"Danke|Vielen Dank|Danke dir|Danke Ihnen)[ \t]*,?[ \t]+",
    r"[\w-]",
    starts=(
        "Hallo", "Hi", "Hey", "Liebe", "Sehr geehrte", "Guten ", "Moin", "Servus", "Grüezi", "Grüß ", "Grüss ",
        "Salü", "Hallöchen", "Dear", "Ciao", "Danke", "Vielen Dank",
    ),
)
# SIGN_OFF is slow to run over a whole text, so it runs only in windows (see scanning.finditer_windows)
# around the words every sign-off holds (add one here when adding a sign-off without any of them). A
# sign-off spans at most three words ("Mit freundlichen Grüßen", "Grüßen aus Berlin") and ends its
# line, taking the line break and the indentation and blank lines that follow.
_SIGN_OFF_MARK = re.compile(
    r"Gru|Grü|MfG|LG|VG|Best regards|Kind regards|Regards|Cheers|Bis |Dein|Euer|Eure|Ihr"
)
_SIGN_OFF_WORDS = 3


def _sign_off_windows(text: str) -> Iterator[Window]:
    for mark in _SIGN_OFF_MARK.finditer(text):
        line_break = text.find("\n", mark.end())
        if line_break < 0:
            return
        if len(text[mark.start() : line_break].split(None, _SIGN_OFF_WORDS)) > _SIGN_OFF_WORDS:
            continue  # more words follow on the line than a sign-off holds
        yield words_back(text, mark.start(), _SIGN_OFF_WORDS), mark.end(), skip(text, line_break, " \t\n")


SIGN_OFF = Windowed(
    r"(?:(?:Mit )?(?:freundlichen|freundliche|besten|beste|viele|vielen|liebe|liebste|herzliche|herzlichen|"
    r"schöne|sonnige|kollegiale|Freundliche|Beste|Viele|Liebe|Herzliche|Schöne|Sonnige|Kollegiale) "
    r"(?:Grüßen|Grüße|Grüssen|Grüsse|Gruß|Gruss)(?: aus [A-ZÄÖÜ]\w+)?|MfG|LG|VG|Gruß|Gruss|Grüße|Grüsse|"
    r"Best regards|Kind regards|Regards|Cheers|Bis bald|Bis dann|Beste Grüße|Danke und Gruß|Dein|Deine|"
    r"Euer|Eure|Ihr|Ihre)[,!.]?[ \t]*(?:\n[ \t]*){1,2}",
    _sign_off_windows,
    keys=("\n",),
)
INLINE_SIGN_OFF = NotAfter(
    r"(?:Gruß|Gruss|Grüße|Grüsse|LG|VG|MfG|Cheers)[,]?[ \t]+",
    r"[\w-]",
    starts=("Gru", "Grü", "LG", "VG", "MfG", "Cheers"),
)
_LABELS = (
    r"Name|Vorname|Nachname|Familienname|Geburtsname|Vor- und Nachname|Ansprechpartner(?:in)?|"
    r"Kontaktperson|Kunde|Kundin|Mitarbeiter(?:in)?|Patient(?:in)?|Antragsteller(?:in)?|Versicherte[rn]?|"
    r"Versicherungsnehmer(?:in)?|Kontoinhaber(?:in)?|Inhaber(?:in)?|Empfänger(?:in)?|Absender(?:in)?|"
    r"Bearbeiter(?:in)?|Sachbearbeiter(?:in)?|Auftraggeber(?:in)?|Mieter(?:in)?|Vermieter(?:in)?|"
    r"Fahrer(?:in)?|Fahrzeughalter(?:in)?|Halter(?:in)?|Bewerber(?:in)?|Geschädigte[rn]?|Teilnehmer(?:in)?|"
    r"Schüler(?:in)?|Student(?:in)?|Verfasser(?:in)?|Unterzeichner(?:in)?|Zeuge|Zeugin|"
    r"Erziehungsberechtigte[rn]?|Ehepartner(?:in)?|Kind|Vertreter(?:in)?|Betreuer(?:in)?|Arzt|Ärztin|"
    r"Begünstigte[rn]?|Zahlungsempfänger(?:in)?|Kontakt|Melder(?:in)?|Gemeldet von|Erstellt von|Zuständig|"
    r"Verantwortlich|Projektleiter(?:in)?|Teamleiter(?:in)?|Vorgesetzte[rn]?|Mitglied|Beschäftigte[rn]?|"
    r"Angestellte[rn]?|Käufer(?:in)?|Verkäufer(?:in)?|Eigentümer(?:in)?|Bevollmächtigte[rn]?|Person|"
    r"Von|An|Cc|CC|Bcc|From|To|Antwort an|Reply-To|Autor(?:in)?|Referent(?:in)?|Sprecher(?:in)?|"
    r"Beifahrer(?:in)?|Unfallgegner(?:in)?|Vater|Mutter|Ehemann|Ehefrau|Pflegeperson|Versicherter"
)
# LABEL runs only in windows around a colon or "=": a label spans at most five words before it ("Vor- und
# Nachname lt. Bestellung:") on one line, and no attempt to match reads past a colon or "=" and the
# blanks after it but by ending there, as no other part of the pattern takes them.
_LABEL_MARK = re.compile(r"[:=]")
_LABEL_WORDS = 5


def _label_windows(text: str) -> Iterator[Window]:
    for mark in _LABEL_MARK.finditer(text):
        yield words_back(text, mark.start(), _LABEL_WORDS), mark.start(), skip(text, mark.end(), " \t")


# A form label, also as a compound ("Notfallkontakt", "Kontaktperson") and with up to two words
# before its colon ("Ansprechpartner vor Ort:", "Name lt. Bestellung:"); "Name=" in web forms.
LABEL = Windowed(
    rf"(?<![\w-])(?:{_LABELS}|[A-ZÄÖÜ][a-zäöüß]+(?:kontakt|partner|partnerin|person))"
    r"(?:[ \t]+(?:vor|lt\.|laut|gem\.|gemäß|des|der|im|am|bei|zur|zum|[A-ZÄÖÜ][\w.]*)){0,2}?[ \t]*[:=][ \t]*",
    _label_windows,
    keys=(":", "="),
)
# The speaker of a chat line: "Anna: ...", "[14:05] Anna: ...". Only known first names count there.
CHAT_SPEAKER = re.compile(rf"^[ \t]*(?:\[[^\]\n]{{1,24}}\][ \t]*)?(?P<name>{NAME_TOKEN}):[ \t]", re.MULTILINE)
# Verbs that introduce a name: "sie heißt Weiß", "ein Herr namens Özdemir".
NAMING = NotAfter(
    r"(?:heißt|heiße|hieß|heisst|heisse|namens)[ \t]+", r"[\w-]", starts=("heiß", "heiss", "hieß", "namens")
)
# A name followed by these is an organisation ("Müller GmbH", "Schmidt & Söhne", "Krause & Lang
# Steuerberater", "Hartmann Steuerberatung"): legal forms, and business words also inside compounds.
_LEGAL_FORM = (
    r"GmbH|gGmbH|AG|KG|KGaA|OHG|oHG|e\.[ ]?V\.|eV|GbR|UG|SE|mbH|PartG|PartGmbB|Inc\.?|Ltd\.?|LLC|& Co|"
    r"& Söhne|& Partner|und Partner|Söhne|Gruppe|Group|Holding|Stiftung|Verlag|Consulting"
)
_BUSINESS = (
    r"immobilien|bau|logistik|versicherung|versicherungen|bank|sparkasse|apotheke|brauerei|werke|werk|"
    r"kliniken|klinik|akademie|institut|schule|gymnasium|systems|solutions|software|technik|elektro|"
    r"automobile|reisen|steuerberater|steuerberatung|steuerkanzlei|rechtsanwälte|anwälte|architekten|"
    r"beratung|service|handel|reinigung|verwaltung|gastronomie|transporte|spedition|partner|praxis|"
    r"kanzlei|haustechnik|installation|dienstleistungen|management|medien|design|optik|zentrum"
)


# Callers only ask whether it matches: the business words, factored and in explicit case classes (see
# casing.any_case), find a match exactly when the list under (?i:) does.
ORG_SUFFIX = re.compile(
    rf"(?:[ \t]*(?:&|und)[ \t]*[{_UPPER}][{_LOWER}-]+)?[ \t]*(?:{_LEGAL_FORM}|"
    rf"[{_UPPER}]?[{_LOWER}-]*{any_case(_BUSINESS.split('|'))})(?![{_LOWER}])"
)
_ORG_WORDS = (
    "Firma Fa. Bäckerei Metzgerei Fleischerei Autohaus Kanzlei Hotel Gasthaus Gasthof Restaurant Café Cafe "
    "Apotheke Verlag Stiftung Brauerei Weingut Buchhandlung Modehaus Möbelhaus Haus Pension Klinik "
    "Praxisgemeinschaft Malerbetrieb Schreinerei Tischlerei Elektro Sanitär Friseur Salon Marke Produkt"
)
# compounds that name a business ("Friseursalon", "Hausverwaltung", "Energieversorgung")
_ORG_COMPOUND_ENDS = (
    "salon bäckerei metzgerei schreinerei tischlerei betrieb verwaltung versorgung gesellschaft werkstatt "
    "studio handel service"
)
# a place: "Sankt Johann", "St. Leonhard", "Bad Ischl"
_PLACE_WORDS = "Sankt St. Bad"


def _alternatives(words: str) -> str:
    return "|".join(map(re.escape, words.split()))


ORG_PREFIX = re.compile(
    rf"(?:{_alternatives(_ORG_WORDS)}|[A-ZÄÖÜ][a-zäöüß]*(?:{_alternatives(_ORG_COMPOUND_ENDS)})|"
    rf"{_alternatives(_PLACE_WORDS)}|"
    # the second name of a firm: "Holzinger & Haid Steuerberater"
    rf"[{_UPPER}][{_LOWER}-]+[ \t]*&)"
    r"[ \t]+$"
)
# What every ORG_PREFIX match ends in before its blanks: a cheap test before the search.
ORG_PREFIX_ENDINGS = tuple(f"{_ORG_WORDS} {_ORG_COMPOUND_ENDS} {_PLACE_WORDS} &".split())
ORG_PREFIX_ENDS = Endings(ORG_PREFIX_ENDINGS)
# Words that precede a common noun, not a name ("der Koch", "ein Schneider").
ARTICLE_BEFORE = re.compile(
    r"(?<![\w-])(?:der|die|das|des|dem|den|ein|eine|einen|einem|einer|eines|kein|keine|unser|unsere|unseren|"
    r"unserem|mein|meine|meinen|dein|deine|jeder|jede|jeden|dieser|diese|diesen|welcher|welche|zum|zur|"
    r"vom|beim|im|am)[ \t]+$",
    re.IGNORECASE,
)
# What every ARTICLE_BEFORE match ends in before its blanks, in any case ("ſ" is a long s): a cheap test.
ARTICLE_ENDINGS = tuple("rsmneRSMNEſ")
ARTICLE_ENDS = Endings(ARTICLE_ENDINGS)
# Capitalised words that start sentences or follow greetings but are never names.
_STOP_WORDS = """Ich Sie Du Wir Ihr Er Es Man Der Die Das Den Dem Des Ein Eine Einen Und Oder Aber Auch Noch Nur Bitte
    Danke Vielen Vielmals Hallo Guten Team Kollegen Kolleginnen Kollege Kollegin Damen Herren Alle Allerseits
    Zusammen Leute Freunde Freundinnen Kunden Kundinnen Kundschaft Mitglieder Eltern Nachbarn Grüße Gruß
    Gemeinde Community Support Service Kundenservice Vertrieb Personalabteilung Buchhaltung Abteilung
    Geschäftsführung Leitung Verwaltung Redaktion Praxis Kanzlei Firma Herr Frau Herrn Dr Prof Wie Was Wer
    Wo Wann Warum Weil Wenn Dann Da Dort Hier Heute Morgen Gestern Jetzt Nun Also So Sehr Gut Schön Super
    Toll Ja Nein Okay Ok Hi Hey Moin Servus Mit Von Vom Zum Zur Bei Nach Vor In Im Am An Auf Aus Für Über
    Unter Ohne Gegen Seit Bis Ab Um Anbei Beiliegend Anlage Anhang Betreff Datum Ort Telefon Tel Fax Mobil
    Mail Email Adresse Straße Deutschland Österreich Schweiz Liebe Lieber Sehr Geehrte Geehrter Tag Abend
    Woche Monat Jahr Zeit Bescheid Info Infos Frage Fragen Antwort Rückfrage Nachricht Anfrage Termin
    Rechnung Bestellung Auftrag Vertrag Kündigung Lieferung Ware Paket Konto Geld Summe Betrag Preis
    Euro Dank Feedback Rückmeldung Hilfe Unterstützung Geduld Verständnis Entschuldigung Ihnen Dir Euch
    Uns Mir Mich Dich Sich Ihre Ihren Ihrem Ihrer Dein Deine Deinen Mein Meine Meinen Unser Unsere Euer
    Eure Viele Beste Herzliche Freundliche Schöne Mfg Lg Vg Gmbh Ag Kg Kundennummer Bestellnummer
    Rechnungsnummer Vorgangsnummer Ticket Geburtsdatum Geboren Steuer Iban Bic Bank Sparkasse Volksbank
    Ansprechpartner Ansprechpartnerin Name Vorname Nachname Kunde Kundin Anmerkung Hinweis Notiz Status
    Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag Januar Februar März April Mai Juni Juli
    August September Oktober November Dezember Ostern Weihnachten Neujahr Gesundheit Erfolg Spaß Glück
    Zeugnis Arbeitsvertrag Gehalt Urlaub Krankmeldung Bewerbung Personalakte Schadensmeldung Schaden
    Versicherung Police Unfall Fahrzeug Kennzeichen Wohnung Miete Nebenkosten Heizung Reparatur Berlin
    Hamburg München Köln Frankfurt Wien Zürich Bern Graz Linz Basel Dresden Leipzig Stuttgart Bremen"""
STOP = frozenset(_STOP_WORDS.split())
# "Surname, " right before a first name (searched backwards from the first name).
SURNAME_COMMA = re.compile(rf"(?<![\w-])(?P<name>{NAME_TOKEN}),[ \t]*$")
