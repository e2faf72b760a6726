#!/usr/bin/env bash
# Validates compose/compose.yaml without a Docker engine: Debian's docker-compose parses
# and normalises it (`config`), then the normalised form is checked for what operators rely
# on: a container per service running that service's executable with its keys, a volume of
# its own, a health check that calls Health/Check, a restart policy, and the Dockerfile
# building every executable the file runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v docker-compose >/dev/null || { echo "check-compose: docker-compose is not installed (make bootstrap)" >&2; exit 1; }
normalised=$(mktemp)
trap 'rm -f "$normalised"' EXIT
docker-compose -f compose/compose.yaml config >"$normalised"
# Debian's python3, which has python3-yaml (a dependency of docker-compose).
/usr/bin/python3 - "$normalised" <<'PY'
import re, sys, yaml
config = yaml.safe_load(open(sys.argv[1]))
services = config["services"]
problems = []
data_volumes = {}
for name in ["member-registry", "meeting-scheduler", "proposal-tracker", "notifier", "duty-record", "portal"]:
    s = services.get(name)
    if s is None:
        problems.append(f"{name}: missing"); continue
    if s.get("command", [None])[0] != name:
        problems.append(f"{name}: does not run its executable")
    test = " ".join(s.get("healthcheck", {}).get("test", []))
    if f"gateway health --service {name}" not in test:
        problems.append(f"{name}: no health check calling Health/Check")
    if s.get("restart") not in ("unless-stopped", "always", "on-failure"):
        problems.append(f"{name}: no restart policy")
    if s.get("environment", {}).get("XIESHANG_KEYS_DIR") != "/etc/xieshang/keys":
        problems.append(f"{name}: runs without CURVE keys")
    if s.get("depends_on", {}).get("keys", {}).get("condition") != "service_completed_successfully":
        problems.append(f"{name}: may start before its keys exist")
    mounts = {}
    for v in s.get("volumes", []):
        if isinstance(v, str):   # docker-compose 1.x writes SOURCE:TARGET[:MODE]
            parts = v.split(":")
            v = {"source": parts[0], "target": parts[1], "read_only": len(parts) > 2 and parts[2] == "ro",
                 "type": "bind" if parts[0].startswith(("/", ".")) else "volume"}
        mounts[v["target"]] = v
    data = mounts.get("/var/lib/xieshang")
    if not data or data.get("type") != "volume":
        problems.append(f"{name}: no data volume")
    elif data["source"] in data_volumes.values():
        problems.append(f"{name}: shares its data volume")
    else:
        data_volumes[name] = data["source"]
    if not mounts.get("/etc/xieshang/keys", {}).get("read_only"):
        problems.append(f"{name}: keys not mounted read-only")
keys = services.get("keys", {})
if keys.get("command", [])[:3] != ["gateway", "keys", "setup"]:
    problems.append("keys: does not run gateway keys setup")
build_stage = open("compose/Dockerfile").read().split("FROM ${RUNTIME_IMAGE}")[0]
products = re.search(r"^PRODUCTS := (.*)$", open("Makefile").read(), re.M).group(1).split()
if not re.search(r"^\s*make release;", build_stage, re.M):
    problems.append("Dockerfile: does not build with make release")
for executable in ["member-registry", "meeting-scheduler", "proposal-tracker", "notifier", "duty-record", "portal", "gateway", "loadtest"]:
    if executable not in products:
        problems.append(f"Makefile: make release does not build {executable}")
    if not re.search(rf'"\$bin/{executable}"', build_stage):
        problems.append(f"Dockerfile: does not copy {executable} into the image")
if problems:
    print("compose/compose.yaml:", *problems, sep="\n  ", file=sys.stderr)
    sys.exit(1)
print(f"compose/compose.yaml: {len(services)} services valid; data volumes {sorted(data_volumes.values())}")
PY

