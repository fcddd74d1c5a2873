"""A real SMTP server on loopback for tests (aiosmtpd), keeping each message it receives."""

from __future__ import annotations

import email
import socket
import threading
from email.message import Message

from aiosmtpd.controller import Controller


class _Keep:
    def __init__(self, into: list[Message], lock: threading.Lock) -> None:
        self.into, self.lock = into, lock

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        with self.lock:
            self.into.append(message)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LoopbackSmtp:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self._lock = threading.Lock()
        self.port = _free_port()
        self._controller = Controller(
            _Keep(self.messages, self._lock), hostname="127.0.0.1", port=self.port
        )

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def take(self, app=None) -> list[Message]:
        """The messages received since the last call; given the ``app``, once every email it
        has handed to its outbox (sent after each answer, on a thread) has been sent."""
        if app is not None:
            app.extensions["cpc_outbox"].wait()
        with self._lock:
            taken = list(self.messages)
            self.messages.clear()
        return taken

    @staticmethod
    def body(message: Message) -> str:
        payload = message.get_payload(decode=True)
        return payload.decode("utf-8") if isinstance(payload, bytes) else str(payload)
