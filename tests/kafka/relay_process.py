"""Runs a relay over the throwaway application in a process of its own, so a test can kill -9 it.

Usage: python -m tests.kafka.relay_process '<store env as JSON>' <bootstrap servers> <topic>
"""

from __future__ import annotations

import json
import sys
import threading

from tests.kafka.fakes import Tickets, make_relay


def main() -> None:
    env, bootstrap_servers, topic = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
    app = Tickets(env=env)
    relay = make_relay(app, bootstrap_servers, topic, relay_batch_size=200)
    print("relay running", flush=True)
    relay.run(threading.Event())


if __name__ == "__main__":
    main()