# The PostgreSQL override: every service in two replicas, each on its own database, every
# client and consumer given both replicas of each.
if docker-compose -f compose/compose.yaml -f compose/compose.postgres.yaml config >/dev/null 2>&1; then
  echo "compose/compose.postgres.yaml: starts without XIESHANG_PG_PASSWORD (it must refuse)" >&2; exit 1
fi
XIESHANG_PG_PASSWORD=check docker-compose -f compose/compose.yaml -f compose/compose.postgres.yaml config >"$normalised"
/usr/bin/python3 - "$normalised" <<'PY'
import re, sys, yaml
services = yaml.safe_load(open(sys.argv[1]))["services"]
problems = []
pg = services.get("postgres", {})
if "pg_isready" not in " ".join(pg.get("healthcheck", {}).get("test", [])):
    problems.append("postgres: no health check")
# service: (database, variable, RPC port, whether it publishes events)
replicated = {
    "member-registry": ("registry", "XIESHANG_REGISTRY", 7101, True),
    "meeting-scheduler": ("scheduler", "XIESHANG_SCHEDULER", 7201, True),
    "proposal-tracker": ("tracker", "XIESHANG_TRACKER", 7301, True),
    "notifier": ("notifier", "XIESHANG_NOTIFIER", 7401, False),
    "duty-record": ("duty", "XIESHANG_DUTY", 7501, False),
    "portal": ("portal", "XIESHANG_PORTAL", 7601, False),
}
clients = [name for service in replicated for name in (service, service + "-2")] + ["gateway"]
init = open("compose/postgres-init.sql").read()
mounted = " ".join(v if isinstance(v, str) else f'{v.get("source")}:{v.get("target")}' for v in pg.get("volumes", []))
if "postgres-init.sql" not in mounted or "/docker-entrypoint-initdb.d/" not in mounted:
    problems.append("postgres: the databases' init script is not mounted")
replicas = []
for service, (database, variable, port, publishes) in replicated.items():
    names = [service, service + "-2"]
    replicas += names
    if database != pg.get("environment", {}).get("POSTGRES_DB") and f"CREATE DATABASE {database} " not in init:
        problems.append(f"postgres: no database {database}")
    for name in names:
        s = services.get(name, {})
        env = s.get("environment", {})
        if s.get("command", [None])[0] != service:
            problems.append(f"{name}: does not run {service}")
        if env.get("XIESHANG_DATABASE_URL", "") != f"postgres://xieshang:check@postgres:5432/{database}":
            problems.append(f"{name}: not on the postgres service's {database} database")
        if s.get("depends_on", {}).get("postgres", {}).get("condition") != "service_healthy":
            problems.append(f"{name}: may start before PostgreSQL takes connections")
        if env.get("XIESHANG_KEYS_DIR") != "/etc/xieshang/keys":
            problems.append(f"{name}: runs without CURVE keys")
        if f"gateway health --service {service}" not in " ".join(s.get("healthcheck", {}).get("test", [])):
            problems.append(f"{name}: no health check")
    for name in clients:
        env = services.get(name, {}).get("environment", {})
        for suffix, p in [("_ENDPOINT", port)] + ([("_EVENTS", port + 1)] if publishes else []):
            named = env.get(variable + suffix, "").split(",")
            if sorted(named) != sorted(f"tcp://{r}:{p}" for r in names):
                problems.append(f"{name}: {variable}{suffix} does not name both {service} replicas")
runtime = open("compose/Dockerfile").read().split("FROM ${RUNTIME_IMAGE}")[1]
if not re.search(r"^\s+[^#\n]*\blibpq5\b", runtime, re.M):
    problems.append("Dockerfile: the runtime image lacks libpq5")
if problems:
    print("compose/compose.postgres.yaml:", *problems, sep="\n  ", file=sys.stderr)
    sys.exit(1)
print(f"compose/compose.postgres.yaml: postgres and {len(replicas)} replicas valid")
PY
