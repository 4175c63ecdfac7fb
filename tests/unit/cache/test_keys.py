from __future__ import annotations

import msgspec

from gateway.cache.keys import cache_keys
from gateway.types import Message, Tool
from tests.unit.cache.fakes import ask

T = ["gpt-4o-mini"]


def test_key_differs_per_tenant() -> None:
    assert cache_keys("a", ask("Q?"), T).exact != cache_keys("b", ask("Q?"), T).exact


def test_key_differs_per_routing_target() -> None:
    assert (
        cache_keys("a", ask("Q?", model="auto"), T).exact
        != cache_keys("a", ask("Q?", model="auto"), ["gpt-4o"]).exact
    )


def test_key_differs_per_tool_set() -> None:
    assert cache_keys("a", ask("Q?"), T).exact != cache_keys("a", ask("Q?", tools=[Tool(name="f")]), T).exact


def test_key_ignores_stream_and_user() -> None:
    plain = cache_keys("a", ask("Q?"), T).exact
    assert cache_keys("a", ask("Q?", stream=True, include_usage=True, user="u-9"), T).exact == plain


def test_key_ignores_order_of_schema_keys() -> None:
    one = Tool(name="f", parameters={"type": "object", "properties": {}})
    two = Tool(name="f", parameters={"properties": {}, "type": "object"})
    assert (
        cache_keys("a", ask("Q?", tools=[one]), T).exact == cache_keys("a", ask("Q?", tools=[two]), T).exact
    )


def test_bucket_ignores_the_wording_of_the_last_question() -> None:
    assert cache_keys("a", ask("How?"), T).bucket == cache_keys("a", ask("How then?"), T).bucket


def test_bucket_differs_with_the_system_prompt() -> None:
    request = ask("How?")
    with_system = msgspec.structs.replace(
        request, messages=[Message(role="system", content="Be brief."), *request.messages]
    )
    assert cache_keys("a", request, T).bucket != cache_keys("a", with_system, T).bucket


def test_bucket_differs_with_the_placeholders_of_the_question() -> None:
    assert (
        cache_keys("a", ask("Is <IBAN_1> valid?"), T).bucket != cache_keys("a", ask("Is it valid?"), T).bucket
    )


def test_request_ending_in_a_tool_result_has_no_bucket() -> None:
    request = msgspec.structs.replace(
        ask("Q?"),
        messages=[Message(role="user", content="Q?"), Message(role="tool", content="1", tool_call_id="c")],
    )
    assert cache_keys("a", request, T).bucket is None
