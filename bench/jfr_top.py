#!/usr/bin/env python3
"""Top frames of a JFR recording's CPU samples (jdk.ExecutionSample) and allocation samples
(jdk.ObjectAllocationSample, weighted by bytes): self (top frame) and inclusive, by method, restricted to event-loop
threads. Usage: jfr_top.py RECORDING.jfr [N]"""
import collections, json, subprocess, sys

N = int(sys.argv[2]) if len(sys.argv) > 2 else 25
def events(kind):
    out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "64", "--events", kind, sys.argv[1]],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["recording"]["events"]

def name(f):
    m = f["method"]
    return m["type"]["name"].split(".")[-1] + "." + m["name"]

def report(kind, weight):
    self_, incl, total = collections.Counter(), collections.Counter(), 0
    for e in events(kind):
        v = e["values"]
        t = (v.get("sampledThread") or v.get("eventThread") or {}).get("javaName", "")
        if "eventloop" not in t:
            continue
        frames = (v.get("stackTrace") or {}).get("frames") or []
        if not frames:
            continue
        w = weight(v)
        total += w
        self_[name(frames[0])] += w
        for n in set(name(f) for f in frames):
            incl[n] += w
    print(f"== {kind}: {total} (event-loop threads)")
    print("-- self"); [print(f"{100*c/total:6.1f}%  {n}") for n, c in self_.most_common(N)]
    print("-- inclusive"); [print(f"{100*c/total:6.1f}%  {n}") for n, c in incl.most_common(N * 2)]

report("jdk.ExecutionSample", lambda v: 1)
report("jdk.ObjectAllocationSample", lambda v: int(v.get("weight", 0)))
