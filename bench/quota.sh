#!/usr/bin/env bash
# Cost of a usage quota (issue 20 item 2, ADR 0015) on cached verification, as a ratio in one run (goal >= 0.95):
# bench/ratelimits.sh's comparison with a key without a quota and one with a daily quota far above the load
# (1,000,000,000: leases of 1,000, so one database round trip per 1,000 verifications). None is refused.
#   bench/quota.sh     # ROUNDS=3 DURATION=8s CONNECTIONS=64
ONE_BODY='{"name":"No quota","apiType":"PEOPLE","permissionMode":"INHERIT","rateLimitPerMinute":100000000}'
NAMED_BODY='{"name":"Quota","apiType":"PEOPLE","permissionMode":"INHERIT","rateLimitPerMinute":100000000,
  "quota":{"limit":1000000000,"period":"DAY"}}'
NAMED_CHECK='"quota":{"limit":1000000000'
ONE_LABEL="cached verification, no quota"
NAMED_LABEL="cached verification, daily quota (leases of 1,000)"
RATIO_LABEL="ratio with quota / without:"
source "$(dirname "$0")/ratelimits.sh"
