"""One recognizer per entity type; :func:`default_recognizers` builds the standard set."""

from __future__ import annotations

from gateway.privacy.recognizers.address import AddressRecognizer
from gateway.privacy.recognizers.base import Recognizer
from gateway.privacy.recognizers.bic import BicRecognizer
from gateway.privacy.recognizers.birth_date import BirthDateRecognizer
from gateway.privacy.recognizers.credit_card import CreditCardRecognizer
from gateway.privacy.recognizers.email import EmailRecognizer
from gateway.privacy.recognizers.iban import IbanRecognizer
from gateway.privacy.recognizers.kfz import KfzRecognizer
from gateway.privacy.recognizers.names import FirstNames
from gateway.privacy.recognizers.person import PersonRecognizer
from gateway.privacy.recognizers.phone import PhoneRecognizer
from gateway.privacy.recognizers.steuer_id import SteuerIdRecognizer
from gateway.privacy.recognizers.svnr import SvnrRecognizer
from gateway.privacy.recognizers.vat_id import VatIdRecognizer

__all__ = ["Recognizer", "default_recognizers"]


def default_recognizers(first_names: FirstNames | None = None) -> tuple[Recognizer, ...]:
    """Build every recognizer once.

    Args:
        first_names: A first-name gazetteer to use instead of the packaged one (tests pass small ones).
    """
    return (
        EmailRecognizer(),
        PhoneRecognizer(),
        IbanRecognizer(),
        SteuerIdRecognizer(),
        KfzRecognizer(),
        AddressRecognizer(),
        PersonRecognizer(first_names),
        BirthDateRecognizer(),
        CreditCardRecognizer(),
        VatIdRecognizer(),
        BicRecognizer(),
        SvnrRecognizer(),
    )
