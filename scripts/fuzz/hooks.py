"""Schemathesis hooks for the loanflow fuzz run (loaded through SCHEMATHESIS_HOOKS)."""

import hashlib
import hmac
import json
import os
import time

import schemathesis

SIGNATURE = "Loanflow-Signature"


@schemathesis.hook
def before_call(context, case, kwargs):
    # Provider callbacks are verified over the exact bytes sent, so sign those bytes and send them as
    # signed. A case without the header (schemathesis probing the missing credential) stays unsigned.
    if SIGNATURE not in (case.headers or {}):
        return
    prepared = case.as_transport_kwargs()
    raw = prepared.get("data")
    if raw is None and "json" in prepared:
        raw = json.dumps(prepared["json"], allow_nan=False).encode("utf-8")
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    if not isinstance(raw, bytes):
        return
    stamp = str(int(time.time()))
    secret = os.environ["LOANFLOW_FUZZ_WEBHOOK_SECRET"].encode("utf-8")
    mac = hmac.new(secret, stamp.encode("ascii") + b"." + raw, hashlib.sha256).hexdigest()
    case.headers[SIGNATURE] = f"t={stamp},v1={mac}"
    kwargs["data"] = raw
