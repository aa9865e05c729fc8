#!/usr/bin/env python3
"""Bytes the JVM allocated during a JFR recording (bench/alloc.jfc), all threads: for each thread the last
jdk.ThreadAllocationStatistics total minus the first (a thread seen once, i.e. started or ended meanwhile, counts
its one total). Usage: jfr_alloc.py RECORDING.jfr [REQUESTS] -> bytes, or bytes per request."""
import json, subprocess, sys

out = subprocess.run(["jfr", "print", "--json", "--events", "jdk.ThreadAllocationStatistics", sys.argv[1]],
                     check=True, capture_output=True, text=True).stdout
seen = {}
for e in json.loads(out)["recording"]["events"]:
    v = e["values"]
    seen.setdefault(v["thread"]["javaThreadId"], []).append(int(v["allocated"]))
total = sum(max(a) - min(a) if len(a) > 1 else a[0] for a in seen.values())
print(round(total / int(sys.argv[2])) if len(sys.argv) > 2 else total)
