"""The capitalised words that start a PERSON trigger or an ADDRESS street form, found in one pass.

One ``re`` pass over a text costs about as much whether it looks for a few words or for all of these,
since it stops at the same capitals: so the PERSON and ADDRESS recognizers share it, through
:meth:`TextFacts.places <gateway.privacy.recognizers.facts.TextFacts.places>`, and each tries its patterns
only at the places the index sorts out for them. NAMING starts in lower case ("heißt", "namens"):
with it the pass would stop at every other word, so it keeps its own search.
"""

from __future__ import annotations

from gateway.privacy.recognizers import person_rules as rules
from gateway.privacy.recognizers.scanning import StartIndex
from gateway.privacy.recognizers.streets import OF_FORM_HEADS, PREFIX_STREET

OF_FORM = "of-form heads"  # the key of OF_FORM_HEADS
START_WORDS = StartIndex(
    {
        rules.SALUTATION: rules.SALUTATION.starts,
        rules.TITLE_TRIGGER: rules.TITLE_TRIGGER.starts,
        rules.GREETING: rules.GREETING.starts,
        rules.INLINE_SIGN_OFF: rules.INLINE_SIGN_OFF.starts,
        PREFIX_STREET: PREFIX_STREET.starts,
        OF_FORM: OF_FORM_HEADS,
    }
)
