"""The read side: view runners, their lifecycle and the SLA deadline watcher."""
