"""A support FAQ of our own, German and English: canonical questions (stored first), paraphrases of them
(should hit, and must hit the right entry) and different questions in the same domain (must not hit)."""

from __future__ import annotations

# intent: (canonical EN, canonical DE, paraphrases EN + DE)
FAQ: dict[str, tuple[str, str, list[str]]] = {
    "reset_password": (
        "How do I reset my password?",
        "Wie setze ich mein Passwort zurück?",
        [
            "I forgot my password, how can I reset it?",
            "What are the steps to reset my password?",
            "Ich habe mein Passwort vergessen, wie kann ich es zurücksetzen?",
            "Wie kann ich mein Passwort zurücksetzen?",
        ],
    ),
    "change_email": (
        "How do I change my email address?",
        "Wie ändere ich meine E-Mail-Adresse?",
        [
            "How can I update the email address on my account?",
            "I want to change my email address.",
            "Wie kann ich meine E-Mail-Adresse ändern?",
            "Ich möchte meine E-Mail-Adresse ändern.",
        ],
    ),
    "shipping_time": (
        "How long does shipping take?",
        "Wie lange dauert der Versand?",
        [
            "How many days does delivery take?",
            "When will my order arrive?",
            "Wie lange dauert die Lieferung?",
            "Wann kommt meine Bestellung an?",
        ],
    ),
    "shipping_cost": (
        "How much does shipping cost?",
        "Was kostet der Versand?",
        [
            "What are the shipping fees?",
            "How much do you charge for delivery?",
            "Wie hoch sind die Versandkosten?",
            "Was kostet die Lieferung?",
        ],
    ),
    "return_item": (
        "How do I return an item?",
        "Wie schicke ich einen Artikel zurück?",
        [
            "What is the process for returning a product?",
            "I want to send an item back.",
            "Wie kann ich einen Artikel zurücksenden?",
            "Wie funktioniert die Rücksendung?",
        ],
    ),
    "refund_time": (
        "How long does a refund take?",
        "Wie lange dauert eine Rückerstattung?",
        [
            "When will I get my money back?",
            "How many days until my refund arrives?",
            "Wann bekomme ich mein Geld zurück?",
            "Wie lange dauert es, bis ich mein Geld zurückbekomme?",
        ],
    ),
    "cancel_order": (
        "How can I cancel my order?",
        "Wie kann ich meine Bestellung stornieren?",
        [
            "I want to cancel an order I placed.",
            "Is it possible to cancel my order?",
            "Ich möchte meine Bestellung stornieren.",
            "Kann ich meine Bestellung noch stornieren?",
        ],
    ),
    "payment_methods": (
        "Which payment methods do you accept?",
        "Welche Zahlungsmethoden akzeptieren Sie?",
        [
            "What payment options are available?",
            "Can I pay with PayPal or credit card?",
            "Welche Zahlungsarten gibt es?",
            "Wie kann ich bezahlen?",
        ],
    ),
    "invoice": (
        "Where can I download my invoice?",
        "Wo kann ich meine Rechnung herunterladen?",
        [
            "How do I get a copy of my invoice?",
            "Where do I find my invoices?",
            "Wie bekomme ich meine Rechnung?",
            "Wo finde ich meine Rechnungen?",
        ],
    ),
    "delete_account": (
        "How do I delete my account?",
        "Wie lösche ich mein Konto?",
        [
            "I want to close my account permanently.",
            "How can I remove my account?",
            "Ich möchte mein Konto löschen.",
            "Wie kann ich mein Benutzerkonto entfernen?",
        ],
    ),
    "opening_hours": (
        "What are your customer service hours?",
        "Wann ist der Kundenservice erreichbar?",
        [
            "When is your support team available?",
            "What time does customer support open?",
            "Zu welchen Zeiten ist der Kundendienst erreichbar?",
            "Wie sind die Öffnungszeiten des Supports?",
        ],
    ),
    "track_order": (
        "How can I track my order?",
        "Wie kann ich meine Sendung verfolgen?",
        [
            "Where can I see the status of my delivery?",
            "Is there a tracking number for my order?",
            "Wo sehe ich den Status meiner Lieferung?",
            "Gibt es eine Sendungsnummer für meine Bestellung?",
        ],
    ),
    "change_address": (
        "How do I change my delivery address?",
        "Wie ändere ich meine Lieferadresse?",
        [
            "Can I update the shipping address of my order?",
            "I need to change where my order is delivered.",
            "Kann ich die Lieferadresse meiner Bestellung ändern?",
            "Ich muss meine Lieferadresse ändern.",
        ],
    ),
    "international_shipping": (
        "Do you ship internationally?",
        "Liefern Sie auch ins Ausland?",
        [
            "Can you deliver to other countries?",
            "Do you offer shipping outside Germany?",
            "Versenden Sie auch international?",
            "Kann ich auch ins Ausland bestellen?",
        ],
    ),
    "discount_code": (
        "How do I use a discount code?",
        "Wie löse ich einen Gutscheincode ein?",
        [
            "Where do I enter my promo code?",
            "How can I apply a coupon to my order?",
            "Wo gebe ich meinen Rabattcode ein?",
            "Wie kann ich einen Gutschein verwenden?",
        ],
    ),
}

# Different questions of the same shop: none of them is answered by any FAQ entry above.
DIFFERENT: list[str] = [
    "How do I change my password?",
    "How do I create an account?",
    "How much does express shipping cost?",
    "How do I exchange an item for a different size?",
    "Why was my refund rejected?",
    "Can I change the items in my order?",
    "Do you accept payment by invoice for companies?",
    "Where can I download my shipping label?",
    "How do I deactivate email notifications?",
    "Do you have a phone number for customer service?",
    "My order arrived damaged, what should I do?",
    "Can I pick up my order in a store?",
    "Wie ändere ich mein Passwort?",
    "Wie erstelle ich ein Konto?",
    "Was kostet der Expressversand?",
    "Wie tausche ich einen Artikel gegen eine andere Größe um?",
    "Warum wurde meine Rückerstattung abgelehnt?",
    "Kann ich Artikel in meiner Bestellung ändern?",
    "Wo kann ich mein Versandetikett herunterladen?",
    "Meine Bestellung kam beschädigt an, was soll ich tun?",
    "Kann ich meine Bestellung im Laden abholen?",
    "Wie deaktiviere ich E-Mail-Benachrichtigungen?",
]
