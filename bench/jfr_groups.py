#!/usr/bin/env python3
"""CPU samples (jdk.ExecutionSample) of the event-loop threads by the library their top frame is in (self time by
library: vertx-web, Vert.x/Micrometer metrics, Netty and Vert.x core HTTP, Jackson, HMAC, Caffeine, Keysmith),
plus the share of samples with vertx-web anywhere on the stack. Usage: jfr_groups.py RECORDING.jfr"""
import collections, json, subprocess, sys

GROUPS = [
    ("vertx-web (routing, handlers)", ("io.vertx.ext.web.",)),
    ("metrics (vertx-micrometer, Micrometer)", ("io.vertx.micrometer.", "io.micrometer.")),
    ("JSON (Jackson, vertx json)", ("com.fasterxml.jackson.", "io.vertx.core.json.")),
    ("HMAC / SHA-256", ("sun.security.", "javax.crypto.", "com.sun.crypto.")),
    ("Caffeine", ("com.github.benmanes.caffeine.",)),
    ("Keysmith code", ("io.keysmith.",)),
    ("Vert.x core HTTP", ("io.vertx.core.",)),
    ("Netty", ("io.netty.",)),
    ("JDK and the rest", ("",)),
]
out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "64", "--events", "jdk.ExecutionSample", sys.argv[1]],
                     check=True, capture_output=True, text=True).stdout
self_, web, total = collections.Counter(), 0, 0
for e in json.loads(out)["recording"]["events"]:
    v = e["values"]
    if "eventloop" not in (v.get("sampledThread") or {}).get("javaName", ""):
        continue
    frames = (v.get("stackTrace") or {}).get("frames") or []
    if not frames:
        continue
    total += 1
    names = [f["method"]["type"]["name"].replace("/", ".") for f in frames]
    # a JDK frame (collections, strings) counts for the first library frame below it on the stack
    owner = next((n for n in names if not n.startswith(("java.", "jdk.", "sun.nio.", "sun.misc."))), names[0])
    for g, prefixes in GROUPS:
        if owner.startswith(prefixes):
            self_[g] += 1
            break
    web += any(n.startswith("io.vertx.ext.web.") for n in names)
print(f"{total} event-loop CPU samples; by the library of the first non-JDK frame:")
for g, _ in GROUPS:
    print(f"  {100 * self_[g] / max(total, 1):5.1f}%  {g}")
print(f"  {100 * web / max(total, 1):5.1f}%  of samples have vertx-web anywhere on the stack")
