#!/usr/bin/env bash
# ES256 signing and verification through Nimbus JOSE+JWT: SunEC (the JDK default) against Bouncy Castle's provider,
# alternated over several rounds in one JVM (the machine is shared: ratios, not absolute figures). Single-threaded.
#   bench/es256-sign.sh [rounds] [seconds per measurement]     # offline: the jars from ~/.m2
set -euo pipefail
cd "$(dirname "$0")/.."
v() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" pom.xml | head -1; }  # a version property of the parent pom
m2=${M2_REPO:-$HOME/.m2/repository}
nimbus="$m2/com/nimbusds/nimbus-jose-jwt/$(v nimbus-jose-jwt.version)/nimbus-jose-jwt-$(v nimbus-jose-jwt.version).jar"
bc="$m2/org/bouncycastle/bcprov-jdk18on/$(v bouncycastle.version)/bcprov-jdk18on-$(v bouncycastle.version).jar"
echo "load before: $(cat /proc/loadavg); $(java -version 2>&1 | head -1); $(basename "$nimbus"), $(basename "$bc")"
java -cp "$nimbus:$bc" bench/Es256Sign.java "${1:-6}" "${2:-2}"
echo "load after: $(cat /proc/loadavg)"
