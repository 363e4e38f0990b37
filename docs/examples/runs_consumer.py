#!/usr/bin/env python3
"""A minimal Ordinaut extension: consumes the ordinaut:runs stream with a consumer group.

    pip install redis          # or: apt-get install python3-redis
    python3 docs/examples/runs_consumer.py --redis redis://127.0.0.1:6379/0 --group my-extension --consumer worker-1

Each entry is handled, then acknowledged (XACK). Entries a crashed consumer of the same group read but
never acknowledged are taken over with XAUTOCLAIM once idle for --claim-idle-ms. Delivery is at least
once: an entry can come twice (a consumer crash before XACK; the relay itself appends each entry once), so the handler deduplicates by
outbox_id — here in memory; a real extension keeps the ids it processed next to its own results.
"""
import argparse
import json
import signal

import redis

RUNS = "ordinaut:runs"


def handle(fields, seen):
    outbox_id = int(fields["outbox_id"])
    if outbox_id in seen:
        return  # a re-delivery
    seen.add(outbox_id)
    kind = fields["type"]
    if kind.startswith("run."):
        print(f"{kind:14} run {fields['run_id']} of task {fields['task_id']} at {fields['at']}"
              + (f": {fields['error']}" if fields.get("error") else ""))
    else:
        print(f"{kind:14} task {fields['task_id']} ({fields.get('title', '')})")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    p.add_argument("--stream", default=RUNS)
    p.add_argument("--group", default="example-extension")
    p.add_argument("--consumer", default="consumer-1")
    p.add_argument("--claim-idle-ms", type=int, default=30_000)
    p.add_argument("--once", action="store_true", help="read what is there, then exit")
    args = p.parse_args()

    r = redis.Redis.from_url(args.redis, decode_responses=True)
    try:
        # "0": a new group starts with everything still in the stream; "$" would start with new entries only
        r.xgroup_create(args.stream, args.group, id="0", mkstream=True)
    except redis.ResponseError as e:
        if "BUSYGROUP" not in str(e):
            raise

    seen = set()
    stop = []
    signal.signal(signal.SIGINT, lambda *_: stop.append(True))
    while not stop:
        # 1. take over what a crashed consumer left pending
        _, claimed, *_ = r.xautoclaim(args.stream, args.group, args.consumer,
                                      min_idle_time=args.claim_idle_ms, start_id="0-0", count=100)
        # 2. then read new entries
        fresh = r.xreadgroup(args.group, args.consumer, {args.stream: ">"}, count=100, block=2000)
        batch = claimed + [m for _, messages in fresh for m in messages]
        for entry_id, fields in batch:
            if fields is None:  # trimmed away (MAXLEN) while pending
                r.xack(args.stream, args.group, entry_id)
                continue
            handle(fields, seen)
            r.xack(args.stream, args.group, entry_id)
        if args.once and not batch:
            break


if __name__ == "__main__":
    main()
