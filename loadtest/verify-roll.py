#!/usr/bin/env python3
"""Checks a party.loot_rolled event (its JSON on stdin) as docs/PROTOCOL.md "Provably fair
rolls" describes: the revealed seed is the one committed to when the roll opened, every value
is the one the seed gives, and the winner is the one the values give. Prints "ok", or what is
wrong and exits 1."""
import hashlib, json, sys

def value(seed, roll, player, k):
    digest = hashlib.sha256(f"{seed}:{roll}:{player}:{k}".encode()).digest()
    return 1 + int.from_bytes(digest[:8], "big") % 100

def check(event):
    seed, rolls = event["seed"], event["rolls"]
    if hashlib.sha256(seed.encode()).hexdigest() != event["commitment"]:
        return "the seed is not the one committed to"
    want = [p for p, c in event["choices"].items() if c == "need"] or [p for p, c in event["choices"].items() if c == "greed"]
    if event["reason"] in ("need", "greed") and list(rolls) != want:
        return f"the contenders should be {want}"
    standing, k = list(rolls), 0
    while rolls and (k == 0 or len(standing) > 1) and k < 64:
        if any(len(rolls[p]) <= k or rolls[p][k] != value(seed, event["roll"], p, k) for p in standing):
            return f"round {k} is not what the seed gives"
        top = max(rolls[p][k] for p in standing)
        standing, k = [p for p in standing if rolls[p][k] == top], k + 1
    if rolls and (standing[0] != event["winner"] or any(len(v) > k for v in rolls.values())):
        return "the winner is not the one the rolls give"
    return None

problem = check(json.load(sys.stdin))
print(problem or "ok")
sys.exit(1 if problem else 0)
