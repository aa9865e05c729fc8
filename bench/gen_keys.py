#!/usr/bin/env python3
"""Writes N well-formed Keysmith keys and their rows (HMAC-SHA-256 with the given secret) for bench/keys-scale.sh."""
import base64, hashlib, hmac, secrets, sys, uuid, zlib

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

def checksum(body):
    v = zlib.crc32(body.encode()) & 0xFFFFFFFF
    out = []
    for _ in range(6):
        out.append(ALPHABET[v % 62]); v //= 62
    return "".join(reversed(out))

def main():
    n, secret_b64, org, owner, rows_path, keys_path, keep = sys.argv[1:8]
    secret = base64.b64decode(secret_b64)
    with open(rows_path, "w") as rows, open(keys_path, "w") as keys:
        for i in range(int(n)):
            body = "ksk_" + "".join(ALPHABET[b % 62] for b in secrets.token_bytes(32))  # bench keys: slight bias is fine
            key = body + checksum(body)
            digest = hmac.new(secret, key.encode(), hashlib.sha256).hexdigest()
            rows.write(f"{org}\t{uuid.uuid4()}\t{owner}\t{owner}\tbench-{i}\tPEOPLE\tINHERIT\t\\\\x{digest}\t1\t{key[:8]}\t100000000\n")
            if i < int(keep):
                keys.write(key + "\n")

main()
