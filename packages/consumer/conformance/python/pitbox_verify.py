#!/usr/bin/env python3
"""An independent verifier of pitbox's contract v1, from CONTRACT.md alone: Python's standard
library plus Debian's python3-cryptography (Ed25519). It shares no code with @pitbox/consumer;
passing every conformance vector is what shows the vectors and the prose are enough.

    python3 pitbox_verify.py VECTOR_DIR     # checks every *.json vector, exit 0 when all pass
"""
import base64
import hashlib
import json
import math
import re
import sys
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

SIG = re.compile(r"^[A-Za-z0-9_-]{86}$")


# ---- RFC 8785 (JCS) --------------------------------------------------------------------------

def _number(n):
    """ECMAScript Number::toString, which JCS prescribes for numbers."""
    if isinstance(n, bool):
        raise TypeError("bool is not a number")
    if isinstance(n, int):
        if abs(n) >= 2 ** 53:
            n = float(n)
        else:
            return str(n)
    if not math.isfinite(n):
        raise ValueError("JCS: not a JSON number")
    if n == 0:
        return "0"
    sign = "-" if n < 0 else ""
    # repr gives the shortest round-tripping digits; reformat them the way ECMAScript does.
    mantissa, _, exp = repr(abs(n)).partition("e")
    digits = mantissa.replace(".", "")
    point = mantissa.index(".") if "." in mantissa else len(mantissa)
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0") or "0"
    e = point + (int(exp) if exp else 0)  # value = 0.DIGITS * 10^e
    k = len(digits)
    if k <= e <= 21:
        return sign + digits + "0" * (e - k)
    if 0 < e <= 21:
        return sign + digits[:e] + "." + digits[e:]
    if -6 < e <= 0:
        return sign + "0." + "0" * (-e) + digits
    exponent = e - 1
    tail = ("." + digits[1:]) if k > 1 else ""
    return f"{sign}{digits[0]}{tail}e{'+' if exponent > 0 else '-'}{abs(exponent)}"


def canonicalize(value):
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return _number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(canonicalize(v) for v in value) + "]"
    if isinstance(value, dict):
        # Members sorted by their names' UTF-16 code units (RFC 8785 section 3.2.3).
        names = sorted(value, key=lambda k: k.encode("utf-16-be"))
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + canonicalize(value[k]) for k in names) + "}"
    raise TypeError(f"JCS: {type(value).__name__} is not JSON")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def chain_hash(canonical_text: str) -> str:
    return b64url(hashlib.sha256(canonical_text.encode()).digest())


def thumbprint(jwk) -> str:
    """RFC 7638 over the required members of an OKP key."""
    return chain_hash(canonicalize({"crv": jwk["crv"], "kty": jwk["kty"], "x": jwk["x"]}))


def public_key(jwk):
    if not isinstance(jwk, dict) or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or not isinstance(jwk.get("x"), str):
        raise ValueError("not an Ed25519 JWK")
    if jwk.get("kid") != thumbprint(jwk):
        raise ValueError("kid is not the key's thumbprint")
    return Ed25519PublicKey.from_public_bytes(unb64url(jwk["x"]))


def signature_ok(message, key) -> bool:
    sig = message.get("sig")
    if not isinstance(sig, str) or not SIG.match(sig):
        return False
    unsigned = {k: v for k, v in message.items() if k != "sig"}
    try:
        key.verify(unb64url(sig), canonicalize(unsigned).encode())
        return True
    except (InvalidSignature, ValueError, TypeError):
        return False


# ---- One table's stream --------------------------------------------------------------------

def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


class Violation(Exception):
    def __init__(self, code, detail=""):
        super().__init__(f"{code}: {detail}")
        self.code = code


