"""docker-compose.yml and render.yaml: parsed as YAML and checked against JSON schemas of the parts we use.

Neither Docker nor Render can run here, so the schemas pin what the deployment relies on: the services, their
wiring (database and Redis URLs, health checks), and Render's free-tier blueprint keys and value types.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import yaml

ROOT = Path(__file__).parents[3]

_HEALTHCHECK = {
    "type": "object",
    "required": ["test"],
    "properties": {"test": {"type": ["array", "string"]}, "interval": {"type": "string"},
                   "timeout": {"type": "string"}, "retries": {"type": "integer"}},
}
_COMPOSE_SERVICE = {
    "type": "object",
    "anyOf": [{"required": ["image"]}, {"required": ["build"]}],
    "properties": {
        "image": {"type": "string"},
        "build": {"type": ["string", "object"]},
        "ports": {"type": "array", "items": {"type": "string", "pattern": r"^\d+:\d+$"}},
        "environment": {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]}},
        "env_file": {"type": "array"},
        "depends_on": {"type": "object", "additionalProperties": {
            "type": "object", "properties": {"condition": {"enum": ["service_healthy", "service_started"]}}}},
        "healthcheck": _HEALTHCHECK,
        "command": {"type": ["array", "string"]},
        "volumes": {"type": "array", "items": {"type": "string"}},
        "restart": {"enum": ["no", "always", "on-failure", "unless-stopped"]},
    },
    "additionalProperties": False,
}
COMPOSE_SCHEMA = {
    "type": "object",
    "required": ["services"],
    "properties": {
        "services": {"type": "object", "required": ["gateway", "postgres", "redis"],
                     "additionalProperties": _COMPOSE_SERVICE},
        "volumes": {"type": "object"},
    },
    "additionalProperties": False,
}
_ENV_VAR = {
    "type": "object",
    "required": ["key"],
    "properties": {
        "key": {"type": "string"},
        "value": {"type": "string"},
        "generateValue": {"const": True},
        "sync": {"const": False},
        "fromDatabase": {"type": "object", "required": ["name", "property"]},
        "fromService": {"type": "object", "required": ["type", "name", "property"]},
    },
    "additionalProperties": False,
    "minProperties": 2,
}
RENDER_SCHEMA = {
    "type": "object",
    "required": ["services", "databases"],
    "properties": {
        "services": {"type": "array", "items": {
            "type": "object",
            "required": ["type", "name", "plan"],
            "properties": {
                "type": {"enum": ["web", "worker", "pserv", "cron", "keyvalue", "redis"]},
                "runtime": {"enum": ["docker", "python", "image"]},
                "plan": {"const": "free"},
                "envVars": {"type": "array", "items": _ENV_VAR},
                "ipAllowList": {"type": "array"},
            },
        }},
        "databases": {"type": "array", "items": {
            "type": "object", "required": ["name", "plan"], "properties": {"plan": {"const": "free"}}}},
    },
    "additionalProperties": False,
}


def _load(name: str) -> Any:
    return yaml.safe_load((ROOT / name).read_text())


def _render_service(name: str) -> dict[str, Any]:
    return next(s for s in _load("render.yaml")["services"] if s["name"] == name)


def _env(service: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {var["key"]: var for var in service["envVars"]}


def test_compose_file_matches_schema() -> None:
    jsonschema.validate(_load("docker-compose.yml"), COMPOSE_SCHEMA)


def test_compose_gateway_waits_for_healthy_stores_and_uses_them() -> None:
    gateway = _load("docker-compose.yml")["services"]["gateway"]
    assert gateway["depends_on"] == {"postgres": {"condition": "service_healthy"},
                                     "redis": {"condition": "service_healthy"}}
    assert gateway["environment"]["DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert gateway["environment"]["REDIS_URL"].startswith("redis://redis:")


def test_render_blueprint_matches_schema() -> None:
    jsonschema.validate(_load("render.yaml"), RENDER_SCHEMA)


def test_render_web_service_is_docker_with_health_check() -> None:
    web = _render_service("enterprise-ai-gateway")
    assert (web["type"], web["runtime"], web["healthCheckPath"]) == ("web", "docker", "/health")


def test_render_wires_database_and_redis_and_generates_admin_key() -> None:
    env = _env(_render_service("enterprise-ai-gateway"))
    assert env["ADMIN_API_KEY"] == {"key": "ADMIN_API_KEY", "generateValue": True}
    assert env["DATABASE_URL"]["fromDatabase"] == {"name": "gateway-db", "property": "connectionString"}
    assert env["REDIS_URL"]["fromService"] == {"type": "keyvalue", "name": "gateway-redis",
                                               "property": "connectionString"}
    assert _render_service("gateway-redis")["type"] == "keyvalue"
    assert [db["name"] for db in _load("render.yaml")["databases"]] == ["gateway-db"]


def test_render_provider_keys_are_secrets_to_fill_in() -> None:
    env = _env(_render_service("enterprise-ai-gateway"))
    for key in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY"):
        assert env[key] == {"key": key, "sync": False}
