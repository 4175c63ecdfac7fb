"""Structured JSON log lines: one object per line, with the `extra` fields a call passes.

Each line of a request carries its `request_id` (from `observability.context`). Fields whose names say they hold
a credential are masked as a last line of defence: messages are built without secrets or PII in the first place
(STYLE.md), this only catches a mistake.
"""

from __future__ import annotations

import json
import logging
import time

import orjson

from gateway.observability.context import REQUEST_ID

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime", "taskName"}
_SECRET_FIELDS = frozenset(
    {"authorization", "api_key", "apikey", "key", "password", "secret", "token", "admin_api_key", "cookie"}
)
MASK = "[redacted]"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, object] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        rid = REQUEST_ID.get()
        if rid is not None:
            data["request_id"] = rid
        for name, value in record.__dict__.items():
            if name not in _STANDARD:
                data[name] = MASK if name.lower() in _SECRET_FIELDS else value
        if record.exc_info:
            data["exc_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            data["exc"] = self.formatException(record.exc_info)
        try:  # orjson: half the CPU of json.dumps on the request log line, which every request writes
            return orjson.dumps(data, default=str, option=orjson.OPT_NON_STR_KEYS).decode()
        except TypeError:  # what orjson cannot encode (an integer past 64 bits): the standard library can
            return json.dumps(data, default=str)


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger("gateway")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False