class TableVerifier:
    """CONTRACT.md, 'What a consumer checks': keys from births vouched for by a trusted key, a
    signature on everything, the chain by prev, seq never reused, duplicates set aside, gaps
    tracked, order per lane (backlog up to the birth's lastSeq, live after it)."""

    def __init__(self, studio, table, trusted=None):
        self.studio, self.table = studio, table
        self.trusted = set(trusted) if trusted is not None else None
        self.keys = {}
        self.chain = {}  # seq -> (id, canonical text, hash, prev)
        self.ids = {}  # id -> seq
        self.backlog_end = 0
        self.lane_max = {"backlog": 0, "live": 0}
        self.duplicates = 0

    @staticmethod
    def _parse(text):
        try:
            value = json.loads(text)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def _mine(self, m, what):
        if m.get("studio") != self.studio or m.get("table") != self.table:
            raise Violation("wrong-table", f"{what} of {m.get('studio')}/{m.get('table')}")

    def _signed(self, m):
        key = self.keys.get(m.get("kid"))
        if key is None:
            raise Violation("unknown-key", f"signed with {m.get('kid')}, which no birth announced")
        if not signature_ok(m, key):
            raise Violation("bad-signature", "signature does not verify")

    def birth(self, text):
        b = self._parse(text)
        if b is None or b.get("v") != 1 or not isinstance(b.get("keys"), list) or not _is_int(b.get("lastSeq")) or not isinstance(b.get("kid"), str):
            raise Violation("malformed", "not a v1 birth")
        self._mine(b, "birth")
        try:
            announced = {jwk["kid"]: public_key(jwk) for jwk in b["keys"]}
        except (ValueError, KeyError, TypeError) as err:
            raise Violation("malformed", f"birth key: {err}") from err
        key = announced.get(b["kid"])
        if key is None:
            raise Violation("unknown-key", "birth signed with a key it does not announce")
        if not signature_ok(b, key):
            raise Violation("bad-signature", "birth signature does not verify")
        vouched = b["kid"] in self.trusted if self.trusted is not None else (not self.keys or b["kid"] in self.keys)
        if not vouched:
            raise Violation("untrusted-key", "birth signed by a key nothing trusted announced")
        self.keys.update(announced)
        if self.trusted is not None:
            self.trusted.update(announced)
        self.backlog_end = b["lastSeq"]
        self.lane_max = {"backlog": 0, "live": 0}

    def state(self, text):
        s = self._parse(text)
        if s is None or s.get("v") != 1 or not _is_int(s.get("seq")) or not isinstance(s.get("state"), dict):
            raise Violation("malformed", "not a v1 state")
        self._mine(s, "state")
        self._signed(s)

    def event(self, text):
        """Returns ('new' | 'duplicate', seq) or raises Violation."""
        e = self._parse(text)
        if e is None or not self._envelope(e):
            raise Violation("malformed", "not a v1 event envelope")
        self._mine(e, "event")
        seq = e["seq"]
        canonical = canonicalize(e)
        if e["id"] in self.ids:
            if self.chain[self.ids[e["id"]]][1] == canonical:
                self.duplicates += 1
                return "duplicate", seq
            raise Violation("conflicting-duplicate", f"id {e['id']} seen before with other content")
        self._signed(e)
        if seq in self.chain:
            raise Violation("seq-reused", f"seq {seq} carried another id")
        digest = chain_hash(canonical)
        if seq == 1 and e["prev"] is not None:
            raise Violation("chain-broken", "seq 1 must have prev null")
        before, after = self.chain.get(seq - 1), self.chain.get(seq + 1)
        if before is not None and before[2] != e["prev"]:
            raise Violation("chain-broken", f"prev of {seq} is not the hash of {seq - 1}")
        if after is not None and after[3] != digest:
            raise Violation("chain-broken", f"prev of {seq + 1} is not the hash of {seq}")
        lane = "backlog" if seq <= self.backlog_end else "live"
        if seq < self.lane_max[lane]:
            raise Violation("reordered", f"{lane} event {seq} after {self.lane_max[lane]}")
        self.lane_max[lane] = seq
        self.chain[seq] = (e["id"], canonical, digest, e["prev"])
        self.ids[e["id"]] = seq
        return "new", seq

    @staticmethod
    def _envelope(e):
        return (
            e.get("v") == 1 and _is_int(e.get("seq")) and 1 <= e["seq"] <= 2 ** 53 - 1
            and isinstance(e.get("id"), str) and isinstance(e.get("ts"), str) and isinstance(e.get("type"), str)
            and isinstance(e.get("data"), dict) and "prev" in e and (e["prev"] is None or isinstance(e["prev"], str))
            and isinstance(e.get("kid"), str) and isinstance(e.get("sig"), str)
            and ("round" not in e or _is_int(e["round"]))
        )

    def gaps(self):
        if not self.chain:
            return []
        out = []
        for s in range(min(self.chain), max(self.chain) + 1):
            if s in self.chain:
                continue
            if out and out[-1][1] == s - 1:
                out[-1][1] = s
            else:
                out.append([s, s])
        return out


# ---- The vectors ---------------------------------------------------------------------------

def run_vector(vector):
    """Every step's outcome against the vector's expectation; returns a list of failures."""
    v = TableVerifier(vector["studio"], vector["table"], vector.get("trusted"))
    failures = []
    for i, step in enumerate(vector["steps"]):
        try:
            if step["topic"] == "birth":
                v.birth(step["message"])
                got = {"outcome": "accepted"}
            elif step["topic"] == "state":
                v.state(step["message"])
                got = {"outcome": "accepted"}
            else:
                outcome, seq = v.event(step["message"])
                got = {"outcome": outcome, "seq": seq}
        except Violation as violation:
            got = {"outcome": "violation", "code": violation.code}
        if got != step["expect"]:
            failures.append(f"step {i} ({step.get('note', step['topic'])}): expected {step['expect']}, got {got}")
    final = {"gaps": v.gaps(), "verified": len(v.chain), "duplicates": v.duplicates}
    want = vector["final"]
    if final != {"gaps": [list(g) for g in want["gaps"]], "verified": want["verified"], "duplicates": want["duplicates"]}:
        failures.append(f"final: expected {want}, got {final}")
    return failures


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    files = sorted(Path(argv[1]).glob("*.json"))
    if not files:
        print(f"no vectors in {argv[1]}", file=sys.stderr)
        return 2
    failed = 0
    for path in files:
        failures = run_vector(json.loads(path.read_text()))
        print(f"{'ok  ' if not failures else 'FAIL'} {path.stem}")
        for f in failures:
            print(f"     {f}")
        failed += bool(failures)
    print(f"{len(files) - failed}/{len(files)} vectors pass")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
