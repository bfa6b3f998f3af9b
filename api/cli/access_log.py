"""The HTTP access log without query strings: `?q=` searches by a customer's name and `?owner=`
by a person's, and a log line cannot be erased with the data subject's key."""

from __future__ import annotations

import copy
import logging
from typing import Any
from urllib.parse import parse_qsl, quote

from uvicorn.config import LOGGING_CONFIG


class WithoutQuery(logging.Filter):
    """Rewrites uvicorn's access record (client, method, path?query, version, status) so the
    path keeps its parameters' names only, each value written as `*`: `/escalations?q=*`."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (args[0], args[1], without_values(args[2]), *args[3:])
        return True


def without_values(target: str) -> str:
    path, mark, query = target.partition("?")
    if not mark:
        return path
    names = [name for name, _ in parse_qsl(query, keep_blank_values=True)]
    return f"{path}?{'&'.join(f'{quote(name)}=*' for name in names)}"


def log_config() -> dict[str, Any]:
    """uvicorn's own logging configuration, with the access handler filtered."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["without_query"] = {"()": WithoutQuery}
    config["handlers"]["access"]["filters"] = ["without_query"]
    return config
